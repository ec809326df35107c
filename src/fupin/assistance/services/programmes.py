"""Trainings and their attendances, enterprise–village pairings (一企包一村) and social aid (社会帮扶); and what the
programme services share (relocation.py holds the sites and relocated households). Every writer checks the role
and the scope before it writes, is atomic and leaves its audit entry."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import Area
from fupin.areas.scoping import in_scope
from fupin.core.errors import NotFound
from fupin.registry.models import Household, Member

from .. import codes
from ..models import Attendance, EnterprisePairing, SocialAid, Training, Unit
from .common import KEEPERS, AssistanceRefused, check_date, require_role, village_of


def area_in_scope(user, code) -> Area:
    """An area (any level) inside the user's area; another area or a missing code are alike "not found"."""
    code = str(getattr(code, "code", code) or "")
    area = Area.objects.restrict(user).filter(code=code).first()
    if area is None:
        raise NotFound(_("未找到区划“%(code)s”，或不在您的管辖范围内") % {"code": code}, field="area_code")
    return area


def areas_above(user) -> list[str]:
    """The codes of the areas above the user's own (a village's township and county): a site, a training or a unit
    of the township serves its villages too, so a village clerk sees and uses it."""
    codes_, area = [], getattr(user, "area", None)
    while area is not None and area.parent_id:
        codes_.append(area.parent_id)
        area = area.parent
    return codes_


def reachable(queryset, user):
    """Rows (scoped by area_id) inside the user's area or of an area above it."""
    return queryset.model.objects.filter(
        Q(pk__in=queryset.restrict(user).values("pk")) | Q(area_id__in=areas_above(user))
    )


def reachable_or_404(queryset, user, pk, label):
    row = reachable(queryset, user).filter(pk=getattr(pk, "pk", pk)).first()
    if row is None:
        raise NotFound(_("未找到%(what)s，或不在您的管辖范围内") % {"what": label})
    return row


def household_in_scope(user, household) -> Household:
    row = Household.objects.restrict(user).filter(pk=getattr(household, "pk", household)).first()
    if row is None:
        raise NotFound(_("未找到农户，或不在您的管辖范围内"), field="household")
    return row


def text(value, *, field, label, limit, required=True) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise AssistanceRefused(_("请填写%(what)s") % {"what": label}, field=field)
    if len(value) > limit:
        raise AssistanceRefused(_("%(what)s不能超过%(n)s个字") % {"what": label, "n": limit}, field=field)
    return value


def amount_of(value, *, field, label) -> Decimal:
    """An amount in yuan: a number ≥ 0 with at most two decimals."""
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise AssistanceRefused(_("%(what)s须是数字") % {"what": label}, field=field) from None
    if not amount.is_finite() or amount < 0:
        raise AssistanceRefused(_("%(what)s不能为负数") % {"what": label}, field=field)
    if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e12"):
        raise AssistanceRefused(_("%(what)s最多两位小数、不超过一万亿元") % {"what": label}, field=field)
    return amount


def count_of(value, *, field, label, low=0, high=32767) -> int:
    if type(value) is not int or not low <= value <= high:
        raise AssistanceRefused(
            _("%(what)s须是 %(low)s 至 %(high)s 之间的整数") % {"what": label, "low": low, "high": high}, field=field
        )
    return value


def end_date(ended_on, started_on, *, field, label, start_label):
    if ended_on is None:
        return None
    return check_date(ended_on, field=field, label=label, not_before=started_on, before_label=start_label)


def saved(user, obj, before: dict | None, *, via):
    """Save and audit: a new row's values, or what changed."""
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()
    after = audit.snapshot(obj)
    if before is None:
        audit.record(user, Action.CREATE, obj, changes=audit.diff({}, after), via=via)
    elif changes := audit.diff(before, after):
        audit.record(user, Action.UPDATE, obj, changes=changes, via=via)
    return obj


# ── trainings ──────────────────────────────────────────────────────────────────────────────────────────────────


def _training_fields(training, *, course, organiser, started_on, ended_on, hours):
    training.course = text(course, field="course", label=_("培训项目"), limit=80)
    training.organiser = text(organiser, field="organiser", label=_("承办单位"), limit=80, required=False)
    training.started_on = check_date(started_on, field="started_on", label=_("开班日期"))
    training.ended_on = end_date(ended_on, started_on, field="ended_on", label=_("结业日期"), start_label=_("开班日期"))
    training.hours = None if hours in (None, "") else count_of(hours, field="hours", label=_("学时"), low=1)


@transaction.atomic
def create_training(user, *, area_code, course, started_on, organiser="", ended_on=None, hours=None, via) -> Training:
    require_role(user, KEEPERS, _("登记培训班"))
    training = Training(area=area_in_scope(user, area_code))
    _training_fields(
        training, course=course, organiser=organiser, started_on=started_on, ended_on=ended_on, hours=hours
    )
    return saved(user, training, None, via=via)


