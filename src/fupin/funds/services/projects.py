"""The project library (项目库): a proposal from a village, a township or the county, and each step of the county's
procedure taken on it in order by the roles the step names (services.procedure), until it enters the year's plan.
Nothing else writes a project's `stage` or `step`. Every check raises before anything is written."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import Level
from fupin.core.errors import NotFound
from fupin.registry.models import Household

from .. import codes
from ..models import Beneficiary, FundingPlan, Project, ProjectStep, Target
from . import procedure
from .common import FundsRefused, NotYours, area_of, check_date, county_of, require_role, source_of, wan

#: the years a project may be planned for: the library runs since the programme began, a year ahead at most
FIRST_YEAR = 2014
_NAME_MAX = Project._meta.get_field("name").max_length
_INDICATOR_MAX = Target._meta.get_field("indicator").max_length
_TARGET_MAX = Target._meta.get_field("target").max_length
_NOTE_MAX = Beneficiary._meta.get_field("note").max_length
QUANTITY_QUANTUM = Decimal("0.001")
#: the fields of the project row a proposal fills (and a revision after a return changes)
FIELDS = (
    "name",
    "year",
    "project_type",
    "category",
    "department",
    "implementer",
    "content",
    "unit",
    "planned_quantity",
    "cost",
    "benefit_mechanism",
    "planned_start",
    "planned_end",
)


def project_of(user, project, *, lock=False) -> Project:
    """The project inside the user's area; another area's and a missing one are alike "not found"."""
    pk = getattr(project, "pk", project)
    found = Project.objects.restrict(user)
    if lock:
        found = found.select_for_update()
    found = found.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(_("未找到该项目，或不在您的管辖范围内"))
    return found


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit] if limit else str(value or "").strip()


def _choice(value, choices, *, field: str, label: str, blank=False) -> str:
    value = str(value or "").strip()
    if blank and not value:
        return ""
    if value not in choices.values:
        raise FundsRefused(_("请选择%(what)s") % {"what": label}, field=field)
    return value


def quantity(value, *, field="planned_quantity", label=None) -> Decimal:
    """A physical quantity in the project's unit, to three decimals (97.05 km), not negative."""
    label = label or _("计划建设规模")
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise FundsRefused(_("%(what)s应为数字，实际是“%(value)s”") % {"what": label, "value": value}, field=field)
    if amount < 0:
        raise FundsRefused(_("%(what)s不能为负数") % {"what": label}, field=field)
    if amount.as_tuple().exponent < -3:
        raise FundsRefused(_("%(what)s最多保留三位小数") % {"what": label}, field=field)
    return amount.quantize(QUANTITY_QUANTUM)


def _fields(data: dict) -> dict:
    """The project row's own values, checked: name, year, type, category, unit, scale, cost and dates."""
    name = _text(data.get("name"), 0)
    if not name:
        raise FundsRefused(_("请填写项目名称"), field="name")
    if len(name) > _NAME_MAX:
        raise FundsRefused(_("项目名称不能超过 %(n)s 个字") % {"n": _NAME_MAX}, field="name")
    try:
        year = int(data.get("year"))
    except (TypeError, ValueError):
        raise FundsRefused(_("请填写计划年度"), field="year") from None
    last_year = timezone.localdate().year + 1
    if not FIRST_YEAR <= year <= last_year:
        raise FundsRefused(
            _("计划年度应在 %(low)s 至 %(high)s 年之间") % {"low": FIRST_YEAR, "high": last_year}, field="year"
        )
    start, end = data.get("planned_start"), data.get("planned_end")
    for key, label in (("planned_start", _("计划开工日期")), ("planned_end", _("计划完工日期"))):
        if data.get(key) not in (None, "") and not isinstance(data.get(key), date):
            raise FundsRefused(_("%(what)s不是有效日期") % {"what": label}, field=key)
    if start and end and end < start:
        raise FundsRefused(_("计划完工日期早于计划开工日期"), field="planned_end")
    planned = quantity(data.get("planned_quantity"))
    if planned == 0:
        raise FundsRefused(_("计划建设规模应大于 0"), field="planned_quantity")
    return {
        "name": name,
        "year": year,
        "project_type": _choice(data.get("project_type"), codes.ProjectType, field="project_type", label=_("项目类型")),
        "category": _choice(data.get("category"), codes.UseCategory, field="category", label=_("资金用途")),
        "department": _choice(
            data.get("department"), codes.Department, field="department", label=_("主管部门"), blank=True
        ),
        "implementer": _text(data.get("implementer"), 80),
        "content": _text(data.get("content"), 2000),
        "unit": _choice(data.get("unit"), codes.PhysicalUnit, field="unit", label=_("计量单位")),
        "planned_quantity": planned,
        "cost": wan(data.get("cost"), field="cost", label=_("投资估算")),
        "benefit_mechanism": _text(data.get("benefit_mechanism"), 2000),
        "planned_start": start or None,
        "planned_end": end or None,
    }


