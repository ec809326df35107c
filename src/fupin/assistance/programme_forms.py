"""Forms of the programme pages (relocation, training, enterprises, social aid): they parse input and offer only
what the user may pick; services.relocation / services.programmes decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level
from fupin.registry.models import Household

from . import codes
from .models import RelocationSite, Unit
from .services.programmes import reachable

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = ("", "——")


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=DATE_INPUT)


def village_choices(user) -> list:
    return [(a.code, a.name) for a in Area.objects.restrict(user).filter(level=Level.VILLAGE).order_by("code")]


def area_choices(user) -> list:
    """The user's own area and the townships and villages under it (a site or a course belongs to one of them)."""
    areas = Area.objects.restrict(user).filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
    return [(a.code, a.name) for a in areas.order_by("code")]


class _HouseholdOfVillage(forms.Form):
    """A village and one of its households by 户编号 (or a head's name naming one household); a household the
    user may not see is not shown back."""

    village = forms.ChoiceField(label=_("行政村"))
    household = forms.CharField(label=_("农户（户编号或户主姓名）"), max_length=40)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"].choices = village_choices(user)

    def clean(self):
        data = super().clean()
        text = (data.get("household") or "").strip()
        data["household_obj"] = None
        if "village" in self.errors:
            self.data = self.data.copy()
            self.data["household"] = ""
            return data
        if text and data.get("village"):
            found = Household.objects.restrict(self.user).filter(village_id=data["village"])
            matches = list(found.filter(number=text)[:2]) or list(found.filter(head_name=text)[:2])
            if len(matches) == 1:
                data["household_obj"] = matches[0]
            else:
                message = (
                    _("本村没有户编号或户主姓名为“%(text)s”的农户")
                    if not matches
                    else _("本村有多户户主名为“%(text)s”，请填写户编号")
                )
                self.add_error("household", message % {"text": text})
        return data


class SiteForm(forms.Form):
    area = forms.ChoiceField(label=_("所在区划"))
    name = forms.CharField(label=_("安置点名称"), max_length=80)
    kind = forms.ChoiceField(label=_("安置方式"), choices=codes.SiteKind.choices)
    location = forms.CharField(label=_("地点"), max_length=120, required=False)
    planned_households = forms.IntegerField(label=_("计划安置户数"), min_value=1)
    planned_persons = forms.IntegerField(label=_("计划安置人数"), min_value=0, required=False)
    construction_started_on = _date(_("开工日期"), required=False)
    construction_completed_on = _date(_("竣工日期"), required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(user)

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["area_code"] = data.pop("area")
        data["planned_persons"] = data["planned_persons"] or 0
        return data


class RelocationForm(_HouseholdOfVillage):
    site = forms.ModelChoiceField(label=_("安置点"), queryset=RelocationSite.objects.none())
    persons = forms.IntegerField(label=_("搬迁人数"), min_value=1)
    moved_in_on = _date(_("入住日期"), required=False)
    demolished_on = _date(_("旧房拆除日期"), required=False)
    reclaimed_on = _date(_("复垦日期"), required=False)
    employed_members = forms.IntegerField(label=_("就业人数"), min_value=0, initial=0, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["site"].queryset = reachable(RelocationSite.objects, user).order_by("area_id", "name")

    def arguments(self) -> dict:
        data = self.cleaned_data
        names = ("site", "persons", "moved_in_on", "demolished_on", "reclaimed_on")
        return {**{name: data[name] for name in names}, "employed_members": data["employed_members"] or 0}


class TrainingForm(forms.Form):
    area = forms.ChoiceField(label=_("举办区划"))
    course = forms.CharField(label=_("培训项目"), max_length=80)
    organiser = forms.CharField(label=_("承办单位"), max_length=80, required=False)
    started_on = _date(_("开班日期"))
    ended_on = _date(_("结业日期"), required=False)
    hours = forms.IntegerField(label=_("学时"), min_value=1, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(user)

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["area_code"] = data.pop("area")
        return data


class AttendeeForm(forms.Form):
    """One member of a household in the user's area (the page lists the household's members to pick from)."""

    member = forms.TypedChoiceField(label=_("学员"), coerce=int)
    certified = forms.BooleanField(label=_("取得证书"), required=False)
    employed = forms.BooleanField(label=_("培训后就业"), required=False)

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, f"{m.name}（{m.get_relation_display()}）") for m in members]


class EnterprisePairingForm(forms.Form):
    village = forms.ChoiceField(label=_("行政村"))
    unit = forms.ModelChoiceField(label=_("企业"), queryset=Unit.objects.none())
    started_on = _date(_("结对日期"))
    ended_on = _date(_("解除日期"), required=False)
    projects = forms.IntegerField(label=_("实施项目数"), min_value=0, initial=0)
    amount = forms.DecimalField(label=_("投入金额（元）"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    note = forms.CharField(label=_("帮扶内容"), max_length=200, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = village_choices(user)
        enterprises = reachable(Unit.objects, user).filter(kind=codes.UnitKind.ENTERPRISE)
        self.fields["unit"].queryset = enterprises.order_by("area_id", "name")

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["village_code"] = data.pop("village")
        return data


class SocialAidForm(_HouseholdOfVillage):
    household = forms.CharField(label=_("受助农户（户编号或户主姓名，可不填）"), max_length=40, required=False)
    donor = forms.CharField(label=_("帮扶主体"), max_length=80)
    given_on = _date(_("日期"))
    content = forms.CharField(label=_("帮扶内容"), max_length=200)
    amount = forms.DecimalField(label=_("折合金额（元）"), min_value=0, max_digits=14, decimal_places=2, initial=0)

    def arguments(self) -> dict:
        data = self.cleaned_data
        names = ("donor", "given_on", "content", "amount")
        return {
            **{name: data[name] for name in names},
            "village_code": data["village"],
            "household": data["household_obj"],
        }
