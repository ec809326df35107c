"""The registry's result tables (django-tables2): the household list."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fupin.accounts.masking import shown
from fupin.core.tables import ResultTable, record_link


def status_badge(record, value):
    """A household's status as the lists show it: its label, coloured by its code."""
    return format_html('<span class="status {}">{}</span>', record.status, value)


class HouseholdTable(ResultTable):
    """The household list: 50 households a page, in household-number order. `member_count` is set on the page's
    households by the view (counted for those 50 only)."""

    number = tables.Column(_("户编号"), attrs={"td": {"class": "code"}})
    head_name = tables.Column(_("户主"))
    village = tables.Column(_("行政村"), accessor="village__name")
    household_type = tables.Column(_("户类型"), accessor="get_household_type_display")
    status = tables.Column(_("当前状态"), accessor="get_status_display")
    monitoring_category = tables.Column(_("监测类别"), accessor="get_monitoring_category_display")
    member_count = tables.Column(_("人口数"), attrs={"th": {"class": "num"}, "td": {"class": "num"}})
    phone = tables.Column(_("联系电话"), attrs={"td": {"class": "code"}})

    class Meta(ResultTable.Meta):
        empty_text = _("没有符合条件的农户")

    def render_number(self, record, value):
        return record_link("registry:household-detail", record, value)

    def render_status(self, record, value):
        return status_badge(record, value)

    def render_phone(self, record, value):
        return shown("phone", value)
