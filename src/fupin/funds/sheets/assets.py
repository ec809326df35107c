"""The asset ledger's sheet (book "funds-assets"): older assets from a village's or the county's ledger, and assets
of accepted projects (by 项目编号) — a pure declaration, registered with exchange in hooks/assets.py. Exchange reads
and checks the cells (row and column in every message); services.asset_import records each row through
services.assets, all rows or none."""

from fupin.core.sheets import Column, Sheet

from .. import codes
from ..models import Asset

BOOK = "funds-assets"

COLUMNS = (
    Column("code", "资产编号", "text", max_length=40),
    Column("name", "资产名称", "text", max_length=120, required=True),
    Column("category", "资产类别", "code", choices=tuple(codes.AssetCategory.choices), required=True),
    Column("kind", "资产类型", "text", max_length=40),
    Column("area_code", "坐落地点（区划代码）", "text", max_length=12, aliases=("坐落地点", "区划代码"), required=True),
    Column("location", "具体位置", "text", max_length=120),
    Column("quantity", "数量", "text", max_length=20),
    Column("unit", "计量单位", "code", choices=tuple(codes.PhysicalUnit.choices)),
    Column("value", "资产价值（万元）", "text", max_length=24, aliases=("资产价值",), required=True),
    Column("formed_on", "形成日期", "date", required=True),
    Column("project_code", "来源项目编号", "text", max_length=40),
    Column("owner_level", "确权层级", "code", choices=tuple(codes.OwnerLevel.choices)),
    Column("owner_area_code", "所有权单位（区划代码）", "text", max_length=12, aliases=("所有权单位",)),
    Column("owner_household", "所有权农户（户编号）", "text", max_length=40, aliases=("所有权农户",)),
    Column("confirmed_on", "确权日期", "date"),
    Column("maintainer", "管护主体", "text", max_length=80),
    Column("operation", "经营权人", "text", max_length=80),
    Column("income", "收益权人", "text", max_length=80),
    Column("supervision", "监督权人", "text", max_length=80),
)
ASSET_SHEET = Sheet(
    kind="funds_assets",
    title="扶贫项目资产",
    model=Asset,
    book=BOOK,
    key=("name",),
    columns=COLUMNS,
    identified_by=("category", "value"),
)
