"""Clues (线索) from every channel, and the township's decision on each: accepting one opens an identification
case (procedure.open_case), rejecting it needs a reason. A clue about a person not yet registered keeps the name
and ID number given; the procedure registers the household at the home check, never the clue."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import NotFound
from fupin.policy.models import Kind
from fupin.policy.services.queries import decisions_of, listed_runs
from fupin.registry import codes as registry_codes
from fupin.registry import services as registry
from fupin.registry.models import Household

from .. import codes
from ..models import Case, Clue
from . import deadlines, procedure
from .common import MonitoringRefused, WrongStep, check_business_date, require_role, required_text, village_of

_REASON_MAX = Clue._meta.get_field("reject_reason").max_length


def _check_channel(channel, via_channel, department) -> tuple[str, str, str]:
    if channel not in codes.Channel.values:
        raise MonitoringRefused(_("请选择发现渠道"), field="channel")
    if via_channel and (channel != codes.Channel.SELF_REPORT or via_channel not in codes.ReportVia.values):
        raise MonitoringRefused(_("申报方式只用于农户自主申报（当面、12317 热线、手机应用）"), field="via_channel")
    if channel == codes.Channel.DEPARTMENT and department not in codes.Department.values:
        raise MonitoringRefused(_("部门筛查预警须注明预警部门"), field="department")
    if department and channel != codes.Channel.DEPARTMENT:
        raise MonitoringRefused(_("预警部门只用于部门筛查预警的线索"), field="department")
    return channel, via_channel or "", department or ""


def _check_risk_types(risk_types) -> list[str]:
    risk_types = [str(code) for code in (risk_types or ())]
    if not risk_types:
        raise MonitoringRefused(_("请选择至少一项风险类型"), field="risk_types")
    unknown = [code for code in risk_types if code not in registry_codes.RiskType.values]
    if unknown:
        raise MonitoringRefused(_("未知的风险类型：%(codes)s") % {"codes": "、".join(unknown)}, field="risk_types")
    return list(dict.fromkeys(risk_types))


def _unregistered_person(person_name, id_number, phone) -> tuple[str, str]:
    """The name and the checked 18-digit ID number of a person the clue names who is not yet registered."""
    name = required_text(person_name, _("未登记的申报人须填写姓名"), field="person_name", limit=40)
    data = {"id_number": id_number}
    registry.check_member_id(data)
    number = data["id_number"]
    holder = Household.objects.filter(members__id_number=number).first()
    if holder is not None:
        raise MonitoringRefused(
            _("证件号码为 %(masked)s 的人已登记在册，请选择其所在农户")
            % {"masked": number[:6] + "********" + number[-4:]},
            field="id_number",
        )
    return name, number


@transaction.atomic
def record_clue(
    user,
    *,
    village_code,
    household=None,
    person_name="",
    id_number="",
    phone="",
    channel,
    via_channel="",
    department="",
    risk_types,
    description="",
    reported_on,
    source_ref="",
    via="ui",
) -> Clue:
    """A clue lands in the inbox of the village's township, with its acceptance deadline from the pack."""
    require_role(user, codes.CLUE_RECORDERS, _("登记监测线索"))
    village = village_of(user, village_code)
    channel, via_channel, department = _check_channel(channel, via_channel, department)
    risk_types = _check_risk_types(risk_types)
    check_business_date(reported_on, field="reported_on")
    fields = {}
    if household is not None:
        household = Household.objects.restrict(user).filter(pk=getattr(household, "pk", household)).first()
        if household is None:
            raise NotFound(_("未找到该农户"), field="household")
        if household.village_id != village.code:
            raise MonitoringRefused(
                _("该农户登记在其他行政村，不在“%(village)s”") % {"village": village.name}, field="household"
            )
        fields["household"] = household
    else:
        fields["person_name"], fields["id_number"] = _unregistered_person(person_name, id_number, phone)
        fields["phone"] = str(phone or "").strip()[:20]
    clue = Clue.objects.create(
        village=village,
        channel=channel,
        via=via_channel,
        department=department,
        source_ref=str(source_ref or "")[:80],
        risk_types=risk_types,
        description=str(description or "").strip(),
        reported_on=reported_on,
        accept_due=deadlines.accept_due(village.code, reported_on),
        recorded_by=user if getattr(user, "pk", None) else None,
        **fields,
    )
    shown = ["village", "household", "channel", "via", "department", "risk_types", "reported_on", "accept_due"]
    changes = audit.snapshot(clue, fields=shown)
    audit.record(user, Action.CREATE, clue, changes=changes, via=via)
    return clue


def _locked_pending(user, clue) -> Clue:
    require_role(user, codes.CLUE_DECIDERS, _("受理监测线索"))
    clue = Clue.objects.restrict(user).select_for_update().filter(pk=getattr(clue, "pk", clue)).first()
    if clue is None:
        raise NotFound(_("未找到该线索"))
    if clue.state != codes.ClueState.PENDING:
        raise WrongStep(
            _("该线索已于 %(date)s %(state)s") % {"date": clue.decided_on, "state": clue.get_state_display()}
        )
    return clue


