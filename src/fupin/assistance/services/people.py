"""People and units: units, cadres, resident work teams and their members, and the village's assistance set
(五个一 for a registered poor village, 三个一 for the others).

Every writer checks the role (services.common.KEEPERS) and the area (a keeper writes inside their own area only),
is atomic and audited. A unit or cadre registered above a village (the county's departments and their cadres) may
serve it: a village clerk may name them in his village's set and teams though his lists do not show them."""

import re
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action, User
from fupin.accounts.roles import Role
from fupin.areas.models import Area
from fupin.areas.scoping import in_scope
from fupin.core.errors import NotFound
from fupin.registry import codes as registry_codes
from fupin.registry.services.villages import standing_of
from fupin.registry.values import PHONE, PHONE_REASON

from .. import codes
from ..codes import FIVE_SET, THREE_SET, SetPart
from ..models import Cadre, SetPost, TeamMember, TeamRole, Unit, WorkTeam
from .common import KEEPERS, AssistanceRefused, check_date, require_role, village_of

#: a village is a registered poor village (建档立卡贫困村) on a date once identified, exited or not: 摘帽不摘帮扶
POOR_STANDINGS = frozenset(
    {registry_codes.VillageStanding.POOR, registry_codes.VillageStanding.DEEP, registry_codes.VillageStanding.EXITED}
)
CADRE_FIELDS = ("name", "unit", "level", "post", "phone", "sex", "county_leader", "first_secretary", "team_member")
UPDATABLE = (*CADRE_FIELDS, "active")
SEXES = ("", "1", "2")
#: which kind of record each part of the set names
PART_NEEDS = {
    SetPart.CONTACT_LEADER: "cadre",
    SetPart.UNIT: "unit",
    SetPart.TEAM: "team",
    SetPart.FIRST_SECRETARY: "cadre",
    SetPart.AGRONOMIST: "cadre",
}


# ── checks ──────────────────────────────────────────────────────────────────────────────────────────────────────


def _keeper(user, what):
    require_role(user, KEEPERS, what)


def _area(user, code) -> Area:
    """An area inside the user's own (a township clerk cannot file a record under the county)."""
    code = str(getattr(code, "code", code) or "")
    area = Area.objects.restrict(user).filter(code=code).first()
    if area is None:
        raise NotFound(_("未找到区划“%(code)s”，或不在您的管辖范围内") % {"code": code}, field="area_code")
    return area


def _name(value, field="name", label=None) -> str:
    text = str(value or "").strip()
    if not text:
        raise AssistanceRefused(_("请填写%(what)s") % {"what": label or _("姓名")}, field=field)
    if len(text) > 40 and field == "name":
        raise AssistanceRefused(_("%(what)s不能超过40个字符") % {"what": label or _("姓名")}, field=field)
    return text


def _phone(value) -> str:
    text = str(value or "").strip()
    if text and not re.fullmatch(PHONE, text, re.ASCII):
        raise AssistanceRefused(_("联系电话%(reason)s") % {"reason": PHONE_REASON}, field="phone")
    return text


def _choice(value, choices, field, label):
    if value not in {code for code, _label in choices}:
        listing = "、".join(str(text) for _code, text in choices)
        raise AssistanceRefused(_("%(what)s应为：%(list)s") % {"what": label, "list": listing}, field=field)
    return value


def serves(user, area_code: str, village: Area | None = None) -> bool:
    """Whether a record of `area_code` may be used by the user: inside their area, or above the village served."""
    if in_scope(user, area_code):
        return True
    if village is not None:
        area = Area.objects.filter(code=area_code).first()
        return area is not None and village.code.startswith(area.prefix)
    return False


def _usable(user, obj, village: Area | None, field: str):
    """A unit or cadre the user may name (for the village served): another area's reads as missing."""
    if obj is None:
        return None
    if not serves(user, obj.area_id, village or _user_area(user)):
        raise NotFound(_("未找到所选记录，或不在您的管辖范围内"), field=field)
    return obj


def _user_area(user):
    return getattr(user, "area", None)


def _audited(user, action, obj, before: dict, via: str):
    """The entry with what changed; the log keeps a phone as stored and masks it when shown (accounts.admin)."""
    audit.record(user, action, obj, changes=audit.diff(before, audit.snapshot(obj)), via=via)


