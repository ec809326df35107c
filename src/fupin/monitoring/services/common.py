"""What the clue, procedure and notice services share: their refusals, the role and date checks, the village
lookup. Every check raises before anything is written."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import permissions
from fupin.areas.models import Area, Level
from fupin.core.errors import Conflict, DomainError, NotFound, PermissionDenied


class MonitoringRefused(DomainError):
    """A monitoring operation the rules refuse (missing evidence, a date out of order, a wrong value)."""

    code = "monitoring_refused"
    status = 422


class WrongStep(Conflict):
    """An action on a step the case is not at (a skipped step, a closed case)."""

    code = "wrong_step"


class DuplicateCase(Conflict):
    """A second open case for the same household, kind and risk type."""

    code = "duplicate_case"


class NotYourStep(PermissionDenied):
    """A role that does not take this step (a village clerk at the county's approval)."""

    code = "not_your_step"


def require_role(user, roles, what: str) -> None:
    """Refuse a user whose role is not among `roles` for the action `what` (accounts.permissions)."""
    permissions.require_role(user, roles, what, error=NotYourStep)


def check_business_date(day, *, not_before: date | None = None, before_label: str = "", field: str = "on") -> date:
    """A business date: a real date, not in the future (the local calendar day), not before `not_before`."""
    if not isinstance(day, date):
        raise MonitoringRefused(_("请填写办理日期"), field=field)
    today = timezone.localdate()
    if day > today:
        raise MonitoringRefused(
            _("日期%(date)s晚于今天（%(today)s），不能预先登记") % {"date": day, "today": today}, field=field
        )
    if not_before is not None and day < not_before:
        raise MonitoringRefused(
            _("日期%(date)s早于%(what)s（%(start)s）") % {"date": day, "what": before_label, "start": not_before},
            field=field,
        )
    return day


def village_of(user, code) -> Area:
    """The village with this code inside the user's area; another area or a missing code are alike "not found"."""
    code = str(getattr(code, "code", code) or "")
    area = Area.objects.restrict(user).filter(code=code).first()
    if area is None:
        raise NotFound(_("行政村“%(code)s”不存在或不在您的管辖范围内") % {"code": code}, field="village_code")
    if area.level != Level.VILLAGE:
        raise MonitoringRefused(_("“%(name)s”不是行政村") % {"name": area.name}, field="village_code")
    return area


def required_text(value, message: str, *, field: str, limit: int | None = None) -> str:
    """A text the user must give (a reason, a comment, a contact), stripped; refused when empty or too long."""
    text = str(value or "").strip()
    if not text:
        raise MonitoringRefused(message, field=field)
    if limit is not None and len(text) > limit:
        raise MonitoringRefused(_("内容过长：不能超过 %(limit)s 个字") % {"limit": limit}, field=field)
    return text
