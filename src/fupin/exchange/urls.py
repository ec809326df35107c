from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("template.xlsx", views.template, name="exchange-template"),
]
