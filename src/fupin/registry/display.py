"""How a registry value reads to people: code labels, 是/否, ISO dates. Pages and exports share it so a value
reads the same on screen and in a spreadsheet."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.areas.models import Area


def field_value(obj, name: str) -> str:
    """One field as text. Masking is not done here: callers decide (see accounts.masking.shown)."""
    value = getattr(obj, name)
    if value is None or value == "":
        return ""
    if obj._meta.get_field(name).choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Area):
        return value.full_name()
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def by_year(queryset, names) -> dict | None:
    """Yearly records (income accounts, living conditions) as one column per year and one row per field: the
    way the 收入台账 is read, and it keeps a dozen income components on one screen. None when there are none."""
    records = list(queryset)
    if not records:
        return None
    return {
        "years": [record.year for record in records],
        "rows": [
            {"name": name, "label": label(queryset.model, name), "values": [field_value(r, name) for r in records]}
            for name in names
        ],
    }
