"""Login lockout (django-axes, configured in settings: AXES_*): after FUPIN_LOGIN_FAILURES wrong passwords a
username is locked from that address for FUPIN_LOGIN_COOLOFF_MINUTES. Here: the client's address, the page a
locked-out clerk sees, and lifting a lockout — by a superuser or a county administrator for users of his area at
or below his rank, in the admin (登录锁定) or with `fupin unlock`, each lift audited.

Lockouts are lifted only here: axes's own `axes_reset*` commands delete without an audit entry, so fupin's
stand-ins of the same names refuse and point to `fupin unlock`.
"""

import ipaddress

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.shortcuts import render

from fupin.areas.scoping import in_scope, scope_prefix

from . import audit
from .models import Action, Lockout, User
from .roles import LOCKOUT_LIFTERS, ROLE_RANK


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or — when that is a trusted proxy (settings.TRUSTED_PROXIES) — the
    right-most address in X-Forwarded-For that is not itself one (the one the outermost trusted proxy saw; entries
    further left are whatever the client wrote)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(entry)
        if address is None:
            break  # a malformed hop: nothing left of it can be believed
        if address not in trusted:
            return address
    return remote


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None):
    """axes's AXES_LOCKOUT_CALLABLE: the login page again, with the lockout said in the user's language, 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_out": True,
        "cooloff_minutes": cooloff_minutes(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "web/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def is_locked(attempt) -> bool:
    """Whether an axes attempt record is a lockout now: enough failures, the latest within the cool-off."""
    from django.utils import timezone

    recent = attempt.attempt_time >= timezone.now() - settings.AXES_COOLOFF_TIME
    return recent and attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT


def may_lift_any(actor) -> bool:
    """Whether the actor may lift lockouts at all: a superuser, or an administrator role (roles.LOCKOUT_LIFTERS)."""
    if actor is None or not actor.is_active:
        return False
    return actor.is_superuser or actor.role in LOCKOUT_LIFTERS


def may_lift(actor, attempt) -> bool:
    """Whether the actor may lift this lockout: its user lies in his scope and is not ranked above him (a
    superuser's only by a superuser); a username that belongs to no user only by a superuser who sees all."""
    if not may_lift_any(actor):
        return False
    user = User.objects.filter(username=attempt.username).first()
    if user is None:
        return scope_prefix(actor) == ""
    if not in_scope(actor, user.area_id or ""):
        return False
    if actor.is_superuser:
        return True
    return not user.is_superuser and ROLE_RANK.get(user.role, 99) <= ROLE_RANK.get(actor.role, 0)


@transaction.atomic
def lift(attempts, *, by, via) -> int:
    """Delete these attempt records (the lockout ends, the count starts again) and audit each: who lifted whose
    lockout, from which address, after how many failures. Returns how many were lifted."""
    lifted = 0
    for attempt in attempts:
        user = User.objects.filter(username=attempt.username).first()
        changes = {
            "username": attempt.username,
            "ip": attempt.ip_address,
            "failures": attempt.failures_since_start,
            "locked": is_locked(attempt),
        }
        Lockout.objects.filter(pk=attempt.pk).delete()
        audit.record(
            by,
            Action.UNLOCK,
            model="accounts.user",
            object_id=str(user.pk) if user else "",
            area_code=(user.area_id or "") if user else "",
            changes=changes,
            via=via,
        )
        lifted += 1
    return lifted
