from django.urls import path

from . import department_views

app_name = "monitoring"

#: department data (h-dept): kept as its own list so that the rest of monitoring's pages join it as a union
department_urlpatterns = [
    path("departments/", department_views.upload_list, name="department-list"),
    path("departments/upload/", department_views.upload, name="department-upload"),
    path("departments/<int:pk>/", department_views.upload_detail, name="department-upload-detail"),
    path("departments/<int:pk>/report/", department_views.report, name="department-report"),
    path("departments/template/<str:department>.xlsx", department_views.template, name="department-template"),
]

urlpatterns = [*department_urlpatterns]
