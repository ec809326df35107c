"""Forms of the pairing pages: they parse input; services.pairings and services.responsibility decide (scope,
dates, the county's roles). The cadre lists offer the active cadres who may serve the household's village."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..services.pairings import cadres_for
from ..services.roles import responsible_roles

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def cadre_choices(village_code: str) -> list:
    cadres = cadres_for(village_code).order_by("name", "id")
    return [("", "——")] + [
        (str(cadre.pk), f"{cadre.name}（{cadre.unit.name}）" if cadre.unit_id else cadre.name) for cadre in cadres
    ]


class PairForm(forms.Form):
    cadre = forms.ChoiceField(label=_("帮扶干部"))
    started_on = forms.DateField(label=_("结对日期"), widget=DATE_INPUT)

    def __init__(self, household, *args, **kwargs):
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = cadre_choices(household.village_id)


class EndPairingForm(forms.Form):
    on = forms.DateField(label=_("解除日期"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("解除原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    """A role of the county's, the cadre, from when, and why (required when the role changes hands)."""

    role = forms.ChoiceField(label=_("责任人类别"))
    cadre = forms.ChoiceField(label=_("帮扶责任人"))
    started_on = forms.DateField(label=_("起始日期"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("指定/变更原因"),
        required=False,
        max_length=200,
        help_text=_("更换责任人时必填，如“原责任人调离”"),
    )

    def __init__(self, household, *args, **kwargs):
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.code, role.name) for role in responsible_roles(household.village_id)]
        self.fields["cadre"].choices = cadre_choices(household.village_id)
