"""The funds API of the figures topic: the funds figures of the caller's area (or an area inside it) as of a date,
for the report card and anyone reading them by program. Thin over services.figures; amounts travel as strings of
万元 to four places (exact, never a float)."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fupin.api_common import ERRORS, Input, QueryInput
from fupin.core.errors import NotFound

from ..services import figures, measure_funding

router = Router(tags=["资金项目"])
VIA = "api"


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


# ── the fund and project that pay an assistance measure (services.measure_funding) ──────────────────────────────


class FundingIn(Input):
    source_id: int = Field(..., title="资金来源", description="措施所在县的资金来源 id")
    project_id: int | None = Field(None, title="项目", description="本村、本乡镇或本县的项目 id（可空）")
    amount: Decimal | None = Field(None, title="支付金额（元）", description="精确到分；不超过措施金额")


class FundingOut(Schema):
    measure_id: int = Field(..., title="帮扶措施")
    source_id: int = Field(..., title="资金来源")
    source: str = Field(..., title="资金来源名称")
    project_id: int | None = Field(None, title="项目")
    project: str | None = Field(None, title="项目名称")
    amount: str | None = Field(None, title="支付金额（元）")


def _funding(row) -> dict:
    return {
        "measure_id": row.measure_id,
        "source_id": row.source_id,
        "source": row.source.name,
        "project_id": row.project_id,
        "project": row.project.name if row.project_id else None,
        "amount": None if row.amount is None else str(row.amount),
    }


@router.get(
    "/funds/measures/{int:measure_id}/funding", response={200: FundingOut, **ERRORS}, summary="帮扶措施资金来源"
)
def get_measure_funding(request, measure_id: int):
    """The fund and project named for the measure; a measure without one is "not found" (404)."""
    measure = measure_funding.measure_of(request.auth, measure_id)
    row = measure_funding.funding_of(request.auth, measure)
    if row is None:
        raise NotFound(_("该帮扶措施尚未登记资金来源"))
    return _funding(row)


@router.put(
    "/funds/measures/{int:measure_id}/funding", response={200: FundingOut, **ERRORS}, summary="登记帮扶措施资金来源"
)
def put_measure_funding(request, measure_id: int, payload: FundingIn):
    """Name (or change) the fund, the project and the amount that pay the measure."""
    row = measure_funding.set_funding(request.auth, measure_id, via=VIA, **payload.model_dump())
    return _funding(row)


@router.delete(
    "/funds/measures/{int:measure_id}/funding", response={204: None, **ERRORS}, summary="删除帮扶措施资金来源"
)
def delete_measure_funding(request, measure_id: int):
    measure_funding.clear_funding(request.auth, measure_id, via=VIA)
    return Status(204, None)
