"""What an assessment is asked about — the area (Scope), the pack, the date — and what every topic shares.

Every entry point of the services takes the user and goes through the one scoping rule (`.restrict(user)`, or
for SQL the code range of the same `scope_prefix`); the CLI passes no user and sees everything, like the other
management commands. Here: resolving the user's area and the pack, the date an assessment is "as of", where the
features of that date are read from, the one error of asking wrongly, and the category labels.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.areas.models import Area
from fupin.areas.scoping import NOTHING, get_scoped, scope_prefix
from fupin.core.errors import DomainError, NotFound
from fupin.registry import codes

from .. import compute
from ..models import Kind
from ..packs import Pack
from .packs import load_pack, pack_for

CATEGORY_LABELS = {code: str(label) for code, label in codes.MonitoringCategory.choices}


class InvalidAssessment(DomainError):
    code = "invalid_assessment"


def assessment_kind(kind) -> Kind:
    """The kind asked for, or the refusal a user can read (not Kind's ValueError) for one that does not exist."""
    if kind not in Kind.values:
        raise InvalidAssessment(
            _("评估类型“%(kind)s”无效：应为 %(kinds)s") % {"kind": kind, "kinds": "、".join(Kind.values)},
            field="kind",
            details={"allowed": list(Kind.values)},
        )
    return Kind(kind)


@dataclass(frozen=True)
class Scope:
    prefix: str  # area-code prefix; "" is everything
    name: str
    area: Area | None


def resolve_scope(user, area_code: str | None = None) -> Scope:
    """The user's own area, or an area inside it (an area outside is "not found", as everywhere)."""
    prefix = scope_prefix(user) if user is not None else ""
    if prefix == NOTHING:
        raise NotFound(_("您没有可评估的区划"))
    if area_code:
        areas = Area.objects.filter(code=str(area_code).strip())
        area = (areas.restrict(user) if user is not None else areas).first()
        if area is None:
            raise NotFound(_("区划 %(area)s 不存在或不在您的管辖范围内") % {"area": area_code})
        return Scope(area.prefix, area.full_name(), area)
    area = getattr(user, "area", None)
    return Scope(prefix, area.full_name() if area else "全部区划", area)


def income_year(as_of: date) -> int:
    """The last year whose income accounts are complete on the assessment date: the date's own year when it is
    the year's last day (an assessment "as of 2019-12-31" judges 2019 under the 2019 standards), else the year
    before (a screening in June 2024 reads the 2023 accounts)."""
    return (as_of + timedelta(days=1)).year - 1


def resolve_pack(pack_id: str | None, scope: Scope, as_of: date, values: dict | None = None) -> Pack:
    """The pack named, or the one for the scope's region (county, else province, else national) and the income
    year of the assessment date (`income_year`); none for that year: a refusal naming the nearest packs.
    `values` replaces some of its lines, params or options (a what-if)."""
    if pack_id:
        pack = load_pack(pack_id)
    else:
        pack = pack_for(scope.prefix if len(scope.prefix) >= 2 else "national", income_year(as_of))
    return pack.with_values(values) if values else pack


def scoped_get(queryset, user, **lookup):
    """One object in the user's scope (NotFound outside it); the CLI, with no user, sees everything."""
    if user is None:
        found = queryset.filter(**lookup).first()
        if found is None:
            raise NotFound(_("未找到该记录"))
        return found
    return get_scoped(queryset, user, **lookup)


def as_of_or_today(as_of: date | None) -> date:
    """The date an assessment is made as of: the one given, else today (in the server's time zone)."""
    return as_of or timezone.localdate()


def features_source(as_of: date, year: int, prefix: str, using: str) -> compute.Source:
    """The profile when nothing happened after the date; else event facts recomputed as of the date. The year's
    inputs from the profile when it holds that year, else from the income tables (an earlier year)."""
    state = compute.profile_state(using)
    years = state is not None and state.year == year
    if compute.events_after(as_of, using):
        compute.fill_as_of_events(as_of, prefix, using)
        return compute.Source.as_of_table(years)
    return compute.Source.profile(years)
