"""Writing the audit log. Services call these; nothing else writes AuditEntry."""

from datetime import date, datetime
from decimal import Decimal

from django.forms.models import model_to_dict

from .models import Action, AuditEntry


def _jsonable(value):
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def snapshot(obj, fields=None) -> dict:
    data = model_to_dict(obj, fields=fields)
    for f in obj._meta.concrete_fields:  # model_to_dict skips non-editable fields such as timestamps
        if f.attname not in data and f.name not in data and (fields is None or f.name in fields) and f.editable:
            data[f.name] = getattr(obj, f.attname)
    return {k: _jsonable(v) for k, v in data.items()}


def diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(user, action, obj=None, *, model="", object_id="", area_code="", changes=None, via=""):
    if obj is not None:
        model = model or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        area_code = area_code or getattr(obj, "area_code", "") or ""
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
