"""The statutory procedure of a case (DOMAIN.md §4, §8): opening it, taking its steps in order, and what the case
page shows of its deadlines and buttons.

The steps, their order and who takes each are codes.PROCEDURES; this module enforces them. A step passes only when
its conditions hold (the signed 承诺授权书 before the cross-check, a notice whose objection period has ended and no
objection left unanswered, the announcement posted, the category chosen); the last step writes the registry's
status event through registry.services.record_event. Each action writes its CaseStep, moves the case and audits
both in one transaction; a refusal raises and writes nothing. Evidence files and objections have their own modules
(evidence.py, objections.py), re-exported here.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import EDITORS
from fupin.core import workdays
from fupin.core.errors import DomainError, NotFound
from fupin.registry import codes as registry_codes
from fupin.registry import services as registry
from fupin.registry.models import Household

from .. import codes
from ..models import Case, CaseStep
from . import deadlines
from .common import DuplicateCase, MonitoringRefused, WrongStep, check_business_date, require_role
from .evidence import add_evidence, open_evidence
from .notices import current_notice
from .objections import answer_objection, record_objection

__all__ = [
    "act",
    "add_evidence",
    "allowed_actions",
    "answer_objection",
    "case_deadlines",
    "open_case",
    "open_cases",
    "open_evidence",
    "overdue_cases",
    "record_objection",
    "set_category",
    "set_elimination_way",
    "step_rule",
]

#: who may open a case directly (a clue's case opens when the township accepts it; an elimination from h-elim)
CASE_OPENERS = codes.CLUE_DECIDERS
#: the household statuses a case of each kind starts from (the registry's event rules, said before the last step)
STARTS_FROM = {
    codes.CaseKind.IDENTIFY: registry.EVENT_FROM[registry_codes.EventKind.MONITORED],
    codes.CaseKind.ELIMINATE: registry.EVENT_FROM[registry_codes.EventKind.RISK_ELIMINATED],
}
#: labour capacities that count as none (a household all of whose present members have one is a no-labour one)
NO_LABOUR = {registry_codes.LabourCapacity.LOST, registry_codes.LabourCapacity.NONE}
_PACK_ID_MAX = Case._meta.get_field("pack_id").max_length


def step_rule(kind, step) -> codes.StepRule:
    for rule in codes.PROCEDURES[kind]:
        if rule.code == step:
            return rule
    raise WrongStep(_("“%(kind)s”没有“%(step)s”环节") % {"kind": codes.CaseKind(kind).label, "step": step})


def _neighbour(case: Case, offset: int) -> codes.StepRule | None:
    rules = codes.PROCEDURES[case.kind]
    index = [rule.code for rule in rules].index(case.step) + offset
    return rules[index] if 0 <= index < len(rules) else None


def _step_label(step) -> str:
    return codes.StepCode(step).label if step in codes.StepCode.values else str(step)


def no_labour(household: Household, day: date) -> bool:
    """Whether no member of the household can work: marked 整户无劳动能力, or every member present on the day has
    lost or never had labour capacity."""
    if household.no_labour_household:
        return True
    members = registry.members_present_on(household.members.all(), day)
    capacities = list(members.values_list("labour_capacity", flat=True))
    return bool(capacities) and all(capacity in NO_LABOUR for capacity in capacities)


def _check_household_may_start(household: Household, kind, on: date) -> None:
    if household.status not in STARTS_FROM[kind]:
        raise MonitoringRefused(
            _("该户当前状态为“%(status)s”，不能办理“%(kind)s”")
            % {"status": household.get_status_display(), "kind": codes.CaseKind(kind).label},
            field="household",
        )
    if kind == codes.CaseKind.ELIMINATE:
        pack = deadlines.pack_in_force(household.village_id, on)
        # the registry never marks a 整户无劳动能力 household eliminated; members who all lost labour, where the pack
        # says so
        if household.no_labour_household or (
            pack.parameters.get("no_labour_never_eliminated") and no_labour(household, on)
        ):
            raise MonitoringRefused(
                _("该户整户无劳动能力，按标准包 %(pack)s 的规定不标注风险消除（继续兜底保障和监测）")
                % {"pack": pack.id},
                field="household",
            )


def refuse_duplicate(household: Household | None, kind, risk_type, *, id_number: str = "") -> None:
    """One open case per household (or, before it is registered, per person), kind and risk type."""
    open_ = Case.objects.filter(kind=kind, risk_type=risk_type, state=codes.CaseState.OPEN)
    if household is not None:
        existing = open_.filter(household=household).first()
    elif id_number:
        existing = open_.filter(household__isnull=True, clue__id_number=id_number).first()
    else:
        existing = None
    if existing is not None:
        raise DuplicateCase(
            _("该户已有办理中的“%(kind)s”事项（风险类型：%(risk)s，当前环节：%(step)s），不能重复立案")
            % {
                "kind": codes.CaseKind(kind).label,
                "risk": registry_codes.RiskType(risk_type).label,
                "step": existing.get_step_display(),
            },
            field="risk_type",
            details={"case": existing.pk},
        )


def _check_risk_types(risk_type, risk_types) -> list[str]:
    if risk_type not in registry_codes.RiskType.values:
        raise MonitoringRefused(_("请选择主要风险类型"), field="risk_type")
    others = [str(code) for code in risk_types or ()]
    unknown = [code for code in others if code not in registry_codes.RiskType.values]
    if unknown:
        raise MonitoringRefused(_("未知的风险类型：%(codes)s") % {"codes": "、".join(unknown)}, field="risk_types")
    return [risk_type, *[code for code in dict.fromkeys(others) if code != risk_type]]


def _check_category(category, field="category") -> str:
    if category and category not in registry_codes.MonitoringCategory.values:
        raise MonitoringRefused(_("未知的监测对象类别：%(code)s") % {"code": category}, field=field)
    return category or ""


@transaction.atomic
def open_case(
    user,
    household,
    *,
    kind,
    risk_type,
    risk_types=(),
    category="",
    opened_on,
    clue=None,
    started_on=None,
    elimination_way="",
    via="ui",
) -> Case:
    """Open a case at its first step. `opened_on` is the clue's date (the whole case's limit counts from it);
    `started_on` the day the case reached its first step (the acceptance; default `opened_on`). A case for a person
    not yet registered has no household, only its clue."""
    require_role(user, CASE_OPENERS, _("立案"))
    if kind not in codes.CaseKind.values:
        raise MonitoringRefused(_("未知的事项类型：%(kind)s") % {"kind": kind}, field="kind")
    kind = codes.CaseKind(kind)
    risk_types = _check_risk_types(risk_type, risk_types)
    category = _check_category(category)
    if elimination_way and elimination_way not in registry_codes.RiskEliminationWay.values:
        raise MonitoringRefused(_("未知的消除方式：%(code)s") % {"code": elimination_way}, field="elimination_way")
    check_business_date(opened_on, field="opened_on")
    started_on = check_business_date(
        started_on or opened_on, not_before=opened_on, before_label=_("发现日期"), field="started_on"
    )
    if household is not None:
        household = Household.objects.restrict(user).select_for_update().filter(pk=household.pk).first()
        if household is None:
            raise NotFound(_("未找到该农户"))
        _check_household_may_start(household, kind, started_on)
        village_id = household.village_id
    elif clue is None or kind != codes.CaseKind.IDENTIFY:
        raise MonitoringRefused(_("请选择农户"), field="household")
    else:
        village_id = clue.village_id
    refuse_duplicate(household, kind, risk_type, id_number=getattr(clue, "id_number", ""))
    clock = deadlines.clock_for(village_id, opened_on)
    first = codes.PROCEDURES[kind][0]
    case = Case.objects.create(
        village_id=village_id,
        household=household,
        clue=clue,
        kind=kind,
        risk_type=risk_type,
        risk_types=risk_types,
        category=category,
        elimination_way=elimination_way,
        pack_id=f"{clock.pack.id}@{clock.pack.version}"[:_PACK_ID_MAX],
        opened_on=opened_on,
        due_on=clock.after(opened_on, "case_limit_days"),
        step=first.code,
        step_since=started_on,
        step_due=clock.after(started_on, first.deadline_param),
        opened_by=user if getattr(user, "pk", None) else None,
    )
    audit.record(user, Action.CREATE, case, changes=audit.diff({}, audit.snapshot(case)), via=via)
    return case


def _locked_case(user, case) -> Case:
    locked = Case.objects.restrict(user).select_for_update().filter(pk=getattr(case, "pk", case)).first()
    if locked is None:
        raise NotFound(_("未找到该监测事项"))
    return locked


def _require_open(case: Case) -> None:
    if case.state != codes.CaseState.OPEN:
        raise WrongStep(
            _("该事项已于 %(date)s 办结（%(state)s），不能再办理")
            % {"date": case.closed_on, "state": case.get_state_display()}
        )


def pass_refusal(case: Case, on: date) -> DomainError | None:
    """Why the case's current step cannot pass on `on` (None when it can): the same conditions for the button and
    for the action."""
    step = case.step
    if step == codes.StepCode.VERIFY:
        kinds = set(case.evidence.values_list("kind", flat=True))
        following = _neighbour(case, 1)
        if (
            following is not None
            and following.code == codes.StepCode.CROSSCHECK
            and codes.EvidenceKind.CONSENT not in kinds
        ):
            return MonitoringRefused(
                _("入户核实须上传农户签字的承诺授权书：没有承诺授权书，不能开展信息比对"), field="evidence"
            )
        if codes.EvidenceKind.SURVEY not in kinds:
            return MonitoringRefused(_("入户核实须上传防止返贫动态监测排查表"), field="evidence")
    if step == codes.StepCode.NOTICE:
        notice = current_notice(case, codes.NoticeKind.VILLAGE)
        if notice is None:
            return MonitoringRefused(_("尚未张贴列有该户的村内公示，不能结束公示环节"), field="notice")
        if notice.objection_until is None or on <= notice.objection_until:
            return MonitoringRefused(
                _("公示期至 %(until)s 止（%(posted)s 张贴），%(date)s 尚在公示期内，公示期满后方可进入下一环节")
                % {"until": notice.objection_until, "posted": notice.posted_on, "date": on},
                field="on",
            )
        open_objections = case.objections.filter(answered_on__isnull=True).count()
        if open_objections:
            return MonitoringRefused(
                _("还有 %(count)s 条公示异议未答复，答复后方可进入下一环节") % {"count": open_objections},
                field="objections",
            )
    if step == codes.StepCode.COUNTY:
        if case.kind == codes.CaseKind.IDENTIFY and not case.category:
            return MonitoringRefused(_("县级审批前须确定监测对象类别"), field="category")
        if case.kind == codes.CaseKind.ELIMINATE and not case.elimination_way:
            return MonitoringRefused(_("县级审批前须确定风险消除方式（帮扶消除/自然消除）"), field="elimination_way")
    if step == codes.StepCode.ANNOUNCE:
        posted = current_notice(case, codes.NoticeKind.ANNOUNCEMENT)
        if posted is None or posted.posted_on > on:
            return MonitoringRefused(_("尚未张贴结果公告，不能结束公告环节"), field="notice")
    return None


def _register_person(user, case: Case, via: str) -> None:
    """A clue about a person not yet registered: at the home check the household is created through the registry,
    the clue's person as its head, in the clue's village."""
    clue = case.clue
    prefix = case.village_id
    taken = set(Household.objects.filter(number__startswith=prefix).values_list("number", flat=True))
    sequence = len(taken) + 1
    while f"{prefix}{sequence:04d}" in taken:
        sequence += 1
    data = {"village": case.village_id, "number": f"{prefix}{sequence:04d}", "head_name": clue.person_name}
    if clue.phone:
        data["phone"] = clue.phone
    household = registry.create_household_with_head(user, data, {"id_number": clue.id_number}, via=via)
    refuse_duplicate(household, case.kind, case.risk_type)
    case.household = household


def _enter(user, case: Case, on: date, via: str):
    """The last step: the registry's status event (纳入监测 or 风险消除) dated the business date."""
    if case.kind == codes.CaseKind.IDENTIFY:
        kind, extra = registry_codes.EventKind.MONITORED, {"category": case.category, "risk_type": case.risk_type}
    else:
        kind, extra = registry_codes.EventKind.RISK_ELIMINATED, {"elimination_way": case.elimination_way}
    reason = _("%(kind)s（监测事项 #%(case)s）") % {"kind": case.get_kind_display(), "case": case.pk}
    return registry.record_event(user, case.household, kind, on, reason=reason, via=via, **extra)


