"""Policy's result tables (django-tables2): the households an assessment flagged."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from fupin.registry.tables import HouseholdColumns

from .services.scope import CATEGORY_LABELS


class FlaggedTable(HouseholdColumns):
    """Flagged households, 50 a page in household-number order. `decision` is set on the page's households by the
    view (the run's decision for each, read for those 50 only)."""

    category = tables.Column(_("评估的监测类别"), accessor="decision__category")
    persons = tables.Column(
        _("人数"), accessor="decision__persons", attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )

    class Meta(HouseholdColumns.Meta):
        sequence = ("number", "head_name", "village", "status", "category", "persons", "phone")

    def render_category(self, record, value):
        return CATEGORY_LABELS.get(value, "")


class MovedTable(HouseholdColumns):
    """The households a what-if's change moves one way: the household list's columns (phone masked)."""

    class Meta(HouseholdColumns.Meta):
        sequence = ("number", "head_name", "village", "status", "phone")
