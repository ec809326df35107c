from django.urls import path, re_path

from . import action_views, department_views, elimination_views, views

app_name = "monitoring"

#: department data (h-dept): kept as its own list so that the rest of monitoring's pages join it as a union
department_urlpatterns = [
    path("departments/", department_views.upload_list, name="department-list"),
    path("departments/upload/", department_views.upload, name="department-upload"),
    path("departments/<int:pk>/", department_views.upload_detail, name="department-upload-detail"),
    path("departments/<int:pk>/report/", department_views.report, name="department-report"),
    path("departments/template/<str:department>.xlsx", department_views.template, name="department-template"),
]


urlpatterns = [
    path("", views.inbox, name="inbox"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.inbox_export, name="inbox-export"),
    path("overdue/", views.overdue, name="overdue"),
    path("clues/add/", action_views.clue_add, name="clue-add"),
    path("clues/<int:pk>/", views.clue_detail, name="clue-detail"),
    path("clues/<int:pk>/accept/", action_views.clue_accept, name="clue-accept"),
    path("clues/<int:pk>/reject/", action_views.clue_reject, name="clue-reject"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/act/", action_views.case_act, name="case-act"),
    path("cases/<int:pk>/category/", action_views.case_category, name="case-category"),
    path("cases/<int:pk>/evidence/", action_views.evidence_add, name="evidence-add"),
    path("cases/<int:pk>/objections/", action_views.objection_add, name="objection-add"),
    path("evidence/<int:pk>/", action_views.evidence_download, name="evidence-download"),
    path("objections/<int:pk>/answer/", action_views.objection_answer, name="objection-answer"),
    path("notices/", views.notices, name="notices"),
    path("notices/add/", action_views.notice_add, name="notice-add"),
    path("notices/<int:pk>/", action_views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/pdf/", action_views.notice_pdf, name="notice-pdf"),
    path("from-run/", action_views.start_from_run, name="start-from-run"),
    path("eliminate-from-run/", elimination_views.start_from_run, name="eliminate-from-run"),
    path("cases/<int:pk>/reverse/", elimination_views.reverse, name="case-reverse"),
    *department_urlpatterns,
]
