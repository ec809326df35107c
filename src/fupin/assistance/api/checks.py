"""API of the daily checks and the figures: the checks' counts and the assistance figures of the caller's area
(or an area inside it) as of a date. Thin over services.checks and services.figures."""

from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema

from fupin.api_common import ERRORS, QueryInput

from ..services import checks, figures

router = Router(tags=["帮扶"])


class ChecksQuery(QueryInput):
    on: date | None = None
    area: str | None = None


class CheckCount(Schema):
    code: str
    label: str
    definition: str
    count: int


class ChecksOut(Schema):
    on: date
    area: str | None
    checks: list[CheckCount]


@router.get("/assistance/checks", response={200: ChecksOut, **ERRORS}, summary="帮扶日常检查数量")
def check_counts(request, query: Query[ChecksQuery]):
    """Each check's count on `on` (default today) for the caller's area, or `area` inside it."""
    on = query.on or timezone.localdate()
    counts = checks.check_counts(request.auth, on, area_code=query.area or None)
    rows = [
        {"code": c.code, "label": str(c.label), "definition": str(c.definition), "count": counts[c.code]}
        for c in checks.CHECKS
    ]
    return {"on": on, "area": query.area or None, "checks": rows}


class FiguresQuery(QueryInput):
    as_of: date | None = None
    area: str | None = None


@router.get("/assistance/figures", response={200: dict, **ERRORS}, summary="帮扶统计")
def assistance_figures(request, query: Query[FiguresQuery]):
    """The assistance figures (cadres, units, teams, pairings, visits, measures, loans, coverage) as of a date."""
    return figures.assistance_figures(
        request.auth, as_of=query.as_of or timezone.localdate(), area_code=query.area or None
    )
