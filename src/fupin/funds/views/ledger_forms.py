"""Forms of the ledger pages (sources, budgets, batches with their lines, transfers, publication): they parse input
and offer only what the user may pick; services.funds decides. Amounts are read as text, so the service reads them
exactly (a fifth decimal refused, never rounded by a float)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level

from .. import codes
from ..models import FundSource

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT = {"inputmode": "decimal", "placeholder": "0.0000", "autocomplete": "off"}
BLANK = ("", "——")


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=DATE_INPUT)


def _amount(label, required=True):
    return forms.CharField(label=label, required=required, max_length=24, widget=forms.TextInput(attrs=AMOUNT))


def _year(label=None, required=True):
    return forms.IntegerField(label=label or _("年度"), required=required, min_value=2000, max_value=2100)


def county_choices(user) -> list:
    return [(a.code, a.name) for a in Area.objects.restrict(user).filter(level=Level.COUNTY).order_by("code")]


def source_choices(user) -> list:
    return [(s.pk, s.name) for s in FundSource.objects.restrict(user).order_by("county_id", "level", "name")]


def holder_value(code: str, department: str = "") -> str:
    return f"{code}:{department}" if department else code


def split_holder(value: str) -> tuple[str, str]:
    code, _sep, department = (value or "").partition(":")
    return code, department


def holder_choices(user, *, givers=False) -> list:
    """The holders of the user's area as one list grouped by level: the county and its departments, the
    townships, the villages (a giver is never a village)."""
    areas = list(
        Area.objects.restrict(user).filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)).order_by("code")
    )
    counties = [a for a in areas if a.level == Level.COUNTY]
    groups = []
    for county in counties:
        options = [(county.code, county.name)]
        options += [(holder_value(county.code, d), f"{county.name}·{label}") for d, label in codes.Department.choices]
        groups.append((_("县级及部门"), options))
    townships = [(a.code, a.name) for a in areas if a.level == Level.TOWNSHIP]
    if townships:
        groups.append((_("乡镇"), townships))
    if not givers:
        villages = [(a.code, a.name) for a in areas if a.level == Level.VILLAGE]
        if villages:
            groups.append((_("村"), villages))
    return groups


class SourceForm(forms.Form):
    county = forms.ChoiceField(label=_("县（市、区）"))
    name = forms.CharField(label=_("资金名称"), max_length=80)
    level = forms.ChoiceField(label=_("资金级次"), choices=codes.FundLevel.choices)
    kind = forms.ChoiceField(label=_("资金性质"), choices=codes.FundKind.choices)
    line = forms.CharField(label=_("资金项目（科目）"), max_length=80, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = county_choices(user)

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["county_code"] = data.pop("county")
        return data


class BudgetForm(forms.Form):
    source = forms.ChoiceField(label=_("资金来源"))
    year = _year()
    amount = _amount(_("预算金额（万元）"))
    document_no = forms.CharField(label=_("文号"), max_length=80, required=False)
    document_date = _date(_("下达日期"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = source_choices(user)
        self.fields["year"].initial = timezone.localdate().year

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class BatchForm(forms.Form):
    county = forms.ChoiceField(label=_("县（市、区）"))
    year = _year()
    number = forms.IntegerField(label=_("批次"), min_value=1, max_value=99, initial=1)
    title = forms.CharField(label=_("批次名称"), max_length=120)
    document_no = forms.CharField(label=_("文号"), max_length=80, required=False)
    document_date = _date(_("印发日期"))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = county_choices(user)
        self.fields["year"].initial = timezone.localdate().year


class BatchSourceForm(forms.Form):
    """One source of a batch's document: its total and the part advanced in an earlier year."""

    source = forms.ChoiceField(label=_("资金来源"), required=False)
    declared = _amount(_("文件金额（万元）"), required=False)
    advanced = _amount(_("其中提前下达（万元）"), required=False)
    advanced_year = _year(_("提前下达年度"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [BLANK, *source_choices(user)]

    def item(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("source") and not data.get("declared"):
            return None
        return {k: data.get(k) for k in ("source", "declared", "advanced", "advanced_year")}


class LineForm(forms.Form):
    """One line of a batch: source × category × receiving unit, the amount."""

    source = forms.ChoiceField(label=_("资金来源"), required=False)
    category = forms.ChoiceField(label=_("资金用途"), required=False, choices=[BLANK, *codes.UseCategory.choices])
    receiver = forms.ChoiceField(label=_("接收单位"), required=False)
    amount = _amount(_("金额（万元）"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [BLANK, *source_choices(user)]
        self.fields["receiver"].choices = [BLANK, *holder_choices(user)]

    def item(self) -> dict | None:
        data = self.cleaned_data
        if not any(data.get(k) for k in ("source", "category", "receiver", "amount")):
            return None
        code, department = split_holder(data.get("receiver"))
        return {
            "source": data.get("source"),
            "category": data.get("category"),
            "to_area_code": code,
            "to_department": department,
            "amount": data.get("amount"),
            "note": data.get("note"),
        }


SourceFormSet = forms.formset_factory(BatchSourceForm, extra=3, max_num=12)
LineFormSet = forms.formset_factory(LineForm, extra=12, max_num=200)


class TransferForm(forms.Form):
    giver = forms.ChoiceField(label=_("拨出单位"))
    receiver = forms.ChoiceField(label=_("接收单位"))
    source = forms.ChoiceField(label=_("资金来源"))
    category = forms.ChoiceField(label=_("资金用途"), choices=codes.UseCategory.choices)
    year = _year(_("资金年度"))
    amount = _amount(_("金额（万元）"))
    on = _date(_("下达日期"))
    kind = forms.ChoiceField(
        label=_("下达方式"),
        choices=[(k, v) for k, v in codes.TransferKind.choices if k != codes.TransferKind.RECALL],
    )
    document_no = forms.CharField(label=_("文号"), max_length=80, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["giver"].choices = holder_choices(user, givers=True)
        self.fields["receiver"].choices = holder_choices(user)
        self.fields["source"].choices = source_choices(user)
        self.fields["year"].initial = timezone.localdate().year

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["from_area_code"], data["from_department"] = split_holder(data.pop("giver"))
        data["to_area_code"], data["to_department"] = split_holder(data.pop("receiver"))
        return data


class PublishForm(forms.Form):
    published_on = _date(_("公开日期"))
    published_where = forms.CharField(label=_("公开载体"), max_length=120, help_text=_("如：县政府门户网站"))
    published_days = forms.IntegerField(label=_("公开期限（天）"), min_value=1, max_value=365, initial=10)
    late_reason = forms.CharField(
        label=_("逾期原因"), max_length=200, required=False, help_text=_("超过15个工作日公开时必填")
    )

    def arguments(self) -> dict:
        return dict(self.cleaned_data)
