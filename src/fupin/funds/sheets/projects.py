"""The project library's sheet (book "funds-projects"): one row a project, as a township's or the county's office
keeps its library in Excel — pure declarations, registered with exchange in hooks/projects.connect(). Exchange reads
and checks the cells (row and column in every message); services.project_import files each row as a proposal
through services.projects.propose, all rows or none. Amounts and scales are read as text so that 万元 keep their
four decimals (exchange's "money" is yuan to the fen)."""

from fupin.core.sheets import Column, Sheet

from .. import codes
from ..models import Project

BOOK = "funds-projects"

COLUMNS = (
    Column("name", "项目名称", "text", max_length=120, required=True),
    Column("code", "项目编号", "text", max_length=40),
    Column("year", "计划年度", "int", low=2014, high=2100, required=True),
    Column("area_code", "项目地点代码", "area", aliases=("区划代码", "项目地点区划代码"), required=True),
    Column("project_type", "项目类型", "code", choices=tuple(codes.ProjectType.choices), required=True),
    Column("category", "资金用途", "code", choices=tuple(codes.UseCategory.choices), required=True),
    Column("department", "主管部门", "code", choices=tuple(codes.Department.choices)),
    Column("implementer", "实施单位", "text", max_length=80),
    Column("content", "建设内容", "text", max_length=2000),
    Column("unit", "计量单位", "code", choices=tuple(codes.PhysicalUnit.choices), required=True),
    Column("planned_quantity", "计划建设规模", "text", max_length=20, required=True),
    Column("cost", "投资估算（万元）", "text", max_length=20, aliases=("投资估算",), required=True),
    Column("benefit_mechanism", "联农带农机制", "text", max_length=2000),
    Column("targets", "绩效目标", "text", max_length=1000, aliases=("绩效目标（指标：目标值）",)),
    Column("funding", "资金筹措（万元）", "text", max_length=1000, aliases=("资金筹措", "资金来源：金额")),
    Column("households", "受益农户户编号", "text", max_length=2000, aliases=("受益农户",)),
    Column("way", "带动方式", "code", choices=tuple(codes.BenefitWay.choices)),
    Column("planned_start", "计划开工日期", "date"),
    Column("planned_end", "计划完工日期", "date"),
)

PROJECTS = Sheet(
    kind="funds_projects",
    title="扶贫项目库",
    model=Project,
    book=BOOK,
    key=("name", "year", "area_code"),
    columns=COLUMNS,
    identified_by=("planned_quantity", "benefit_mechanism"),
)
SHEETS = (PROJECTS,)