def _targets(rows) -> list[dict]:
    """绩效目标: each an indicator and its target value; blank lines are skipped, half-filled ones refused."""
    found = []
    for number, row in enumerate(rows or (), start=1):
        indicator, target = _text(row.get("indicator"), 0), _text(row.get("target"), 0)
        if not indicator and not target:
            continue
        if not indicator or not target:
            raise FundsRefused(_("第 %(n)s 项绩效目标须同时填写指标和目标值") % {"n": number}, field="targets")
        if len(indicator) > _INDICATOR_MAX or len(target) > _TARGET_MAX:
            raise FundsRefused(_("第 %(n)s 项绩效目标过长") % {"n": number}, field="targets")
        found.append({"indicator": indicator, "target": target})
    return found


def _beneficiaries(user, area, rows) -> list[dict]:
    """Households of the registry inside both the user's area and the project's location, each with its way."""
    found, seen = [], set()
    households = Household.objects.restrict(user).under(area.prefix)
    for number, row in enumerate(rows or (), start=1):
        key = row.get("household_id") or row.get("household_number")
        if key in (None, ""):
            continue
        text = str(key).strip()
        if row.get("household_id"):
            household = households.filter(pk=text).first() if text.isdigit() else None
        else:  # a 户编号 as typed: no NUL (PostgreSQL refuses one), not longer than the column
            household = households.filter(number=text).first() if "\x00" not in text and len(text) <= 40 else None
        if household is None:
            raise FundsRefused(
                _("第 %(n)s 户受益农户“%(key)s”不在项目地点“%(area)s”的农户中")
                % {"n": number, "key": key, "area": area.name},
                field="beneficiaries",
            )
        if household.pk in seen:
            raise FundsRefused(_("受益农户“%(key)s”重复列出") % {"key": key}, field="beneficiaries")
        seen.add(household.pk)
        way = _choice(row.get("way"), codes.BenefitWay, field="beneficiaries", label=_("带动方式"))
        found.append({"household": household, "way": way, "note": _text(row.get("note"), _NOTE_MAX)})
    return found


def _funding(user, county, rows) -> list[dict]:
    """The funding plan: one amount a source, each source the county's own."""
    found, seen = [], set()
    for number, row in enumerate(rows or (), start=1):
        if row.get("source_id") in (None, "") and row.get("amount") in (None, ""):
            continue
        source = source_of(user, row.get("source_id"), field="funding")
        if source.county_id != county.code:
            raise NotFound(_("未找到资金来源“%(id)s”") % {"id": row.get("source_id")}, field="funding")
        if source.pk in seen:
            raise FundsRefused(_("资金来源“%(name)s”重复列出") % {"name": source.name}, field="funding")
        seen.add(source.pk)
        amount = wan(row.get("amount"), field="funding", label=_("第 %(n)s 项计划金额") % {"n": number})
        found.append({"source": source, "amount": amount})
    return found


def _write_parts(project, targets, beneficiaries, funding) -> None:
    project.targets.all().delete()
    project.beneficiaries.all().delete()
    project.funding.all().delete()
    Target.objects.bulk_create([Target(project=project, **row) for row in targets])
    Beneficiary.objects.bulk_create([Beneficiary(project=project, **row) for row in beneficiaries])
    FundingPlan.objects.bulk_create([FundingPlan(project=project, **row) for row in funding])


def _parts_snapshot(targets, beneficiaries, funding) -> dict:
    return {
        "targets": targets,
        "beneficiaries": [{"household": row["household"].pk, "way": row["way"]} for row in beneficiaries],
        "funding": [{"source": row["source"].pk, "amount": str(row["amount"])} for row in funding],
    }


