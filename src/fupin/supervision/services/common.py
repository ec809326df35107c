"""What the supervision services share: their refusal, the role check, and the lookups of an area inside the user's
scope. Every check raises before anything is written."""

from django.utils.translation import gettext as _

from fupin.accounts import permissions
from fupin.areas.models import Area, Level
from fupin.core.errors import DomainError, NotFound, PermissionDenied


class SupervisionRefused(DomainError):
    """A problem, check or bulletin operation the rules refuse (a missing field, a step out of order, the rectifier
    checking his own work)."""

    code = "supervision_refused"
    status = 422


class NotYours(PermissionDenied):
    code = "supervision_not_yours"


def require_role(user, roles, what: str) -> None:
    """Refuse a user whose role is not among `roles` for the action `what` (accounts.permissions)."""
    permissions.require_role(user, roles, what, error=NotYours, superuser_passes=True)


def area_of(user, code, *, field: str | None = "area_code", levels=None) -> Area:
    """The area with this code inside the user's area (of one of `levels` where given); another area or a missing
    code are alike "not found"."""
    code = str(getattr(code, "code", code) or "")
    area = Area.objects.restrict(user).filter(code=code).first() if code.isascii() and code.isdigit() else None
    if area is None:
        raise NotFound(_("未找到区划“%(code)s”，或不在您的管辖范围内") % {"code": code}, field=field)
    if levels is not None and area.level not in levels:
        raise SupervisionRefused(
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
    """The county an area belongs to (itself when it is one): supervision rows carry their county."""
    if area.level == Level.COUNTY:
        return area
    for ancestor in area.path():
        if ancestor.level == Level.COUNTY:
            return ancestor
    raise SupervisionRefused(_("“%(name)s”不属于任何县（市、区）") % {"name": area.name}, field="area_code")
