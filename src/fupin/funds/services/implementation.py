"""A project in the year's plan, carried out: its start, its monthly physical progress in its own unit (km, 处, 口,
座, 亩, 户…), acceptance (验收) with its record and files, audit, and the completion notice (完工公告). Acceptance is
the point the project's assets are created from (services.assets.create_from_project, topic D): `accept` returns
the accepted project and calls nothing else. Every check raises before anything is written."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import Role

from .. import codes
from ..models import Progress, Project
from .common import FundsRefused, check_date, require_role
from .projects import _choice, _text, project_of, quantity

#: who starts a project, reports its progress and records its completion notice: those who spend (the county,
#: its departments, the townships — each inside its own area)
IMPLEMENTERS = codes.SPENDERS
#: who accepts a project (验收): the county and its departments, and the township for its own projects
ACCEPTORS = frozenset({Role.COUNTY_ADMIN, Role.DEPARTMENT, Role.TOWNSHIP})
#: who records the audit (审计): the county's clerks and the inspectors (督查/审计)
AUDITORS = frozenset({Role.COUNTY_ADMIN, Role.INSPECTOR})
#: the stages in which money may be paid and progress reported
UNDER_WAY = frozenset({codes.Stage.IMPLEMENTING})


def _refuse_stage(project: Project, wanted: str, what: str):
    raise FundsRefused(
        _("项目是“%(stage)s”，%(what)s须在“%(wanted)s”阶段")
        % {"stage": project.get_stage_display(), "what": what, "wanted": codes.Stage(wanted).label},
        field="stage",
    )


def _plan_day(project: Project) -> date | None:
    """The day the project entered the plan (its last approved step)."""
    step = project.steps.filter(decision=codes.Decision.APPROVE).order_by("-on", "-id").first()
    return step.on if step else None


@transaction.atomic
def start(user, project, *, on, via="ui") -> Project:
    """The project in the plan starts (开工) on the given day, not before it entered the plan."""
    # another area's project is "not found" before any role is judged (it answers as a missing one)
    project = project_of(user, project, lock=True)
    require_role(user, IMPLEMENTERS, _("登记项目开工"))
    if project.stage != codes.Stage.PLANNED:
        _refuse_stage(project, codes.Stage.PLANNED, _("开工"))
    on = check_date(on, field="on", label=_("开工日期"), not_before=_plan_day(project), before_label=_("列入计划日期"))
    project.stage, project.started_on = codes.Stage.IMPLEMENTING, on
    project.save(update_fields=["stage", "started_on", "updated_at"])
    audit.record(user, Action.UPDATE, project, changes={"stage": project.stage, "started_on": on.isoformat()}, via=via)
    return project


def month_of(day) -> date:
    if not isinstance(day, date):
        raise FundsRefused(_("请填写报告月份"), field="month")
    return day.replace(day=1)


@transaction.atomic
def report_progress(user, project, *, month, quantity_done, note="", via="ui") -> Progress:
    """The physical quantity done to date at the month's end, cumulative in the project's unit: not less than an
    earlier month's, not more than a later one's, at most the plan's scale; a month reported again is corrected."""
    # another area's project is "not found" before any role is judged (it answers as a missing one)
    project = project_of(user, project, lock=True)
    require_role(user, IMPLEMENTERS, _("报告项目进度"))
    if project.stage not in UNDER_WAY:
        _refuse_stage(project, codes.Stage.IMPLEMENTING, _("报告进度"))
    month = month_of(month)
    check_date(
        month,
        field="month",
        label=_("报告月份"),
        not_before=project.started_on.replace(day=1),
        before_label=_("开工月份"),
    )
    done = quantity(quantity_done, field="quantity_done", label=_("累计完成规模"))
    unit = project.get_unit_display()
    if done > project.planned_quantity:
        raise FundsRefused(
            _("累计完成 %(done)s %(unit)s 超过计划建设规模 %(plan)s %(unit)s")
            % {"done": done.normalize(), "plan": project.planned_quantity.normalize(), "unit": unit},
            field="quantity_done",
        )
    earlier = project.progress.filter(month__lt=month).order_by("-month").first()
    if earlier and done < earlier.quantity_done:
        raise FundsRefused(
            _("累计完成规模不能少于 %(month)s 已报的 %(done)s %(unit)s")
            % {"month": earlier.month.strftime("%Y-%m"), "done": earlier.quantity_done.normalize(), "unit": unit},
            field="quantity_done",
        )
    later = project.progress.filter(month__gt=month).order_by("month").first()
    if later and done > later.quantity_done:
        raise FundsRefused(
            _("累计完成规模不能多于 %(month)s 已报的 %(done)s %(unit)s")
            % {"month": later.month.strftime("%Y-%m"), "done": later.quantity_done.normalize(), "unit": unit},
            field="quantity_done",
        )
    row, created = Progress.objects.update_or_create(
        project=project,
        month=month,
        defaults={
            "quantity_done": done,
            "note": _text(note, 200),
            "reported_by": user if getattr(user, "pk", None) else None,
        },
    )
    audit.record(
        user,
        Action.CREATE if created else Action.UPDATE,
        row,
        area_code=project.area_id,
        changes={"month": month.isoformat(), "quantity_done": str(done)},
        via=via,
    )
    return row


