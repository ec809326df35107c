"""Pages of the project library, its procedure, implementation, acceptance and the bulletin (topic B): the list
with its filters and export, a project's page (its whole record, the procedure drawn as a stepper, a button for
each action the user may take), one form page per action, the monthly bulletin and the Excel import. Views parse,
call services.projects / implementation / disbursements / project_files / bulletin and render. `urls` is joined
into funds/urls.py."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.registry import panels

from .. import codes
from ..services import bulletin as bulletins
from ..services import disbursements, implementation, procedure, project_export, project_files, projects
from ..services.common import require_role
from . import projects_import, projects_notice
from .projects_forms import (
    AcceptanceForm,
    AuditForm,
    DateForm,
    DisbursementForm,
    FileForm,
    ProgressForm,
    ProposalForm,
    StepForm,
    WithdrawForm,
)
from .projects_tables import ProjectFilterSet, ProjectTable

PAGE_SIZE = 50
ZERO = Decimal("0.0000")


def _attempt(request, form, write, *args) -> object | None:
    """The service's result for a valid posted form; its refusal of the role or the area escapes (403/404), any
    other is shown on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(request.user, *args, **form.arguments(), via="ui")
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
    return None


def _role(user, roles) -> bool:
    return getattr(user, "is_superuser", False) or getattr(user, "role", None) in roles


def actions_of(user, project) -> dict:
    """What the user may do on the project now: each a button on its page."""
    stage = project.stage
    return {
        "step": projects.available_steps(user, project),
        "edit": _role(user, codes.PROPOSERS) and projects.with_proposer(project),
        "start": stage == codes.Stage.PLANNED and _role(user, implementation.IMPLEMENTERS),
        "progress": stage == codes.Stage.IMPLEMENTING and _role(user, implementation.IMPLEMENTERS),
        "pay": stage in disbursements.PAYABLE and _role(user, disbursements.PAYERS),
        "accept": stage == codes.Stage.IMPLEMENTING and _role(user, implementation.ACCEPTORS),
        "audit": stage == codes.Stage.ACCEPTED and _role(user, implementation.AUDITORS),
        "complete": stage == codes.Stage.ACCEPTED
        and project.audited_on is not None
        and _role(user, implementation.IMPLEMENTERS),
        "file": _role(user, project_files.UPLOADERS),
    }


def stepper(project, steps) -> list[dict]:
    """The procedure drawn for the project: each step done, current, to come, or where it was returned from or
    refused; then 入库实施 once it is in the plan."""
    taken = {row.step: row for row in project.steps.order_by("id")}  # the latest row of each step
    reached = project.stage in bulletins.IN_PLAN
    order = [step.code for step in steps]
    here = order.index(project.step) if project.stage == codes.Stage.PROPOSED and project.step in order else None
    refused = [i for i, step in enumerate(steps) if getattr(taken.get(step.code), "decision", "") == "refuse"]
    stop = here if here is not None else (refused[-1] if refused and project.stage == codes.Stage.REFUSED else None)
    drawn = []
    for index, step in enumerate(steps):
        row = taken.get(step.code)
        if reached or (stop is not None and index < stop):
            state = "done"
        elif stop is not None and index == stop:
            state = "current" if here is not None else "refused"
        elif row is not None and row.decision == codes.Decision.RETURN:
            state = "returned"
        elif stop is None and row is not None and row.decision == codes.Decision.APPROVE:
            state = "done"
        else:
            state = "todo"
        drawn.append({"label": step.label, "state": state, "row": row, "notice_days": step.notice_days})
    drawn.append({"label": _("入库实施"), "state": "done" if reached else "todo", "row": None, "notice_days": 0})
    return drawn


@login_required
@require_GET
def project_list(request):
    rows = projects.Project.objects.restrict(request.user).select_related("area")
    filters = ProjectFilterSet(request.GET, rows, user=request.user)
    table = ProjectTable(filters.qs)
    page = table.turn_to(request.GET.get("page"), PAGE_SIZE)
    context = {
        "filters": filters.form,
        "table": table,
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number),
        "may_propose": _role(request.user, codes.PROPOSERS),
        "query": request.GET.urlencode(),
    }
    return render(request, "funds/projects/list.html", context)


