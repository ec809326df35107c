"""Visits (走访) recorded on a phone: who was met, the quick checks, the policies explained, the income worked out
with the household (算清账, saved through the registry's own income service) and a risk found, which becomes a
monitoring clue (registry.signals.risk_reported). The phone names each visit with a UUID, so a draft sent again
after a dropped connection is the same visit, never a second one."""

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import Role
from fupin.areas.models import Area
from fupin.core.errors import NotFound
from fupin.registry import codes as registry_codes
from fupin.registry import services as registry
from fupin.registry.models import Household, Member
from fupin.registry.signals import risk_reported

from ..codes import Policy, VisitCheck
from ..models import Cadre, Visit
from .common import VISITORS, AssistanceRefused, cadre_of, check_date, require_role

#: what a visit's 算清账 may set on the registry's income account (persons is counted from the household)
INCOME_KEYS = tuple(name for name in registry.INCOME_FIELDS if name != "persons")
_MET_MAX = Visit._meta.get_field("met").max_length
#: what the audit entry of a visit shows
SHOWN = [
    "village",
    "household",
    "cadre",
    "client_id",
    "visited_on",
    "met",
    "checks",
    "policies",
    "income_year",
    "per_capita_income",
    "risk_found",
    "risk_types",
    "clue_ref",
]


def household_persons(household, year: int) -> int:
    """The household's members present on 12-31 of the year (the registry's rule for an income account's 家庭人口数),
    at least one: what the visit page divides by as the cadre types."""
    members = Member.objects.filter(household=household)
    return max(registry.members_present_on(members, date(int(year), 12, 31)).count(), 1)


