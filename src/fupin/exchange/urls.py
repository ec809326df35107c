from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("template.xlsx", views.template, name="exchange-template"),
    path("import/", views.import_start, name="import"),
    path("import/<uuid:pk>/", views.import_job, name="import-job"),
    path("import/<uuid:pk>/report/", views.import_report, name="import-report"),
]