@transaction.atomic
def propose(user, *, area_code, targets=(), beneficiaries=(), funding=(), code="", via="ui", **data) -> Project:
    """File a proposal located in a village, a township or the county (its proposer level follows the place); it
    starts at the step its level enters the procedure at (a village's at 户申请)."""
    require_role(user, codes.PROPOSERS, _("申报项目"))
    area = area_of(user, area_code, levels=(Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY))
    county = county_of(area)
    fields = _fields(data)
    parts = (_targets(targets), _beneficiaries(user, area, beneficiaries), _funding(user, county, funding))
    level = procedure.PROPOSER_LEVEL[area.level]
    entry = procedure.entry_step(procedure.procedure_of(county.code), level)
    project = Project.objects.create(
        county=county,
        area=area,
        code=_text(code, 40),
        proposer_level=level,
        stage=codes.Stage.PROPOSED,
        step=entry.code,
        recorded_by=user if getattr(user, "pk", None) else None,
        **fields,
    )
    _write_parts(project, *parts)
    audit.record(user, Action.CREATE, project, changes={**audit.snapshot(project), **_parts_snapshot(*parts)}, via=via)
    return project


def with_proposer(project: Project, steps=None) -> bool:
    """Whether the project is back with (or still at) its proposer: at the step its level entered at, not yet
    in the plan — the only time its record may be revised."""
    steps = steps if steps is not None else procedure.procedure_of(project.county_id)
    entry = procedure.entry_step(steps, project.proposer_level)
    return project.stage == codes.Stage.PROPOSED and project.step == entry.code


@transaction.atomic
def revise(user, project, *, targets=(), beneficiaries=(), funding=(), via="ui", **data) -> Project:
    """Change a proposal while it is with its proposer (before it is first submitted, or after a step returned
    it); it is then resubmitted by taking its first step again."""
    # another area's project is "not found" before any role is judged (it answers as a missing one)
    project = project_of(user, project, lock=True)
    require_role(user, codes.PROPOSERS, _("修改项目申报"))
    if not with_proposer(project):
        raise FundsRefused(
            _("项目在“%(step)s”环节办理中，只有退回申报人后才能修改")
            % {"step": project.get_step_display() or project.get_stage_display()}
        )
    fields = _fields(data)
    parts = (
        _targets(targets),
        _beneficiaries(user, project.area, beneficiaries),
        _funding(user, project.county, funding),
    )
    before = audit.snapshot(project)
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    _write_parts(project, *parts)
    after = {**audit.snapshot(project), **_parts_snapshot(*parts)}
    audit.record(user, Action.UPDATE, project, changes=audit.diff(before, after), via=via)
    return project


def plan_refusal(project: Project) -> str:
    """Why the project may not enter the year's plan ("" when it may): a benefit mechanism (联农带农), performance
    targets, and a funding plan that adds up to its cost."""
    if not project.benefit_mechanism.strip():
        return _("项目没有联农带农机制，不能列入年度计划")
    if not project.targets.exists():
        return _("项目没有绩效目标，不能列入年度计划")
    planned = sum((row.amount for row in project.funding.all()), Decimal(0))
    if planned != project.cost:
        return _("资金筹措计划合计 %(planned)s 万元，与投资估算 %(cost)s 万元不符") % {
            "planned": planned,
            "cost": project.cost,
        }
    return ""


def _criteria(step: procedure.Step, answers, decision: str) -> dict:
    """Each of the step's named criteria answered yes or no; an approval needs every one met."""
    answers = answers or {}
    result = {}
    for name in step.criteria:
        value = answers.get(name)
        if value in (True, "yes", "1", 1, "true", "on"):
            result[name] = True
        elif value in (False, "no", "0", 0, "false"):
            result[name] = False
        else:
            raise FundsRefused(_("请逐项填写审核要点：“%(name)s”未填写") % {"name": name}, field="criteria")
    unmet = [name for name, met in result.items() if not met]
    if decision == codes.Decision.APPROVE and unmet:
        raise FundsRefused(
            _("审核要点“%(names)s”不符合，不能通过（可退回修改或不予通过）") % {"names": "、".join(unmet)},
            field="criteria",
        )
    return result


