"""Forms of the registry's pages. They parse and show input; the registry services decide what is valid and save."""

from django import forms
from django.core import validators
from django.utils.translation import gettext_lazy as _

from fupin.accounts.masking import shown
from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.areas.models import Area, Level

from . import services
from .models import Household, Member, StatusEvent

KEEP = ("", _("（不修改，原值已隐藏）"))


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def defer_to_field_rules(form):
    """Leave NULs and lengths of text to the registry's field rules (registry.values, applied by the model's
    full_clean), so the page refuses such a value with the same reason as the API and the importer: the form
    fields' own copies of those checks would otherwise answer first, in Django's words."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            field.validators = [
                v
                for v in field.validators
                if not isinstance(v, (validators.ProhibitNullCharactersValidator, validators.MaxLengthValidator))
            ]


def show_domain_error(form, error):
    """A service's refusal shown on the field it names (or above the form when the field is not on it)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class HidesSensitiveValues:
    """An edit form must not send a stored ID number, phone, bank account or health status to the browser —
    that would be a reveal without the audit. Such a field starts empty, shows the masked value as a hint, and
    left empty keeps what is stored (it is then not among `changed_data`)."""

    def hide_sensitive_values(self):
        if self.instance.pk is None:
            return
        for name in SENSITIVE_FIELDS.keys() & self.fields.keys():
            field = self.fields[name]
            field.required = False
            self.initial[name] = ""
            if isinstance(field, forms.ChoiceField):
                field.choices = [KEEP, *((k, v) for k, v in field.choices if k != "")]
            else:
                field.widget.attrs["placeholder"] = shown(name, getattr(self.instance, name))
                field.help_text = _("原值已隐藏；留空则不修改")

    def data_to_save(self) -> dict:
        """The `data` argument of the create/update service. A new record is saved whole; an existing one only
        with what the user changed, so a hidden value left empty is kept and the audit shows exactly the edit."""
        if self.instance.pk is None:
            return {"data": dict(self.cleaned_data)}
        return {"data": {name: self.cleaned_data[name] for name in self.changed_data}}


class HouseholdForm(HidesSensitiveValues, forms.ModelForm):
    class Meta:
        model = Household
        fields = [name for name in services.HOUSEHOLD_FIELDS if name != "number"]
        widgets = {name: _date_widget() for name in ("first_identified_on", "risk_identified_on", "risk_eliminated_on")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Area.objects.restrict(user).filter(level=Level.VILLAGE)
        self.hide_sensitive_values()
        defer_to_field_rules(self)


class MemberForm(HidesSensitiveValues, forms.ModelForm):
    class Meta:
        model = Member
        fields = services.MEMBER_FIELDS
        widgets = {"birth_date": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("birth_date", "sex"):  # read from a resident ID when left empty
            self.fields[name].required = False
            self.fields[name].help_text = _("可留空，由证件号码自动得出")
        self.hide_sensitive_values()
        defer_to_field_rules(self)


class EventForm(forms.ModelForm):
    class Meta:
        model = StatusEvent
        fields = ["kind", "date", "monitoring_category", "reason", "approver"]
        widgets = {"date": _date_widget()}
        help_texts = {"monitoring_category": _("纳入监测时必选")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defer_to_field_rules(self)

    def data_to_save(self) -> dict:
        """The arguments of services.record_event."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "on": data["date"],
            "reason": data["reason"],
            "approver": data["approver"],
            "category": data["monitoring_category"],
        }
