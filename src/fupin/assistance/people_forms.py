"""Forms and filters of the people pages: they parse input; services.people decides (role, area, dates, sets).
A choice of unit or cadre offers those that serve the user's area: their own and those registered above it."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level
from fupin.core.widgets import QuickSelect
from fupin.registry.filters import ALL, TextFilter, area_choices

from . import codes
from .models import Cadre, TeamRole, Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = ("", "——")
YES_NO = (("", _("全部")), ("1", _("是")), ("0", _("否")))


def above(user) -> list[str]:
    """The codes of the areas above the user's own (the county and township that may send them cadres)."""
    codes_, area = [], getattr(user, "area", None)
    while area is not None and area.parent_id:
        codes_.append(area.parent_id)
        area = area.parent
    return codes_


def serving(queryset, user):
    """Units or cadres the user may name: their area's and those of the areas above it."""
    return queryset.filter(Q(pk__in=queryset.restrict(user).values("pk")) | Q(area_id__in=above(user)))


def area_options(user, levels=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)) -> list:
    areas = Area.objects.restrict(user).filter(level__in=levels).order_by("code")
    indent = {Level.COUNTY: "", Level.TOWNSHIP: "\u3000", Level.VILLAGE: "\u3000\u3000"}
    return [(a.code, indent.get(a.level, "") + a.name) for a in areas]


def village_options(user) -> list:
    return area_options(user, (Level.VILLAGE,))


class _Keyed(forms.Form):
    """A form whose choices depend on the user."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.setup()

    def setup(self):
        pass

    def unit_field(self, name="unit", label=None):
        self.fields[name] = forms.ModelChoiceField(
            label=label or _("帮扶单位"),
            queryset=serving(Unit.objects.all(), self.user),
            required=False,
            empty_label="——",
        )

    def refuse(self, error, names) -> None:
        """A service's refusal next to the field it names (or above the form)."""
        self.add_error(error.field if error.field in self.fields else names.get(error.field), error.message)


class UnitForm(_Keyed):
    area_code = forms.ChoiceField(label=_("所属区划"))
    name = forms.CharField(label=_("单位名称"), max_length=80)
    kind = forms.ChoiceField(label=_("单位类型"), choices=codes.UnitKind.choices)
    contact = forms.CharField(label=_("联系人"), max_length=40, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def setup(self):
        self.fields["area_code"].choices = area_options(self.user)


class CadreForm(_Keyed):
    area_code = forms.ChoiceField(label=_("所属区划"))
    name = forms.CharField(label=_("姓名"), max_length=40)
    sex = forms.ChoiceField(label=_("性别"), choices=[BLANK, ("1", _("男")), ("2", _("女"))], required=False)
    level = forms.ChoiceField(label=_("职级"), choices=codes.CadreLevel.choices, initial="staff")
    post = forms.CharField(label=_("职务"), max_length=60, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    county_leader = forms.BooleanField(label=_("县级领导"), required=False)
    first_secretary = forms.BooleanField(label=_("第一书记"), required=False)
    team_member = forms.BooleanField(label=_("驻村工作队员"), required=False)

    def setup(self):
        self.fields["area_code"].choices = area_options(self.user)
        self.unit_field()
        self.order_fields(["area_code", "unit", "name"])


class TeamForm(_Keyed):
    village_code = forms.ChoiceField(label=_("行政村"))
    batch = forms.IntegerField(label=_("批次"), min_value=1, max_value=99)
    started_on = forms.DateField(label=_("进驻日期"), widget=DATE_INPUT)
    ended_on = forms.DateField(label=_("撤离日期"), widget=DATE_INPUT, required=False)

    def setup(self):
        self.fields["village_code"].choices = village_options(self.user)
        self.unit_field(label=_("派出单位"))


class MemberForm(_Keyed):
    role = forms.ChoiceField(label=_("队内职务"), choices=TeamRole.choices, initial=TeamRole.MEMBER)
    joined_on = forms.DateField(label=_("到岗日期"), widget=DATE_INPUT)

    def setup(self):
        self.fields["cadre"] = forms.ModelChoiceField(
            label=_("干部"), queryset=serving(Cadre.objects.filter(active=True), self.user), empty_label="——"
        )
        self.order_fields(["cadre", "role", "joined_on"])


class SetPostForm(_Keyed):
    """One part of the set: a cadre, a unit or (for 驻村工作队) one of the village's teams."""

    part = forms.ChoiceField(label=_("帮扶力量"), choices=codes.SetPart.choices)
    started_on = forms.DateField(label=_("起始日期"), widget=DATE_INPUT)

    def __init__(self, user, village, *args, **kwargs):
        self.village = village
        super().__init__(user, *args, **kwargs)

    def setup(self):
        self.fields["cadre"] = forms.ModelChoiceField(
            label=_("干部"), queryset=serving(Cadre.objects.filter(active=True), self.user), required=False,
            empty_label="——",
        )  # fmt: skip
        self.unit_field()
        self.fields["team"] = forms.ModelChoiceField(
            label=_("驻村工作队"), queryset=self.village.work_teams.all(), required=False, empty_label="——"
        )
        self.fields["part"].help_text = _("联系领导、第一书记、农技员选干部；帮扶单位选单位；驻村工作队选本村的工作队")
        self.order_fields(["part", "cadre", "unit", "team", "started_on"])


class LinkUserForm(_Keyed):
    login = forms.CharField(label=_("登录账号（用户名）"), max_length=150, required=False)


class CadreFilterSet(django_filters.FilterSet):
    """The cadre list's filters over the user's scoped cadres: a filter narrows, never widens."""

    area = TextFilter(label=_("区划"), method="filter_area", widget=QuickSelect)
    unit = TextFilter(label=_("帮扶单位"), method="filter_unit", widget=QuickSelect)
    level = TextFilter(label=_("职级"), widget=QuickSelect(choices=[ALL, *codes.CadreLevel.choices]))
    county_leader = TextFilter(label=_("县级领导"), method="filter_flag", widget=QuickSelect(choices=YES_NO))
    first_secretary = TextFilter(label=_("第一书记"), method="filter_flag", widget=QuickSelect(choices=YES_NO))
    team_member = TextFilter(label=_("驻村队员"), method="filter_flag", widget=QuickSelect(choices=YES_NO))
    q = TextFilter(label=_("姓名"), field_name="name", lookup_expr="contains")

    class Meta:
        fields = []

    def __init__(self, data, queryset, *, user):
        super().__init__(data, queryset)
        self.form.fields["area"].widget.choices = area_choices(user)
        units = serving(Unit.objects.all(), user).order_by("name")
        self.form.fields["unit"].widget.choices = [ALL, *((str(u.pk), u.name) for u in units)]

    def filter_area(self, queryset, name, value):
        area = Area.objects.filter(code=value).first()
        return queryset.under(area.prefix if area else value)

    def filter_unit(self, queryset, name, value):
        """A unit's id; anything else (text, a NUL, a number past 64 bits) matches no unit rather than erring."""
        return (
            queryset.filter(unit_id=int(value))
            if value.isascii() and value.isdigit() and len(value) < 19
            else queryset.none()
        )

    def filter_flag(self, queryset, name, value):
        return queryset.filter(**{name: value == "1"}) if value in ("0", "1") else queryset


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel文件（.xlsx）"))
