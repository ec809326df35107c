"""Pairings (结对帮扶): a cadre with a household over a period. History is the rows: ending a pairing dates it,
nothing is edited away, so `pairings_on` reads who was paired with a household on any day.

The pack's cadre_max_households is a daily check (helper F lists it), not a refusal: counties exceed it, and the
form only warns (`over_limit`)."""

from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import PREFIX_LENGTH, Level
from fupin.core.errors import Conflict, NotFound
from fupin.registry.models import Household

from ..models import Cadre, Pairing, Responsibility
from .common import KEEPERS, AssistanceRefused, cadre_of, check_date, check_parameter, require_role

_REASON_MAX = Pairing._meta.get_field("end_reason").max_length
_SHOWN = ["village", "household", "cadre", "started_on", "ended_on", "end_reason"]


def covering_areas(village_code: str) -> list[str]:
    """The codes of the village and the areas above it up to the county: where a cadre who may serve its
    households is registered (a county department's cadre is the county's)."""
    return [
        village_code[: PREFIX_LENGTH[level]].ljust(12, "0") for level in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
    ]


def cadres_for(village_code: str):
    """Active cadres who may be paired with (or be responsible for) a household of the village."""
    return Cadre.objects.filter(area_id__in=covering_areas(village_code), active=True).select_related("unit")


def household_for(user, household, *, lock=False) -> Household:
    """The household in the user's area; another area's reads as a missing one."""
    found = Household.objects.restrict(user)
    if lock:
        found = found.select_for_update()
    found = found.filter(pk=getattr(household, "pk", household)).first()
    if found is None:
        raise NotFound(_("未找到该农户"), field="household")
    return found


def cadre_for(user, household: Household, cadre) -> Cadre:
    """The cadre, active and registered where they may serve the household's village. A cadre the user cannot
    see and who does not serve there is "not found", like a missing one."""
    pk = getattr(cadre, "pk", cadre)
    found = Cadre.objects.filter(pk=pk).first() if pk not in (None, "") else None
    covering = covering_areas(household.village_id)
    if found is None or (found.area_id not in covering and not Cadre.objects.restrict(user).filter(pk=pk).exists()):
        raise NotFound(_("未找到该帮扶干部"), field="cadre")
    if found.area_id not in covering:
        raise AssistanceRefused(
            _("帮扶干部%(name)s不在本村、本乡镇或本县登记，不能帮扶该户") % {"name": found.name}, field="cadre"
        )
    if not found.active:
        raise AssistanceRefused(_("帮扶干部%(name)s已不在岗") % {"name": found.name}, field="cadre")
    return found


def open_pairings(household):
    return Pairing.objects.filter(household=household, ended_on__isnull=True)


def pairings_on(household, on: date) -> list[Pairing]:
    """The pairings of the household open on that day (started on or before it, not ended before it)."""
    found = Pairing.objects.filter(household=household, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    )
    return list(found.select_related("cadre").order_by("started_on", "id"))


def paired_count(cadre, on: date | None = None) -> int:
    """How many households the cadre is paired with on a day (today by default)."""
    on = on or timezone.localdate()
    found = Pairing.objects.filter(cadre=cadre, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    )
    return found.values("household").distinct().count()


def over_limit(cadre, village_code: str, on: date | None = None, *, adding: int = 0) -> tuple[int, int] | None:
    """(households paired, the pack's limit) when the cadre is (or, `adding` more, would be) over the pack's
    cadre_max_households; None within it or where the pack has no limit. A warning only, never a refusal."""
    on = on or timezone.localdate()
    try:
        limit = check_parameter(village_code, on, "cadre_max_households")
    except AssistanceRefused:
        return None
    count = paired_count(cadre, on) + adding
    return (count, limit) if count > limit else None


