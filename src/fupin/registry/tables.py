"""The registry's result tables (django-tables2): the household list, and the household columns every list of
households shares (policy's flagged list adds its own between them)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fupin.accounts.masking import shown
from fupin.core.tables import ResultTable, record_link


class HouseholdColumns(ResultTable):
    """A list of households: the number linked to its page, the head, the village, the status as a badge and the
    masked phone. A subclass adds its columns and places them with Meta.sequence."""

    number = tables.Column(_("户编号"), attrs={"td": {"class": "code"}})
    head_name = tables.Column(_("户主"))
    village = tables.Column(_("行政村"), accessor="village__name")
    status = tables.Column(_("当前状态"), accessor="get_status_display")
    phone = tables.Column(_("联系电话"), attrs={"td": {"class": "code"}})

    class Meta(ResultTable.Meta):
        empty_text = _("没有符合条件的农户")

    def render_number(self, record, value):
        return record_link("registry:household-detail", record, value)

    def render_status(self, record, value):
        return format_html('<span class="status {}">{}</span>', record.status, value)

    def render_phone(self, record, value):
        return shown("phone", value)


class HouseholdTable(HouseholdColumns):
    """The household list: 50 households a page, in household-number order. `member_count` is set on the page's
    households by the view (counted for those 50 only)."""

    household_type = tables.Column(_("户类型"), accessor="get_household_type_display")
    monitoring_category = tables.Column(_("监测类别"), accessor="get_monitoring_category_display")
    member_count = tables.Column(_("人口数"), attrs={"th": {"class": "num"}, "td": {"class": "num"}})

    class Meta(HouseholdColumns.Meta):
        sequence = (
            "number",
            "head_name",
            "village",
            "household_type",
            "status",
            "monitoring_category",
            "member_count",
            "phone",
        )
