"""Risk elimination (风险消除): which monitored households the rules let go, opening their cases, and reversing a mark.

The conditions are the policy pack's `risk_elimination` rules, judged by the policy engine (policy.services), never
re-implemented here: income steadily above the monitoring line, two assurances and three guarantees, safe water,
the months monitored (option require_six_months, params months_stable; months_monitored is counted from the
纳入监测 events) and, where the pack's option no_labour_never_eliminated says so, never a household without
labour. Approval is the same statutory procedure as identification (procedure.open_case, kind eliminate); its last
step writes the 风险消除 status event. A mark is reversed by a 撤销风险消除 event with its reason, after which the
household is monitored again and may later be eliminated, or identified again, as a new case.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core.errors import DomainError, NotFound
from fupin.policy.models import HouseholdDecision, Kind, run_keys
from fupin.policy.services.batch import assess
from fupin.policy.services.explain import Explanation, RuleLine, explain
from fupin.policy.services.household import Decision, assess_household, stored_decision
from fupin.registry import codes as registry_codes
from fupin.registry.models import Household, StatusEvent
from fupin.registry.services import record_event

from .. import codes
from ..models import Case
from . import procedure
from .common import require_role


class NotEligible(DomainError):
    code = "not_eligible_for_elimination"


class ReasonRequired(DomainError):
    code = "reason_required"


@dataclass
class Proposal:
    """A monitored household the rules would let go, with the engine's decision and its explanation."""

    household: Household
    decision: Decision
    explanation: Explanation

    @property
    def reasons(self) -> list[RuleLine]:
        """The rules met, each with its values and thresholds in Chinese (why the household is proposed)."""
        return self.explanation.lines


def _open_elimination(households) -> set[int]:
    """Households among these with an elimination case under way (not proposed twice)."""
    return set(
        Case.objects.filter(
            household__in=households, kind=codes.CaseKind.ELIMINATE, state=codes.CaseState.OPEN
        ).values_list("household_id", flat=True)
    )


def elimination_proposals(user, *, as_of: date) -> list[Proposal]:
    """The monitored households in the user's scope that meet the risk-elimination rules of the pack in force on
    `as_of`, without an elimination case under way, by village and number. The engine judges every household of
    the scope in one batch run (stored, as any assessment, so the decisions can be explained later)."""
    run = assess(Kind.RISK_ELIMINATION, user=user, as_of=as_of)
    first, end = run_keys(run.pk)
    in_scope = Household.objects.restrict(user) if user is not None else Household.objects.all()
    stored = (
        HouseholdDecision.objects.filter(pk__gte=first, pk__lt=end, outcome=True)
        .filter(household__in=in_scope.filter(status=registry_codes.Status.MONITORED))
        .select_related("household__village")
        .order_by("household__village_id", "household__number")
    )
    stored = list(stored)
    busy = _open_elimination([d.household_id for d in stored])
    proposals = []
    for row in stored:
        if row.household_id in busy:
            continue
        row.run = run
        decision = stored_decision(row)
        proposals.append(Proposal(row.household, decision, explain(decision)))
    return proposals


def _why_not(decision: Decision) -> str:
    """The rules a household fails, each with its explanation (the engine's words and values)."""
    failed = [line for line in explain(decision).lines if line.result is not True]
    return "；".join(f"{line.title}（{line.explanation}）" for line in failed)


def start_elimination(user, household_ids, *, on: date, elimination_way: str = "", via="ui") -> list[Case]:
    """Open an elimination case for each household, all or none: every one must be in the user's scope, monitored
    and meet the rules on `on` (judged one by one by the engine, as the proposals were); the cases then go through
    household check, village review and notice, township review, county approval, announcement and entry. The way
    (帮扶消除 / 自然消除) may be given now or set on the case before county approval."""
    require_role(user, procedure.CASE_OPENERS, _("启动风险消除"))
    ids = list(dict.fromkeys(int(pk) for pk in household_ids))
    if not ids:
        raise NotEligible(_("请选择要启动风险消除的农户"))
    scoped = Household.objects.restrict(user) if user is not None else Household.objects.all()
    households = {h.pk: h for h in scoped.filter(pk__in=ids).select_related("village")}
    missing = [pk for pk in ids if pk not in households]
    if missing:
        raise NotFound(_("未找到该农户"), details={"household_ids": missing})
    refusals = []
    for pk in ids:
        household = households[pk]
        decision = assess_household(user, pk, Kind.RISK_ELIMINATION, as_of=on)
        if decision.outcome is not True:
            refusals.append(
                _("农户 %(number)s（%(head)s）不符合风险消除条件：%(why)s")
                % {"number": household.number, "head": household.head_name, "why": _why_not(decision)}
            )
    if refusals:
        raise NotEligible("\n".join(refusals), details={"refused": len(refusals)})
    with transaction.atomic():
        return [
            procedure.open_case(
                user,
                households[pk],
                kind=codes.CaseKind.ELIMINATE,
                risk_type=_risk_of(households[pk], on),
                category=households[pk].monitoring_category,
                elimination_way=elimination_way,
                opened_on=on,
                via=via,
            )
            for pk in ids
        ]


def _risk_of(household: Household, on: date) -> str:
    """The risk the household is monitored for: its latest 纳入监测 event's, else the household's, else 其他."""
    latest = (
        StatusEvent.objects.filter(household=household, kind=registry_codes.EventKind.MONITORED, date__lte=on)
        .order_by("-date", "-id")
        .values_list("risk_type", flat=True)
        .first()
    )
    return latest or household.risk_type or registry_codes.RiskType.OTHER


def reverse_elimination(user, household: Household, *, on: date, reason: str, via="ui") -> StatusEvent:
    """Reverse a risk-elimination mark (撤销风险消除) with its reason: the household is monitored again. The registry
    refuses a household whose risk is not eliminated, or a date before its latest event."""
    require_role(user, procedure.CASE_OPENERS, _("撤销风险消除"))
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("撤销风险消除须填写原因"), field="reason")
    return record_event(user, household, registry_codes.EventKind.RISK_REVERSED, on, reason=reason, via=via)


def may_reverse(user, case: Case) -> bool:
    """Whether the case page offers 撤销风险消除: an approved elimination case whose household's risk is still
    eliminated, for a township or county clerk (the same rules reverse_elimination and the registry enforce)."""
    return (
        getattr(user, "role", None) in procedure.CASE_OPENERS
        and case.kind == codes.CaseKind.ELIMINATE
        and case.state == codes.CaseState.APPROVED
        and case.household is not None
        and case.household.status == registry_codes.Status.RISK_ELIMINATED
    )


def reverse_case(user, case: Case, *, on: date, reason: str, via="ui") -> StatusEvent:
    """撤销风险消除 from the approved elimination case (the web's button and the API): refused unless may_reverse."""
    if not may_reverse(user, case):
        raise NotEligible(_("只有已办结的风险消除事项、且该户仍为风险已消除时，才能撤销"))
    return reverse_elimination(user, case.household, on=on, reason=reason, via=via)