def _client_id(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise AssistanceRefused(_("走访记录的客户端编号无效，请重新打开走访页"), field="client_id") from None


def _checks(checks) -> dict:
    if not isinstance(checks, dict):
        raise AssistanceRefused(_("两不愁三保障核实应为逐项的是/否"), field="checks")
    unknown = [str(key) for key in checks if key not in VisitCheck.values]
    if unknown:
        raise AssistanceRefused(_("未知的核实项：%(codes)s") % {"codes": "、".join(unknown)}, field="checks")
    wrong = [str(key) for key, value in checks.items() if not isinstance(value, bool)]
    if wrong:
        labels = "、".join(str(VisitCheck(key).label) for key in wrong)
        raise AssistanceRefused(_("核实项只能填“是”或“否”：%(labels)s") % {"labels": labels}, field="checks")
    return {key: checks[key] for key in VisitCheck.values if key in checks}


def _codes(values, choices, field: str, label: str) -> list[str]:
    values = [str(value) for value in (values or ())]
    unknown = [value for value in values if value not in choices.values]
    if unknown:
        raise AssistanceRefused(
            _("未知的%(what)s：%(codes)s") % {"what": label, "codes": "、".join(unknown)}, field=field
        )
    return list(dict.fromkeys(values))


def _income(income, year) -> tuple[dict, int] | None:
    """The income components as Decimals (a blank one is 0) and the year, or None when nothing was worked out."""
    if not income:
        return None
    if not isinstance(income, dict):
        raise AssistanceRefused(_("算清账的收入应逐项填写"), field="income")
    unknown = sorted(set(income) - set(INCOME_KEYS))
    if unknown:
        raise AssistanceRefused(_("算清账中不能填写：%(fields)s") % {"fields": "、".join(unknown)}, field="income")
    data = {}
    for name in INCOME_KEYS:
        raw = income.get(name)
        try:
            amount = Decimal("0") if raw in (None, "") else Decimal(str(raw).strip())
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            raise AssistanceRefused(_("请填写不小于0的金额（元）"), field=name)
        data[name] = amount
    year = year or timezone.localdate().year
    if not isinstance(year, int) or not 2010 <= year <= timezone.localdate().year:
        raise AssistanceRefused(_("算账年度应在2010年至今年之间"), field="income_year")
    return data, year


def _household(user, household) -> Household:
    found = Household.objects.restrict(user).filter(pk=getattr(household, "pk", household)).first()
    if found is None:
        raise NotFound(_("未找到该农户"), field="household")
    return found


def _cadre(user, household, cadre):
    """A cadre's own record; a clerk may name the cadre who went (one of the village's or of an area above it)."""
    if getattr(user, "role", None) == Role.CADRE:
        return cadre_of(user)
    if cadre in (None, ""):
        return None
    above, code = set(), household.village_id
    while code:
        above.add(code)
        code = Area.objects.filter(code=code).values_list("parent_id", flat=True).first()
    found = Cadre.objects.filter(pk=getattr(cadre, "pk", cadre)).first()
    if found is None or not (found.area_id in above or Cadre.objects.restrict(user).filter(pk=found.pk).exists()):
        raise NotFound(_("未找到该帮扶干部"), field="cadre")
    return found


def _existing(client_id) -> Visit | None:
    return Visit.objects.filter(client_id=client_id).first()


def record_visit(
    user,
    household,
    *,
    client_id,
    visited_on,
    met="",
    checks=None,
    problems="",
    policies=(),
    income=None,
    income_year=None,
    risk_found=False,
    risk_types=(),
    cadre=None,
    via="ui",
) -> tuple[Visit, bool]:
    """Record a visit, or return the one already recorded under this client_id (created False, nothing written).
    Another area's household, or another area's visit under the same client_id, is "not found"."""
    require_role(user, VISITORS, _("记录走访"))
    client_id = _client_id(client_id)
    found = _existing(client_id)
    if found is not None:
        if not Visit.objects.restrict(user).filter(pk=found.pk).exists():
            raise NotFound(_("未找到该农户"), field="household")
        return found, False
    try:
        with transaction.atomic():
            fields = dict(met=met, checks=checks, problems=problems, policies=policies, income=income)
            fields.update(income_year=income_year, risk_found=risk_found, risk_types=risk_types, cadre=cadre)
            return _record(user, household, client_id, visited_on, via=via, **fields), True
    except IntegrityError:
        found = _existing(client_id)  # the same draft sent twice at once: the other request's visit
        if found is None:
            raise
        return found, False


def _record(
    user,
    household,
    client_id,
    visited_on,
    *,
    met,
    checks,
    problems,
    policies,
    income,
    income_year,
    risk_found,
    risk_types,
    cadre,
    via,
) -> Visit:
    household = _household(user, household)
    check_date(visited_on, field="visited_on", label=_("走访日期"))
    checks = _checks(checks or {})
    policies = _codes(policies, Policy, "policies", _("政策"))
    risk_types = _codes(risk_types, registry_codes.RiskType, "risk_types", _("风险类型"))
    if risk_found and not risk_types:
        raise AssistanceRefused(_("发现风险时请选择至少一项风险类型"), field="risk_types")
    if not risk_found:
        risk_types = []
    worked = _income(income, income_year)
    visit = Visit(
        village_id=household.village_id,
        household=household,
        cadre=_cadre(user, household, cadre),
        client_id=client_id,
        visited_on=visited_on,
        met=str(met or "").strip()[:_MET_MAX],
        checks=checks,
        problems=str(problems or "").strip(),
        policies=policies,
        risk_found=bool(risk_found),
        risk_types=risk_types,
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    visit.save()  # the unique client_id first: a twin request fails here, before the income is written
    if worked is not None:
        data, year = worked
        account = registry.save_income(
            user, household, year, {**data, "persons": household_persons(household, year)}, via=via
        )
        visit.income_year, visit.per_capita_income = year, account.per_capita_net_income
    if visit.risk_found:
        visit.clue_ref = _report_risk(user, visit, via)
    visit.save(update_fields=["income_year", "per_capita_income", "clue_ref"])
    changes = {**audit.snapshot(visit, fields=SHOWN), "client_id": str(visit.client_id)}  # a UUID is no JSON
    audit.record(user, Action.CREATE, visit, changes=changes, via=via)
    return visit


def _report_risk(user, visit, via) -> str:
    """Hand the risk to the app that records clues (monitoring, through registry.signals): its reference back."""
    description = visit.problems or _("走访发现返贫致贫风险")
    answers = risk_reported.send(
        sender=Visit,
        user=user,
        household=visit.household,
        risk_types=visit.risk_types,
        description=description,
        reported_on=visit.visited_on,
        source_ref=f"visit:{visit.pk}",
        via=via,
    )
    refs = [str(ref) for _receiver, ref in answers if ref]
    return refs[0][: Visit._meta.get_field("clue_ref").max_length] if refs else ""


def visits_of(user, household):
    """The household's visits the user may see, latest first."""
    household = _household(user, household)
    return (
        Visit.objects.restrict(user).filter(household=household).select_related("cadre").order_by("-visited_on", "-id")
    )


def my_visits(user, limit=50):
    """The visits a login recorded or made as its cadre, latest first (the cadre's list)."""
    cadre = cadre_of(user)
    visits = Visit.objects.restrict(user).select_related("household", "cadre")
    mine = visits.filter(cadre=cadre) if cadre is not None else visits.filter(recorded_by=user)
    return mine.order_by("-visited_on", "-id")[:limit]
