"""The funds API of the ledger topic: the four-level ledger as of a date, the allocation batches (list, one with its
figures against its document, create with its totals and lines) and the publication of a batch's results. Thin
over services.ledger and services.funds (scope, refusals and audit are theirs). Amounts are strings of 万元 to four
decimals, exact."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fupin.api_common import ERRORS, Input, PageQuery, QueryInput, output_schema, page_of, paginate
from fupin.core.errors import NotFound

from ..models import Batch
from ..services import funds, ledger
from ..services import ledger_publication as publication
from ..services.common import area_of

router = Router(tags=["资金台账"])
VIA = "api"

BatchOut = output_schema(
    Batch,
    "BatchOut",
    ("id", "county", "year", "number", "title", "document_no", "document_date", "published_on", "published_where",
     "published_days"),
)  # fmt: skip


class LedgerQuery(QueryInput):
    area: str | None = Field(
        None, title="区划代码", description="县或县以上区划（其下各县），或乡镇、村；缺省为本人辖区"
    )
    as_of: date | None = Field(None, title="截止日期", description="含当日；缺省为今天")
    year: int | None = Field(None, ge=2000, le=2100, title="资金年度", description="缺省为全部年度")


class LedgerRowOut(Schema):
    holder_code: str = Field(..., title="持有单位区划代码")
    holder_level: int = Field(..., title="台账层级", description="1 县级 / 2 部门 / 3 乡镇 / 4 村级")
    department: str = Field(..., title="部门", description="区划持有时为空")
    source_id: int = Field(..., title="资金来源ID")
    category: str = Field(..., title="资金用途", description="县级年度预算行为空")
    received: Decimal = Field(..., title="收到资金（万元）")
    allocated: Decimal = Field(..., title="分配下达（万元）")
    spent: Decimal = Field(..., title="已支出（万元）")
    balance: Decimal = Field(..., title="结余（万元）")


class LedgerOut(Schema):
    area: str
    as_of: date
    year: int | None
    rows: list[LedgerRowOut]


class BatchSourceIn(Input):
    source_id: int = Field(..., title="资金来源ID")
    declared: Decimal = Field(..., title="文件金额（万元）")
    advanced: Decimal = Field(Decimal(0), title="其中提前下达（万元）")
    advanced_year: int | None = Field(None, title="提前下达年度")


class LineIn(Input):
    source_id: int = Field(..., title="资金来源ID")
    category: str = Field(..., title="资金用途代码")
    to_area_code: str = Field(..., title="接收单位区划代码")
    to_department: str = Field("", title="接收部门代码", description="接收单位为县级部门时填写")
    amount: Decimal = Field(..., title="金额（万元）")
    note: str = Field("", title="备注")


class BatchIn(Input):
    county_code: str = Field(..., title="县区划代码")
    year: int = Field(..., title="年度")
    number: int = Field(..., title="批次")
    title: str = Field(..., title="批次名称")
    document_no: str = Field("", title="文号")
    document_date: date = Field(..., title="印发日期")
    sources: list[BatchSourceIn] = Field(..., title="文件金额（按资金来源）")
    lines: list[LineIn] = Field([], title="分配明细", max_length=2000)


class PublishIn(Input):
    published_on: date = Field(..., title="公开日期")
    published_where: str = Field(..., title="公开载体")
    published_days: int = Field(..., title="公开期限（天）")
    late_reason: str = Field("", title="逾期原因", description="超过印发后15个工作日公开时必填")


class SourceFigure(Schema):
    source_id: int
    source: str
    declared: Decimal
    advanced: Decimal
    advanced_year: int | None
    lines: Decimal = Field(..., title="分配明细合计")
    difference: Decimal = Field(..., title="明细与文件相差", description="明细合计 − 文件金额")
    budget: Decimal = Field(..., title="本年预算")
    remaining: Decimal = Field(..., title="剩余可安排（供下一批次）")


class BatchDetail(Schema):
    batch: BatchOut
    sources: list[SourceFigure]
    deadline: date = Field(..., title="公开截止日期", description="印发后15个工作日")
    state: str = Field(..., title="公开状态", description="on_time / late / due / overdue")


@router.get("/funds/ledger", response={200: LedgerOut, **ERRORS}, summary="四级台账")
def read_ledger(request, query: Query[LedgerQuery]):
    """Every holder × source × category under the area as of the date: received, allocated, spent, balance."""
    area = area_of(request.auth, query.area or request.auth.area_id or "", field="area")
    as_of = query.as_of or timezone.localdate()
    rows = ledger.four_level(area, as_of, year=query.year)
    return {"area": area.code, "as_of": as_of, "year": query.year, "rows": [row.__dict__ for row in rows]}


@router.get("/funds/batches", response={200: page_of(BatchOut, "BatchPage"), **ERRORS}, summary="资金分配批次")
def list_batches(request, query: Query[PageQuery]):
    batches = Batch.objects.restrict(request.auth).annotate(declared=Sum("sources__declared"))
    return paginate(batches.order_by("-year", "county_id", "number"), query)


def _detail(batch) -> dict:
    summary = ledger.batch_summary(batch)
    sources = [{**s, "source_id": s["source"].pk, "source": s["source"].name} for s in summary["sources"]]
    return {"batch": batch, "sources": sources, "deadline": summary["deadline"], "state": summary["state"]}


def _batch(user, batch_id) -> Batch:
    batch = Batch.objects.restrict(user).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("未找到该批次，或不在您的管辖范围内")
    return batch


@router.get("/funds/batches/{int:batch_id}", response={200: BatchDetail, **ERRORS}, summary="批次及其文件金额")
def read_batch(request, batch_id: int):
    return _detail(_batch(request.auth, batch_id))


@router.post("/funds/batches", response={201: BatchDetail, **ERRORS}, summary="录入资金分配批次")
def create_batch(request, payload: BatchIn):
    """The batch's document: totals by source (with the part advanced in an earlier year) and its lines; all or
    nothing."""
    data = payload.model_dump()
    sources = [{**s, "source": s.pop("source_id")} for s in data.pop("sources")]
    lines = [{**line, "source": line.pop("source_id")} for line in data.pop("lines")]
    batch = funds.create_batch(request.auth, **data, sources=sources, lines=lines, via=VIA)
    return Status(201, _detail(batch))


@router.post("/funds/batches/{int:batch_id}/publish", response={200: BatchDetail, **ERRORS}, summary="记录结果公开")
def publish(request, batch_id: int, payload: PublishIn):
    """Within 15 working days of the document; later only with the reason."""
    batch = publication.publish(request.auth, _batch(request.auth, batch_id), **payload.model_dump(), via=VIA)
    return _detail(batch)
