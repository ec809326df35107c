"""The funds API of the figures topic: the funds figures of the caller's area (or an area inside it) as of a date,
for the report card and anyone reading them by program. Thin over services.figures; amounts travel as strings of
万元 to four places (exact, never a float)."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router

from fupin.api_common import ERRORS, QueryInput

from ..services import figures

router = Router(tags=["资金项目"])


class FiguresQuery(QueryInput):
    as_of: date | None = Field(None, title="截至日期", description="默认今天")
    area: str | None = Field(None, title="区划", description="调用者管辖范围内的区划代码；默认调用者自己的区划")


def plain(value):
    """Decimals as their exact text, dates as ISO dates, everything else as it is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [plain(inner) for inner in value]
    return value


@router.get("/funds/figures", response={200: dict, **ERRORS}, summary="资金项目资产统计")
def funds_figures(request, query: Query[FiguresQuery]):
    """Budgets, allocations and spending by source and year; projects by stage and type with physical progress;
    assets by category and owner level — of the area as of the date (services.figures says what is counted where)."""
    return plain(figures.funds_figures(request.auth, area_code=query.area or None, as_of=query.as_of))
