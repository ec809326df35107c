"""API of assistance: people — units, cadres, resident work teams and their members, the village's 五个一/三个一 set on
a date. Thin over services.people (role, area, dates and audit are theirs); phones are masked for every role."""

from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fupin.api_common import ERRORS, Labelled, PageQuery, QueryInput, input_schema, output_schema, page_of, paginate
from fupin.areas.scoping import get_scoped
from fupin.core.errors import NotFound

from ..models import Cadre, SetPost, TeamMember, Unit, WorkTeam
from ..people_forms import CadreFilterSet
from ..services import people
from ..services.common import village_of

router = Router(tags=["帮扶"])
VIA = "api"

UnitOut = output_schema(Unit, "UnitOut", ("id", "area", "name", "kind", "contact", "phone", "note"))
UnitPage = page_of(UnitOut, "UnitPage")
UnitIn = input_schema(
    Unit, "UnitIn", ("area", "name", "kind", "contact", "phone", "note"), required=("area", "name", "kind")
)
CADRE_FIELDS = ("name", "unit", "sex", "post", "level", "phone", "county_leader", "first_secretary", "team_member")
CadreOut = output_schema(Cadre, "CadreOut", ("id", "area", *CADRE_FIELDS, "active"))
CadrePage = page_of(CadreOut, "CadrePage")
CadreIn = input_schema(Cadre, "CadreIn", ("area", *CADRE_FIELDS), required=("area", "name"))
CadrePatch = input_schema(Cadre, "CadrePatch", (*CADRE_FIELDS, "active"), partial_update=True)


class CadreNamed(Labelled):
    cadre_name: str = Field(..., title="干部姓名")

    @staticmethod
    def resolve_cadre_name(obj):
        return obj.cadre.name


MemberOut = output_schema(TeamMember, "MemberOut", ("id", "cadre", "role", "joined_on", "left_on"), base=CadreNamed)
MemberIn = input_schema(TeamMember, "MemberIn", ("cadre", "role", "joined_on"), required=("cadre", "joined_on"))
TeamIn = input_schema(
    WorkTeam,
    "TeamIn",
    ("village", "batch", "unit", "started_on", "ended_on"),
    required=("village", "batch", "started_on"),
)


class Membered(Labelled):
    members: list[MemberOut] = Field(..., title="队员")

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.all())


TeamOut = output_schema(
    WorkTeam, "TeamOut", ("id", "village", "batch", "unit", "started_on", "ended_on"), base=Membered
)
TeamPage = page_of(TeamOut, "TeamPage")


class CadreQuery(PageQuery):
    area: str = Field("", title="区划代码", description="乡镇或行政村代码")
    unit: str = Field("", title="帮扶单位ID")
    level: str = Field("", title="职级")
    county_leader: str = Field("", title="县级领导", description="1 是；0 否")
    first_secretary: str = Field("", title="第一书记", description="1 是；0 否")
    team_member: str = Field("", title="驻村队员", description="1 是；0 否")
    q: str = Field("", title="姓名包含")


class TeamQuery(PageQuery):
    village: str = Field("", title="行政村代码")


class SetQuery(QueryInput):
    on: date | None = Field(None, title="日期", description="默认今天")


PostOut = output_schema(SetPost, "PostOut", ("id", "part", "cadre", "unit", "team", "started_on", "ended_on"))


class PartOut(Schema):
    part: str = Field(..., title="帮扶力量")
    label: str = Field(..., title="名称")
    post: PostOut | None = Field(None, title="在任记录", description="缺少时为空")


class VillageSetOut(Schema):
    village: str = Field(..., title="行政村代码")
    on: date = Field(..., title="日期")
    poor_village: bool = Field(..., title="贫困村", description="是：应有五个一；否：应有三个一")
    parts: list[PartOut] = Field(..., title="应有的帮扶力量")
    missing: list[str] = Field(..., title="缺少的帮扶力量")


def _unit(user, pk):
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise NotFound("未找到所选记录，或不在您的管辖范围内", field="unit")
    return unit


@router.get("/assistance/units", response={200: UnitPage, **ERRORS}, summary="帮扶单位")
def list_units(request, query: Query[PageQuery]):
    return paginate(Unit.objects.restrict(request.auth), query)


