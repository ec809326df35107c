"""Writing the audit log. Services call these; nothing else writes AuditEntry."""

import hashlib
from datetime import date, datetime
from decimal import Decimal

from django.db.models import GeneratedField

from .models import Action, AuditEntry


def _jsonable(value):
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def snapshot(obj, fields=None) -> dict:
    """The record's stored values, as the audit log keeps them. Includes fields the user cannot edit directly
    (a household's status moves through events and must show in the log) but not bookkeeping timestamps or
    database-generated columns."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or isinstance(field, GeneratedField) or getattr(field, "auto_now", False):
            continue
        if getattr(field, "auto_now_add", False) or (fields is not None and field.name not in fields):
            continue
        value = getattr(obj, field.attname)
        data[field.name] = _fingerprint(value) if field.name in SECRET_FIELDS else _jsonable(value)
    return data


#: stored values the audit log must not copy: it keeps a fingerprint, enough to show that they changed
SECRET_FIELDS = {"password"}


def _fingerprint(value) -> str:
    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:8] if value else ""


def diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def area_of(obj) -> str:
    """The area code a record belongs to, which files its audit entries where that area's auditors see them: its
    `area_code`, else the column its queryset is scoped by (areas.ScopedQuerySet.area_path: a user's area, an
    area's own code)."""
    code = getattr(obj, "area_code", None)
    if code is None:
        path = getattr(obj._meta.default_manager.get_queryset(), "area_path", "")
        code = obj if path else None
        for step in path.split("__") if path else ():
            code = getattr(code, step, None)  # a missing relation (a household not yet chosen) reads as None
            if code is None:
                break
    return code or ""


def record(user, action, obj=None, *, model="", object_id="", area_code="", changes=None, via=""):
    if obj is not None:
        model = model or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        area_code = area_code or area_of(obj)
    return AuditEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "system",
        action=action,
        model=model,
        object_id=object_id,
        area_code=area_code,
        changes=changes or {},
        via=via,
    )


def record_reveal(user, obj, field, via):
    return record(user, Action.REVEAL, obj, changes={"field": field}, via=via)
