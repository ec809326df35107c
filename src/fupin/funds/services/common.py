"""What the funds services share: their refusal, the role and date checks, amounts in 万元 read exactly, and the
lookups of a county, an area and a source inside the user's scope. Every check raises before anything is written."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import permissions
from fupin.areas.models import Area, Level
from fupin.core.errors import DomainError, NotFound, PermissionDenied

from .. import codes
from ..models import FundSource


class FundsRefused(DomainError):
    """A funds, project or asset operation the rules refuse (a missing field, a step out of order, an amount that
    does not add up)."""

    code = "funds_refused"
    status = 422


class NotYours(PermissionDenied):
    code = "funds_not_yours"


def require_role(user, roles, what: str) -> None:
    """Refuse a user whose role is not among `roles` for the action `what` (accounts.permissions)."""
    permissions.require_role(user, roles, what, error=NotYours, superuser_passes=True)


def wan(value, *, field: str, label: str, allow_negative: bool = False) -> Decimal:
    """An amount in 万元, exact to four decimals: a number, a Decimal or a string ("6555.8557"); a float is read by
    its shortest text, never its binary value; a fifth decimal is refused, not rounded."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise FundsRefused(
            _("%(what)s应为金额（万元），实际是“%(value)s”") % {"what": label, "value": value}, field=field
        )
    if amount.as_tuple().exponent < -codes.WAN_PLACES:
        raise FundsRefused(
            _("%(what)s最多保留四位小数（万元），实际是 %(value)s") % {"what": label, "value": value}, field=field
        )
    if amount < 0 and not allow_negative:
        raise FundsRefused(_("%(what)s不能为负数") % {"what": label}, field=field)
    return amount.quantize(codes.WAN_QUANTUM)


def check_date(day, *, field: str, label: str, not_before: date | None = None, before_label: str = "") -> date:
    """A business date: a real date, not in the future (the local calendar day), not before `not_before`."""
    if not isinstance(day, date):
        raise FundsRefused(_("请填写%(what)s") % {"what": label}, field=field)
    today = timezone.localdate()
    if day > today:
        raise FundsRefused(
            _("%(what)s%(date)s晚于今天（%(today)s）") % {"what": label, "date": day, "today": today}, field=field
        )
    if not_before is not None and day < not_before:
        raise FundsRefused(
            _("%(what)s%(date)s早于%(other)s（%(start)s）")
            % {"what": label, "date": day, "other": before_label, "start": not_before},
            field=field,
        )
    return day


def area_of(user, code, *, field: str | None = "area_code", levels=None) -> Area:
    """The area with this code inside the user's area (of one of `levels` where given); another area or a missing
    code are alike "not found"."""
    code = str(getattr(code, "code", code) or "")
    # only digits are looked up: a NUL or a stray character is "not found" on both databases (PostgreSQL refuses NUL)
    area = Area.objects.restrict(user).filter(code=code).first() if code.isascii() and code.isdigit() else None
    if area is None:
        raise NotFound(_("未找到区划“%(code)s”，或不在您的管辖范围内") % {"code": code}, field=field)
    if levels is not None and area.level not in levels:
        raise FundsRefused(
            _("“%(name)s”是%(level)s，此处应为%(levels)s")
            % {
                "name": area.name,
                "level": area.get_level_display(),
                "levels": "、".join(str(Level(level).label) for level in levels),
            },
            field=field,
        )
    return area


def county_of(area: Area) -> Area:
    """The county an area belongs to (itself when it is one): funds rows carry their county for the ledgers."""
    if area.level == Level.COUNTY:
        return area
    for ancestor in area.path():
        if ancestor.level == Level.COUNTY:
            return ancestor
    raise FundsRefused(_("“%(name)s”不属于任何县（市、区）") % {"name": area.name}, field="area_code")


def source_of(user, source_id, *, field: str = "source_id") -> FundSource:
    """A fund source of a county inside the user's area; another county's is "not found"."""
    found = FundSource.objects.restrict(user).filter(pk=source_id).first() if str(source_id).isdigit() else None
    if found is None:
        raise NotFound(_("未找到资金来源“%(id)s”") % {"id": source_id}, field=field)
    return found