@transaction.atomic
def accept(user, project, *, on, result, record, actuals=None, via="ui") -> Project:
    """Acceptance (验收) of a project under way, with its record (验收意见) and the targets' values reached; a
    passing one needs the acceptance report on file (an ACCEPTANCE file) and moves the project to ACCEPTED — the
    point its assets are created from (services.assets.create_from_project). A failing one is recorded and the
    project stays under way for its rectification."""
    # another area's project is "not found" before any role is judged (it answers as a missing one)
    project = project_of(user, project, lock=True)
    require_role(user, ACCEPTORS, _("项目验收"))
    if project.stage not in UNDER_WAY:
        _refuse_stage(project, codes.Stage.IMPLEMENTING, _("验收"))
    result = _choice(result, codes.AcceptanceResult, field="result", label=_("验收结论"))
    on = check_date(on, field="on", label=_("验收日期"), not_before=project.started_on, before_label=_("开工日期"))
    record = _text(record, 4000)
    if not record:
        raise FundsRefused(_("请填写验收意见"), field="record")
    actuals = {str(key): _text(value, 60) for key, value in (actuals or {}).items()}
    targets = list(project.targets.all())
    if result == codes.AcceptanceResult.PASSED:
        if not project.files.filter(kind=codes.FileKind.ACCEPTANCE).exists():
            raise FundsRefused(_("请先上传验收报告（文件类别选“验收报告”），再登记验收合格"), field="files")
        missing = [t.indicator for t in targets if not (actuals.get(str(t.pk)) or t.actual)]
        if missing:
            raise FundsRefused(_("请填写绩效目标的完成值：%(names)s") % {"names": "、".join(missing)}, field="actuals")
    for target in targets:
        if actuals.get(str(target.pk)):
            target.actual = actuals[str(target.pk)]
            target.save(update_fields=["actual"])
    project.acceptance_result, project.acceptance_record = result, record
    fields = ["acceptance_result", "acceptance_record", "updated_at"]
    if result == codes.AcceptanceResult.PASSED:
        project.stage, project.accepted_on = codes.Stage.ACCEPTED, on
        fields += ["stage", "accepted_on"]
    project.save(update_fields=fields)
    changes = {"result": result, "on": on.isoformat(), "record": record, "actuals": actuals, "stage": project.stage}
    audit.record(user, Action.UPDATE, project, changes=changes, via=via)
    return project


@transaction.atomic
def record_audit(user, project, *, on, opinion, via="ui") -> Project:
    """The audit of an accepted project (every project audited: seed 003), with its opinion."""
    # another area's project is "not found" before any role is judged (it answers as a missing one)
    project = project_of(user, project, lock=True)
    require_role(user, AUDITORS, _("登记项目审计"))
    if project.stage != codes.Stage.ACCEPTED:
        _refuse_stage(project, codes.Stage.ACCEPTED, _("审计"))
    on = check_date(on, field="on", label=_("审计日期"), not_before=project.accepted_on, before_label=_("验收日期"))
    opinion = _text(opinion, 4000)
    if not opinion:
        raise FundsRefused(_("请填写审计意见"), field="opinion")
    project.audited_on, project.audit_opinion = on, opinion
    project.save(update_fields=["audited_on", "audit_opinion", "updated_at"])
    audit.record(user, Action.UPDATE, project, changes={"audited_on": on.isoformat(), "opinion": opinion}, via=via)
    return project


@transaction.atomic
def complete(user, project, *, on, via="ui") -> Project:
    """The completion notice (完工公告) of an accepted and audited project closes it."""
    # another area's project is "not found" before any role is judged (it answers as a missing one)
    project = project_of(user, project, lock=True)
    require_role(user, IMPLEMENTERS, _("登记完工公告"))
    if project.stage != codes.Stage.ACCEPTED:
        _refuse_stage(project, codes.Stage.ACCEPTED, _("完工公告"))
    if project.audited_on is None:
        raise FundsRefused(_("项目尚未审计，审计后才能发布完工公告"), field="stage")
    on = check_date(on, field="on", label=_("公告日期"), not_before=project.audited_on, before_label=_("审计日期"))
    project.stage, project.completion_notice_on = codes.Stage.COMPLETED, on
    project.save(update_fields=["stage", "completion_notice_on", "updated_at"])
    audit.record(
        user, Action.UPDATE, project, changes={"stage": project.stage, "completion_notice_on": on.isoformat()}, via=via
    )
    return project