@transaction.atomic
def take_step(
    user, project, *, step, decision, on, comment="", criteria=None, notice_from=None, via="ui"
) -> ProjectStep:
    """Take the project's current step: approve (on to the next step, or into the year's plan after the last),
    return (back to its proposer, who revises and resubmits) or refuse (closed). Out of order, by a role the step
    does not name, or on a project outside the user's area: refused before anything is written."""
    project = project_of(user, project, lock=True)
    steps = procedure.procedure_of(project.county_id)
    if project.stage != codes.Stage.PROPOSED:
        raise FundsRefused(
            _("项目已是“%(stage)s”，不在申报审核中") % {"stage": project.get_stage_display()}, field="step"
        )
    current = procedure.step_of(steps, project.step)
    if current is None:
        raise FundsRefused(_("项目的当前环节不在本县程序中，请联系县级管理员"), field="step")
    if not (getattr(user, "is_superuser", False) or getattr(user, "role", None) in current.roles):
        raise NotYours(_("您的角色不能办理“%(step)s”环节") % {"step": current.label})
    if step != current.code:
        wanted = procedure.step_of(steps, step)
        raise FundsRefused(
            _("项目当前在“%(current)s”环节，不能办理“%(step)s”（须按顺序逐环节办理）")
            % {"current": current.label, "step": wanted.label if wanted else step},
            field="step",
        )
    decision = _choice(decision, codes.Decision, field="decision", label=_("办理结论"))
    comment = _text(comment, 2000)
    if decision != codes.Decision.APPROVE and not comment:
        raise FundsRefused(_("退回或不予通过须填写意见"), field="comment")
    last = project.steps.order_by("-on", "-id").first()
    start = last.on if last else None  # the first step: a clerk may enter an earlier paper file
    on = check_date(on, field="on", label=_("办理日期"), not_before=start, before_label=_("上一环节的办理日期"))
    answered = _criteria(current, criteria, decision)
    notice_to = None
    if current.notice_days and decision == codes.Decision.APPROVE:
        notice_from = check_date(
            notice_from,
            field="notice_from",
            label=_("公示开始日期"),
            not_before=start,
            before_label=_("上一环节的办理日期"),
        )
        notice_to = procedure.notice_until(project.area_id, notice_from, current.notice_days)
        if on <= notice_to:
            raise FundsRefused(
                _("公示期 %(days)s %(unit)s，至 %(until)s 结束；公示期满后（%(until)s 之后）才能通过")
                % {
                    "days": current.notice_days,
                    "unit": procedure.notice_unit(project.area_id, notice_from),
                    "until": notice_to,
                },
                field="on",
            )
    else:
        notice_from = None
    after = procedure.following(steps, current.code)
    if decision == codes.Decision.APPROVE and after is None:
        why = plan_refusal(project)
        if why:
            raise FundsRefused(why, field="step")
    row = ProjectStep.objects.create(
        project=project,
        step=current.code,
        decision=decision,
        on=on,
        comment=comment,
        criteria=answered,
        notice_from=notice_from,
        notice_to=notice_to,
        by=user if getattr(user, "pk", None) else None,
    )
    before = {"stage": project.stage, "step": project.step}
    if decision == codes.Decision.APPROVE:
        project.step = after.code if after else ""
        project.stage = codes.Stage.PROPOSED if after else codes.Stage.PLANNED
    elif decision == codes.Decision.RETURN:
        project.step = procedure.entry_step(steps, project.proposer_level).code
    else:
        project.stage, project.step = codes.Stage.REFUSED, ""
    project.save(update_fields=["stage", "step", "updated_at"])
    changes = {**audit.snapshot(row), "from": before, "to": {"stage": project.stage, "step": project.step}}
    audit.record(user, Action.CREATE, row, area_code=project.area_id, changes=changes, via=via)
    return row


def available_steps(user, project: Project) -> procedure.Step | None:
    """The step the user may take on the project now (None: none)."""
    if project.stage != codes.Stage.PROPOSED:
        return None
    current = procedure.step_of(procedure.procedure_of(project.county_id), project.step)
    if current is None:
        return None
    if getattr(user, "is_superuser", False) or getattr(user, "role", None) in current.roles:
        return current
    return None


@transaction.atomic
def withdraw(user, project, *, reason, via="ui") -> Project:
    """The proposer withdraws a proposal still with it (not yet in the plan)."""
    # another area's project is "not found" before any role is judged (it answers as a missing one)
    project = project_of(user, project, lock=True)
    require_role(user, codes.PROPOSERS, _("撤回项目申报"))
    if not with_proposer(project):
        raise FundsRefused(_("只有在申报人处（未提交或被退回）的项目才能撤回"))
    reason = _text(reason, 200)
    if not reason:
        raise FundsRefused(_("请填写撤回原因"), field="reason")
    project.stage, project.step = codes.Stage.WITHDRAWN, ""
    project.save(update_fields=["stage", "step", "updated_at"])
    audit.record(user, Action.UPDATE, project, changes={"stage": project.stage, "reason": reason}, via=via)
    return project
