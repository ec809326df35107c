"""The household list's filters (django-filter), one FilterSet for the UI list, the API and the exports.

Scoping comes first, always: every entry point here starts from `Household.objects.restrict(user)`, so a filter
can narrow a user's households but never reach past them. Members and incomes are not filtered on their own:
the exports take those of the filtered households.
"""

from functools import cache, partial

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level
from fupin.core.widgets import QuickSelect

from . import codes
from .idcard import normalize_id_number
from .models import Household, Member

ALL = ("", _("全部"))


class FilterText(forms.CharField):
    """Any text, with surrounding blanks and NUL characters dropped: no stored text holds a NUL and PostgreSQL
    refuses a query that carries one. A code that is not in its list is not an error; it matches nothing."""

    def to_python(self, value):
        return super().to_python(value.replace("\x00", "") if isinstance(value, str) else value)


class TextFilter(django_filters.CharFilter):
    field_class = FilterText


def area_choices(user) -> list:
    """The townships and villages of the user's area, each village indented under its township (codes sort each
    village right after its township)."""
    areas = Area.objects.restrict(user).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE)).order_by("code")
    indent = {Level.TOWNSHIP: "", Level.VILLAGE: "\u3000"}
    return [ALL, *((a.code, indent[a.level] + a.name) for a in areas)]


class HouseholdFilterSet(django_filters.FilterSet):
    area = TextFilter(label=_("区划"), method="filter_area", widget=QuickSelect)
    status = TextFilter(label=_("当前状态"), widget=QuickSelect(choices=[ALL, *codes.Status.choices]))
    household_type = TextFilter(label=_("户类型"), widget=QuickSelect(choices=[ALL, *codes.HouseholdType.choices]))
    monitoring_category = TextFilter(
        label=_("监测类别"), widget=QuickSelect(choices=[ALL, *codes.MonitoringCategory.choices])
    )
    q = TextFilter(
        label=_("查找"),
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("户主/成员姓名、证件号码或户编号")}),
    )

    class Meta:
        model = Household
        fields = []  # the filters above, in the order the list shows them

    def __init__(self, data, *, user, prefix=None):
        super().__init__(data, Household.objects.restrict(user), prefix=prefix)
        # read when the select is drawn: the API and the exports filter with this FilterSet and never draw it
        self.form.fields["area"].widget.choices = cache(partial(area_choices, user))  # once, however often drawn

    def filter_area(self, queryset, name, value):
        """Households under an area code of any level."""
        area = Area.objects.filter(code=value).first()
        return queryset.under(area.prefix if area else value)

    def filter_q(self, queryset, name, value):
        """Names match anywhere; a number matches a household number exactly or a member's ID in full or by its
        last digits (what a clerk reads off a card)."""
        ident = normalize_id_number(value)
        members = Member.objects.filter(household=OuterRef("pk"))
        condition = Q(head_name__contains=value) | Q(number=value) | Exists(members.filter(name__contains=value))
        if len(ident) >= 4 and ident[:-1].isdigit():
            condition |= Exists(
                members.filter(id_number=ident) if len(ident) >= 15 else members.filter(id_number__endswith=ident)
            )
        return queryset.filter(condition)


#: the query parameters of the household list, wherever it is served
FILTER_NAMES = tuple(HouseholdFilterSet.base_filters)


def household_filters(user, params) -> HouseholdFilterSet:
    """The FilterSet over the user's households for `params` (a QueryDict or a dict; unknown keys ignored): `.qs`
    the households, `.form` the filters as the list page shows them."""
    return HouseholdFilterSet(params if params is not None else {}, user=user)


def filtered_households(user, params):
    """Households in the user's scope that pass the list filters."""
    return household_filters(user, params).qs


def filters_used(user, params) -> dict:
    """The filters that narrow the list, as they were applied (for the export's audit entry)."""
    form = household_filters(user, params).form
    return {name: value for name, value in form.cleaned_data.items() if value} if form.is_valid() else {}
