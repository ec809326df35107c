"""API of the programmes: relocation sites and relocated households, trainings and attendances, enterprise–village
pairings, social aid (lists, paged, and creates) and the figures as of a date. Thin over services.relocation,
services.programmes and services.programme_figures (scope, bounds and audit are theirs)."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Status

from fupin.api_common import ERRORS, Input, Labelled, PageQuery, QueryInput, output_schema, page_of, paginate
from fupin.areas.scoping import get_scoped
from fupin.registry.models import Household, Member

from ..models import Attendance, EnterprisePairing, Relocation, RelocationSite, SocialAid, Training, Unit
from ..services import programmes, relocation
from ..services.programme_figures import programme_figures

router = Router(tags=["帮扶"])
VIA = "api"

SiteOut = output_schema(
    RelocationSite,
    "RelocationSiteOut",
    ("id", "area", "name", "kind", "location", "planned_households", "planned_persons",
     "construction_started_on", "construction_completed_on"),
)  # fmt: skip


class Numbered(Labelled):
    household_number: str = Field(..., title="户编号")
    head_name: str = Field(..., title="户主姓名")

    @staticmethod
    def resolve_household_number(obj):
        return obj.household.number

    @staticmethod
    def resolve_head_name(obj):
        return obj.household.head_name


RelocationOut = output_schema(
    Relocation,
    "RelocationOut",
    ("id", "village", "household", "site", "persons", "moved_in_on", "demolished_on", "reclaimed_on",
     "employed_members"),
    base=Numbered,
)  # fmt: skip
TrainingOut = output_schema(
    Training, "TrainingOut", ("id", "area", "course", "organiser", "started_on", "ended_on", "hours")
)
AttendanceOut = output_schema(
    Attendance, "AttendanceOut", ("id", "village", "training", "member", "certified", "employed")
)
PairingOut = output_schema(
    EnterprisePairing,
    "EnterprisePairingOut",
    ("id", "village", "unit", "started_on", "ended_on", "projects", "amount", "note"),
)
AidOut = output_schema(
    SocialAid, "SocialAidOut", ("id", "village", "household", "donor", "unit", "given_on", "content", "amount")
)


class SiteIn(Input):
    area: str = Field(..., title="所在区划代码")
    name: str = Field(..., title="安置点名称")
    kind: str = Field("central", title="安置方式", description="central 集中安置 / scattered 分散安置")
    location: str = Field("", title="地点")
    planned_households: int = Field(..., title="计划安置户数")
    planned_persons: int = Field(0, title="计划安置人数")
    construction_started_on: date | None = Field(None, title="开工日期")
    construction_completed_on: date | None = Field(None, title="竣工日期")


class RelocationIn(Input):
    household_id: int = Field(..., title="农户ID")
    site_id: int = Field(..., title="安置点ID")
    persons: int = Field(..., title="搬迁人数")
    moved_in_on: date | None = Field(None, title="入住日期")
    demolished_on: date | None = Field(None, title="旧房拆除日期")
    reclaimed_on: date | None = Field(None, title="复垦日期")
    employed_members: int = Field(0, title="就业人数")


class TrainingIn(Input):
    area: str = Field(..., title="举办区划代码")
    course: str = Field(..., title="培训项目")
    organiser: str = Field("", title="承办单位")
    started_on: date = Field(..., title="开班日期")
    ended_on: date | None = Field(None, title="结业日期")
    hours: int | None = Field(None, title="学时")


class AttendanceIn(Input):
    member_id: int = Field(..., title="学员（成员ID）")
    certified: bool = Field(False, title="取得证书")
    employed: bool = Field(False, title="培训后就业")


class PairingIn(Input):
    village: str = Field(..., title="行政村代码")
    unit_id: int = Field(..., title="企业（帮扶单位ID）")
    started_on: date = Field(..., title="结对日期")
    ended_on: date | None = Field(None, title="解除日期")
    projects: int = Field(0, title="实施项目数")
    amount: Decimal = Field(Decimal(0), title="投入金额（元）")
    note: str = Field("", title="帮扶内容")


class AidIn(Input):
    village: str = Field(..., title="行政村代码")
    household_id: int | None = Field(None, title="受助农户ID")
    unit_id: int | None = Field(None, title="帮扶单位ID")
    donor: str = Field(..., title="帮扶主体")
    given_on: date = Field(..., title="日期")
    content: str = Field(..., title="帮扶内容")
    amount: Decimal = Field(Decimal(0), title="折合金额（元）")


class FiguresQuery(QueryInput):
    as_of: date | None = Field(None, title="统计日期", description="缺省为今天")
    area: str | None = Field(None, title="区划代码", description="缺省为本人辖区")


def _page(queryset, query):
    return paginate(queryset, query)


@router.get("/assistance/relocation/sites", response={200: page_of(SiteOut, "SitePage"), **ERRORS}, summary="安置点")
def list_sites(request, query: Query[PageQuery]):
    """Sites in the caller's area or above it (a township's site serves its villages)."""
    return _page(programmes.reachable(RelocationSite.objects, request.auth).order_by("area_id", "name"), query)


@router.post("/assistance/relocation/sites", response={201: SiteOut, **ERRORS}, summary="登记安置点")
def create_site(request, payload: SiteIn):
    data = payload.model_dump()
    site = relocation.create_site(request.auth, area_code=data.pop("area"), **data, via=VIA)
    return Status(201, site)


@router.get(
    "/assistance/relocations", response={200: page_of(RelocationOut, "RelocationPage"), **ERRORS}, summary="搬迁户"
)
def list_relocations(request, query: Query[PageQuery]):
    return _page(Relocation.objects.restrict(request.auth).select_related("household"), query)


@router.post("/assistance/relocations", response={201: RelocationOut, **ERRORS}, summary="登记搬迁户")
def create_relocation(request, payload: RelocationIn):
    """Moving in only once the site's construction is completed; the registry's 易地搬迁户 flag is set too."""
    household = get_scoped(Household.objects, request.auth, pk=payload.household_id)
    data = payload.model_dump(exclude={"household_id", "site_id"})
    moved = relocation.record_relocation(request.auth, household, site=payload.site_id, **data, via=VIA)
    return Status(201, moved)


@router.get("/assistance/trainings", response={200: page_of(TrainingOut, "TrainingPage"), **ERRORS}, summary="培训班")
def list_trainings(request, query: Query[PageQuery]):
    return _page(programmes.reachable(Training.objects, request.auth).order_by("-started_on", "id"), query)


@router.post("/assistance/trainings", response={201: TrainingOut, **ERRORS}, summary="登记培训班")
def create_training(request, payload: TrainingIn):
    data = payload.model_dump()
    return Status(201, programmes.create_training(request.auth, area_code=data.pop("area"), **data, via=VIA))


@router.post(
    "/assistance/trainings/{int:training_id}/attendances", response={201: AttendanceOut, **ERRORS}, summary="登记学员"
)
def add_attendance(request, training_id: int, payload: AttendanceIn):
    training = programmes.reachable_or_404(Training.objects, request.auth, training_id, "培训班")
    member = get_scoped(Member.objects, request.auth, pk=payload.member_id)
    attended = programmes.add_attendance(
        request.auth, training, member, certified=payload.certified, employed=payload.employed, via=VIA
    )
    return Status(201, attended)


@router.get(
    "/assistance/enterprise-pairings",
    response={200: page_of(PairingOut, "PairingPage"), **ERRORS},
    summary="一企包一村",
)
def list_pairings(request, query: Query[PageQuery]):
    return _page(EnterprisePairing.objects.restrict(request.auth), query)


@router.post("/assistance/enterprise-pairings", response={201: PairingOut, **ERRORS}, summary="登记一企包一村")
def create_pairing(request, payload: PairingIn):
    data = payload.model_dump(exclude={"village", "unit_id"})
    unit = programmes.reachable_or_404(Unit.objects, request.auth, payload.unit_id, "帮扶单位")
    pairing = programmes.create_enterprise_pairing(
        request.auth, village_code=payload.village, unit=unit, **data, via=VIA
    )
    return Status(201, pairing)


@router.get("/assistance/social-aid", response={200: page_of(AidOut, "AidPage"), **ERRORS}, summary="社会帮扶")
def list_aid(request, query: Query[PageQuery]):
    return _page(SocialAid.objects.restrict(request.auth), query)


@router.post("/assistance/social-aid", response={201: AidOut, **ERRORS}, summary="登记社会帮扶")
def create_aid(request, payload: AidIn):
    data = payload.model_dump(exclude={"village", "household_id", "unit_id"})
    household = get_scoped(Household.objects, request.auth, pk=payload.household_id) if payload.household_id else None
    aid = programmes.create_social_aid(
        request.auth, village_code=payload.village, household=household, unit=payload.unit_id, **data, via=VIA
    )
    return Status(201, aid)


@router.get(
    "/assistance/programme-figures", response={200: dict, **ERRORS}, summary="搬迁、培训、一企包一村、社会帮扶统计"
)
def figures(request, query: Query[FiguresQuery]):
    """Relocation's four rates (each numerator, denominator, rate — null when the denominator is 0 — and its
    definition), trainings, enterprise pairings and social aid, as of a date, for the caller's area or one inside."""
    return programme_figures(request.auth, as_of=query.as_of or timezone.localdate(), area_code=query.area)