def _check_decision(case: Case, decision, comment: str) -> codes.Decision:
    if decision not in codes.Decision.values:
        raise MonitoringRefused(_("未知的办理结论：%(decision)s") % {"decision": decision}, field="decision")
    decision = codes.Decision(decision)
    if decision == codes.Decision.BACK:
        if _neighbour(case, -1) is None:
            raise WrongStep(_("“%(step)s”是第一个环节，不能退回") % {"step": case.get_step_display()})
        if not comment:
            raise MonitoringRefused(_("退回上一环节须填写理由"), field="comment")
    if decision == codes.Decision.REJECT and not comment:
        raise MonitoringRefused(_("不通过须填写理由"), field="comment")
    return decision


@transaction.atomic
def act(user, case, *, step, decision, on, comment="", via="ui") -> CaseStep:
    """Take the case's current step: PASS moves to the next step (at the last one, writes the status event and
    closes the case approved), REJECT closes it rejected with the comment as reason, BACK returns it one step
    with the comment as reason."""
    case = _locked_case(user, case)
    _require_open(case)
    if step != case.step:
        raise WrongStep(
            _("该事项当前在“%(current)s”环节，不能办理“%(step)s”：环节须按顺序办理，不能跳过")
            % {"current": case.get_step_display(), "step": _step_label(step)},
            field="step",
        )
    rule = step_rule(case.kind, case.step)
    require_role(user, rule.roles, _("办理“%(step)s”环节") % {"step": case.get_step_display()})
    comment = str(comment or "").strip()
    decision = _check_decision(case, decision, comment)
    check_business_date(on, not_before=case.step_since, before_label=_("本环节开始日期"))
    before = audit.snapshot(case)
    row = CaseStep(
        case=case,
        step=case.step,
        decision=decision,
        acted_on=on,
        due=case.step_due,
        comment=comment,
        actor=user if getattr(user, "pk", None) else None,
    )
    clock = deadlines.clock_for(case.village_id, case.opened_on)
    if decision == codes.Decision.PASS:
        refusal = pass_refusal(case, on)
        if refusal is not None:
            raise refusal
        if case.step == codes.StepCode.NOTICE:
            notice = current_notice(case, codes.NoticeKind.VILLAGE)
            row.posted_on, row.objection_until = notice.posted_on, notice.objection_until
        if case.step == codes.StepCode.VERIFY and case.household_id is None:
            _register_person(user, case, via)
        following = _neighbour(case, 1)
        if following is None:
            case.result_event = _enter(user, case, on, via)
            case.state, case.closed_on = codes.CaseState.APPROVED, on
        else:
            case.step, case.step_since, case.step_due = following.code, on, clock.after(on, following.deadline_param)
    elif decision == codes.Decision.REJECT:
        case.state, case.closed_on, case.close_reason = codes.CaseState.REJECTED, on, comment[:200]
    else:
        previous = _neighbour(case, -1)
        case.step, case.step_since, case.step_due = previous.code, on, clock.after(on, previous.deadline_param)
    row.save()
    case.save()
    audit.record(user, Action.CREATE, row, area_code=case.village_id, changes=audit.snapshot(row), via=via)
    audit.record(user, Action.UPDATE, case, changes=audit.diff(before, audit.snapshot(case)), via=via)
    return row


