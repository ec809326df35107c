"""The assets API: the list (filtered, paged) and one asset with its lineage, creation from an accepted project or
directly, ownership, upkeep, state, disposal, income plans and their distribution, and the general ledger as of a
date. Thin over services.assets / asset_income / asset_ledger (role, scope, rules and audit are theirs); a household
owner travels as its number and head's name, nothing sensitive."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fupin.api_common import ERRORS, Input, Labelled, PageQuery, QueryInput, output_schema, page_of, paginate
from fupin.areas.models import Area
from fupin.core.errors import NotFound

from ..models import Asset, IncomePlan, Maintenance
from ..services import asset_income, asset_ledger, assets

router = Router(tags=["扶贫项目资产"])
VIA = "api"


class AssetBase(Labelled):
    owner: str = Field(..., title="所有权人", description="单位名称，或农户的户编号和户主姓名")

    rights: dict[str, str] = Field(..., title="权属", description='权利代码 → 权利人，如 {"operation": "合作社"}')

    @staticmethod
    def resolve_owner(obj):
        return assets.owner_name(obj)

    @staticmethod
    def resolve_rights(obj):
        return dict(obj.rights or {})


AssetOut = output_schema(
    Asset,
    "AssetOut",
    ("id", "county", "project", "code", "name", "category", "kind", "area", "location", "quantity", "unit", "value",
     "formed_on", "owner_level", "owner_area", "confirmed_on", "maintainer", "state", "disposed_on",
     "disposal_reason", "disposal_note", "disposal_approval"),
    base=AssetBase,
)  # fmt: skip
MaintenanceOut = output_schema(Maintenance, "AssetMaintenanceOut", ("id", "asset", "on", "work", "cost"))


class ShareOut(Schema):
    household_id: int = Field(..., title="农户ID")
    household_number: str = Field(..., title="户编号")
    amount: Decimal = Field(..., title="分红金额（元）")


class PlanOut(Labelled):
    id: int
    asset: int = Field(..., validation_alias="asset_id", title="资产ID")
    year: int = Field(..., title="收益年度")
    income: Decimal = Field(..., title="收益总额（元）")
    collective_share: Decimal = Field(..., title="村集体留存（元）")
    households_share: Decimal = Field(..., title="分配到户（元）")
    rule: str = Field(..., title="到户分配方式")
    approval: str = Field(..., title="方案批准")
    decided_on: date = Field(..., title="方案日期")
    distributed_on: date | None = Field(None, title="分配日期")
    shares: list[ShareOut] = Field(..., title="到户明细")

    @staticmethod
    def resolve_shares(obj):
        return [
            {"household_id": s.household_id, "household_number": s.household.number, "amount": s.amount}
            for s in obj.shares.select_related("household")
        ]


class FundingOut(Schema):
    source: str = Field(..., title="资金来源")
    amount: Decimal = Field(..., title="计划金额（万元）")


class LineageOut(Schema):
    project_id: int | None = Field(None, title="来源项目ID")
    project_name: str = Field("", title="来源项目")
    funding: list[FundingOut] = Field(..., title="项目资金来源")


class AssetDetailOut(Schema):
    asset: AssetOut
    lineage: LineageOut
    maintenance: list[MaintenanceOut]
    plans: list[PlanOut]


class AssetQuery(PageQuery):
    area: str | None = Field(None, title="区划代码", description="本辖区内的乡镇或村")
    category: str | None = Field(None, title="资产类别", description="operating / public / household")
    state: str | None = Field(None, title="资产状态")
    owner_level: str | None = Field(None, title="确权层级")


class AssetIn(Input):
    project_id: int | None = Field(None, title="来源项目ID", description="须为验收合格的项目；空：补录的资产")
    name: str = Field(..., title="资产名称")
    category: str = Field(..., title="资产类别", description="operating 经营性 / public 公益性 / household 到户类")
    value: str = Field(..., title="资产价值（万元）", description='最多四位小数，如 "69.4999"')
    area_code: str | None = Field(None, title="坐落地点（区划代码）", description="空：项目地点")
    formed_on: date | None = Field(None, title="形成日期", description="空：项目验收日期")
    code: str = Field("", title="资产编号")
    kind: str = Field("", title="资产类型")
    location: str = Field("", title="具体位置")
    quantity: str | None = Field(None, title="数量")
    unit: str = Field("", title="计量单位")
    owner_level: str = Field("", title="确权层级")
    owner_area_code: str | None = Field(None, title="所有权单位（区划代码）")
    owner_household: str | None = Field(None, title="所有权农户（户编号）")
    maintainer: str = Field("", title="管护主体")


class OwnershipIn(Input):
    owner_level: str = Field(..., title="确权层级", description="county / township / village / household")
    on: date = Field(..., title="确权日期")
    owner_area_code: str | None = Field(None, title="所有权单位（区划代码）")
    owner_household: str | None = Field(None, title="所有权农户（户编号或ID）")
    rights: dict[str, str] | None = Field(
        None, title="权属", description='权利代码 → 权利人，如 {"operation": "合作社"}'
    )
    maintainer: str | None = Field(None, title="管护主体")


class UpkeepIn(Input):
    on: date = Field(..., title="管护日期")
    work: str = Field(..., title="管护内容")
    cost: str | None = Field(None, title="费用（元）")


class StateIn(Input):
    state: str = Field(..., title="资产状态", description="in_use / idle / damaged；处置请用 disposal")


class DisposalIn(Input):
    on: date = Field(..., title="处置日期")
    reason: str = Field(..., title="处置原因")
    approval: str = Field(..., title="处置批准文号")
    note: str = Field("", title="处置说明")


class PlanIn(Input):
    year: int = Field(..., title="收益年度")
    income: str = Field(..., title="收益总额（元）")
    collective_share: str = Field("0", title="村集体留存（元）")
    rule: str = Field(..., title="到户分配方式", description="equal 按户平均 / per_person 按人口 / fixed 逐户确定")
    households: list[str] | dict[str, str] = Field(
        default_factory=list, title="分配到户的农户", description="户编号列表；fixed 时为 户编号 → 金额"
    )
    decided_on: date = Field(..., title="方案日期")
    approval: str = Field("", title="方案批准（文号或会议）")
    distribute_on: date | None = Field(None, title="分配日期", description="填写则立即分配到户")


class DistributeIn(Input):
    on: date = Field(..., title="分配日期")


class LedgerQuery(QueryInput):
    as_of: date | None = Field(None, title="截止日期", description="缺省为今天")


def _asset(request, asset_id: int) -> Asset:
    found = Asset.objects.restrict(request.auth).filter(pk=asset_id).first()
    if found is None:
        raise NotFound("未找到该资产，或其不在您的管辖范围内")
    return found


@router.get("/funds/assets", response={200: page_of(AssetOut, "AssetPage"), **ERRORS}, summary="资产清单")
def list_assets(request, query: Query[AssetQuery]):
    rows = Asset.objects.restrict(request.auth).select_related("owner_area", "owner_household")
    if query.area:
        area = Area.objects.restrict(request.auth).filter(code=query.area).first() if query.area.isdigit() else None
        rows = rows.under(area.prefix) if area else rows.none()
    for name in ("category", "state", "owner_level"):
        if getattr(query, name):
            rows = rows.filter(**{name: getattr(query, name)})
    return paginate(rows.order_by("area_id", "id"), query)


@router.post("/funds/assets", response={201: AssetOut, **ERRORS}, summary="登记资产")
def create_asset(request, payload: AssetIn):
    """From an accepted project (project_id) or directly (an older asset)."""
    data = payload.model_dump(exclude={"project_id"}, exclude_none=True)
    return Status(201, assets.create_asset(request.auth, project=payload.project_id, via=VIA, **data))


@router.get("/funds/assets/{int:asset_id}", response={200: AssetDetailOut, **ERRORS}, summary="资产详情")
def get_asset(request, asset_id: int):
    asset = _asset(request, asset_id)
    lineage = assets.lineage(asset)
    project = lineage["project"]
    return {
        "asset": asset,
        "lineage": {
            "project_id": project.pk if project else None,
            "project_name": project.name if project else "",
            "funding": [{"source": f.source.name, "amount": f.amount} for f in lineage["funding"]],
        },
        "maintenance": list(asset.maintenance.all()[:200]),
        "plans": list(IncomePlan.objects.restrict(request.auth).filter(asset=asset)),
    }


@router.post("/funds/assets/{int:asset_id}/ownership", response={200: AssetOut, **ERRORS}, summary="资产确权")
def confirm_ownership(request, asset_id: int, payload: OwnershipIn):
    return assets.confirm_ownership(request.auth, _asset(request, asset_id), **payload.model_dump(), via=VIA)


@router.post("/funds/assets/{int:asset_id}/maintenance", response={201: MaintenanceOut, **ERRORS}, summary="记录管护")
def record_maintenance(request, asset_id: int, payload: UpkeepIn):
    return Status(201, assets.record_maintenance(request.auth, _asset(request, asset_id), **payload.model_dump(),
                                                 via=VIA))  # fmt: skip


@router.post("/funds/assets/{int:asset_id}/state", response={200: AssetOut, **ERRORS}, summary="变更资产状态")
def set_state(request, asset_id: int, payload: StateIn):
    return assets.set_state(request.auth, _asset(request, asset_id), state=payload.state, via=VIA)


@router.post("/funds/assets/{int:asset_id}/disposal", response={200: AssetOut, **ERRORS}, summary="资产处置")
def dispose(request, asset_id: int, payload: DisposalIn):
    return assets.dispose(request.auth, _asset(request, asset_id), **payload.model_dump(), via=VIA)


@router.post("/funds/assets/{int:asset_id}/income-plans", response={201: PlanOut, **ERRORS}, summary="收益分配方案")
def create_plan(request, asset_id: int, payload: PlanIn):
    """Shares worked out to the fen (the remainder to the largest parts cut off); with distribute_on, written into
    the households' property income of the year at once."""
    plan = asset_income.plan_and_distribute(request.auth, _asset(request, asset_id), **payload.model_dump(), via=VIA)
    return Status(201, plan)


