"""The project list's filters (django-filter over the scoped queryset: a filter narrows, never widens) and table."""

import django_filters
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level
from fupin.core.tables import ResultTable, record_link
from fupin.core.widgets import QuickSelect
from fupin.registry.filters import ALL, TextFilter

from .. import codes


def township_choices(user) -> list:
    areas = Area.objects.restrict(user).filter(level=Level.TOWNSHIP).order_by("code")
    return [ALL, *((a.code, a.name) for a in areas)]


class ProjectFilterSet(django_filters.FilterSet):
    year = TextFilter(label=_("年度"), method="filter_year")
    stage = TextFilter(label=_("阶段"), field_name="stage", widget=QuickSelect(choices=[ALL, *codes.Stage.choices]))
    project_type = TextFilter(
        label=_("类型"), field_name="project_type", widget=QuickSelect(choices=[ALL, *codes.ProjectType.choices])
    )
    township = TextFilter(label=_("乡镇"), method="filter_township", widget=QuickSelect)
    name = TextFilter(label=_("名称"), field_name="name", lookup_expr="contains")

    class Meta:
        fields = []

    def __init__(self, data, queryset, *, user):
        super().__init__(data, queryset)
        self.form.fields["township"].widget.choices = township_choices(user)

    def filter_year(self, queryset, name, value):
        return queryset.filter(year=int(value)) if value.isdigit() and len(value) == 4 else queryset.none()

    def filter_township(self, queryset, name, value):
        area = Area.objects.filter(code=value, level=Level.TOWNSHIP).first() if value.isdigit() else None
        return queryset.under(area.prefix) if area else queryset.none()


class ProjectTable(ResultTable):
    name = tables.Column(_("项目名称"))
    year = tables.Column(_("年度"))
    area = tables.Column(_("项目地点"), accessor="area__name")
    project_type = tables.Column(_("类型"), accessor="get_project_type_display")
    cost = tables.Column(_("投资（万元）"))
    stage = tables.Column(_("阶段"), accessor="get_stage_display")
    step = tables.Column(_("当前环节"), accessor="get_step_display")

    class Meta(ResultTable.Meta):
        empty_text = _("没有项目")

    def render_name(self, record, value):
        return record_link("funds:project-detail", record, value)