def _decide(user, clue: Clue, state, on: date, via: str, reason: str = "") -> None:
    before = audit.snapshot(clue)
    clue.state, clue.decided_on, clue.reject_reason = state, on, reason
    clue.decided_by = user if getattr(user, "pk", None) else None
    clue.save()
    audit.record(user, Action.UPDATE, clue, changes=audit.diff(before, audit.snapshot(clue)), via=via)


@transaction.atomic
def accept_clue(user, clue, *, on, category="", via="ui") -> Case:
    """Accept a pending clue: an identification case opens, its whole limit counted from the clue's date."""
    clue = _locked_pending(user, clue)
    check_business_date(on, not_before=clue.reported_on, before_label=_("线索发现日期"))
    _decide(user, clue, codes.ClueState.ACCEPTED, on, via)
    return procedure.open_case(
        user,
        clue.household,
        kind=codes.CaseKind.IDENTIFY,
        risk_type=clue.risk_types[0],
        risk_types=clue.risk_types,
        category=category,
        opened_on=clue.reported_on,
        started_on=on,
        clue=clue,
        via=via,
    )


@transaction.atomic
def reject_clue(user, clue, *, on, reason, via="ui") -> Clue:
    """Reject a pending clue with the reason the township gives."""
    clue = _locked_pending(user, clue)
    reason = required_text(reason, _("不予受理须填写理由"), field="reason", limit=_REASON_MAX)
    check_business_date(on, not_before=clue.reported_on, before_label=_("线索发现日期"))
    _decide(user, clue, codes.ClueState.REJECTED, on, via, reason)
    return clue


@transaction.atomic
def start_cases_from_run(user, run, household_ids, *, on, risk_type="", via="ui") -> list[Case]:
    """系统筛查: a clue for each household the monitoring run flagged, accepted at once (a case opened) when the
    user may accept clues. The main risk is `risk_type`, else the household's recorded one, else 其他. All or
    none: a household not flagged by the run or already with an open case refuses the whole batch."""
    require_role(user, codes.CLUE_RECORDERS, _("登记监测线索"))
    run = listed_runs(user, Kind.MONITORING).filter(pk=getattr(run, "pk", run)).first()
    if run is None:
        raise NotFound(_("未找到该评估批次"))
    if risk_type and risk_type not in registry_codes.RiskType.values:
        raise MonitoringRefused(_("未知的风险类型：%(codes)s") % {"codes": risk_type}, field="risk_type")
    check_business_date(on)
    ids = list(dict.fromkeys(int(pk) for pk in household_ids))
    if not ids:
        raise MonitoringRefused(_("请选择农户"), field="household_ids")
    households = list(Household.objects.restrict(user).filter(pk__in=ids).order_by("pk"))
    if len(households) != len(ids):
        raise NotFound(_("有 %(count)s 户不存在或不在您的管辖范围内") % {"count": len(ids) - len(households)})
    decisions = decisions_of(run, households)
    not_flagged = [h for h in households if not getattr(decisions.get(h.pk), "outcome", False)]
    if not_flagged:
        raise MonitoringRefused(
            _("以下农户未被该批次评估列为监测对象：%(names)s")
            % {"names": "、".join(f"{h.number} {h.head_name}" for h in not_flagged[:10])},
            field="household_ids",
        )
    accept = getattr(user, "role", None) in codes.CLUE_DECIDERS
    cases = []
    for household in households:
        main = risk_type or household.risk_type or registry_codes.RiskType.OTHER
        procedure.refuse_duplicate(household, codes.CaseKind.IDENTIFY, main)
        clue = record_clue(
            user,
            village_code=household.village_id,
            household=household,
            channel=codes.Channel.SYSTEM,
            risk_types=[main],
            description=_("评估批次 #%(run)s 列为监测对象") % {"run": run.pk},
            reported_on=on,
            source_ref=f"run:{run.pk}",
            via=via,
        )
        if accept:
            cases.append(accept_clue(user, clue, on=on, category=decisions[household.pk].category, via=via))
    return cases


def pending_clues(user):
    """Clues waiting for the township's decision in the user's area, soonest deadline first."""
    return (
        Clue.objects.restrict(user)
        .filter(state=codes.ClueState.PENDING)
        .select_related("household", "village")
        .order_by("accept_due", "id")
    )


def overdue_clues(user, today: date):
    """Pending clues past their acceptance deadline on `today`."""
    return pending_clues(user).filter(accept_due__lt=today)


def clue_from_risk_report(sender, *, user, household, risk_types, description, reported_on, source_ref, **kwargs):
    """registry.signals.risk_reported's receiver: a risk found on a cadre's visit becomes a clue (渠道 基层干部排查)
    of the household's village. The same report (source_ref) is never a second clue: the first one's reference."""
    found = Clue.objects.filter(source_ref=source_ref, household=household).first() if source_ref else None
    if found is None:
        found = record_clue(
            user,
            village_code=household.village_id,
            household=household,
            channel=codes.Channel.CADRE_VISIT,
            risk_types=risk_types,
            description=description,
            reported_on=reported_on,
            source_ref=source_ref,
            via=kwargs.get("via", "ui"),
        )
    return f"clue:{found.pk}"
