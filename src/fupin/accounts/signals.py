"""Logins, failed logins and lockouts go to the audit log, whichever page (web or admin) they came through."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import audit
from .lockout import client_ip
from .models import Action


class _Attempt:
    """Stands in for the user of a failed login whose username matches no account: the log still needs the
    name that was tried (repeated guesses are what an auditor looks for)."""

    pk = None

    def __init__(self, username):
        self.username = username


def _via(request) -> str:
    return "admin" if request is not None and request.path.startswith("/admin/") else "ui"


def _client(request) -> dict:
    return {"ip": client_ip(request)} if request is not None else {}


def _refused_while_locked(request) -> bool:
    """A login axes refused because the username is already locked from there (the password was not checked).
    Its backend flags the request before the signal; on the failure that starts a lockout axes counts first
    (axes_failures_since_start), whichever receiver runs first."""
    return getattr(request, "axes_locked_out", False) and getattr(request, "axes_failures_since_start", None) is None


def _user_named(username):
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="fupin.audit.login")
def record_login(sender, request, user, **kwargs):
    audit.record(user, Action.LOGIN, user, area_code=user.area_id or "", changes=_client(request), via=_via(request))


@receiver(user_login_failed, dispatch_uid="fupin.audit.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:150]
    user = _user_named(username)
    changes = {**_client(request), **({"locked": True} if _refused_while_locked(request) else {})}
    audit.record(
        user or _Attempt(username),
        Action.LOGIN_FAILED,
        model="accounts.user",
        object_id=str(user.pk) if user else "",
        area_code=(user.area_id or "") if user else "",
        changes=changes,
        via=_via(request),
    )


@receiver(user_locked_out, dispatch_uid="fupin.audit.lockout")
def record_lockout(sender, request, username, ip_address=None, **kwargs):
    """The failure that starts a lockout (axes sends the signal again for each attempt refused while locked: those
    are the login_failed entries marked locked)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    username = str(username or "")[:150]
    user = _user_named(username)
    audit.record(
        user or _Attempt(username),
        Action.LOCKOUT,
        model="accounts.user",
        object_id=str(user.pk) if user else "",
        area_code=(user.area_id or "") if user else "",
        changes={**_client(request), "failures": failures},
        via=_via(request),
    )
