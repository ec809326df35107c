"""The people workbook (book "assistance"): units, cadres, resident work teams with their members, and the
villages' assistance set. Pure declarations, registered with exchange in hooks.connect(); exchange reads and
validates the cells, services.people_import writes the rows through services.people."""

from django.utils import translation

from fupin.core.sheets import Column, Sheet

from . import codes
from .models import Cadre, SetPost, TeamRole, Unit, WorkTeam

BOOK = "assistance"


def _choices(text_choices, leave_out=()) -> tuple[tuple[str, str], ...]:
    """A code list with its Chinese labels (the source text, whatever language is active)."""
    with translation.override(None):
        return tuple((code, str(label)) for code, label in text_choices.choices if code not in leave_out)


AREA = Column("area", "所属区划代码", "area", aliases=("区划代码", "所属区划"), required=True)
VILLAGE = Column("village", "村代码", "area", aliases=("行政村代码", "村级区划代码", "行政区划代码"), required=True)
PHONE = Column("phone", "电话", "text", aliases=("联系电话", "手机号码", "手机"), max_length=20)

UNITS = Sheet(
    kind="assistance_units",
    title="帮扶单位",
    model=Unit,
    book=BOOK,
    key=("name", "area"),
    columns=(
        Column("name", "单位名称", "text", aliases=("帮扶单位",), max_length=80, required=True),
        Column("kind", "单位类型", "code", choices=_choices(codes.UnitKind), required=True),
        AREA,
        Column("contact", "联系人", "text", max_length=40),
        PHONE,
    ),
    identified_by=("kind",),
)

CADRES = Sheet(
    kind="assistance_cadres",
    title="帮扶干部",
    model=Cadre,
    book=BOOK,
    key=("name", "area"),
    columns=(
        Column("name", "姓名", "text", max_length=40, required=True),
        Column("unit", "单位", "text", aliases=("帮扶单位", "工作单位"), max_length=80),
        Column("level", "职级", "code", choices=_choices(codes.CadreLevel), default="staff"),
        Column("post", "职务", "text", max_length=60),
        PHONE,
        Column("sex", "性别", "code", choices=(("1", "男"), ("2", "女"))),
        Column("county_leader", "县级领导", "bool", default=False),
        Column("first_secretary", "第一书记", "bool", default=False),
        Column("team_member", "驻村队员", "bool", aliases=("驻村工作队员",), default=False),
        AREA,
    ),
    identified_by=("county_leader", "first_secretary", "team_member"),
)

TEAMS = Sheet(
    kind="assistance_teams",
    title="驻村工作队",
    model=WorkTeam,
    book=BOOK,
    key=("village", "batch"),
    columns=(
        VILLAGE,
        Column("batch", "批次", "int", low=1, high=99, required=True),
        Column("unit", "派出单位", "text", max_length=80),
        Column("started_on", "进驻日期", "date", required=True),
        Column("ended_on", "撤离日期", "date"),
        Column("member", "队员姓名", "text", aliases=("姓名",), max_length=40),
        Column("phone", "队员电话", "text", aliases=("电话", "联系电话"), max_length=20),
        Column("role", "队内职务", "code", choices=_choices(TeamRole), default=TeamRole.MEMBER.value),
        Column("joined_on", "到岗日期", "date"),
    ),
    identified_by=("batch",),
)

SET_POSTS = Sheet(
    kind="assistance_set",
    title="村级帮扶力量",
    model=SetPost,
    book=BOOK,
    key=("village", "part"),
    columns=(
        VILLAGE,
        Column(
            "part",
            "力量类别",
            "code",
            aliases=("帮扶力量",),
            choices=_choices(codes.SetPart, leave_out=(codes.SetPart.TEAM,)),
            required=True,
        ),
        Column("holder", "干部/单位", "text", aliases=("干部", "单位", "干部或单位"), max_length=80, required=True),
        Column("phone", "干部电话", "text", aliases=("电话",), max_length=20),
        Column("started_on", "起始日期", "date", required=True),
    ),
    identified_by=("part",),
)

#: in the order they are written: a cadre names a unit, a team its unit and members, a set post its cadre or unit
SHEETS = (UNITS, CADRES, TEAMS, SET_POSTS)
