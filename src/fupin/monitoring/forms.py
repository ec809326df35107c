"""Forms of the monitoring pages: they parse input; monitoring.services.* decide (scope, order, deadlines)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level
from fupin.registry.codes import MonitoringCategory, RiskType
from fupin.registry.idcard import normalize_id_number
from fupin.registry.models import Household

from . import codes

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = ("", "——")


def village_choices(user) -> list:
    villages = Area.objects.restrict(user).filter(level=Level.VILLAGE).order_by("code")
    return [(area.code, area.name) for area in villages]


class ClueForm(forms.Form):
    """新增线索: a registered household (by 户编号, or a head's name that names one household of the village), or
    the name and ID number of a person not yet registered."""

    village = forms.ChoiceField(label=_("行政村"))
    household = forms.CharField(
        label=_("农户（户编号或户主姓名）"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("已登记农户填写")}),
    )
    person_name = forms.CharField(label=_("申报人姓名（未登记）"), required=False, max_length=40)
    id_number = forms.CharField(label=_("申报人证件号码（未登记）"), required=False, max_length=22)
    channel = forms.ChoiceField(
        label=_("发现渠道"), choices=[c for c in codes.Channel.choices if c[0] != codes.Channel.SYSTEM]
    )
    via_channel = forms.ChoiceField(label=_("申报方式"), required=False, choices=[BLANK, *codes.ReportVia.choices])
    risk_types = forms.MultipleChoiceField(
        label=_("风险类型"), choices=RiskType.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reported_on = forms.DateField(label=_("发现/申报日期"), widget=DATE_INPUT)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"].choices = village_choices(user)

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip()
        return normalize_id_number(value) if value else ""

    def clean(self):
        data = super().clean()
        text = (data.get("household") or "").strip()
        data["household_obj"] = None
        if "village" in self.errors:  # a village the user may not pick: what was typed for it is not shown back
            self.data = self.data.copy()
            self.data["household"] = ""
            return data
        if text and data.get("village"):
            found = Household.objects.restrict(self.user).filter(village_id=data["village"])
            matches = list(found.filter(number=text)[:2]) or list(found.filter(head_name=text)[:2])
            if not matches:
                self.add_error("household", _("本村没有户编号或户主姓名为“%(text)s”的农户") % {"text": text})
            elif len(matches) > 1:
                self.add_error("household", _("本村有多户户主名为“%(text)s”，请填写户编号") % {"text": text})
            else:
                data["household_obj"] = matches[0]
        elif not text and not (data.get("person_name") and data.get("id_number")):
            self.add_error(None, _("请填写已登记农户，或未登记申报人的姓名和证件号码"))
        if data.get("channel") == codes.Channel.SELF_REPORT and not data.get("via_channel"):
            self.add_error("via_channel", _("农户自主申报须选择申报方式"))
        return data

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "village_code": data["village"],
            "household": data["household_obj"],
            "person_name": "" if data["household_obj"] else data["person_name"],
            "id_number": "" if data["household_obj"] else data["id_number"],
            "channel": data["channel"],
            "via_channel": data["via_channel"],
            "risk_types": data["risk_types"],
            "description": data["description"],
            "reported_on": data["reported_on"],
        }


class RejectClueForm(forms.Form):
    reason = forms.CharField(label=_("不予受理理由"), max_length=200)


class AcceptClueForm(forms.Form):
    category = forms.ChoiceField(label=_("监测对象类别"), required=False, choices=[BLANK, *MonitoringCategory.choices])


class ActForm(forms.Form):
    """A decision on the case's current step (the buttons name the decision; a rejection or a return needs a
    comment, which the service says in Chinese)."""

    decision = forms.ChoiceField(choices=codes.Decision.choices)
    step = forms.ChoiceField(choices=codes.StepCode.choices, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CategoryForm(forms.Form):
    category = forms.ChoiceField(label=_("监测对象类别"), choices=MonitoringCategory.choices)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=codes.EvidenceKind.choices)
    upload = forms.FileField(label=_("文件"))


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("收到日期"), widget=DATE_INPUT)
    raised_by = forms.CharField(label=_("异议人"), required=False, max_length=40)
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.Form):
    """A notice of one village: the cases at its step (村内公示: NOTICE; 结果公告: ANNOUNCE) ticked on the page."""

    village = forms.ChoiceField(label=_("行政村"))
    kind = forms.ChoiceField(label=_("公示类型"), choices=codes.NoticeKind.choices)
    cases = forms.MultipleChoiceField(label=_("公示的监测事项"), widget=forms.CheckboxSelectMultiple)
    posted_on = forms.DateField(label=_("张贴日期"), widget=DATE_INPUT)
    contact = forms.CharField(label=_("异议受理联系人及电话"), max_length=120)
    issuer = forms.CharField(label=_("发布单位"), required=False, max_length=60)

    def __init__(self, user, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = village_choices(user)
        self.fields["cases"].choices = [
            (str(case.pk), f"J{case.pk} {case.household.head_name if case.household else ''} "
             f"（{case.get_step_display()}）")
            for case in candidates
        ]  # fmt: skip
