from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("template.xlsx", views.template, name="exchange-template"),
    path("import/", views.import_start, name="import"),
    path("import/<uuid:pk>/", views.import_job, name="import-job"),
    path("import/<uuid:pk>/report/", views.import_report, name="import-report"),
    path("export/<uuid:pk>/", views.export_job, name="export-job"),
    path("export/<uuid:pk>/download/", views.export_download, name="export-download"),
]

#: the household list's exports, mounted by fupin.urls at the site's root beside the list (/households/export.csv)
#: under the namespace "exports": the registry's pages link to them by name and import nothing of exchange
exports = (
    [
        path("households/export.csv", views.household_export, {"fmt": "csv"}, name="household-export"),
        path("households/export.xlsx", views.household_export, {"fmt": "xlsx"}, name="household-export-xlsx"),
    ],
    "exports",
)
