"""Forms of the assessment pages: they parse input; policy.services.* decide and compute."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.registry import codes
from fupin.registry.filters import ALL, area_choices

from .models import HOUSEHOLD_KINDS
from .services.packs import available_packs

KIND_CHOICES = [(kind.value, kind.label) for kind in HOUSEHOLD_KINDS]


class FlaggedFilterForm(forms.Form):
    """Which assessment and which category; the page shows the registry list's filters after these
    (registry.filters.HouseholdFilterSet), which pick the households."""

    kind = forms.ChoiceField(label=_("评估类型"), choices=KIND_CHOICES, required=False)
    category = forms.ChoiceField(
        label=_("评估的监测类别"), required=False, choices=[ALL, *codes.MonitoringCategory.choices]
    )


class WhatIfForm(forms.Form):
    kind = forms.ChoiceField(label=_("评估类型"), choices=KIND_CHOICES, initial="monitoring")
    against = forms.ChoiceField(label=_("对照标准包"), required=False)
    policy = forms.ChoiceField(label=_("测算标准包"), required=False)
    values = forms.CharField(
        label=_("改动"),
        required=False,
        help_text=_("名字=值，多项用空格分开，如 monitoring_line=7100"),
        widget=forms.TextInput(attrs={"placeholder": "monitoring_line=7100"}),
    )
    area = forms.ChoiceField(label=_("区划"), required=False)
    as_of = forms.DateField(label=_("评估基准日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, user, data):
        super().__init__(data)
        packs = [("", _("（按区划和年度自动选取）")), *((pack, pack) for pack in available_packs())]
        self.fields["against"].choices = packs
        self.fields["policy"].choices = [("", _("（与对照相同）")), *packs[1:]]
        self.fields["area"].choices = area_choices(user)

    def arguments(self) -> dict:
        """The keyword arguments of services.whatif.whatif."""
        from .services.whatif import parse_values

        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "before": data["against"] or None,
            "after": data["policy"] or None,
            "values": parse_values(data["values"].split()),
            "as_of": data["as_of"],
            "area": data["area"] or None,
        }
