from django.urls import path

from . import views

app_name = "policy"

urlpatterns = [
    path("", views.runs, name="runs"),
    path("jobs/<uuid:pk>/", views.job, name="job"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("flagged/", views.flagged, name="flagged"),
    path("whatif/", views.whatif, name="whatif"),
    path("whatif/households/", views.whatif_households, name="whatif-households"),
]