@router.post("/assistance/units", response={201: UnitOut, **ERRORS}, summary="登记帮扶单位")
def create_unit(request, payload: UnitIn):
    data = payload.model_dump()
    unit = people.create_unit(request.auth, area_code=data.pop("area"), via=VIA, **data)
    return Status(201, unit)


@router.get("/assistance/cadres", response={200: CadrePage, **ERRORS}, summary="帮扶干部")
def list_cadres(request, query: Query[CadreQuery]):
    """The cadres registered in the caller's area, filtered (phones masked)."""
    params = query.model_dump(exclude={"page", "page_size"})
    cadres = CadreFilterSet(params, Cadre.objects.restrict(request.auth), user=request.auth).qs
    return paginate(cadres, query)


@router.get("/assistance/cadres/{int:cadre_id}", response={200: CadreOut, **ERRORS}, summary="帮扶干部详情")
def get_cadre(request, cadre_id: int):
    return get_scoped(Cadre.objects, request.auth, pk=cadre_id)


@router.post("/assistance/cadres", response={201: CadreOut, **ERRORS}, summary="登记帮扶干部")
def create_cadre(request, payload: CadreIn):
    data = payload.model_dump()
    data["unit"] = _unit(request.auth, data["unit"])
    cadre = people.create_cadre(request.auth, area_code=data.pop("area"), via=VIA, **data)
    return Status(201, cadre)


@router.patch("/assistance/cadres/{int:cadre_id}", response={200: CadreOut, **ERRORS}, summary="修改帮扶干部")
def update_cadre(request, cadre_id: int, payload: CadrePatch):
    cadre = get_scoped(Cadre.objects, request.auth, pk=cadre_id)
    data = payload.model_dump(exclude_unset=True)
    if "unit" in data:
        data["unit"] = _unit(request.auth, data["unit"])
    return people.update_cadre(request.auth, cadre, via=VIA, **data)


def _teams(user):
    members = TeamMember.objects.select_related("cadre").order_by("role", "joined_on")
    return WorkTeam.objects.restrict(user).prefetch_related(Prefetch("members", queryset=members))


@router.get("/assistance/teams", response={200: TeamPage, **ERRORS}, summary="驻村工作队")
def list_teams(request, query: Query[TeamQuery]):
    teams = _teams(request.auth)
    return paginate(teams.filter(village_id=query.village) if query.village else teams, query)


@router.post("/assistance/teams", response={201: TeamOut, **ERRORS}, summary="登记驻村工作队")
def create_team(request, payload: TeamIn):
    data = payload.model_dump()
    data["unit"] = _unit(request.auth, data["unit"])
    team = people.create_team(request.auth, village_code=data.pop("village"), via=VIA, **data)
    return Status(201, team)


@router.post("/assistance/teams/{int:team_id}/members", response={201: MemberOut, **ERRORS}, summary="添加工作队队员")
def add_member(request, team_id: int, payload: MemberIn):
    team = get_scoped(WorkTeam.objects.select_related("village"), request.auth, pk=team_id)
    cadre = Cadre.objects.filter(pk=payload.cadre).first()
    if cadre is None:
        raise NotFound("未找到所选记录，或不在您的管辖范围内", field="cadre")
    member = people.add_team_member(request.auth, team, cadre, role=payload.role, joined_on=payload.joined_on, via=VIA)
    return Status(201, member)


@router.get("/assistance/villages/{village_code}/set", response={200: VillageSetOut, **ERRORS}, summary="村级帮扶力量")
def village_set(request, village_code: str, query: Query[SetQuery]):
    """五个一 for a registered poor village (exited or not), 三个一 for the others, on `on`: who holds each part."""
    on = query.on or timezone.localdate()
    village_of(request.auth, village_code, field=None)  # the path's village: its 404 names no field
    found = people.village_set(request.auth, village_code, on)
    return {
        "village": found["village"].code,
        "on": on,
        "poor_village": found["poor_village"],
        "parts": [
            {"part": part.value, "label": str(part.label), "post": found["posts"][part]} for part in found["required"]
        ],
        "missing": [part.value for part in found["missing"]],
    }
