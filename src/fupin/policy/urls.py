from django.urls import path

from . import area_views, views

app_name = "policy"

urlpatterns = [
    path("", views.runs, name="runs"),
    path("jobs/<uuid:pk>/", views.job, name="job"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("flagged/", views.flagged, name="flagged"),
    path("whatif/", views.whatif, name="whatif"),
    path("areas/", area_views.area_verdicts_page, name="area-verdicts"),
    path("areas/<int:pk>/", area_views.area_verdict_page, name="area-verdict"),
    path("whatif/households/", views.whatif_households, name="whatif-households"),
]