def _set_case_field(user, case, field: str, value, *, via: str, extra: dict | None = None) -> Case:
    case = _locked_case(user, case)
    _require_open(case)
    require_role(user, EDITORS, _("修改监测事项"))
    steps = [rule.code for rule in codes.PROCEDURES[case.kind]]
    if steps.index(case.step) > steps.index(codes.StepCode.COUNTY):
        raise WrongStep(_("县级审批后不能再修改%(field)s") % {"field": Case._meta.get_field(field).verbose_name})
    before = audit.snapshot(case)
    setattr(case, field, value)
    for name, other in (extra or {}).items():
        setattr(case, name, other)
    case.save()
    changes = audit.diff(before, audit.snapshot(case))
    if changes:
        audit.record(user, Action.UPDATE, case, changes=changes, via=via)
    return case


@transaction.atomic
def set_category(user, case, *, category, risk_type=None, via="ui") -> Case:
    """The monitoring category (and, optionally, a corrected main risk type) of an identification case, before
    county approval."""
    if case.kind != codes.CaseKind.IDENTIFY:
        raise MonitoringRefused(_("只有监测对象识别事项需要确定监测对象类别"), field="category")
    if not category:
        raise MonitoringRefused(_("请选择监测对象类别"), field="category")
    category = _check_category(category)
    extra = {}
    if risk_type is not None and risk_type != case.risk_type:
        extra["risk_types"] = _check_risk_types(risk_type, case.risk_types)
        extra["risk_type"] = risk_type
        refuse_duplicate(case.household, case.kind, risk_type, id_number=getattr(case.clue, "id_number", ""))
    return _set_case_field(user, case, "category", category, via=via, extra=extra)


