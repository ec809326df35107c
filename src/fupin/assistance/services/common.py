"""What the assistance services share: their refusal, the role and date checks, the village lookup, the cadre of a
login, and the pack parameters of the daily checks. Every check raises before anything is written."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import permissions
from fupin.accounts.roles import Role
from fupin.areas.models import Area, Level
from fupin.core.errors import DomainError, NotFound, PermissionDenied
from fupin.policy.packs import PackNotFound
from fupin.policy.services.packs import pack_for

#: who keeps the assistance records of their area (cadres, teams, pairings, measures): the registry's editors
KEEPERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE})
#: who records visits: the keepers and the cadres themselves (a cadre only for the households they may see)
VISITORS = KEEPERS | {Role.CADRE}
#: the first year a pack may exist (deadlines.pack_in_force counts back to it)
FIRST_PACK_YEAR = 2011


class AssistanceRefused(DomainError):
    """An assistance operation the rules refuse (a missing field, a date out of order, a value out of bounds)."""

    code = "assistance_refused"
    status = 422


class NotYours(PermissionDenied):
    code = "assistance_not_yours"


def require_role(user, roles, what: str) -> None:
    """Refuse a user whose role is not among `roles` for the action `what` (accounts.permissions)."""
    permissions.require_role(user, roles, what, error=NotYours, superuser_passes=True)


def check_date(day, *, field: str, label: str, not_before: date | None = None, before_label: str = "") -> date:
    """A business date: a real date, not in the future (the local calendar day), not before `not_before`."""
    if not isinstance(day, date):
        raise AssistanceRefused(_("请填写%(what)s") % {"what": label}, field=field)
    today = timezone.localdate()
    if day > today:
        raise AssistanceRefused(
            _("%(what)s%(date)s晚于今天（%(today)s）") % {"what": label, "date": day, "today": today}, field=field
        )
    if not_before is not None and day < not_before:
        raise AssistanceRefused(
            _("%(what)s%(date)s早于%(other)s（%(start)s）")
            % {"what": label, "date": day, "other": before_label, "start": not_before},
            field=field,
        )
    return day


def village_of(user, code, *, field: str | None = "village_code") -> Area:
    """The village with this code inside the user's area; another area or a missing code are alike "not found"
    (`field` None where the code is the address itself, an API path)."""
    code = str(getattr(code, "code", code) or "")
    # only digits are looked up: a NUL or a stray character is "not found" on both databases (PostgreSQL refuses NUL)
    area = Area.objects.restrict(user).filter(code=code).first() if code.isascii() and code.isdigit() else None
    if area is None:
        raise NotFound(_("未找到行政村“%(code)s”，或不在您的管辖范围内") % {"code": code}, field=field)
    if area.level != Level.VILLAGE:
        raise AssistanceRefused(_("“%(name)s”不是行政村") % {"name": area.name}, field="village_code")
    return area


def cadre_of(user):
    """The cadre record linked to a login, or None (a clerk, or a cadre not yet linked)."""
    from ..models import Cadre

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Cadre.objects.filter(user=user).first()


def check_parameter(area_code: str, day: date, name: str) -> int:
    """A daily check's whole-number parameter (measure_due_months, visit_period_days, cadre_max_households) from
    the area's pack for the day's year, or its latest earlier pack; a pack without it is a clear error."""
    for year in range(day.year, FIRST_PACK_YEAR - 1, -1):
        try:
            pack = pack_for(area_code, year)
        except PackNotFound:
            continue
        value = pack.parameters.get(name)
        if type(value) is int and value >= 0:
            return value
        break
    raise AssistanceRefused(
        _("地区 %(area)s 的标准包没有检查参数 %(name)s") % {"area": area_code, "name": name}, field=name
    )
