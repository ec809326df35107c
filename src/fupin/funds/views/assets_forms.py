"""Forms of the asset pages: they parse input and offer only what the user may pick (areas of his own, the accepted
projects of his area, the code lists); services.assets and services.asset_income decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level

from .. import codes
from ..services.assets import accepted_projects

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = [("", "——")]
RIGHTS = (codes.Right.OPERATION, codes.Right.INCOME, codes.Right.SUPERVISION)


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=DATE_INPUT)


def _wan(label, required=True):
    return forms.CharField(label=label, max_length=24, required=required, widget=forms.TextInput(
        attrs={"inputmode": "decimal"}))  # fmt: skip


def area_choices(user, levels=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)) -> list:
    areas = Area.objects.restrict(user).filter(level__in=levels).order_by("code")
    return [(a.code, a.name) for a in areas]


def county_area_choices(user) -> list:
    """Owners an asset may be confirmed to: the user's county (above a township's clerk) and the townships and
    villages of his own area."""
    own = Area.objects.restrict(user).filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
    county = Area.objects.filter(code=((user.area_id or "")[:6]).ljust(12, "0"), level=Level.COUNTY)
    return [(a.code, a.name) for a in (county | own).distinct().order_by("code")]


class AssetForm(forms.Form):
    """One asset: from an accepted project (its place and date default to the project's) or entered directly."""

    project = forms.ChoiceField(label=_("来源项目"), required=False)
    name = forms.CharField(label=_("资产名称"), max_length=120)
    category = forms.ChoiceField(label=_("资产类别"), choices=BLANK + list(codes.AssetCategory.choices))
    kind = forms.CharField(
        label=_("资产类型"), max_length=40, required=False, help_text=_("如：光伏电站、产业园、村道")
    )
    value = _wan(_("资产价值（万元）"))
    area_code = forms.ChoiceField(label=_("坐落地点"), required=False)
    location = forms.CharField(label=_("具体位置"), max_length=120, required=False)
    quantity = forms.CharField(label=_("数量"), max_length=20, required=False)
    unit = forms.ChoiceField(label=_("计量单位"), choices=BLANK + list(codes.PhysicalUnit.choices), required=False)
    formed_on = _date(_("形成日期"), required=False)
    code = forms.CharField(label=_("资产编号"), max_length=40, required=False)
    owner_household = forms.CharField(
        label=_("所有权农户（户编号）"), max_length=40, required=False, help_text=_("到户类资产必填")
    )

    def __init__(self, user, *args, from_project=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.from_project = from_project
        if from_project:
            projects = accepted_projects(user)
            self.fields["project"].choices = [(p.pk, f"{p.name}（{p.year}）") for p in projects]
            self.fields["project"].required = True
            self.fields["area_code"].help_text = _("空：项目地点")
            self.fields["formed_on"].help_text = _("空：验收日期")
        else:
            del self.fields["project"]
            self.fields["area_code"].required = self.fields["formed_on"].required = True
        self.fields["area_code"].choices = BLANK + area_choices(user)

    def arguments(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if self.from_project:
            project = data.pop("project")
            return {"project": project, "rows": [data]}
        return data


class OwnershipForm(forms.Form):
    owner_level = forms.ChoiceField(label=_("确权层级"), choices=codes.OwnerLevel.choices)
    owner_area_code = forms.ChoiceField(
        label=_("所有权单位"), required=False, help_text=_("确权到县、乡镇或村集体时选择")
    )
    owner_household = forms.CharField(
        label=_("所有权农户（户编号）"), max_length=40, required=False, help_text=_("确权到农户时填写")
    )
    on = _date(_("确权日期"))
    maintainer = forms.CharField(label=_("管护主体"), max_length=80, required=False)
    operation = forms.CharField(label=_("经营权人"), max_length=80, required=False)
    income = forms.CharField(label=_("收益权人"), max_length=80, required=False)
    supervision = forms.CharField(label=_("监督权人"), max_length=80, required=False)

    def __init__(self, user, asset, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_area_code"].choices = BLANK + county_area_choices(user)
        if asset.category == codes.AssetCategory.HOUSEHOLD:
            self.fields["owner_level"].initial = codes.OwnerLevel.HOUSEHOLD
        for right in RIGHTS:
            self.fields[right.value].initial = asset.rights.get(right.value, "")
        self.fields["maintainer"].initial = asset.maintainer

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        rights = {right.value: data.pop(right.value) for right in RIGHTS}
        return {**data, "rights": rights}


class UpkeepForm(forms.Form):
    on = _date(_("管护日期"))
    work = forms.CharField(label=_("管护内容"), max_length=200)
    cost = forms.CharField(label=_("费用（元）"), max_length=20, required=False)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class StateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("资产状态"), choices=[c for c in codes.AssetState.choices if c[0] != codes.AssetState.DISPOSED]
    )

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class DisposalForm(forms.Form):
    on = _date(_("处置日期"))
    reason = forms.ChoiceField(label=_("处置原因"), choices=BLANK + list(codes.DisposalReason.choices))
    approval = forms.CharField(label=_("处置批准文号"), max_length=80)
    note = forms.CharField(label=_("处置说明"), max_length=200, required=False)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class PlanForm(forms.Form):
    """An income plan: the households by 户编号, one a line (or separated by commas); with named amounts, each line
    "户编号 金额"."""

    year = forms.IntegerField(label=_("收益年度"), min_value=2010, max_value=2100)
    income = forms.CharField(label=_("收益总额（元）"), max_length=20)
    collective_share = forms.CharField(label=_("村集体留存（元）"), max_length=20, initial="0")
    rule = forms.ChoiceField(label=_("到户分配方式"), choices=codes.ShareRule.choices)
    households = forms.CharField(
        label=_("分配到户的农户"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一个户编号；“按方案逐户确定”时每行写“户编号 金额”"),
    )
    decided_on = _date(_("方案日期"))
    approval = forms.CharField(label=_("方案批准（文号或会议）"), max_length=120, required=False)
    distribute_on = _date(_("分配日期（填写则立即分配到户）"), required=False)

    def clean_households(self):
        text = self.cleaned_data.get("households") or ""
        return [line.strip() for line in text.replace("，", "\n").replace(",", "\n").splitlines() if line.strip()]

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        lines = data["households"]
        if data["rule"] == codes.ShareRule.FIXED:
            named = {}
            for line in lines:
                parts = line.split()
                if len(parts) != 2:
                    raise forms.ValidationError(_("“%(line)s”应写作“户编号 金额”") % {"line": line})
                named[parts[0]] = parts[1]
            data["households"] = named
        return data


class DistributeForm(forms.Form):
    on = _date(_("分配日期"))

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class LedgerForm(forms.Form):
    as_of = _date(_("截止日期"), required=False)
    area = forms.ChoiceField(label=_("单位"), required=False)

    def __init__(self, user, *args, levels=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("本辖区"))] + area_choices(user, levels)
