"""The funds API of the project library (topic B): projects (list, paged and filtered; one with its whole record),
a proposal, each step, and the implementation's records (start, monthly progress, disbursement, acceptance, audit,
completion notice), and the monthly bulletin. Thin over services.projects / implementation / disbursements /
bulletin (scope, rules and audit are theirs). Amounts in 万元 travel as decimal strings, exact to four places."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fupin.api_common import ERRORS, Input, Labelled, PageQuery, output_schema, page_of, paginate

from .. import codes
from ..models import Beneficiary, Disbursement, FundingPlan, Progress, Project, ProjectStep, Target
from ..services import bulletin, disbursements, implementation, projects

router = Router(tags=["项目库"])
VIA = "api"


class _ProjectTexts(Labelled):
    content: str = Field(..., title="建设内容")
    benefit_mechanism: str = Field(..., title="联农带农机制")
    acceptance_record: str = Field(..., title="验收意见")
    audit_opinion: str = Field(..., title="审计意见")


class _StepTexts(Labelled):
    comment: str = Field(..., title="意见")
    criteria: dict = Field(..., title="审核要点")


ProjectOut = output_schema(
    Project,
    "FundsProjectOut",
    ("id", "county", "area", "code", "name", "year", "project_type", "category", "proposer_level", "department",
     "implementer", "unit", "planned_quantity", "cost", "planned_start", "planned_end", "stage", "step", "started_on",
     "accepted_on", "acceptance_result", "audited_on", "completion_notice_on"),
    base=_ProjectTexts,
)  # fmt: skip
StepOut = output_schema(
    ProjectStep,
    "FundsProjectStepOut",
    ("id", "step", "decision", "on", "notice_from", "notice_to"),
    base=_StepTexts,
)
TargetOut = output_schema(Target, "FundsTargetOut", ("id", "indicator", "target", "actual"))
BeneficiaryOut = output_schema(Beneficiary, "FundsBeneficiaryOut", ("household", "way"))
FundingOut = output_schema(FundingPlan, "FundsFundingOut", ("source", "amount"))
ProgressOut = output_schema(Progress, "FundsProgressOut", ("month", "quantity_done", "note"))
DisbursementOut = output_schema(
    Disbursement,
    "FundsDisbursementOut",
    ("id", "year", "source", "category", "area", "department", "amount", "on", "voucher"),
)


class ProjectRecord(ProjectOut):
    steps: list[StepOut]
    targets: list[TargetOut]
    beneficiaries: list[BeneficiaryOut]
    funding: list[FundingOut]
    progress: list[ProgressOut]
    disbursements: list[DisbursementOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.order_by("id"))

    @staticmethod
    def resolve_targets(obj):
        return list(obj.targets.all())

    @staticmethod
    def resolve_beneficiaries(obj):
        return list(obj.beneficiaries.all())

    @staticmethod
    def resolve_funding(obj):
        return list(obj.funding.all())

    @staticmethod
    def resolve_progress(obj):
        return list(obj.progress.order_by("month"))

    @staticmethod
    def resolve_disbursements(obj):
        return list(obj.disbursements.order_by("on", "id"))


class TargetIn(Input):
    indicator: str = Field(..., title="绩效指标")
    target: str = Field(..., title="目标值")


class BeneficiaryIn(Input):
    household_id: int = Field(..., title="农户ID")
    way: str = Field(
        ..., title="带动方式", description="、".join(f"{c} {label}" for c, label in codes.BenefitWay.choices)
    )
    note: str = Field("", title="说明")


class FundingIn(Input):
    source_id: int = Field(..., title="资金来源ID")
    amount: Decimal = Field(..., title="计划金额（万元）")


class ProposalIn(Input):
    area_code: str = Field(..., title="项目地点区划代码", description="村、乡镇或县")
    name: str = Field(..., title="项目名称")
    code: str = Field("", title="项目编号")
    year: int = Field(..., title="计划年度")
    project_type: str = Field(..., title="项目类型")
    category: str = Field(..., title="资金用途")
    department: str = Field("", title="主管部门")
    implementer: str = Field("", title="实施单位")
    content: str = Field("", title="建设内容")
    unit: str = Field(..., title="计量单位")
    planned_quantity: Decimal = Field(..., title="计划建设规模")
    cost: Decimal = Field(..., title="投资估算（万元）")
    benefit_mechanism: str = Field("", title="联农带农机制")
    planned_start: date | None = Field(None, title="计划开工日期")
    planned_end: date | None = Field(None, title="计划完工日期")
    targets: list[TargetIn] = Field([], title="绩效目标")
    beneficiaries: list[BeneficiaryIn] = Field([], title="受益农户")
    funding: list[FundingIn] = Field([], title="资金筹措计划")


class StepIn(Input):
    step: str = Field(..., title="环节", description="须为项目的当前环节")
    decision: str = Field(..., title="结论", description="approve 通过 / return 退回修改 / refuse 不予通过")
    on: date = Field(..., title="办理日期")
    comment: str = Field("", title="意见")
    criteria: dict[str, bool] = Field({}, title="审核要点", description="要点 → 是否符合")
    notice_from: date | None = Field(None, title="公示开始日期")


class DayIn(Input):
    on: date = Field(..., title="日期")


class ProgressIn(Input):
    month: date = Field(..., title="报告月份", description="该月任一天")
    quantity_done: Decimal = Field(..., title="累计完成规模")
    note: str = Field("", title="进展说明")


class DisbursementIn(Input):
    source_id: int = Field(..., title="资金来源ID")
    amount: Decimal = Field(..., title="支付金额（万元）")
    on: date = Field(..., title="支付日期")
    voucher: str = Field("", title="凭证号")


class AcceptanceIn(Input):
    on: date = Field(..., title="验收日期")
    result: str = Field(..., title="验收结论", description="passed 验收合格 / failed 验收不合格")
    record: str = Field(..., title="验收意见")
    actuals: dict[str, str] = Field({}, title="绩效目标完成值", description="绩效目标ID → 完成值")


class AuditIn(Input):
    on: date = Field(..., title="审计日期")
    opinion: str = Field(..., title="审计意见")


class ProjectQuery(PageQuery):
    year: int | None = Field(None, title="计划年度")
    stage: str | None = Field(None, title="项目阶段")


class BulletinQuery(Schema):
    month: date | None = Field(None, title="月份", description="该月任一天，缺省为本月")
    by: str = Field("township", title="分组", description="township 按乡镇 / department 按主管部门")
    year: int | None = Field(None, title="计划年度")


class BulletinRow(Schema):
    name: str
    planned: int
    started: int
    completed: int
    funds_planned: Decimal
    funds_paid: Decimal
    paid_rate: Decimal | None
    physical_rate: Decimal | None
    late: list[int]


def _row(row) -> dict:
    return {**{k: getattr(row, k) for k in ("name", "planned", "started", "completed", "funds_planned", "funds_paid",
            "paid_rate", "physical_rate")}, "late": [p.pk for p in row.late]}  # fmt: skip


@router.get("/funds/projects", response={200: page_of(ProjectOut, "FundsProjectPage"), **ERRORS}, summary="项目库")
def list_projects(request, query: Query[ProjectQuery]):
    rows = Project.objects.restrict(request.auth)
    if query.year:
        rows = rows.filter(year=query.year)
    if query.stage:
        rows = rows.filter(stage=query.stage)
    return paginate(rows.order_by("-year", "area_id", "id"), query)


@router.post("/funds/projects", response={201: ProjectRecord, **ERRORS}, summary="申报项目")
def propose(request, payload: ProposalIn):
    data = payload.model_dump()
    return Status(201, projects.propose(request.auth, **data, via=VIA))


@router.get("/funds/projects/{int:project_id}", response={200: ProjectRecord, **ERRORS}, summary="项目详情")
def get_project(request, project_id: int):
    return projects.project_of(request.auth, project_id)


@router.post("/funds/projects/{int:project_id}/steps", response={201: StepOut, **ERRORS}, summary="办理项目环节")
def take_step(request, project_id: int, payload: StepIn):
    """The project's current step, by a role it names; approve after the last enters the year's plan."""
    return Status(201, projects.take_step(request.auth, project_id, **payload.model_dump(), via=VIA))


@router.post("/funds/projects/{int:project_id}/start", response={200: ProjectOut, **ERRORS}, summary="登记开工")
def start(request, project_id: int, payload: DayIn):
    return implementation.start(request.auth, project_id, on=payload.on, via=VIA)


@router.post("/funds/projects/{int:project_id}/progress", response={201: ProgressOut, **ERRORS}, summary="报告进度")
def report_progress(request, project_id: int, payload: ProgressIn):
    return Status(201, implementation.report_progress(request.auth, project_id, **payload.model_dump(), via=VIA))


@router.post(
    "/funds/projects/{int:project_id}/disbursements", response={201: DisbursementOut, **ERRORS}, summary="登记资金支付"
)
def disburse(request, project_id: int, payload: DisbursementIn):
    return Status(201, disbursements.record(request.auth, project_id, **payload.model_dump(), via=VIA))


@router.post("/funds/projects/{int:project_id}/acceptance", response={200: ProjectOut, **ERRORS}, summary="登记验收")
def accept(request, project_id: int, payload: AcceptanceIn):
    return implementation.accept(request.auth, project_id, **payload.model_dump(), via=VIA)


@router.post("/funds/projects/{int:project_id}/audit", response={200: ProjectOut, **ERRORS}, summary="登记审计")
def record_audit(request, project_id: int, payload: AuditIn):
    return implementation.record_audit(request.auth, project_id, **payload.model_dump(), via=VIA)


@router.post(
    "/funds/projects/{int:project_id}/completion", response={200: ProjectOut, **ERRORS}, summary="登记完工公告"
)
def complete(request, project_id: int, payload: DayIn):
    return implementation.complete(request.auth, project_id, on=payload.on, via=VIA)


@router.get("/funds/project-bulletin", response={200: dict, **ERRORS}, summary="项目进度通报")
def project_bulletin(request, query: Query[BulletinQuery]):
    """The month's bulletin by township or department: rates to four places (0.4989 is 49.89 %), late projects' ids."""
    data = bulletin.bulletin(request.auth, query.month or timezone.localdate(), by=query.by, year=query.year)
    return {
        "month": data["month"],
        "as_of": data["as_of"],
        "by": data["by"],
        "rows": [BulletinRow(**_row(r)).model_dump() for r in data["rows"]],
        "total": BulletinRow(**_row(data["total"])).model_dump(),
        "units": [{k: str(v) for k, v in u.items()} for u in data["units"]],
    }
