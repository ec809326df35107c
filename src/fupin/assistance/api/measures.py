"""API of assistance: measures — the area's list (filtered like the page, paged), one measure, create, change, end.
Thin over services.measures (scope, role, bounds and audit are its); a refusal leaves in the one error shape."""

from datetime import date

from ninja import Field, Query, Router, Schema, Status

from fupin.api_common import ERRORS, Input, Labelled, PageQuery, input_schema, output_schema, page_of
from fupin.api_common import paginate as page
from fupin.areas.scoping import get_scoped

from .. import codes
from ..models import Measure
from ..services import measures as service
from ..views.measure_forms import MeasureFilterSet

router = Router(tags=["帮扶"])
VIA = "api"

WRITABLE = (
    "category", "kind", "subtype", "started_on", "ended_on", "amount", "member", "cadre", "status", "note",
    *codes.KIND_SPECIFIC_FIELDS, "loan_overdue",
)  # fmt: skip
#: member and cadre travel as their ids; the service checks each belongs to the household's area
IDS = {"member": int | None, "cadre": int | None}


class HouseholdNamed(Labelled):
    household_number: str = Field(..., title="户编号")
    head_name: str = Field(..., title="户主姓名")

    @staticmethod
    def resolve_household_number(obj):
        return obj.household.number

    @staticmethod
    def resolve_head_name(obj):
        return obj.household.head_name


MeasureOut = output_schema(
    Measure,
    "MeasureOut",
    ("id", "village", "household", *WRITABLE, "recorded_at", "updated_at"),
    base=HouseholdNamed,
)


class MeasureIn(input_schema(Measure, "MeasureFields", WRITABLE, required=("category",), types=IDS)):
    household_id: int = Field(..., title="农户", description="农户的 id（须在调用者的管辖范围内）")


MeasurePatch = input_schema(Measure, "MeasurePatch", WRITABLE, partial_update=True, types=IDS)
MeasurePage = page_of(MeasureOut, "MeasurePage")


class EndIn(Input):
    on: date = Field(..., title="结束日期")


class MeasureQuery(PageQuery):
    area: str = Field("", title="区划", description="乡镇或行政村代码")
    category: str = Field("", title="措施类别")
    kind: str = Field("", title="措施种类")
    status: str = Field("", title="落实状态")
    started_from: date | None = Field(None, title="开始日期自")
    started_to: date | None = Field(None, title="开始日期至")
    household: int | None = Field(None, title="农户")


class MicroLoansOut(Schema):
    count: int = Field(..., title="累计发放笔数")
    amount: str = Field(..., title="累计发放金额（元）")
    balance: str = Field(..., title="贷款余额（元）")
    outstanding_count: int = Field(..., title="未还清笔数")
    overdue_count: int = Field(..., title="逾期笔数")
    overdue_balance: str = Field(..., title="逾期贷款余额（元）")


@router.get("/assistance/measures", response={200: MeasurePage, **ERRORS}, summary="帮扶措施清单")
def list_measures(request, query: Query[MeasureQuery]):
    """The measures in the caller's area, filtered as the list page filters them."""
    params = {k: v for k, v in query.model_dump(exclude={"page", "page_size", "household"}).items() if v}
    found = MeasureFilterSet(params, Measure.objects.restrict(request.auth), user=request.auth).qs
    if query.household is not None:
        found = found.filter(household_id=query.household)
    return page(found.select_related("household"), query)


@router.get("/assistance/measures/micro-loans", response={200: MicroLoansOut, **ERRORS}, summary="扶贫小额信贷汇总")
def micro_loans(request):
    figures = service.micro_loan_figures(Measure.objects.restrict(request.auth))
    return {name: str(value) if not isinstance(value, int) else value for name, value in figures.items()}


@router.get("/assistance/measures/{int:measure_id}", response={200: MeasureOut, **ERRORS}, summary="帮扶措施详情")
def get_measure(request, measure_id: int):
    return get_scoped(Measure.objects.select_related("household"), request.auth, pk=measure_id)


@router.post("/assistance/measures", response={201: MeasureOut, **ERRORS}, summary="录入帮扶措施")
def create_measure(request, payload: MeasureIn):
    """A measure of one kind: the common fields and only that kind's own (a micro-loan's, a post's, …)."""
    fields = payload.model_dump(exclude={"household_id"})
    return Status(201, service.create_measure(request.auth, payload.household_id, via=VIA, **fields))


@router.patch("/assistance/measures/{int:measure_id}", response={200: MeasureOut, **ERRORS}, summary="修改帮扶措施")
def update_measure(request, measure_id: int, payload: MeasurePatch):
    """Only the fields sent change; the measure is checked whole again."""
    measure = get_scoped(Measure.objects, request.auth, pk=measure_id)
    return service.update_measure(request.auth, measure, via=VIA, **payload.model_dump(exclude_unset=True))


@router.post("/assistance/measures/{int:measure_id}/end", response={200: MeasureOut, **ERRORS}, summary="结束帮扶措施")
def end_measure(request, measure_id: int, payload: EndIn):
    measure = get_scoped(Measure.objects, request.auth, pk=measure_id)
    return service.end_measure(request.auth, measure, on=payload.on, via=VIA)
