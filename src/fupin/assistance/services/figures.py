"""The assistance figures of an area as of a date (issue 14 "Figures"): cadres, units, teams, pairings, visits,
measures by category, public-benefit posts, micro-loans, students aided and the coverage of monitored households.
Counts and sums only, in the user's scope; the page, the API and the report card read them here."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _

from fupin.areas.models import Area
from fupin.core.errors import NotFound

from .. import codes
from ..models import Cadre, Measure, Pairing, TeamMember, Unit, Visit, WorkTeam
from . import checks
from .common import check_parameter
from .programme_figures import programme_figures


def _open(on: date, prefix: str = "", end: str = "ended_on") -> Q:
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    )


def _area(user, area_code):
    """The area asked for inside the user's scope (NotFound otherwise), or the user's own (None: everything)."""
    if area_code:
        code = str(area_code)
        area = Area.objects.restrict(user).filter(code=code).first() if code.isdigit() else None
        if area is None:
            raise NotFound(_("未找到区划 %(area)s ，或不在您的管辖范围内") % {"area": area_code}, field="area")
        return area
    return getattr(user, "area", None)


def _scoped(queryset, user, area):
    queryset = queryset.restrict(user)
    return queryset.under(area.prefix) if area is not None else queryset


def _money(value) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.01")))


def _measures(measures) -> dict:
    rows = measures.values("category").annotate(n=Count("pk"), amount=Sum("amount")).order_by("category")
    found = {row["category"]: row for row in rows}
    return {
        category.value: {
            "label": str(category.label),
            "count": found.get(category.value, {}).get("n", 0),
            "amount": _money(found.get(category.value, {}).get("amount")),
        }
        for category in codes.MeasureCategory
    }


def assistance_figures(user, *, as_of: date, area_code=None) -> dict:
    area = _area(user, area_code)
    cadres = _scoped(Cadre.objects.filter(active=True), user, area)
    by_level = dict(cadres.values_list("level").annotate(n=Count("pk")).order_by())
    units = dict(_scoped(Unit.objects, user, area).values_list("kind").annotate(n=Count("pk")).order_by())
    teams = _scoped(WorkTeam.objects, user, area).filter(_open(as_of))
    members = _scoped(TeamMember.objects, user, area).filter(
        _open(as_of, "team__"), Q(joined_on__lte=as_of), Q(left_on__isnull=True) | Q(left_on__gte=as_of)
    )
    pairings = _scoped(Pairing.objects, user, area).filter(_open(as_of))
    county = area.code if area is not None else Area.objects.filter(level=3).values_list("code", flat=True).first()
    period = check_parameter(checks.county_of(county), as_of, "visit_period_days") if county else 30
    visits = _scoped(Visit.objects, user, area).filter(visited_on__lte=as_of)
    in_period = visits.filter(visited_on__gte=checks.visit_since(as_of, period))
    per_month = dict(
        visits.filter(visited_on__year=as_of.year)
        .annotate(month=ExtractMonth("visited_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    in_place = (
        _scoped(Measure.objects, user, area)
        .exclude(status=codes.MeasureStatus.PLANNED)
        .filter(started_on__lte=as_of)
        .exclude(ended_on__lt=as_of)
    )
    posts = in_place.filter(kind=codes.MeasureKind.PUBLIC_POST)
    loans = _scoped(Measure.objects, user, area).filter(kind=codes.MeasureKind.MICRO_LOAN, loan_date__lte=as_of)
    issued = loans.aggregate(n=Count("pk"), amount=Sum("loan_amount"))
    outstanding = loans.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=as_of), loan_balance__gt=0).aggregate(
        n=Count("pk"), balance=Sum("loan_balance"), overdue=Count("pk", filter=Q(loan_overdue=True))
    )
    students = in_place.filter(kind=codes.MeasureKind.EDUCATION_AID)
    result = {
        "area_code": area.code if area is not None else "",
        "area_name": area.full_name() if area is not None else _("全部"),
        "as_of": as_of.isoformat(),
        "cadres": {
            "total": sum(by_level.values()),
            "by_level": {level.value: by_level.get(level.value, 0) for level in codes.CadreLevel},
            "county_leaders": cadres.filter(county_leader=True).count(),
            "first_secretaries": cadres.filter(first_secretary=True).count(),
            "team_members": cadres.filter(team_member=True).count(),
        },
        "units": {kind.value: units.get(kind.value, 0) for kind in codes.UnitKind},
        "teams": {"open": teams.count(), "members": members.count()},
        "pairings_open": pairings.count(),
        "visits": {
            "period_days": period,
            "in_period": in_period.count(),
            "by_month": {month: per_month.get(month, 0) for month in range(1, as_of.month + 1)},
        },
        "measures": _measures(in_place),
        "public_posts": {"count": posts.count(), "persons": posts.values("household_id").distinct().count()},
        "micro_loans": {
            "issued": issued["n"],
            "issued_amount": _money(issued["amount"]),
            "outstanding": outstanding["n"],
            "balance": _money(outstanding["balance"]),
            "overdue": outstanding["overdue"],
        },
        "students_aided": students.exclude(member__isnull=True).values("member_id").distinct().count(),
        "coverage": checks.coverage(user, as_of, area_code=area_code or None),
    }
    result["programmes"] = programme_figures(user, as_of=as_of, area_code=area_code)
    return result
