"""Policy's result tables (django-tables2): the households an assessment flagged."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from fupin.registry.tables import HouseholdColumns

from .services.scope import CATEGORY_LABELS


class FlaggedTable(HouseholdColumns):
    """Flagged households, 50 a page in household-number order. `decision` is set on the page's households by the
    view (the run's decision for each, read for those 50 only). With actions registered (policy.actions), each
    row gets a tick box and a button per action, both belonging to the page's one action form (`form=`)."""

    pick = tables.Column("", accessor="pk", attrs={"td": {"class": "pick"}})
    act = tables.Column(_("操作"), accessor="pk")

    category = tables.Column(_("评估的监测类别"), accessor="decision__category")
    persons = tables.Column(
        _("人数"), accessor="decision__persons", attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )

    class Meta(HouseholdColumns.Meta):
        sequence = ("pick", "number", "head_name", "village", "status", "category", "persons", "phone", "act")

    def __init__(self, data, *, actions=(), **kwargs):
        self.actions = list(actions)
        super().__init__(data, exclude=() if self.actions else ("pick", "act"), **kwargs)

    def render_pick(self, record, value):
        return format_html('<input type="checkbox" name="household" value="{}" form="flagged-actions">', value)

    def render_act(self, record, value):
        return format_html_join(
            " ",
            '<button type="submit" name="one" value="{}" form="flagged-actions" formaction="{}">{}</button>',
            ((value, reverse(action.url_name), action.label) for action in self.actions),
        )

    def render_category(self, record, value):
        return CATEGORY_LABELS.get(value, "")


class MovedTable(HouseholdColumns):
    """The households a what-if's change moves one way: the household list's columns (phone masked)."""

    class Meta(HouseholdColumns.Meta):
        sequence = ("number", "head_name", "village", "status", "phone")