@router.post("/funds/income-plans/{int:plan_id}/distribution", response={200: PlanOut, **ERRORS}, summary="分配到户")
def distribute(request, plan_id: int, payload: DistributeIn):
    plan = IncomePlan.objects.restrict(request.auth).filter(pk=plan_id).first()
    if plan is None:  # another area's plan is "not found" before the role is asked, as a missing one
        raise NotFound("未找到该收益分配方案，或其不在您的管辖范围内")
    return asset_income.distribute(request.auth, plan, on=payload.on, via=VIA)


@router.get("/funds/asset-ledger", response={200: dict, **ERRORS}, summary="资产总台账")
def general_ledger(request, query: Query[LedgerQuery]):
    """The caller's area's general ledger as of a date: a line per area below (万元 as strings, exact)."""
    as_of = query.as_of or timezone.localdate()
    ledger = asset_ledger.general_ledger(request.auth, Asset.objects.restrict(request.auth), as_of)
    return {
        "area": ledger["area"].code,
        "as_of": as_of,
        "lines": [_line(line) for line in [*ledger["lines"], ledger["total"]]],
    }


def _line(line) -> dict:
    return {
        "area": line.code,
        "name": line.name,
        "count": line.count,
        "value": str(line.value),
        "by_category": {k: {"count": c, "value": str(v)} for k, (c, v) in line.by_category.items()},
        "by_owner": {k: str(v) for k, v in line.by_owner.items()},
        "by_state": line.by_state,
        "disposed_value": str(line.disposed_value),
    }
