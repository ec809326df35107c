"""The measure pages' form, filters (django-filter) and table (django-tables2). The form parses only: one form a
kind, with only that kind's fields (codes.MEASURE_KIND_FIELDS); services.measures decides every bound."""

from functools import cache, partial

import django_filters
import django_tables2 as tables
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area
from fupin.core.tables import ResultTable
from fupin.core.widgets import QuickSelect
from fupin.registry.filters import ALL, TextFilter, area_choices

from .. import codes
from ..models import Measure
from ..services.measures import cadres_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = ("", "——")
#: the common fields, in the order the form shows them (the kind's own come after)
COMMON = ("category", "subtype", "status", "started_on", "ended_on", "amount", "member", "cadre", "note")


def kind_of(value) -> str:
    return value if value in codes.MeasureKind.values else codes.MeasureKind.GENERAL


class MeasureForm(forms.Form):
    """A measure of one kind: the common fields and that kind's own. `arguments()` is what the service takes."""

    def __init__(self, household, kind, *args, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(instance, f"{name}_id" if name in ("member", "cadre") else name)
                for name in (*COMMON, *codes.KIND_SPECIFIC_FIELDS, "loan_overdue")
            }
        super().__init__(*args, **kwargs)
        self.kind = kind_of(kind)
        own, category = codes.MEASURE_KIND_FIELDS[codes.MeasureKind(self.kind)]
        for name in COMMON:
            self.fields[name] = self._field(name, household)
        if category is not None:
            self.fields["category"].choices = [(category, codes.MeasureCategory(category).label)]
        for name in own:
            if name != "member":
                self.fields[name] = self._field(name, household)
        if self.kind == codes.MeasureKind.MICRO_LOAN:
            self.fields["loan_overdue"] = self._field("loan_overdue", household)
            self.fields["started_on"].help_text = _("不填则为放款日期")
        if self.kind == codes.MeasureKind.PUBLIC_POST:
            self.fields["amount"].help_text = _("不填则按在岗月数 × 月工资计算")
        if "member" in own:
            self.fields["member"].required = True

    @staticmethod
    def _field(name, household):
        model_field = Measure._meta.get_field(name)
        label = model_field.verbose_name
        if name == "member":
            people = [(m.pk, m.name) for m in household.members.order_by("id")]
            return forms.TypedChoiceField(label=label, required=False, coerce=int, choices=[BLANK, *people])
        if name == "cadre":
            cadres = [(c.pk, c.name) for c in cadres_for(household)]
            return forms.TypedChoiceField(label=label, required=False, coerce=int, choices=[BLANK, *cadres])
        if name == "category":
            return forms.ChoiceField(label=label, choices=codes.MeasureCategory.choices)
        if name == "status":
            return forms.ChoiceField(label=label, choices=codes.MeasureStatus.choices)
        if name in ("started_on", "ended_on", "loan_date"):
            return forms.DateField(label=label, required=False, widget=DATE_INPUT)
        if model_field.choices:
            return forms.ChoiceField(label=label, required=False, choices=[BLANK, *model_field.choices])
        if isinstance(model_field.formfield(), forms.DecimalField):
            return forms.DecimalField(label=label, required=False, max_digits=14, decimal_places=2)
        field = model_field.formfield()
        field.required = False
        return field

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["kind"] = self.kind
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件（.xlsx 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv"}),
        help_text=_("工作表“帮扶措施”“小额信贷”“公益性岗位”，第一行为表头，每行一项措施，以户编号对应农户"),
    )


class EndForm(forms.Form):
    on = forms.DateField(label=_("结束日期"), widget=DATE_INPUT)


class MeasureFilterSet(django_filters.FilterSet):
    """The area's measures: narrowed from `Measure.objects.restrict(user)`, never widened."""

    area = TextFilter(label=_("区划"), method="filter_area", widget=QuickSelect)
    category = TextFilter(label=_("措施类别"), widget=QuickSelect(choices=[ALL, *codes.MeasureCategory.choices]))
    kind = TextFilter(label=_("措施种类"), widget=QuickSelect(choices=[ALL, *codes.MeasureKind.choices]))
    status = TextFilter(label=_("落实状态"), widget=QuickSelect(choices=[ALL, *codes.MeasureStatus.choices]))
    started_from = django_filters.DateFilter(
        label=_("开始日期自"), field_name="started_on", lookup_expr="gte", widget=DATE_INPUT
    )
    started_to = django_filters.DateFilter(
        label=_("开始日期至"), field_name="started_on", lookup_expr="lte", widget=DATE_INPUT
    )

    class Meta:
        model = Measure
        fields = []

    def __init__(self, data, queryset, *, user):
        super().__init__(data, queryset)
        self.form.fields["area"].widget.choices = cache(partial(area_choices, user))

    def filter_area(self, queryset, name, value):
        area = Area.objects.filter(code=value).first()
        return queryset.under(area.prefix if area else value)

    def used(self) -> dict:
        """The filters set, for the export's audit entry."""
        cleaned = self.form.cleaned_data if self.form.is_valid() else {}
        return {name: str(value) for name, value in cleaned.items() if value}


class MeasureTable(ResultTable):
    household = tables.Column(_("农户"), accessor="household__head_name")
    village = tables.Column(_("行政村"), accessor="village__name")
    category = tables.Column(_("措施类别"), accessor="get_category_display")
    kind = tables.Column(_("措施种类"), accessor="get_kind_display")
    subtype = tables.Column(_("具体措施"))
    started_on = tables.Column(_("开始日期"))
    ended_on = tables.Column(_("结束日期"))
    amount = tables.Column(_("金额（元）"))
    status = tables.Column(_("落实状态"), accessor="get_status_display")

    class Meta(ResultTable.Meta):
        empty_text = _("没有符合条件的帮扶措施")

    def render_household(self, record, value):
        url = reverse("assistance:measure-household", args=[record.household_id])
        return format_html('<a href="{}">{} {}</a>', url, record.household.number, value)

    def render_started_on(self, record, value):
        return value.isoformat()

    def render_ended_on(self, record, value):
        return value.isoformat() if value else ""
