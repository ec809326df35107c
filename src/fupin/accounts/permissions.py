"""The one role check every business service makes before it writes: a user whose role is not among those allowed
is refused with a message naming the role and the action, and the allowed roles as data."""

from django.utils.translation import gettext as _

from fupin.core.errors import PermissionDenied

from .roles import Role


def role_label(user) -> str:
    role = getattr(user, "role", "")
    return Role(role).label if role in Role.values else (role or _("无角色"))


def require_role(user, roles, what: str, *, error=PermissionDenied, superuser_passes: bool = False) -> None:
    """Refuse a user whose role is not among `roles` for the action `what` (a short Chinese phrase), with the
    app's own refusal class `error`; `superuser_passes`: a superuser may act whatever his role."""
    if superuser_passes and getattr(user, "is_superuser", False):
        return
    if getattr(user, "role", None) not in roles:
        raise error(
            _("您的角色（%(role)s）不能%(what)s") % {"role": role_label(user), "what": what},
            details={"allowed": sorted(str(role) for role in roles)},
        )