# ── units and cadres ────────────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def create_unit(user, *, area_code, name, kind, contact="", phone="", note="", via) -> Unit:
    _keeper(user, _("登记帮扶单位"))
    area = _area(user, area_code)
    unit = Unit(
        area=area,
        name=_name(name, label=_("单位名称")),
        kind=_choice(kind, codes.UnitKind.choices, "kind", _("单位类型")),
        contact=str(contact or "").strip()[:40],
        phone=_phone(phone),
        note=str(note or "").strip()[:200],
    )
    if Unit.objects.filter(area=area, name=unit.name).exists():
        raise AssistanceRefused(
            _("%(area)s已有帮扶单位“%(name)s”") % {"area": area.name, "name": unit.name}, field="name"
        )
    unit.save()
    _audited(user, Action.CREATE, unit, {}, via)
    return unit


def _cadre_values(user, cadre: Cadre, fields: dict) -> None:
    """Check and set the fields given (those of CADRE_FIELDS and active) on `cadre`."""
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise AssistanceRefused(
            _("不能修改的字段：%(f)s") % {"f": "、".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    if "name" in fields:
        cadre.name = _name(fields["name"])
    if "unit" in fields:
        cadre.unit = _usable(user, fields["unit"], cadre.area if cadre.area_id else None, "unit")
    if "level" in fields:
        cadre.level = _choice(fields["level"] or "staff", codes.CadreLevel.choices, "level", _("职级"))
    if "post" in fields:
        cadre.post = str(fields["post"] or "").strip()[:60]
    if "phone" in fields:
        cadre.phone = _phone(fields["phone"])
    if "sex" in fields:
        cadre.sex = fields["sex"] or ""
        if cadre.sex not in SEXES:
            raise AssistanceRefused(_("性别应为1（男）或2（女）"), field="sex")
    for flag in ("county_leader", "first_secretary", "team_member", "active"):
        if flag in fields:
            setattr(cadre, flag, bool(fields[flag]))
    if cadre.pk:
        open_posts = cadre.team_posts.filter(left_on__isnull=True)
        if not cadre.first_secretary and open_posts.filter(role=TeamRole.FIRST_SECRETARY).exists():
            raise AssistanceRefused(
                _("该干部正担任驻村第一书记，请先在工作队中办理离岗，再取消“第一书记”标记"), field="first_secretary"
            )
        if not cadre.team_member and open_posts.exists():
            raise AssistanceRefused(
                _("该干部正在驻村工作队中，请先办理离岗，再取消“驻村工作队员”标记"), field="team_member"
            )
    if cadre.phone and cadre.unit_id:
        twins = Cadre.objects.filter(unit_id=cadre.unit_id, name=cadre.name, phone=cadre.phone).exclude(pk=cadre.pk)
        if twins.exists():
            raise AssistanceRefused(_("该单位已有同名同电话的干部“%(name)s”") % {"name": cadre.name}, field="phone")


@transaction.atomic
def create_cadre(
    user,
    *,
    area_code,
    name,
    unit=None,
    level="staff",
    post="",
    phone="",
    sex="",
    county_leader=False,
    first_secretary=False,
    team_member=False,
    via,
) -> Cadre:
    _keeper(user, _("登记帮扶干部"))
    cadre = Cadre(area=_area(user, area_code))
    values = dict(name=name, unit=unit, level=level, post=post, phone=phone, sex=sex)
    flags = dict(county_leader=county_leader, first_secretary=first_secretary, team_member=team_member)
    _cadre_values(user, cadre, {**values, **flags})
    cadre.save()
    _audited(user, Action.CREATE, cadre, {}, via)
    return cadre


def _own(user, obj, what):
    """A record of the user's own area to change; another area's is missing."""
    _keeper(user, what)
    if not in_scope(user, audit.area_of(obj)):
        raise NotFound(_("未找到该记录"))


@transaction.atomic
def update_cadre(user, cadre, *, via, **fields) -> Cadre:
    _own(user, cadre, _("修改帮扶干部"))
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    before = audit.snapshot(cadre)
    _cadre_values(user, cadre, fields)
    cadre.save()
    _audited(user, Action.UPDATE, cadre, before, via)
    return cadre


@transaction.atomic
def link_user(user, cadre, login_user, *, via) -> Cadre:
    """Link a cadre to the login of a 帮扶干部 user of the user's area (one login, one cadre)."""
    _own(user, cadre, _("关联干部登录账号"))
    if login_user is not None:
        if not User.objects.restrict(user).filter(pk=login_user.pk).exists():
            raise NotFound(_("未找到账号，或不在您的管辖范围内"), field="login_user")
        if login_user.role != Role.CADRE:
            raise AssistanceRefused(_("只能关联“帮扶干部”角色的账号"), field="login_user")
        if Cadre.objects.filter(user=login_user).exclude(pk=cadre.pk).exists():
            raise AssistanceRefused(_("该账号已关联其他干部"), field="login_user")
    before = audit.snapshot(cadre)
    cadre.user = login_user
    cadre.save(update_fields=["user"])
    _audited(user, Action.UPDATE, cadre, before, via)
    return cadre


# ── work teams ──────────────────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def create_team(user, *, village_code, batch, started_on, unit=None, ended_on=None, via) -> WorkTeam:
    """A village's resident team of one batch; it is posted as the village's TEAM part from its arrival."""
    _keeper(user, _("登记驻村工作队"))
    village = village_of(user, village_code)
    if type(batch) is not int or not 1 <= batch <= 99:
        raise AssistanceRefused(_("批次应为1到99的整数"), field="batch")
    started_on = check_date(started_on, field="started_on", label=_("进驻日期"))
    if ended_on is not None:
        check_date(ended_on, field="ended_on", label=_("撤离日期"), not_before=started_on, before_label=_("进驻日期"))
    if WorkTeam.objects.filter(village=village, batch=batch).exists():
        raise AssistanceRefused(
            _("%(village)s已有第%(batch)d批驻村工作队") % {"village": village.name, "batch": batch}, field="batch"
        )
    team = WorkTeam.objects.create(
        village=village, batch=batch, unit=_usable(user, unit, village, "unit"), started_on=started_on,
        ended_on=ended_on,
    )  # fmt: skip
    _audited(user, Action.CREATE, team, {}, via)
    _post(user, village, SetPart.TEAM, started_on, {"team": team}, via, ended_on=ended_on)
    return team


@transaction.atomic
def add_team_member(user, team, cadre, *, role, joined_on, via) -> TeamMember:
    """A cadre joins a team: marked a team member (and first secretary for that role, who is then posted as the
    village's FIRST_SECRETARY part); one open first secretary and one open leader a team."""
    _own(user, team, _("登记工作队成员"))
    village = team.village
    _usable(user, cadre, village, "cadre")
    _choice(role, TeamRole.choices, "role", _("队内职务"))
    joined_on = check_date(
        joined_on, field="joined_on", label=_("到岗日期"), not_before=team.started_on, before_label=_("进驻日期")
    )
    if team.ended_on and joined_on > team.ended_on:
        raise AssistanceRefused(
            _("到岗日期%(day)s晚于工作队撤离日期%(end)s") % {"day": joined_on, "end": team.ended_on}, field="joined_on"
        )
    if team.members.filter(cadre=cadre).exists():
        raise AssistanceRefused(_("%(name)s已在该工作队中") % {"name": cadre.name}, field="cadre")
    if role != TeamRole.MEMBER and team.members.filter(role=role, left_on__isnull=True).exists():
        raise AssistanceRefused(
            _("该工作队已有在岗的%(role)s，请先办理其离岗") % {"role": TeamRole(role).label}, field="role"
        )
    member = TeamMember.objects.create(team=team, cadre=cadre, role=role, joined_on=joined_on)
    audit.record(user, Action.CREATE, member, changes=audit.diff({}, audit.snapshot(member)), via=via)
    flags = {"team_member": True, **({"first_secretary": True} if role == TeamRole.FIRST_SECRETARY else {})}
    if any(getattr(cadre, name) != value for name, value in flags.items()):
        before = audit.snapshot(cadre)
        for name, value in flags.items():
            setattr(cadre, name, value)
        cadre.save(update_fields=list(flags))
        _audited(user, Action.UPDATE, cadre, before, via)
    if role == TeamRole.FIRST_SECRETARY:
        _post(user, village, SetPart.FIRST_SECRETARY, joined_on, {"cadre": cadre}, via, ended_on=team.ended_on)
    return member


@transaction.atomic
def end_team_member(user, member, *, on, via) -> TeamMember:
    """A member leaves the team on `on`; a first secretary's post in the village's set ends that day too."""
    _own(user, member, _("办理工作队成员离岗"))
    if member.left_on is not None:
        raise AssistanceRefused(_("该成员已于%(day)s离岗") % {"day": member.left_on}, field="on")
    on = check_date(on, field="on", label=_("离岗日期"), not_before=member.joined_on, before_label=_("到岗日期"))
    before = audit.snapshot(member)
    member.left_on = on
    member.save(update_fields=["left_on"])
    audit.record(user, Action.UPDATE, member, changes=audit.diff(before, audit.snapshot(member)), via=via)
    if member.role == TeamRole.FIRST_SECRETARY:
        posts = SetPost.objects.filter(
            village_id=member.team.village_id, part=SetPart.FIRST_SECRETARY, cadre=member.cadre
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        for post in posts.filter(started_on__lte=on):
            _end_post(user, post, on, via)
    return member


# ── the village's assistance set ────────────────────────────────────────────────────────────────────────────────


def _end_post(user, post, on: date, via):
    before = audit.snapshot(post)
    post.ended_on = on
    post.save(update_fields=["ended_on"])
    audit.record(user, Action.UPDATE, post, changes=audit.diff(before, audit.snapshot(post)), via=via)


def _post(user, village, part, started_on, holder: dict, via, *, ended_on=None) -> SetPost:
    """Start a post of `part`, ending the part's open one the day before (it must have started earlier)."""
    current = SetPost.objects.select_for_update().filter(village=village, part=part, ended_on__isnull=True).first()
    if current is not None:
        if current.started_on >= started_on:
            raise AssistanceRefused(
                _("%(part)s现任自%(since)s起，新任的起始日期应晚于该日")
                % {"part": SetPart(part).label, "since": current.started_on},
                field="started_on",
            )
        _end_post(user, current, started_on - timedelta(days=1), via)
    elif SetPost.objects.filter(village=village, part=part, ended_on__gte=started_on).exists():
        raise AssistanceRefused(
            _("%(part)s在%(day)s已有在任的记录") % {"part": SetPart(part).label, "day": started_on},
            field="started_on",
        )
    post = SetPost.objects.create(
        village=village, part=part, started_on=started_on, ended_on=ended_on, recorded_by=_recorder(user), **holder
    )
    audit.record(user, Action.CREATE, post, changes=audit.diff({}, audit.snapshot(post)), via=via)
    return post


def _recorder(user):
    return user if getattr(user, "pk", None) else None


@transaction.atomic
def post_to_set(user, *, village_code, part, started_on, cadre=None, unit=None, team=None, via) -> SetPost:
    """Post a cadre, a unit or a team as a part of the village's set from `started_on`."""
    _keeper(user, _("登记村级帮扶力量"))
    village = village_of(user, village_code)
    _choice(part, SetPart.choices, "part", _("帮扶力量"))
    part = SetPart(part)
    started_on = check_date(started_on, field="started_on", label=_("起始日期"))
    needs = PART_NEEDS[part]
    given = {"cadre": cadre, "unit": unit, "team": team}
    holder = given[needs]
    labels = {"cadre": _("干部"), "unit": _("帮扶单位"), "team": _("驻村工作队")}
    if holder is None:
        raise AssistanceRefused(_("%(part)s应选择%(what)s") % {"part": part.label, "what": labels[needs]}, field=needs)
    if any(value is not None for name, value in given.items() if name != needs):
        raise AssistanceRefused(_("%(part)s只填写%(what)s") % {"part": part.label, "what": labels[needs]}, field=needs)
    if needs == "team":
        if holder.village_id != village.code:
            raise NotFound(_("所选工作队不是本村的"), field="team")
    else:
        _usable(user, holder, village, needs)
    if part == SetPart.FIRST_SECRETARY and not holder.first_secretary:
        raise AssistanceRefused(_("%(name)s未标记为第一书记") % {"name": holder.name}, field="cadre")
    return _post(user, village, part, started_on, {needs: holder}, via)


def set_post_on(village_code, part, on: date) -> SetPost | None:
    """The post of `part` in the village on `on` (the latest started, if records overlap), or None."""
    return (
        SetPost.objects.filter(village_id=str(village_code), part=part, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("cadre", "unit", "team")
        .order_by("-started_on", "-id")
        .first()
    )


def is_poor_village(village: Area, on: date) -> bool:
    return standing_of(village, on) in POOR_STANDINGS


def village_set(user, village_code, on: date) -> dict:
    """The set a village must have on `on` (五个一 for a registered poor village, 三个一 otherwise), who holds each
    part and which are missing."""
    village = village_of(user, village_code)
    poor = is_poor_village(village, on)
    required = FIVE_SET if poor else THREE_SET
    posts = {part: set_post_on(village.code, part, on) for part in required}
    return {
        "village": village,
        "required": required,
        "posts": posts,
        "missing": [part for part in required if posts[part] is None],
        "poor_village": poor,
    }
