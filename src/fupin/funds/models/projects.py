"""The project library (项目库) and implementation: a project with its beneficiaries (联农带农), performance targets
(绩效目标) and funding plan; the county's procedure as data (ProcedureStep; codes.DEFAULT_PROCEDURE when it has none);
one row per step taken; monthly physical progress; money disbursed by source; acceptance, audit and completion;
its files. services.projects moves a project; nothing else writes `stage` or `step`."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet
from fupin.core.fields import user_field, wan_field, yuan_field

from .. import codes
from .funds import CountyScopedQuerySet, FundSource, county_field


class ProjectScopedQuerySet(ScopedQuerySet):
    """A project is seen in the area it is located in (a village, a township or the county)."""

    area_path = "area_id"


class OfProjectScopedQuerySet(ScopedQuerySet):
    area_path = "project__area_id"


class ProcedureStep(models.Model):
    """One step of a county's own procedure, in order (replaces codes.DEFAULT_PROCEDURE for that county)."""

    county = county_field()
    order = models.PositiveSmallIntegerField(_("顺序"))
    code = models.CharField(_("环节"), max_length=12, choices=codes.StepCode.choices)
    name = models.CharField(_("环节名称"), max_length=40, blank=True, help_text=_("空：用环节的标准名称"))
    roles = models.JSONField(_("办理角色"), default=list, help_text=_("可办理本环节的角色代码列表"))
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=0, help_text=_("0：本环节不公示"))
    criteria = models.JSONField(_("审核要点"), default=list, blank=True)

    objects = CountyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目库程序环节")
        verbose_name_plural = _("项目库程序环节")
        ordering = ["county_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["county", "order"], name="funds_procedure_order"),
            models.UniqueConstraint(fields=["county", "code"], name="funds_procedure_code"),
        ]

    def __str__(self):
        return self.name or self.get_code_display()

    @property
    def area_code(self) -> str:
        return self.county_id


