"""API tokens: bearer keys that let a program (a county statistics script, a department's data exchange) call
the API as one user, with that user's role and area.

The plaintext is returned once by `issue_token` and never stored: the table keeps its SHA-256, which is enough to
recognise a presented key and useless to anyone who reads the database. A token dies with `revoke` or when its
user is deactivated. Issuing and revoking are audited.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core.errors import DomainError

from . import audit
from .models import Action, ApiToken

#: last_used_at is written at most this often per token, so a busy script does not write on every request
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_token(user, name: str, *, by=None, via="cli") -> str:
    """Create a token for `user` and return its plaintext, which the caller shows once."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写令牌名称（用途）"), field="name")
    if not user.is_active:
        raise DomainError(_("用户“%(username)s”已停用，不能签发令牌") % {"username": user.username}, field="user")
    key = secrets.token_hex(32)  # 256 bits; hex, so it never starts with "-" on a command line
    token = ApiToken.objects.create(user=user, name=name[:60], key_hash=digest(key), prefix=key[:8])
    audit.record(by or user, Action.CREATE, token, changes={"name": token.name, "prefix": token.prefix}, via=via)
    return key


def authenticate(key: str | None):
    """The active user a presented key belongs to, or None (unknown, revoked, or the user is inactive)."""
    if not key:
        return None
    token = ApiToken.objects.select_related("user", "user__area").filter(key_hash=digest(key), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def revoke(token: ApiToken, *, by=None, via="cli") -> ApiToken:
    """Revoke for good (a revoked token is kept, so the audit log can still name it)."""
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit.record(by or token.user, Action.UPDATE, token, changes={"revoked": [False, True]}, via=via)
    return token