@transaction.atomic
def set_elimination_way(user, case, *, elimination_way, via="ui") -> Case:
    """The way a risk elimination case's risk went (帮扶消除 / 自然消除), before county approval."""
    if case.kind != codes.CaseKind.ELIMINATE:
        raise MonitoringRefused(_("只有风险消除事项需要确定消除方式"), field="elimination_way")
    if elimination_way not in registry_codes.RiskEliminationWay.values:
        raise MonitoringRefused(_("请选择风险消除方式（帮扶消除/自然消除）"), field="elimination_way")
    return _set_case_field(user, case, "elimination_way", elimination_way, via=via)


def open_cases(user):
    """The open cases in the user's area, soonest step deadline first."""
    return (
        Case.objects.restrict(user)
        .filter(state=codes.CaseState.OPEN)
        .select_related("household", "village", "clue")
        .order_by("step_due", "id")
    )


def overdue_cases(user, today: date):
    """Open cases past their step's deadline or the whole case's limit on `today`."""
    return open_cases(user).filter(Q(step_due__lt=today) | Q(due_on__lt=today))


def case_deadlines(case: Case, today: date | None = None) -> dict:
    """What the case page shows of its deadlines: the whole case's and the step's, the days left in the pack's
    unit (negative when overdue), and whether the holiday calendar knows the years they fall in."""
    today = today or timezone.localdate()
    clock = deadlines.clock_for(case.village_id, case.opened_on)
    is_open = case.state == codes.CaseState.OPEN
    until = today if is_open else case.closed_on
    return {
        "due_on": case.due_on,
        "step_due": case.step_due if is_open else None,
        "days_left": clock.elapsed(until, case.due_on),
        "step_days_left": clock.elapsed(today, case.step_due) if is_open else None,
        "overdue": until > case.due_on,
        "step_overdue": is_open and today > case.step_due,
        "unit": clock.unit,
        "working_days": clock.working,
        "calendar_known": not clock.working
        or all(workdays.calendar_known(day.year) for day in (case.opened_on, case.due_on, case.step_due)),
        "limit_days": clock.limit("case_limit_days"),
    }


def allowed_actions(user, case: Case, today: date | None = None) -> list[str]:
    """The decisions the case page offers this user today: the rules `act` enforces (scope, open, role, the
    step's conditions for PASS, a previous step for BACK)."""
    if case.state != codes.CaseState.OPEN or not Case.objects.restrict(user).filter(pk=case.pk).exists():
        return []
    if getattr(user, "role", None) not in step_rule(case.kind, case.step).roles:
        return []
    today = today or timezone.localdate()
    actions = []
    if today >= case.step_since and pass_refusal(case, today) is None:
        actions.append(codes.Decision.PASS.value)
    actions.append(codes.Decision.REJECT.value)
    if _neighbour(case, -1) is not None:
        actions.append(codes.Decision.BACK.value)
    return actions
