from django.urls import path

from . import views

app_name = "policy"

urlpatterns = [
    path("flagged/", views.flagged, name="flagged"),
    path("whatif/", views.whatif, name="whatif"),
]
