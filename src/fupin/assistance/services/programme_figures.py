"""The programmes' figures as of a date for an area (scoped by the user): relocation's four rates (四项考核指标)
and the employed share, trainings, enterprise–village pairings and social aid. Each rate is its numerator, its
denominator and the rate (None when the denominator is 0), with its one-line definition. Helper F's
figures.assistance_figures calls `programme_figures`."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from fupin.areas.scoping import scope_prefix
from fupin.registry.codes import STATUS_AFTER, Status
from fupin.registry.models import Household
from fupin.registry.services import with_status_as_of

from ..models import Attendance, EnterprisePairing, Relocation, RelocationSite, SocialAid, Training
from .programmes import area_in_scope

#: a relocated household has stably left poverty when its registry status on the date is one of these
STABLE = frozenset({Status.EXITED, Status.ORDINARY, Status.RISK_ELIMINATED})
TEN_THOUSAND = Decimal(10000)


def rate(numerator: int, denominator: int, definition: str = "") -> dict:
    """{numerator, denominator, rate (a fraction rounded to 4 places, None for a zero denominator), definition}."""
    value = None if not denominator else round(numerator / denominator, 4)
    return {"numerator": numerator, "denominator": denominator, "rate": value, "definition": definition}


def _prefix(user, area_code) -> str:
    return area_in_scope(user, area_code).prefix if area_code else scope_prefix(user)


def _stable_count(relocations, as_of: date) -> int:
    """Moved-in relocations whose household's status on `as_of` (registry's StatusEvent rule) is a stable one."""
    households = Household.objects.filter(pk__in=relocations.values("household_id"))
    kinds = with_status_as_of(households, as_of).values_list("last_event_as_of", flat=True)
    return sum(1 for kind in kinds if (STATUS_AFTER[kind] if kind else Status.ORDINARY) in STABLE)


def relocation_rates(sites, relocations, as_of: date) -> dict:
    """The four rates and the employed share over these sites and relocated households, as of `as_of`."""
    done = Q(construction_completed_on__lte=as_of)
    site_counts = sites.aggregate(
        n=Count("pk"),
        completed=Count("pk", filter=done),
        planned=Sum("planned_households", default=0),
        planned_completed=Sum("planned_households", filter=done, default=0),
    )
    moved = relocations.filter(moved_in_on__lte=as_of)
    counts = relocations.aggregate(
        n=Count("pk"),
        moved=Count("pk", filter=Q(moved_in_on__lte=as_of)),
        reclaimed=Count("pk", filter=Q(demolished_on__lte=as_of, reclaimed_on__lte=as_of)),
        employed=Count("pk", filter=Q(moved_in_on__lte=as_of, employed_members__gte=1)),
        relocated_persons=Sum("persons", default=0),
    )
    return {
        "sites": site_counts["n"],
        "planned_households": site_counts["planned"],
        "relocated": counts["n"],
        "relocated_persons": counts["relocated_persons"],
        "completion": rate(
            site_counts["completed"], site_counts["n"], _("工程竣工率：截至统计日已竣工的安置点数 ÷ 安置点总数")
        ),
        "completion_by_plan": rate(
            site_counts["planned_completed"],
            site_counts["planned"],
            _("按计划户数的竣工率：已竣工安置点的计划安置户数 ÷ 全部计划安置户数"),
        ),
        "occupancy": rate(
            counts["moved"], site_counts["planned"], _("搬迁入住率：截至统计日已入住的搬迁户数 ÷ 安置点计划安置户数")
        ),
        "stable": rate(
            _stable_count(moved, as_of),
            counts["moved"],
            _("稳定脱贫率：已入住搬迁户中统计日为已脱贫、一般农户或风险已消除的户数 ÷ 已入住搬迁户数"),
        ),
        "reclamation": rate(
            counts["reclaimed"], counts["n"], _("拆除复垦率：截至统计日旧房已拆除且已复垦的户数 ÷ 搬迁户总数")
        ),
        "employed": rate(
            counts["employed"], counts["moved"], _("就业率：已入住搬迁户中至少一人就业的户数 ÷ 已入住搬迁户数")
        ),
    }


def relocation_figures(user, *, as_of: date, area_code=None) -> dict:
    """The area's relocated households (by village of origin) and the sites that lie in the area or house one of
    its households."""
    prefix = _prefix(user, area_code)
    relocations = Relocation.objects.restrict(user).under(prefix)
    sites = RelocationSite.objects.filter(
        Q(pk__in=RelocationSite.objects.restrict(user).under(prefix).values("pk"))
        | Q(pk__in=relocations.values("site_id"))
    )
    return relocation_rates(sites, relocations, as_of)


def training_figures(user, *, as_of: date, area_code=None) -> dict:
    prefix = _prefix(user, area_code)
    attendances = Attendance.objects.restrict(user).under(prefix).filter(training__started_on__lte=as_of)
    courses = Training.objects.filter(started_on__lte=as_of).filter(
        Q(pk__in=Training.objects.restrict(user).under(prefix).values("pk"))
        | Q(pk__in=attendances.values("training_id"))
    )
    counts = attendances.aggregate(
        attendances=Count("pk"),
        trained=Count("member_id", distinct=True),
        certified=Count("member_id", distinct=True, filter=Q(certified=True)),
        employed=Count("member_id", distinct=True, filter=Q(employed=True)),
    )
    return {
        "courses": courses.count(),
        "attendances": counts["attendances"],
        "trained": counts["trained"],
        "certified": counts["certified"],
        "employed": counts["employed"],
        "certified_rate": rate(counts["certified"], counts["trained"], _("取证率：取得证书的人数 ÷ 培训人数")),
        "employed_rate": rate(counts["employed"], counts["trained"], _("培训后就业率：培训后就业的人数 ÷ 培训人数")),
    }


def _wan(amount) -> Decimal:
    return (Decimal(amount or 0) / TEN_THOUSAND).quantize(Decimal("0.01"))


def enterprise_figures(user, *, as_of: date, area_code=None) -> dict:
    pairings = EnterprisePairing.objects.restrict(user).under(_prefix(user, area_code)).filter(started_on__lte=as_of)
    counts = pairings.aggregate(
        pairings=Count("pk"),
        enterprises=Count("unit_id", distinct=True),
        villages=Count("village_id", distinct=True),
        projects=Sum("projects", default=0),
        amount=Sum("amount", default=0),
    )
    return {**counts, "amount": Decimal(counts["amount"]), "amount_wan": _wan(counts["amount"])}


def social_aid_figures(user, *, as_of: date, area_code=None) -> dict:
    aid = SocialAid.objects.restrict(user).under(_prefix(user, area_code)).filter(given_on__lte=as_of)
    counts = aid.aggregate(count=Count("pk"), amount=Sum("amount", default=0))
    return {"count": counts["count"], "amount": Decimal(counts["amount"]), "amount_wan": _wan(counts["amount"])}


def programme_figures(user, *, as_of: date, area_code=None) -> dict:
    """Everything above for one area and date: {"relocation", "training", "enterprise", "social_aid"}."""
    arguments = {"as_of": as_of, "area_code": area_code}
    return {
        "as_of": as_of,
        "area_code": area_code or "",
        "relocation": relocation_figures(user, **arguments),
        "training": training_figures(user, **arguments),
        "enterprise": enterprise_figures(user, **arguments),
        "social_aid": social_aid_figures(user, **arguments),
    }
