"""The asset list's filters (django-filter over the scoped queryset: a filter narrows, never widens) and table."""

from functools import cache, partial

import django_filters
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area
from fupin.core.tables import ResultTable, record_link
from fupin.core.widgets import QuickSelect
from fupin.registry.filters import ALL, TextFilter, area_choices

from .. import codes
from ..services.assets import owner_name


def _choices(choices):
    return [ALL, *((code, str(text)) for code, text in choices)]


class AssetFilterSet(django_filters.FilterSet):
    area = TextFilter(label=_("区划"), method="filter_area", widget=QuickSelect)
    category = TextFilter(label=_("资产类别"), widget=QuickSelect(choices=_choices(codes.AssetCategory.choices)))
    owner_level = TextFilter(label=_("确权层级"), widget=QuickSelect(choices=_choices(codes.OwnerLevel.choices)))
    state = TextFilter(label=_("资产状态"), widget=QuickSelect(choices=_choices(codes.AssetState.choices)))
    name = TextFilter(label=_("名称"), field_name="name", lookup_expr="contains")

    class Meta:
        fields = []

    def __init__(self, data, queryset, *, user):
        super().__init__(data, queryset)
        self.form.fields["area"].widget.choices = cache(partial(area_choices, user))

    def filter_area(self, queryset, name, value):
        area = Area.objects.filter(code=value).first()
        return queryset.under(area.prefix) if area else queryset.none()


class AssetTable(ResultTable):
    name = tables.Column(_("资产名称"))
    category = tables.Column(_("类别"))
    area = tables.Column(_("坐落"), accessor="area__name")
    value = tables.Column(_("价值（万元）"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    owner = tables.Column(_("所有权人"), accessor="pk")
    state = tables.Column(_("状态"))
    project = tables.Column(_("来源项目"), accessor="project__name")

    class Meta(ResultTable.Meta):
        empty_text = _("没有符合条件的资产")

    def render_name(self, record, value):
        return record_link("funds:asset", record, value)

    def render_category(self, record, value):
        return record.get_category_display()

    def render_state(self, record, value):
        return record.get_state_display()

    def render_owner(self, record, value):
        return owner_name(record) or _("未确权")
