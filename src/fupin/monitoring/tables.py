"""The inboxes' tables (django-tables2 through core.tables.ResultTable): clues and cases, by deadline. A record's
deadline cell is red once it has passed (the view sets `today` on the table)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fupin.core.tables import ResultTable, record_link
from fupin.registry.codes import RiskType

RISK_LABELS = dict(RiskType.choices)


def risk_labels(codes_) -> str:
    return "、".join(str(RISK_LABELS.get(code, code)) for code in codes_ or ())


class _Due(ResultTable):
    today = None

    class Meta(ResultTable.Meta):
        abstract = True

    def due_cell(self, value):
        if self.today is not None and value < self.today:
            return format_html('<span class="overdue">{} {}</span>', value.isoformat(), _("逾期"))
        return value.isoformat()


class ClueTable(_Due):
    accept_due = tables.Column(_("受理期限"))
    number = tables.Column(_("编号"), accessor="pk")
    village = tables.Column(_("行政村"), accessor="village__name")
    who = tables.Column(_("农户/申报人"), accessor="pk")
    channel = tables.Column(_("发现渠道"), accessor="get_channel_display")
    risk_types = tables.Column(_("风险类型"))
    reported_on = tables.Column(_("发现日期"))
    state = tables.Column(_("受理状态"), accessor="get_state_display")

    class Meta(_Due.Meta):
        empty_text = _("没有待处理的线索")
        sequence = ("number", "accept_due", "...")

    def render_accept_due(self, record, value):
        return self.due_cell(value)

    def render_number(self, record, value):
        return record_link("monitoring:clue-detail", record, f"X{value}")

    def render_who(self, record, value):
        if record.household_id:
            return f"{record.household.number} {record.household.head_name}"
        return format_html("{} <small>{}</small>", record.person_name, _("（未登记）"))

    def render_risk_types(self, record, value):
        return risk_labels(value)

    def render_reported_on(self, record, value):
        return value.isoformat()  # as the deadline beside it (the locale's 2026年11月29日 read as another kind)


class CaseTable(_Due):
    step_due = tables.Column(_("本环节期限"))
    number = tables.Column(_("编号"), accessor="pk")
    village = tables.Column(_("行政村"), accessor="village__name")
    household = tables.Column(_("农户"), accessor="household__head_name")
    kind = tables.Column(_("事项"), accessor="get_kind_display")
    step = tables.Column(_("当前环节"), accessor="get_step_display")
    risk_type = tables.Column(_("主要风险类型"), accessor="get_risk_type_display")
    due_on = tables.Column(_("办结期限"))

    class Meta(_Due.Meta):
        empty_text = _("没有待办的监测事项")
        sequence = ("number", "step_due", "...")  # the link first: on a phone the rest scrolls sideways

    def render_step_due(self, record, value):
        return self.due_cell(value)

    def render_due_on(self, record, value):
        return self.due_cell(value)

    def render_number(self, record, value):
        return record_link("monitoring:case-detail", record, f"J{value}")

    def render_household(self, record, value):
        return f"{record.household.number} {value}"
