"""The registry's figures of an area as of a date: households and persons by the status of that date, poor persons
against the year's rural population (incidence), and the villages' standing. Counts only, in the user's scope; the
API, the CLI and later the reports read them here rather than query the tables themselves."""

from dataclasses import asdict, dataclass, field
from datetime import date
from fractions import Fraction

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from fupin.areas.models import Area, Level
from fupin.core.errors import NotFound

from .. import codes
from ..models import Household, Member, StatusEvent, VillageEvent
from .events import with_status_as_of
from .members import members_present_on
from .villages import no_population, population_of, villages_as_of


@dataclass
class VillageFigures:
    """Villages under the area by their standing on the day; `registered` and `deep_listed` count every village
    identified (listed deep) by then, exited or not; `exited_by_year` the exits of each year up to the day."""

    registered: int = 0  # 贫困村 identified by then, exited or not
    deep_listed: int = 0
    poor: int = 0  # still poor, not deep
    deep: int = 0  # still poor, deep
    exited: int = 0
    tasked: int = 0
    exited_by_year: dict[int, int] = field(default_factory=dict)


@dataclass
class Figures:
    area_code: str
    area_name: str
    as_of: date
    households: dict[str, int]
    persons: dict[str, int]
    poor_persons: int
    population_year: int
    population: int | None
    population_source: str
    incidence: float | None
    incidence_note: str
    villages: VillageFigures

    def as_dict(self) -> dict:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return data


def _by_status(rows, key: str) -> dict[str, int]:
    counts = {status.value: 0 for status in codes.Status}
    for row in rows:
        kind = row[key]
        counts[codes.STATUS_AFTER[kind] if kind else codes.Status.ORDINARY] += row["n"]
    return counts


def _restricted(queryset, user):
    """The CLI, with no user, sees everything; everyone else their own area."""
    return queryset if user is None else queryset.restrict(user)


def figures_as_of(user, area_code: str, day: date) -> Figures:
    """Figures of the area (in the user's scope, else NotFound) as of `day`."""
    code = str(area_code or "").strip()
    # an area code is digits: anything else (a NUL, which PostgreSQL cannot even compare) names no area
    area = _restricted(Area.objects.filter(code=code), user).first() if code.isdigit() else None
    if area is None:
        raise NotFound(_("区划 %(area)s 不存在或不在您的管辖范围内") % {"area": area_code})
    households = _restricted(Household.objects.under(area.prefix), user)
    household_rows = with_status_as_of(households, day).values("last_event_as_of").annotate(n=Count("pk")).order_by()
    latest = (
        StatusEvent.objects.filter(household=OuterRef("household_id"), date__lte=day)
        .exclude(kind=codes.EventKind.MERGED)
        .order_by("-date", "-id")
        .values("kind")[:1]
    )
    members = members_present_on(Member.objects.filter(household__in=households), day)
    person_rows = members.annotate(kind_as_of=Subquery(latest)).values("kind_as_of").annotate(n=Count("pk")).order_by()
    persons = _by_status(person_rows, "kind_as_of")
    poor = persons[codes.Status.POOR]
    on_file = population_of(area, day.year)
    population = on_file.rural_population if on_file and on_file.rural_population else None
    return Figures(
        area_code=area.code,
        area_name=area.full_name(),
        as_of=day,
        households=_by_status(household_rows, "last_event_as_of"),
        persons=persons,
        poor_persons=poor,
        population_year=day.year,
        population=population,
        population_source=(on_file.source if population else ""),
        incidence=float(Fraction(poor, population)) if population else None,
        incidence_note="" if population else no_population(day.year),
        villages=_village_figures(user, area, day),
    )


def _village_figures(user, area: Area, day: date) -> VillageFigures:
    villages = villages_as_of(_restricted(Area.objects.under(area.prefix).filter(level=Level.VILLAGE), user), day)
    standing = {row["standing"]: row["n"] for row in villages.values("standing").annotate(n=Count("pk")).order_by()}
    exits = (
        _restricted(VillageEvent.objects.under(area.prefix), user)
        .filter(kind=codes.VillageEventKind.EXITED, date__lte=day)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    S = codes.VillageStanding
    return VillageFigures(
        registered=villages.filter(poor_on__isnull=False).count(),
        deep_listed=villages.filter(poor_on__isnull=False, deep_on__isnull=False).count(),
        poor=standing.get(S.POOR, 0),
        deep=standing.get(S.DEEP, 0),
        exited=standing.get(S.EXITED, 0),
        tasked=standing.get(S.TASKED, 0),
        exited_by_year={int(row["year"]): row["n"] for row in exits},
    )
