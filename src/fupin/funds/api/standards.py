"""Subsidy standards (补助标准) endpoints: the standards of a pack (named, or in force for a county and year), a
computation from a standard and facts, and a project's computed subsidy. Thin over services.subsidies; every
answer only reads, and a refusal leaves in the one error shape (fupin.api's handlers)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from fupin.api_common import ERRORS, Input, QueryInput
from fupin.areas.scoping import get_scoped
from fupin.core.errors import DomainError

from ..models import Project
from ..services import standards as standard_service
from ..services import subsidies

router = Router(tags=["补助标准"])


class PackQuery(QueryInput):
    pack: str = Field("", max_length=80, title="标准包", description="标准包 id；不填时按县和年度取适用的标准包")
    county: str = Field("", max_length=12, title="县", description="十二位县级区划代码；不填时为您辖区的第一个县")
    year: int | None = Field(None, ge=2000, le=2100, title="年度", description="不填为今年")


class FactOut(Schema):
    name: str
    label: str
    unit: str
    required: bool
    classes: list[str]
    choices: list[dict[str, str]]


class LineOut(Schema):
    funder: str
    title: str
    when: str = Field(description="适用条件")
    rate: str
    rate_text: str
    cap: str | None
    up_to: bool = Field(description="单价为上限（“以内”）")


class StandardOut(Schema):
    code: str
    title: str
    subject: str
    money_unit: str = Field(description="单价与封顶金额的单位：万元或元")
    source: str
    confirmed: bool
    defined_in: str = Field(description="写有本标准的标准包（继承时为上级包）")
    remainder: str
    facts: list[FactOut]
    lines: list[LineOut]


class StandardsOut(Schema):
    pack: str
    title: str
    region: str
    year: int
    standards: list[StandardOut]


class ComputeIn(Input):
    standard: str = Field(max_length=40, description="补助标准代码，如 road_hardening")
    facts: dict[str, str | int | float] = Field(
        default_factory=dict, description="参数，如 {length_km: 2, width_m: 3.5, road_class: village}"
    )
    pack: str = Field("", max_length=80)
    county: str = Field("", max_length=12)
    year: int | None = Field(None, ge=2000, le=2100)


class ResultLineOut(Schema):
    funder: str
    title: str
    applies: bool
    reason: str
    quantity: str | None
    quantity_text: str
    rate: str | None
    rate_text: str
    gross: str | None = Field(description="数量 × 单价（标准金额单位）")
    limited_by: str = Field(description="cap：按封顶；cost：以总投资余额为限")
    amount: str = Field(description="补助（标准金额单位）")
    amount_wan: str = Field(description="补助（万元，四位小数）")


class FunderOut(Schema):
    funder: str
    amount: str
    amount_wan: str


class FactValueOut(Schema):
    label: str
    value: str


class ResultOut(Schema):
    standard: str
    title: str
    pack: str
    year: int
    money_unit: str
    source: str
    confirmed: bool
    facts: list[FactValueOut]
    lines: list[ResultLineOut]
    by_funder: list[FunderOut]
    total: str
    total_wan: str
    cost_wan: str | None
    remainder_wan: str | None = Field(description="差额：总投资 − 补助合计（万元），需一事一议或群众自筹")
    remainder_text: str
    notes: list[str]


class ProjectSubsidyOut(Schema):
    project_id: int
    standard_code: str
    computed: bool
    problem: str = Field(description="未能测算的原因（未选标准、本县该年度无此标准、参数缺失等）")
    result: ResultOut | None


def _year(year):
    return year if year is not None else timezone.localdate().year


@router.get("/funds/standards", response={200: StandardsOut, **ERRORS}, summary="补助标准列表")
def list_standards(request, query: Query[PackQuery]):
    """The standards of the pack `pack`, or of the pack in force for `county` (one of yours) in `year`."""
    pack, standards = standard_service.pack_chosen(
        request.auth, pack_id=query.pack, county_code=query.county, year=_year(query.year)
    )
    return {
        "pack": pack.id,
        "title": pack.title,
        "region": pack.region,
        "year": pack.year,
        "standards": [standard_service.described(standard) for standard in standards.values()],
    }


@router.post("/funds/standards/compute", response={200: ResultOut, **ERRORS}, summary="补助测算")
def compute(request, payload: ComputeIn):
    """The subsidy from a standard and its facts, line by line (nothing is stored)."""
    result = standard_service.compute_chosen(
        request.auth,
        payload.standard,
        payload.facts,
        pack_id=payload.pack,
        county_code=payload.county,
        year=_year(payload.year),
    )
    return result.as_dict()


@router.get(
    "/funds/standards/projects/{int:project_id}", response={200: ProjectSubsidyOut, **ERRORS}, summary="项目补助测算"
)
def project_subsidy(request, project_id: int):
    """A project's subsidy from its standard (standard_code, standard_facts) in its county's pack for its year."""
    project = get_scoped(Project.objects, request.auth, pk=project_id)
    answer = {"project_id": project.pk, "standard_code": project.standard_code, "computed": False, "result": None}
    if not project.standard_code:
        return {**answer, "problem": _("未选择补助标准")}
    try:
        result = subsidies.compute_project(project)
    except DomainError as error:
        return {**answer, "problem": error.message}
    return {**answer, "computed": True, "problem": "", "result": result.as_dict()}
