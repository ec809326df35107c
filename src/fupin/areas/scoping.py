"""Area scoping: the one rule every path (UI, API, admin, exports, reports) uses to limit what a user sees.

A user sees the areas whose code starts with the prefix of their own area. A superuser without an area sees
everything; any other user without an area sees nothing. Objects outside the scope are "not found".

The rule lives with the area tree, below accounts: it reads only what every Django user has (is_authenticated,
is_active, is_superuser) and the user's `area`, so areas needs nothing from accounts to apply it.
"""

from fupin.core.errors import NotFound

NOTHING = "#"  # no digit code starts with this


def scope_prefix(user) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.area_id is None:
        return "" if user.is_superuser else NOTHING
    return user.area.prefix


def in_scope(user, area_code: str) -> bool:
    return area_code.startswith(scope_prefix(user))  # NOTHING starts no digit code


def get_scoped(queryset, user, **lookup):
    """Fetch one object within the user's scope, or raise NotFound — never a "forbidden" that would
    confirm the object exists elsewhere."""
    try:
        return queryset.restrict(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise NotFound("未找到该记录") from None
