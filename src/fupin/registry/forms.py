"""Forms of the registry's pages. They parse and show input; the registry services decide what is valid and save."""

from django import forms
from django.core import validators
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.accounts.masking import shown
from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.areas.models import Area, Level

from . import services
from .models import TRANSFER_COMPONENTS, Household, IncomeAccount, LivingConditions, Member, StatusEvent
from .values import InvalidRecord, earliest_event_date, household_number_hint

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


def name_the_blank_choice(form):
    """A drop-down's empty choice reads as what it means to a clerk (请选择 / 不填), not Django's "---------"."""
    for field in form.fields.values():
        blank = _("（请选择）") if field.required else _("（不填）")
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == BLANK_CHOICE_DASH[0][1]:
                field.empty_label = blank
        elif isinstance(field, forms.ChoiceField) and field.choices and field.choices[0] == BLANK_CHOICE_DASH[0]:
            field.choices = [("", blank), *field.choices[1:]]


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
        name_the_blank_choice(self)


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
        name_the_blank_choice(self)


class EventForm(forms.ModelForm):
    class Meta:
        model = StatusEvent
        fields = ["kind", "date", "monitoring_category", "reason", "approver"]
        widgets = {"date": _date_widget()}
        help_texts = {"monitoring_category": _("纳入监测时必选")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defer_to_field_rules(self)
        name_the_blank_choice(self)

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


#: a household's fields that its status events set (apply_event, TYPE_FOR_STATUS), and the risk_* ones only a
#: monitored household has: the 新建农户 page leaves them out; the clerk records 登记状态变更 after filing it
FOLLOW_FROM_STATUS = ("household_type", "monitoring_category", "first_identified_on")
NEW_HOUSEHOLD_FIELDS = tuple(
    name for name in services.HOUSEHOLD_FIELDS if name not in FOLLOW_FROM_STATUS and not name.startswith("risk_")
)
#: what it asks of the head (the name is the household's head_name, the relation 户主); the rest of the head's
#: record is on the member's own edit page
HEAD_FIELDS = ("id_type", "id_number", "sex", "birth_date", "ethnicity", "education", "health", "labour_capacity")


class NewHouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = NEW_HOUSEHOLD_FIELDS
        help_texts = {"phone": _("手机号11位，或带区号的座机号"), "head_name": _("户主同时登记为本户第一位家庭成员")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = Area.objects.restrict(user).filter(level=Level.VILLAGE).order_by("code")
        self.fields["village"].queryset = villages
        if len(villages) == 1:  # a village's own clerk: the one village, already chosen
            self.fields["village"].initial = villages[0].pk
            self.fields["village"].empty_label = None
        self.fields["number"].help_text = _("国家防返贫监测信息系统中的户编号；%(hint)s") % {
            "hint": household_number_hint()
        }
        defer_to_field_rules(self)
        name_the_blank_choice(self)

    def data_to_save(self) -> dict:
        return {"data": dict(self.cleaned_data)}


class HeadForm(forms.ModelForm):
    """The head's own fields on the 新建农户 page (prefixed "head", beside the household's)."""

    class Meta:
        model = Member
        fields = HEAD_FIELDS
        widgets = {"birth_date": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="head", **kwargs)
        for name in ("birth_date", "sex"):  # read from a resident ID when left empty
            self.fields[name].required = False
            self.fields[name].help_text = _("可留空，由证件号码自动得出")
        defer_to_field_rules(self)
        name_the_blank_choice(self)

    def clean(self):
        """The ID number's own checks at once, with the household's errors (the service checks it again), so the
        clerk does not fix the household's fields first only to be sent back for the ID."""
        data = super().clean()
        if data.get("id_number"):
            try:
                services.check_member_id(dict(data))
            except InvalidRecord as error:
                show_domain_error(self, error)
        return data


def _year_choices(taken) -> list[tuple[int, str]]:
    """The years a new yearly record may be for (newest first), less those the household already has."""
    years = range(timezone.localdate().year, earliest_event_date().year - 1, -1)
    return [(year, _("%(year)s年") % {"year": year}) for year in years if year not in taken]


class YearlyForm(forms.ModelForm):
    """A household's record of one year (income account, living conditions). Adding, the year is picked among those
    without a record yet; editing, the year is the record's own and not on the form."""

    #: (heading, field names) in the order the page shows them
    groups: tuple = ()

    def __init__(self, *args, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.adding = self.instance.pk is None
        if self.adding:
            choices = _year_choices(set(taken))
            self.fields = {"year": forms.TypedChoiceField(label=_("年度"), choices=choices, coerce=int), **self.fields}
            self.initial.setdefault("year", choices[0][0] if choices else None)
        for name in self.amounts():
            self.fields[name].required = False
            self.fields[name].widget.attrs["placeholder"] = "0"
        defer_to_field_rules(self)
        name_the_blank_choice(self)

    def amounts(self) -> list[str]:
        """The amount fields (yuan, mu): an empty one is 0, as on the paper account."""
        return [name for name, field in self.fields.items() if isinstance(field, forms.DecimalField)]

    def clean(self):
        data = super().clean()
        for name in self.amounts():
            if name in data and data[name] is None:
                data[name] = self._meta.model._meta.get_field(name).default
        return data

    def grouped(self):
        """(heading, bound fields) for the template, the year first when adding."""
        groups = [(title, [self[name] for name in names]) for title, names in self.groups]
        if self.adding:
            groups[0] = (groups[0][0], [self["year"], *groups[0][1]])
        return groups

    def data_to_save(self) -> dict:
        """The year and data arguments of the yearly service: a new record whole, an existing one only as changed."""
        names = self._meta.fields if self.adding else [n for n in self._meta.fields if n in self.changed_data]
        data = {name: self.cleaned_data[name] for name in names}
        return {"year": self.cleaned_data["year"] if self.adding else self.instance.year, "data": data}


def _money_widget():
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


class IncomeForm(YearlyForm):
    shows_incomes = True  # the page shows the database's 家庭纯收入 and 人均纯收入 of the saved record
    groups = (
        (_("人口"), ("persons",)),
        (_("工资性、生产经营性、财产性收入"), ("wage_income", "business_income", "property_income")),
        (_("转移性收入"), TRANSFER_COMPONENTS),
        (_("支出及其他"), ("business_expense", "compliant_out_of_pocket", "insurance_claims")),
    )

    class Meta:
        model = IncomeAccount
        fields = services.INCOME_FIELDS
        widgets = {name: _money_widget() for name in services.INCOME_FIELDS if name != "persons"}
        help_texts = {
            "persons": _("该年度在户的家庭成员人数"),
            "business_expense": _("从家庭纯收入中扣除"),
            "compliant_out_of_pocket": _("医疗等合规自付支出，不计入家庭纯收入"),
            "insurance_claims": _("不计入家庭纯收入"),
        }


class ConditionsForm(YearlyForm):
    groups = (
        (_("两不愁三保障及饮水安全"), ("housing_safety", "safe_drinking_water", "food_clothing_secure")),
        (_("生产生活条件"), ("electricity", "road_type", "farmland_mu", "cooperative_member")),
    )

    class Meta:
        model = LivingConditions
        fields = services.CONDITIONS_FIELDS
        widgets = {"farmland_mu": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})}