@transaction.atomic
def update_training(user, training, *, via, **fields) -> Training:
    require_role(user, KEEPERS, _("修改培训班"))
    training = Training.objects.restrict(user).select_for_update().filter(pk=training.pk).first()
    if training is None:
        raise NotFound(_("未找到培训班，或不在您的管辖范围内"))
    before = audit.snapshot(training)
    names = ("course", "organiser", "started_on", "ended_on", "hours")
    values = {name: fields.get(name, getattr(training, name)) for name in names}
    _training_fields(training, **values)
    return saved(user, training, before, via=via)


@transaction.atomic
def add_attendance(user, training, member, *, certified=False, employed=False, via) -> Attendance:
    """A member of a household in the user's area attends a training held in (or above) it."""
    require_role(user, KEEPERS, _("登记培训学员"))
    training = reachable_or_404(Training.objects, user, training, _("培训班"))
    member = Member.objects.restrict(user).select_related("household").filter(pk=getattr(member, "pk", member)).first()
    if member is None:
        raise NotFound(_("未找到学员，或不在您的管辖范围内"), field="member")
    if Attendance.objects.filter(training=training, member=member).exists():
        raise AssistanceRefused(
            _("%(name)s已是“%(course)s”的学员") % {"name": member.name, "course": training.course}, field="member"
        )
    attendance = Attendance(
        training=training,
        member=member,
        village_id=member.household.village_id,
        certified=bool(certified),
        employed=bool(employed),
    )
    return saved(user, attendance, None, via=via)


@transaction.atomic
def update_attendance(user, attendance, *, certified, employed, via) -> Attendance:
    require_role(user, KEEPERS, _("修改培训学员"))
    attendance = Attendance.objects.restrict(user).select_for_update().filter(pk=attendance.pk).first()
    if attendance is None:
        raise NotFound(_("未找到培训学员，或不在您的管辖范围内"))
    before = audit.snapshot(attendance)
    attendance.certified, attendance.employed = bool(certified), bool(employed)
    return saved(user, attendance, before, via=via)


# ── enterprise–village pairings ────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def create_enterprise_pairing(
    user, *, village_code, unit, started_on, ended_on=None, projects=0, amount=0, note="", via
) -> EnterprisePairing:
    """一企包一村: an enterprise (a unit of kind 企业, registered in or above the user's area) with a village."""
    require_role(user, KEEPERS, _("登记一企包一村"))
    village = village_of(user, village_code)
    unit = reachable_or_404(Unit.objects, user, unit, _("帮扶单位"))
    if unit.kind != codes.UnitKind.ENTERPRISE:
        raise AssistanceRefused(
            _("“%(name)s”是%(kind)s，一企包一村只能选择企业") % {"name": unit.name, "kind": unit.get_kind_display()},
            field="unit",
        )
    pairing = EnterprisePairing(
        village=village,
        unit=unit,
        started_on=check_date(started_on, field="started_on", label=_("结对日期")),
        ended_on=end_date(ended_on, started_on, field="ended_on", label=_("解除日期"), start_label=_("结对日期")),
        projects=count_of(projects, field="projects", label=_("实施项目数")),
        amount=amount_of(amount, field="amount", label=_("投入金额")),
        note=text(note, field="note", label=_("帮扶内容"), limit=200, required=False),
    )
    return saved(user, pairing, None, via=via)


# ── social aid ─────────────────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def create_social_aid(
    user, *, village_code, donor, given_on, content, amount=0, household=None, unit=None, via
) -> SocialAid:
    """社会帮扶 to a village, or to one of its households (which must be of that village)."""
    require_role(user, KEEPERS, _("登记社会帮扶"))
    village = village_of(user, village_code)
    if household is not None:
        household = household_in_scope(user, household)
        if household.village_id != village.code:
            raise AssistanceRefused(
                _("农户 %(number)s 不属于%(village)s") % {"number": household.number, "village": village.name},
                field="household",
            )
    if unit is not None:
        unit = reachable_or_404(Unit.objects, user, unit, _("帮扶单位"))
    aid = SocialAid(
        village=village,
        household=household,
        unit=unit,
        donor=text(donor, field="donor", label=_("帮扶主体"), limit=80),
        given_on=check_date(given_on, field="given_on", label=_("日期")),
        content=text(content, field="content", label=_("帮扶内容"), limit=200),
        amount=amount_of(amount, field="amount", label=_("折合金额")),
    )
    return saved(user, aid, None, via=via)


def in_reach(user, area_code: str) -> bool:
    """Whether a row of this area is the user's to read: inside their area or above it."""
    return in_scope(user, area_code) or area_code in areas_above(user)