@login_required
@require_GET
def project_export_xlsx(request):
    rows = projects.Project.objects.restrict(request.user)
    filters = ProjectFilterSet(request.GET, rows, user=request.user)
    asked = {k: v for k, v in request.GET.items() if k in filters.form.fields and v}
    content, name, content_type = project_export.export_library(request.user, filters.qs, filters=asked, via="ui")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
@require_http_methods(["GET", "POST"])
def project_add(request):
    require_role(request.user, codes.PROPOSERS, _("申报项目"))
    form = ProposalForm(request.user, request.POST or None)
    project = _attempt(request, form, projects.propose)
    if project is not None:
        messages.success(request, _("项目申报已保存，请办理“%(step)s”环节") % {"step": project.get_step_display()})
        return redirect("funds:project-detail", project.pk)
    context = {"form": form, "title": _("申报项目"), "action": reverse("funds:project-add")}
    return render(request, "funds/projects/proposal.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = projects.project_of(request.user, pk)
    require_role(request.user, codes.PROPOSERS, _("修改项目申报"))
    if not projects.with_proposer(project):
        messages.error(request, _("项目已提交办理，只有退回申报人后才能修改"))
        return redirect("funds:project-detail", project.pk)
    form = ProposalForm(request.user, request.POST or None, project=project)
    done = _attempt(request, form, projects.revise, project)
    if done is not None:
        messages.success(request, _("项目申报已修改，请重新提交"))
        return redirect("funds:project-detail", project.pk)
    context = {
        "form": form,
        "title": _("修改项目申报"),
        "project": project,
        "action": reverse("funds:project-edit", args=[project.pk]),
    }
    return render(request, "funds/projects/proposal.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def project_detail(request, pk):
    project = projects.project_of(request.user, pk)
    steps = procedure.procedure_of(project.county_id)
    paid = disbursements.paid_by_source(project)
    funding = [
        {"row": f, "paid": paid.get(f.source_id, ZERO)} for f in project.funding.select_related("source").order_by("id")
    ]
    latest = project.progress.order_by("-month").first()
    context = {
        "project": project,
        "stepper": stepper(project, steps),
        "steps": project.steps.select_related("by").order_by("id"),
        "targets": project.targets.all(),
        "beneficiaries": project.beneficiaries.select_related("household__village").order_by("household__number"),
        "funding": funding,
        "funds_planned": sum((f["row"].amount for f in funding), ZERO),
        "funds_paid": sum(paid.values(), ZERO),
        "progress": project.progress.order_by("month"),
        "latest": latest,
        "disbursements": project.disbursements.select_related("source", "area").order_by("on", "id"),
        "files": project.files.order_by("uploaded_at"),
        "actions": actions_of(request.user, project),
        "plan_refusal": projects.plan_refusal(project) if project.stage == codes.Stage.PROPOSED else "",
        # what other topics show of the project: its subsidy from the standards, the assets it formed
        "panels": panels.panels_of("funds.project", request, project),
    }
    return render(request, "funds/projects/detail.html", context)


def _action_page(request, project, form, title, *, note="", status=None):
    context = {"project": project, "form": form, "title": title, "note": note, "action": request.path}
    status = status or (400 if form.errors else 200)
    return render(request, "funds/projects/action.html", context, status=status)


def _done(request, message, project):
    messages.success(request, message)
    return redirect("funds:project-detail", project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def project_step(request, pk):
    project = projects.project_of(request.user, pk)
    step = projects.available_steps(request.user, project)
    if step is None:
        current = project.get_step_display() or project.get_stage_display()
        raise PermissionDenied(_("该项目现在（%(step)s）没有您可办理的环节") % {"step": current})
    form = StepForm(step, request.POST or None)
    if _attempt(request, form, projects.take_step, project) is not None:
        return _done(request, _("“%(step)s”已办理") % {"step": step.label}, project)
    last = procedure.following(procedure.procedure_of(project.county_id), step.code) is None
    note = projects.plan_refusal(project) if last else ""
    return _action_page(request, project, form, _("办理：%(step)s") % {"step": step.label}, note=note)


def _simple(service, roles, what, form_class, title, done, **form_kwargs):
    """An action page: GET shows its form, POST calls the service on the project."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        project = projects.project_of(request.user, pk)
        require_role(request.user, roles, what)
        kwargs = {key: (project if value == "project" else value) for key, value in form_kwargs.items()}
        post = request.POST or None
        form = (
            form_class(post, request.FILES or None, **kwargs) if form_class is FileForm else form_class(post, **kwargs)
        )
        if _attempt(request, form, service, project) is not None:
            return _done(request, done, project)
        return _action_page(request, project, form, title)

    return view


project_start = _simple(
    implementation.start, implementation.IMPLEMENTERS, _("登记项目开工"), DateForm, _("登记开工"), _("已登记开工"),
    label=_("开工日期"),
)  # fmt: skip
project_progress = _simple(
    implementation.report_progress, implementation.IMPLEMENTERS, _("报告项目进度"), ProgressForm, _("报告月度进度"),
    _("进度已报告"), project="project",
)  # fmt: skip
project_pay = _simple(
    disbursements.record, disbursements.PAYERS, _("登记资金支付"), DisbursementForm, _("登记资金支付"),
    _("资金支付已登记"), project="project",
)  # fmt: skip
project_file_add = _simple(
    project_files.add_file, project_files.UPLOADERS, _("上传项目文件"), FileForm, _("上传项目文件"), _("文件已上传")
)
project_accept = _simple(
    implementation.accept, implementation.ACCEPTORS, _("项目验收"), AcceptanceForm, _("登记验收"), _("验收已登记"),
    project="project",
)  # fmt: skip
project_audit = _simple(
    implementation.record_audit, implementation.AUDITORS, _("登记项目审计"), AuditForm, _("登记审计"),
    _("审计已登记"),
)  # fmt: skip
project_withdraw = _simple(
    projects.withdraw, codes.PROPOSERS, _("撤回项目申报"), WithdrawForm, _("撤回申报"), _("项目申报已撤回")
)
project_complete = _simple(
    implementation.complete, implementation.IMPLEMENTERS, _("登记完工公告"), DateForm, _("登记完工公告"),
    _("完工公告已登记，项目办结"), label=_("公告日期"),
)  # fmt: skip


@login_required
@require_GET
def project_file(request, pk):
    row, handle = project_files.open_file(request.user, pk, via="ui")
    response = FileResponse(handle, content_type=row.content_type, as_attachment=True, filename=row.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _month(request) -> date:
    raw = request.GET.get("month", "")
    try:
        return date.fromisoformat(f"{raw}-01" if len(raw) == 7 else raw).replace(day=1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _year(request) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and len(raw) == 4 else None


@login_required
@require_GET
def bulletin_page(request):
    by = request.GET.get("by") if request.GET.get("by") in bulletins.BY else "township"
    data = bulletins.bulletin(request.user, _month(request), by=by, year=_year(request))
    rows = [*data["rows"], data["total"]]
    for row in rows:
        row.paid_percent, row.physical_percent = bulletins.percent(row.paid_rate), bulletins.percent(row.physical_rate)
    context = {**data, "lines": rows, "year": _year(request) or "", "query": request.GET.urlencode()}
    return render(request, "funds/projects/bulletin.html", context)


@login_required
@require_GET
def bulletin_xlsx(request):
    by = request.GET.get("by") if request.GET.get("by") in bulletins.BY else "township"
    content, name, content_type = project_export.export_bulletin(
        request.user, _month(request), by=by, year=_year(request), via="ui"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


urls = [
    path("projects/", project_list, name="project-list"),
    path("projects/export.xlsx", project_export_xlsx, name="project-export"),
    path("projects/add/", project_add, name="project-add"),
    path("projects/bulletin/", bulletin_page, name="project-bulletin"),
    path("projects/bulletin.xlsx", bulletin_xlsx, name="project-bulletin-xlsx"),
    path("projects/<int:pk>/", project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", project_edit, name="project-edit"),
    path("projects/<int:pk>/step/", project_step, name="project-step"),
    path("projects/<int:pk>/start/", project_start, name="project-start"),
    path("projects/<int:pk>/progress/", project_progress, name="project-progress"),
    path("projects/<int:pk>/pay/", project_pay, name="project-pay"),
    path("projects/<int:pk>/files/", project_file_add, name="project-file-add"),
    path("projects/<int:pk>/accept/", project_accept, name="project-accept"),
    path("projects/<int:pk>/audit/", project_audit, name="project-audit"),
    path("projects/<int:pk>/complete/", project_complete, name="project-complete"),
    path("projects/<int:pk>/withdraw/", project_withdraw, name="project-withdraw"),
    path("project-files/<int:pk>/", project_file, name="project-file"),
    *projects_import.urls,
    *projects_notice.urls,
]
