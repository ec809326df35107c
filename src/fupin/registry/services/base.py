"""What every registry operation shares: the editor check, the village check, validation and the audited save;
and the audited reveal of a masked field."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import Area, Level
from fupin.core.errors import PermissionDenied

from ..values import InvalidRecord


def require_editor(user):
    """Refuse a role that may only read."""
    if not getattr(user, "may_edit", False):
        raise PermissionDenied(_("您的角色只能查看，不能修改建档立卡数据"))


def village_in_scope(user, code) -> Area:
    """The village a record is filed under must exist and lie inside the user's area."""
    code = getattr(code, "code", code)
    area = Area.objects.restrict(user).filter(code=str(code or "")).first()
    if area is None:
        raise InvalidRecord(
            _("行政村“%(code)s”不存在或不在您的管辖范围内") % {"code": code}, field="village", details={"village": code}
        )
    if area.level != Level.VILLAGE:
        raise InvalidRecord(
            _("“%(name)s”不是行政村，农户须登记到行政村") % {"name": area.name},
            field="village",
            details={"village": code},
        )
    return area


def validate(obj, exclude=()):
    """full_clean() with the first problem raised as InvalidRecord naming its field."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        label = obj._meta.get_field(first_field).verbose_name if first_field != "__all__" else ""
        raise InvalidRecord(
            _("%(label)s：%(message)s") % {"label": label, "message": messages[0]} if label else messages[0],
            field=first_field,
            details=exc.message_dict,
        ) from None


def save_audited(user, obj, data, allowed, *, via, exclude=()):
    """Set the allowed fields, validate, save, and write the audit entry with before/after (nothing if unchanged)."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise InvalidRecord(
            _("不能修改的字段：%(fields)s") % {"fields": "、".join(sorted(unknown))},
            field=sorted(unknown)[0],
            details={"fields": sorted(unknown)},
        )
    creating = obj.pk is None
    before = {} if creating else audit.snapshot(obj)
    for name, value in data.items():
        setattr(obj, name, value)
    validate(obj, exclude)
    obj.save()
    changes = audit.diff(before, audit.snapshot(obj))
    if creating or changes:
        audit.record(user, Action.CREATE if creating else Action.UPDATE, obj, changes=changes, via=via)
    return obj


@transaction.atomic
def reveal(user, obj, field: str, *, via="ui") -> str:
    """Return the unmasked value of a sensitive field, if the role may see it, and audit the reveal."""
    if not user.may_reveal(field):
        raise PermissionDenied(_("您的角色无权查看该信息"))
    value = getattr(obj, field)
    audit.record_reveal(user, obj, field, via)
    return value
