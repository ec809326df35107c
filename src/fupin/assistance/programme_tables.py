"""The programme lists' filters (django-filter, over the scoped queryset: a filter narrows, never widens) and
tables (django-tables2 through core.tables.ResultTable)."""

from functools import cache, partial

import django_filters
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area
from fupin.core.tables import ResultTable, record_link
from fupin.core.widgets import QuickSelect
from fupin.registry.filters import ALL, TextFilter, area_choices

STATES = (("", _("全部")), ("moved", _("已入住")), ("waiting", _("未入住")), ("reclaimed", _("已拆除复垦")))


class RelocationFilterSet(django_filters.FilterSet):
    area = TextFilter(label=_("区划"), method="filter_area", widget=QuickSelect)
    site = TextFilter(label=_("安置点"), method="filter_site", widget=QuickSelect)
    state = TextFilter(label=_("状态"), method="filter_state", widget=QuickSelect(choices=STATES))
    number = TextFilter(label=_("户编号"), field_name="household__number")

    class Meta:
        fields = []

    def __init__(self, data, queryset, *, user, sites):
        super().__init__(data, queryset)
        self.form.fields["area"].widget.choices = cache(partial(area_choices, user))
        self.form.fields["site"].widget.choices = [ALL, *((str(s.pk), s.name) for s in sites)]

    def filter_area(self, queryset, name, value):
        area = Area.objects.filter(code=value).first()
        return queryset.under(area.prefix if area else value)

    def filter_site(self, queryset, name, value):
        return queryset.filter(site_id=int(value)) if value.isdigit() else queryset.none()

    def filter_state(self, queryset, name, value):
        if value == "moved":
            return queryset.filter(moved_in_on__isnull=False)
        if value == "waiting":
            return queryset.filter(moved_in_on__isnull=True)
        if value == "reclaimed":
            return queryset.filter(reclaimed_on__isnull=False)
        return queryset


class RelocationTable(ResultTable):
    number = tables.Column(_("户编号"), accessor="household__number")
    head = tables.Column(_("户主"), accessor="household__head_name")
    village = tables.Column(_("行政村"), accessor="village__name")
    site = tables.Column(_("安置点"), accessor="site__name")
    persons = tables.Column(_("搬迁人数"))
    moved_in_on = tables.Column(_("入住日期"))
    demolished_on = tables.Column(_("旧房拆除"))
    reclaimed_on = tables.Column(_("复垦"))
    employed_members = tables.Column(_("就业人数"))

    class Meta(ResultTable.Meta):
        empty_text = _("没有搬迁户")

    def render_number(self, record, value):
        return record_link("registry:household-detail", record.household, value)

    def render_site(self, record, value):
        return record_link("assistance:relocation-site", record.site, value)


class SiteTable(ResultTable):
    name = tables.Column(_("安置点名称"))
    area = tables.Column(_("所在区划"), accessor="area__name")
    kind = tables.Column(_("安置方式"), accessor="get_kind_display")
    planned_households = tables.Column(_("计划安置户数"))
    relocated = tables.Column(_("已登记搬迁户"))
    construction_completed_on = tables.Column(_("竣工日期"))

    class Meta(ResultTable.Meta):
        empty_text = _("没有安置点")

    def render_name(self, record, value):
        return record_link("assistance:relocation-site", record, value)


class TrainingTable(ResultTable):
    course = tables.Column(_("培训项目"))
    area = tables.Column(_("举办区划"), accessor="area__name")
    organiser = tables.Column(_("承办单位"))
    started_on = tables.Column(_("开班日期"))
    ended_on = tables.Column(_("结业日期"))
    attendees = tables.Column(_("学员"))

    class Meta(ResultTable.Meta):
        empty_text = _("没有培训班")

    def render_course(self, record, value):
        return record_link("assistance:training", record, value)


class EnterprisePairingTable(ResultTable):
    unit = tables.Column(_("企业"), accessor="unit__name")
    village = tables.Column(_("行政村"), accessor="village__name")
    started_on = tables.Column(_("结对日期"))
    ended_on = tables.Column(_("解除日期"))
    projects = tables.Column(_("项目数"))
    amount = tables.Column(_("投入金额（元）"))
    note = tables.Column(_("帮扶内容"))

    class Meta(ResultTable.Meta):
        empty_text = _("没有一企包一村记录")


class SocialAidTable(ResultTable):
    given_on = tables.Column(_("日期"))
    village = tables.Column(_("行政村"), accessor="village__name")
    household = tables.Column(_("受助农户"), accessor="household__number")
    donor = tables.Column(_("帮扶主体"))
    content = tables.Column(_("帮扶内容"))
    amount = tables.Column(_("折合金额（元）"))

    class Meta(ResultTable.Meta):
        empty_text = _("没有社会帮扶记录")
