"""The inboxes' filters (django-filter): area, kind, step, channel, overdue. Each FilterSet starts from the box's
scoped queryset (services.inbox, which starts from `.restrict(user)`), so a filter narrows but never widens."""

from datetime import date
from functools import cache, partial

import django_filters
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area
from fupin.core.widgets import QuickSelect
from fupin.registry.filters import ALL, TextFilter, area_choices

from . import codes

YES = (("", _("全部")), ("1", _("仅逾期")))


class _AreaFiltered(django_filters.FilterSet):
    area = TextFilter(label=_("区划"), method="filter_area", widget=QuickSelect)
    overdue = TextFilter(label=_("逾期"), method="filter_overdue", widget=QuickSelect(choices=YES))

    due_field = "step_due"

    def __init__(self, data, queryset, *, user, today: date):
        super().__init__(data, queryset)
        self.today = today
        self.form.fields["area"].widget.choices = cache(partial(area_choices, user))

    def filter_area(self, queryset, name, value):
        area = Area.objects.filter(code=value).first()
        return queryset.under(area.prefix if area else value)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(**{f"{self.due_field}__lt": self.today}) if value == "1" else queryset


class CaseFilterSet(_AreaFiltered):
    kind = TextFilter(label=_("事项"), widget=QuickSelect(choices=[ALL, *codes.CaseKind.choices]))
    step = TextFilter(label=_("当前环节"), widget=QuickSelect(choices=[ALL, *codes.StepCode.choices]))
    channel = TextFilter(
        label=_("发现渠道"), field_name="clue__channel", widget=QuickSelect(choices=[ALL, *codes.Channel.choices])
    )

    class Meta:
        fields = []


class ClueFilterSet(_AreaFiltered):
    channel = TextFilter(label=_("发现渠道"), widget=QuickSelect(choices=[ALL, *codes.Channel.choices]))

    due_field = "accept_due"

    class Meta:
        fields = []


def inbox_filters(user, box, queryset, params, *, today: date):
    """The FilterSet of a box over its scoped items: `.qs` the filtered items, `.form` the filters shown."""
    filterset = ClueFilterSet if box.clues else CaseFilterSet
    return filterset(params, queryset, user=user, today=today)