@transaction.atomic
def pair(user, household, cadre, *, started_on, via="ui") -> Pairing:
    """Pair a cadre with a household from `started_on`: the household in the user's area, the cadre active and
    serving its village, no other open pairing of the two."""
    require_role(user, KEEPERS, _("登记结对帮扶"))
    household = household_for(user, household, lock=True)
    cadre = cadre_for(user, household, cadre)
    check_date(started_on, field="started_on", label=_("结对日期"))
    if open_pairings(household).filter(cadre=cadre).exists():
        raise Conflict(_("%(cadre)s已与该户结对，请先解除原结对") % {"cadre": cadre.name}, field="cadre")
    last = Pairing.objects.filter(household=household, cadre=cadre).order_by("-ended_on").first()
    if last is not None and started_on <= last.ended_on:
        raise AssistanceRefused(
            _("结对日期%(date)s不晚于该干部与该户上次结对的解除日期（%(end)s）")
            % {"date": started_on, "end": last.ended_on},
            field="started_on",
        )
    pairing = Pairing.objects.create(
        village_id=household.village_id,
        household=household,
        cadre=cadre,
        started_on=started_on,
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    audit.record(user, Action.CREATE, pairing, changes=audit.snapshot(pairing, fields=_SHOWN), via=via)
    return pairing


@transaction.atomic
def end_pairing(user, pairing, *, on, reason, via="ui") -> Pairing:
    """End an open pairing on `on` (not before it started), with the reason."""
    require_role(user, KEEPERS, _("解除结对帮扶"))
    pairing = Pairing.objects.restrict(user).select_for_update().filter(pk=getattr(pairing, "pk", pairing)).first()
    if pairing is None:
        raise NotFound(_("未找到该结对记录"))
    if pairing.ended_on is not None:
        raise Conflict(_("该结对已于%(date)s解除") % {"date": pairing.ended_on})
    reason = str(reason or "").strip()
    if not reason:
        raise AssistanceRefused(_("解除结对须填写原因"), field="reason")
    if len(reason) > _REASON_MAX:
        raise AssistanceRefused(_("解除原因不能超过%(max)s个字") % {"max": _REASON_MAX}, field="reason")
    check_date(on, field="on", label=_("解除日期"), not_before=pairing.started_on, before_label=_("结对日期"))
    before = audit.snapshot(pairing, fields=_SHOWN)
    pairing.ended_on, pairing.end_reason = on, reason
    pairing.save(update_fields=["ended_on", "end_reason"])
    audit.record(
        user, Action.UPDATE, pairing, changes=audit.diff(before, audit.snapshot(pairing, fields=_SHOWN)), via=via
    )
    return pairing


def my_households(user):
    """The households the user's own cadre record is paired with or responsible for today, inside the user's
    area; none for a login with no linked cadre (services.common.cadre_of)."""
    cadre = cadre_of(user)
    if cadre is None:
        return Household.objects.none()
    now = _open_today(timezone.localdate())
    paired = Pairing.objects.filter(now, cadre=cadre).values("household_id")
    responsible = Responsibility.objects.filter(now, cadre=cadre).values("household_id")
    return Household.objects.restrict(user).filter(Q(pk__in=paired) | Q(pk__in=responsible))


def _open_today(today: date) -> Q:
    return Q(started_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gte=today))


def my_roles(cadre, household_ids, today: date) -> dict[int, list[str]]:
    """What the cadre is to each household today: 结对帮扶 and the role names held, by household id."""
    found: dict[int, list[str]] = {}
    paired = Pairing.objects.filter(_open_today(today), cadre=cadre, household_id__in=household_ids)
    for household_id in paired.values_list("household_id", flat=True).distinct():
        found.setdefault(household_id, []).append(_("结对帮扶"))
    held = Responsibility.objects.filter(_open_today(today), cadre=cadre, household_id__in=household_ids)
    for household_id, name in held.order_by("role").values_list("household_id", "role_name"):
        found.setdefault(household_id, []).append(name)
    return found


def cadre_loads(village_code: str, on: date | None = None) -> dict:
    """For the pairing form's warning: the pack's limit and the village's cadres already paired with that many
    households or more (one more would pass it)."""
    on = on or timezone.localdate()
    try:
        limit = check_parameter(village_code, on, "cadre_max_households")
    except AssistanceRefused:
        return {"limit": None, "full": []}
    counts = (
        Pairing.objects.filter(_open_today(on), cadre__in=cadres_for(village_code))
        .values("cadre")
        .annotate(households=Count("household", distinct=True))
        .filter(households__gte=limit)
    )
    by_pk = {row["cadre"]: row["households"] for row in counts}
    cadres = Cadre.objects.filter(pk__in=by_pk).order_by("name", "id")
    return {"limit": limit, "full": [(cadre, by_pk[cadre.pk]) for cadre in cadres]}
