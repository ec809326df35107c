"""Forms of the project library's pages: they parse input and offer only what the user may pick (areas of the
user's scope, the county's sources, the step's own criteria); services.projects / implementation decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level

from .. import codes
from ..models import FundSource, Project

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
BLANK = ("", "——")
TARGET_ROWS, BENEFICIARY_ROWS, FUNDING_ROWS = 4, 6, 4


def _date(label, required=True, **kwargs):
    return forms.DateField(label=label, required=required, widget=DATE_INPUT, **kwargs)


def _today():
    return timezone.localdate()


class MonthField(forms.DateField):
    """A month as <input type=month> sends it ("2025-06"), or a full date."""

    widget = MONTH_INPUT
    input_formats = ["%Y-%m", "%Y-%m-%d"]


def area_choices(user) -> list:
    areas = Area.objects.restrict(user).filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
    indent = {Level.COUNTY: "", Level.TOWNSHIP: "\u3000", Level.VILLAGE: "\u3000\u3000"}
    return [(a.code, indent[a.level] + a.name) for a in areas.order_by("code")]


def source_choices(user) -> list:
    return [BLANK, *((str(s.pk), s.name) for s in FundSource.objects.restrict(user).order_by("level", "name"))]


class ProposalForm(forms.Form):
    """A proposal (or its revision): the project's own fields, then up to TARGET_ROWS targets, BENEFICIARY_ROWS
    households by 户编号 and FUNDING_ROWS sources."""

    area_code = forms.ChoiceField(label=_("项目地点"))
    name = forms.CharField(label=_("项目名称"), max_length=120)
    code = forms.CharField(label=_("项目编号"), max_length=40, required=False)
    year = forms.IntegerField(label=_("计划年度"), min_value=2014, max_value=2100)
    project_type = forms.ChoiceField(label=_("项目类型"), choices=[BLANK, *codes.ProjectType.choices])
    category = forms.ChoiceField(label=_("资金用途"), choices=[BLANK, *codes.UseCategory.choices])
    department = forms.ChoiceField(label=_("主管部门"), choices=[BLANK, *codes.Department.choices], required=False)
    implementer = forms.CharField(label=_("实施单位"), max_length=80, required=False)
    unit = forms.ChoiceField(label=_("计量单位"), choices=[BLANK, *codes.PhysicalUnit.choices])
    planned_quantity = forms.CharField(label=_("计划建设规模"), max_length=20)
    cost = forms.CharField(label=_("投资估算（万元）"), max_length=20, help_text=_("最多四位小数，如 120.5"))
    planned_start = _date(_("计划开工日期"), required=False)
    planned_end = _date(_("计划完工日期"), required=False)
    content = forms.CharField(label=_("建设内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    benefit_mechanism = forms.CharField(
        label=_("联农带农机制"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("没有联农带农机制的项目不能列入年度计划"),
    )

    def __init__(self, user, *args, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = area_choices(user)
        if project is not None:
            del self.fields["area_code"]
        elif not self.is_bound:
            self.initial.setdefault("area_code", user.area_id)
            self.initial.setdefault("year", timezone.localdate().year)
        sources = source_choices(user)
        ways = [BLANK, *codes.BenefitWay.choices]
        for n in range(TARGET_ROWS):
            self.fields[f"target_{n}_indicator"] = forms.CharField(label=_("绩效指标"), max_length=80, required=False)
            self.fields[f"target_{n}_target"] = forms.CharField(label=_("目标值"), max_length=60, required=False)
        for n in range(BENEFICIARY_ROWS):
            self.fields[f"household_{n}"] = forms.CharField(label=_("受益农户户编号"), max_length=30, required=False)
            self.fields[f"household_{n}_way"] = forms.ChoiceField(label=_("带动方式"), choices=ways, required=False)
        for n in range(FUNDING_ROWS):
            self.fields[f"funding_{n}_source"] = forms.ChoiceField(label=_("资金来源"), choices=sources, required=False)
            self.fields[f"funding_{n}_amount"] = forms.CharField(
                label=_("计划金额（万元）"), max_length=20, required=False
            )
        if project is not None and not self.is_bound:
            self.initial.update({name: getattr(project, name) for name in self.fields if hasattr(project, name)})
            for n, t in enumerate(project.targets.all()[:TARGET_ROWS]):
                self.initial.update({f"target_{n}_indicator": t.indicator, f"target_{n}_target": t.target})
            for n, b in enumerate(project.beneficiaries.select_related("household")[:BENEFICIARY_ROWS]):
                self.initial.update({f"household_{n}": b.household.number, f"household_{n}_way": b.way})
            for n, f in enumerate(project.funding.all()[:FUNDING_ROWS]):
                self.initial.update({f"funding_{n}_source": str(f.source_id), f"funding_{n}_amount": f.amount})

    MAIN = (
        "area_code", "name", "code", "year", "project_type", "category", "department", "implementer", "unit",
        "planned_quantity", "cost", "planned_start", "planned_end", "content", "benefit_mechanism",
    )  # fmt: skip

    def main_fields(self):
        return [self[name] for name in self.MAIN if name in self.fields]

    def target_rows(self):
        return [(self[f"target_{n}_indicator"], self[f"target_{n}_target"]) for n in range(TARGET_ROWS)]

    def beneficiary_rows(self):
        return [(self[f"household_{n}"], self[f"household_{n}_way"]) for n in range(BENEFICIARY_ROWS)]

    def funding_rows(self):
        return [(self[f"funding_{n}_source"], self[f"funding_{n}_amount"]) for n in range(FUNDING_ROWS)]

    def arguments(self) -> dict:
        data = self.cleaned_data
        args = {name: data.get(name) for name in self.MAIN if name in self.fields}
        args["targets"] = [
            {"indicator": data[f"target_{n}_indicator"], "target": data[f"target_{n}_target"]}
            for n in range(TARGET_ROWS)
        ]
        args["beneficiaries"] = [
            {"household_number": data[f"household_{n}"], "way": data[f"household_{n}_way"]}
            for n in range(BENEFICIARY_ROWS)
        ]
        args["funding"] = [
            {"source_id": data[f"funding_{n}_source"], "amount": data[f"funding_{n}_amount"]}
            for n in range(FUNDING_ROWS)
        ]
        return args


class StepForm(forms.Form):
    """A step taken: the decision, date, comment, the step's criteria (each met or not) and its notice's start."""

    decision = forms.ChoiceField(label=_("办理结论"), choices=codes.Decision.choices, widget=forms.RadioSelect)
    on = _date(_("办理日期"), initial=_today)
    notice_from = _date(_("公示开始日期"), required=False)
    comment = forms.CharField(
        label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("退回或不予通过须填写")
    )

    def __init__(self, step, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if not step.notice_days:
            del self.fields["notice_from"]
        else:
            self.fields["notice_from"].help_text = _("公示 %(n)s 天（按本县公示的计日规则），期满后才能通过") % {
                "n": step.notice_days
            }
        for n, name in enumerate(step.criteria):
            self.fields[f"criterion_{n}"] = forms.ChoiceField(
                label=name, choices=[("yes", _("符合")), ("no", _("不符合"))], widget=forms.RadioSelect
            )
        self.initial.setdefault("decision", codes.Decision.APPROVE)

    def criteria_fields(self):
        return [self[f"criterion_{n}"] for n in range(len(self.step.criteria))]

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "step": self.step.code,
            "decision": data["decision"],
            "on": data["on"],
            "comment": data.get("comment", ""),
            "notice_from": data.get("notice_from"),
            "criteria": {name: data[f"criterion_{n}"] for n, name in enumerate(self.step.criteria)},
        }


class DateForm(forms.Form):
    on = _date(_("日期"), initial=_today)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["on"].label = label

    def arguments(self) -> dict:
        return {"on": self.cleaned_data["on"]}


class ProgressForm(forms.Form):
    month = MonthField(label=_("报告月份"), initial=_today)
    quantity_done = forms.CharField(label=_("累计完成规模"), max_length=20)
    note = forms.CharField(label=_("进展说明"), max_length=200, required=False)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["quantity_done"].label = _("累计完成规模（%(unit)s，计划 %(plan)s）") % {
                "unit": project.get_unit_display(),
                "plan": project.planned_quantity.normalize(),
            }

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class DisbursementForm(forms.Form):
    source_id = forms.ChoiceField(label=_("资金来源"))
    amount = forms.CharField(label=_("支付金额（万元）"), max_length=20)
    on = _date(_("支付日期"), initial=_today)
    voucher = forms.CharField(label=_("凭证号"), max_length=60, required=False)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        plan = project.funding.select_related("source") if project is not None else []
        self.fields["source_id"].choices = [BLANK, *((str(f.source_id), f.source.name) for f in plan)]

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("文件类别"), choices=[BLANK, *codes.FileKind.choices])
    upload = forms.FileField(label=_("文件"), help_text=_("PDF、图片、OFD 或 Word/Excel 文件，不超过 20 MB"))

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class AcceptanceForm(forms.Form):
    on = _date(_("验收日期"), initial=_today)
    result = forms.ChoiceField(label=_("验收结论"), choices=codes.AcceptanceResult.choices, widget=forms.RadioSelect)
    record = forms.CharField(label=_("验收意见"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = list(project.targets.all()) if project is not None else []
        for t in self.targets:
            self.fields[f"actual_{t.pk}"] = forms.CharField(
                label=_("%(indicator)s（目标 %(target)s）完成值") % {"indicator": t.indicator, "target": t.target},
                max_length=60,
                required=False,
                initial=t.actual,
            )

    def arguments(self) -> dict:
        data = self.cleaned_data
        actuals = {str(t.pk): data.get(f"actual_{t.pk}", "") for t in self.targets}
        return {"on": data["on"], "result": data["result"], "record": data["record"], "actuals": actuals}


class AuditForm(forms.Form):
    on = _date(_("审计日期"), initial=_today)
    opinion = forms.CharField(label=_("审计意见"), widget=forms.Textarea(attrs={"rows": 3}))

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=200)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class ImportForm(forms.Form):
    upload = forms.FileField(label=_("项目库 Excel 文件"), help_text=_("按模板填写的 .xlsx 或 .csv 文件"))
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)