class Project(models.Model):
    county = county_field()
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("项目地点"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("村、乡镇或县"),
    )
    code = models.CharField(_("项目编号"), max_length=40, blank=True)
    name = models.CharField(_("项目名称"), max_length=120)
    year = models.PositiveSmallIntegerField(_("计划年度"))
    project_type = models.CharField(_("项目类型"), max_length=16, choices=codes.ProjectType.choices)
    category = models.CharField(_("资金用途"), max_length=16, choices=codes.UseCategory.choices)
    proposer_level = models.CharField(_("申报层级"), max_length=10, choices=codes.ProposerLevel.choices)
    department = models.CharField(_("主管部门"), max_length=12, choices=codes.Department.choices, blank=True)
    implementer = models.CharField(_("实施单位"), max_length=80, blank=True)
    content = models.TextField(_("建设内容"), blank=True)
    unit = models.CharField(_("计量单位"), max_length=10, choices=codes.PhysicalUnit.choices)
    planned_quantity = models.DecimalField(
        _("计划建设规模"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)]
    )
    cost = wan_field(_("投资估算（万元）"), validators=[MinValueValidator(0)])
    benefit_mechanism = models.TextField(_("联农带农机制"), blank=True)
    planned_start = models.DateField(_("计划开工日期"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工日期"), null=True, blank=True)
    # subsidy standards (services.subsidies): which standard of the pack, and the facts it is read with
    standard_code = models.CharField(_("补助标准"), max_length=40, blank=True)
    standard_facts = models.JSONField(
        _("补助标准参数"), default=dict, blank=True, help_text=_("如：路面宽度、道路等级")
    )
    stage = models.CharField(_("项目阶段"), max_length=14, choices=codes.Stage.choices, default=codes.Stage.PROPOSED)
    step = models.CharField(_("当前环节"), max_length=12, choices=codes.StepCode.choices, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    acceptance_result = models.CharField(
        _("验收结论"), max_length=10, choices=codes.AcceptanceResult.choices, blank=True
    )
    acceptance_record = models.TextField(_("验收意见"), blank=True)
    audited_on = models.DateField(_("审计日期"), null=True, blank=True)
    audit_opinion = models.TextField(_("审计意见"), blank=True)
    completion_notice_on = models.DateField(_("完工公告日期"), null=True, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("扶贫项目")
        verbose_name_plural = _("扶贫项目")
        ordering = ["county_id", "-year", "area_id", "id"]
        indexes = [
            models.Index(fields=["area", "year"]),
            models.Index(fields=["county", "stage"]),
        ]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.area_id


class Beneficiary(models.Model):
    """A household a project names as benefiting, and how (联农带农)."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("受益农户"), on_delete=models.PROTECT, related_name="project_benefits"
    )
    way = models.CharField(_("带动方式"), max_length=12, choices=codes.BenefitWay.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = OfProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目受益农户")
        verbose_name_plural = _("项目受益农户")
        ordering = ["project_id", "household_id"]
        constraints = [models.UniqueConstraint(fields=["project", "household"], name="funds_beneficiary_once")]

    @property
    def area_code(self) -> str:
        return self.household.village_id


class Target(models.Model):
    """A performance target (绩效目标): an indicator, its target and, at acceptance, what was reached."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("绩效指标"), max_length=80)
    target = models.CharField(_("目标值"), max_length=60)
    actual = models.CharField(_("完成值"), max_length=60, blank=True)

    objects = OfProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("绩效目标")
        verbose_name_plural = _("绩效目标")
        ordering = ["project_id", "id"]

    def __str__(self):
        return f"{self.indicator}：{self.target}"


class FundingPlan(models.Model):
    """How much of a project each source is planned to pay (资金筹措计划)."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="funding")
    source = models.ForeignKey(FundSource, verbose_name=_("资金来源"), on_delete=models.PROTECT, related_name="+")
    amount = wan_field(_("计划金额（万元）"), validators=[MinValueValidator(0)])

    objects = OfProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金筹措计划")
        verbose_name_plural = _("资金筹措计划")
        ordering = ["project_id", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "source"], name="funds_plan_source_once")]


class ProjectStep(models.Model):
    """A step taken on a project: who, when, the decision, the criteria answered, and its notice's period."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("环节"), max_length=12, choices=codes.StepCode.choices)
    decision = models.CharField(_("结论"), max_length=10, choices=codes.Decision.choices)
    on = models.DateField(_("办理日期"))
    comment = models.TextField(_("意见"), blank=True)
    criteria = models.JSONField(_("审核要点"), default=dict, blank=True, help_text=_("要点 → 是否符合"))
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_to = models.DateField(_("公示结束"), null=True, blank=True)
    by = user_field(_("办理人"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = OfProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目办理环节")
        verbose_name_plural = _("项目办理环节")
        ordering = ["project_id", "at", "id"]

    def __str__(self):
        return f"{self.get_step_display()} {self.get_decision_display()}"

    @property
    def area_code(self) -> str:
        return self.project.area_id


class Progress(models.Model):
    """A monthly progress report: the physical quantity done to date (cumulative, in the project's unit)."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="progress")
    month = models.DateField(_("报告月份"), help_text=_("该月第一天"))
    quantity_done = models.DecimalField(
        _("累计完成规模"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("进展说明"), max_length=200, blank=True)
    reported_by = user_field(_("报告人"))
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)

    objects = OfProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目进度")
        verbose_name_plural = _("项目进度")
        ordering = ["project_id", "month"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="funds_progress_monthly")]

    @property
    def area_code(self) -> str:
        return self.project.area_id


class DisbursementScopedQuerySet(ScopedQuerySet):
    area_path = "area_id"


class Disbursement(models.Model):
    """Money spent (资金支付/拨付): by a holder (area plus, at the county, a department), from a source, for a
    category, on a project where it pays one."""

    county = county_field()
    year = models.PositiveSmallIntegerField(_("资金年度"))
    source = models.ForeignKey(FundSource, verbose_name=_("资金来源"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("资金用途"), max_length=16, choices=codes.UseCategory.choices)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("支付单位（区划）"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("支付部门"), max_length=12, choices=codes.Department.choices, blank=True)
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="disbursements"
    )
    amount = wan_field(_("金额（万元）"))
    on = models.DateField(_("支付日期"))
    voucher = models.CharField(_("凭证号"), max_length=60, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = DisbursementScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金支付")
        verbose_name_plural = _("资金支付")
        ordering = ["county_id", "-on", "id"]
        indexes = [
            models.Index(fields=["area", "on"]),
            models.Index(fields=["project", "on"]),
            models.Index(fields=["county", "year"]),
            # the four-level ledger's read (services.ledger): every column it groups, filters and sums, in its
            # grouping order, so a county's or a province's payments are summed from the index alone, in order
            models.Index(
                fields=["county", "area", "department", "source", "category", "on", "amount"],
                name="funds_paid_ledger_cover",
            ),
        ]

    @property
    def area_code(self) -> str:
        return self.area_id


class ProjectFile(models.Model):
    """A project's file (acceptance record, audit report, notice, photo), named by the server, served scoped."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("文件类别"), max_length=12, choices=codes.FileKind.choices)
    path = models.CharField(_("存储路径"), max_length=200, editable=False)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=80)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = user_field(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = OfProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目文件")
        verbose_name_plural = _("项目文件")
        ordering = ["project_id", "uploaded_at"]

    @property
    def area_code(self) -> str:
        return self.project.area_id


class MeasureScopedQuerySet(ScopedQuerySet):
    area_path = "measure__village_id"


class MeasureFunding(models.Model):
    """Which fund (and project) pays an assistance measure: kept on the funds side, since assistance and funds are
    siblings that do not import each other (the measure's page shows it through the registry's panel hook)."""

    measure = models.OneToOneField(
        "assistance.Measure", verbose_name=_("帮扶措施"), on_delete=models.CASCADE, related_name="funding"
    )
    source = models.ForeignKey(FundSource, verbose_name=_("资金来源"), on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    amount = yuan_field(_("支付金额（元）"), null=True, blank=True, validators=[MinValueValidator(0)])

    objects = MeasureScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶措施资金")
        verbose_name_plural = _("帮扶措施资金")

    @property
    def area_code(self) -> str:
        return self.measure.village_id
