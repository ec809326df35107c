"""Logins and failed logins go to the audit log, whichever page (web or admin) they came through."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import audit
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
    return {"ip": request.META.get("REMOTE_ADDR", "")} if request is not None else {}


@receiver(user_logged_in, dispatch_uid="fupin.audit.login")
def record_login(sender, request, user, **kwargs):
    audit.record(user, Action.LOGIN, user, area_code=user.area_id or "", changes=_client(request), via=_via(request))


@receiver(user_login_failed, dispatch_uid="fupin.audit.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:150]
    user = get_user_model().objects.filter(username=username).first()
    audit.record(
        user or _Attempt(username), Action.LOGIN_FAILED, model="accounts.user", object_id=str(user.pk) if user else "",
        area_code=(user.area_id or "") if user else "", changes=_client(request), via=_via(request),
    )  # fmt: skip
