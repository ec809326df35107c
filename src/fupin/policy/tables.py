"""Policy's result tables (django-tables2): the households an assessment flagged."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from fupin.accounts.masking import shown
from fupin.core.tables import ResultTable, record_link
from fupin.registry.tables import status_badge

from .services.scope import CATEGORY_LABELS


class FlaggedTable(ResultTable):
    """Flagged households, 50 a page in household-number order. `decision` is set on the page's households by the
    view (the run's decision for each, read for those 50 only)."""

    number = tables.Column(_("户编号"), attrs={"td": {"class": "code"}})
    head_name = tables.Column(_("户主"))
    village = tables.Column(_("行政村"), accessor="village__name")
    status = tables.Column(_("当前状态"), accessor="get_status_display")
    category = tables.Column(_("评估的监测类别"), accessor="decision__category")
    persons = tables.Column(
        _("人数"), accessor="decision__persons", attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )
    phone = tables.Column(_("联系电话"), attrs={"td": {"class": "code"}})

    class Meta(ResultTable.Meta):
        empty_text = _("没有符合条件的农户")

    def render_number(self, record, value):
        return record_link("registry:household-detail", record, value)

    def render_status(self, record, value):
        return status_badge(record, value)

    def render_category(self, record, value):
        return CATEGORY_LABELS.get(value, "")

    def render_phone(self, record, value):
        return shown("phone", value)
