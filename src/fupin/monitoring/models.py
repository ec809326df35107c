"""Clues, cases, the steps taken on them, their evidence files, and the notices posted for them.

A clue (线索) is what a channel reports; a township accepts it (opening a case) or rejects it with a reason. A case is
one household's one risk episode through one procedure (codes.PROCEDURES); each step taken is a CaseStep row, so the
case's history is its steps in order and its `step` is only where it stands now. Every row carries the village it
concerns, so scoping reads one column (`village_id`) as for households. The registry's status event written at the
end (纳入监测 / 风险消除) is the case's result; figures count those events, never the cases.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet
from fupin.registry import codes as registry_codes

from . import codes
from .storage import MonitoringFiles


class VillageScopedQuerySet(ScopedQuerySet):
    area_path = "village_id"


class CasePartQuerySet(ScopedQuerySet):
    area_path = "case__village_id"


def _user_field(verbose_name, related_name="+"):
    """Who did something: kept as NULL when the user is deleted (the audit log keeps the name)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


def _village_field():
    return models.ForeignKey("areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+")


class Clue(models.Model):
    """A report that a household may be at risk. It names a registered household, or, for a person not yet
    registered, the name and ID number given: the procedure creates the household, never the clue."""

    village = _village_field()
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("农户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monitoring_clues",
    )
    person_name = models.CharField(_("申报人姓名"), max_length=40, blank=True)
    id_number = models.CharField(_("申报人证件号码"), max_length=22, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    channel = models.CharField(_("发现渠道"), max_length=12, choices=codes.Channel.choices)
    via = models.CharField(_("申报方式"), max_length=12, choices=codes.ReportVia.choices, blank=True)
    department = models.CharField(_("预警部门"), max_length=12, choices=codes.Department.choices, blank=True)
    #: where a machine-raised clue came from: "run:<id>" (an assessment run), "dept:<upload id>:<row>" …; with the
    #: household and risk type it makes a re-raised clue recognisable, so the same data raises nothing twice
    source_ref = models.CharField(_("来源编号"), max_length=80, blank=True)
    risk_types = models.JSONField(_("风险类型"), default=list)  # codes of registry.codes.RiskType, the main one first
    description = models.TextField(_("情况说明"), blank=True)
    reported_on = models.DateField(_("发现/申报日期"))
    accept_due = models.DateField(_("受理期限"))
    state = models.CharField(_("受理状态"), max_length=10, choices=codes.ClueState.choices, default="pending")
    decided_by = _user_field(_("受理人"))
    decided_on = models.DateField(_("受理日期"), null=True, blank=True)
    reject_reason = models.CharField(_("不予受理理由"), max_length=200, blank=True)
    recorded_by = _user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测线索")
        verbose_name_plural = _("监测线索")
        ordering = ["accept_due", "id"]
        indexes = [
            models.Index(fields=["village", "state", "accept_due"]),
            models.Index(fields=["source_ref"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.reported_on}"

    @property
    def area_code(self) -> str:
        return self.village_id


class Case(models.Model):
    """One household's one risk episode through one procedure (identification or risk elimination)."""

    village = _village_field()
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("农户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monitoring_cases",
    )
    clue = models.OneToOneField(
        Clue, verbose_name=_("线索"), null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    kind = models.CharField(_("事项"), max_length=10, choices=codes.CaseKind.choices)
    risk_type = models.CharField(_("主要风险类型"), max_length=4, choices=registry_codes.RiskType.choices)
    risk_types = models.JSONField(_("风险类型"), default=list)
    category = models.CharField(
        _("监测对象类别"), max_length=1, choices=registry_codes.MonitoringCategory.choices, blank=True
    )
    elimination_way = models.CharField(
        _("消除方式"), max_length=1, choices=registry_codes.RiskEliminationWay.choices, blank=True
    )
    #: the pack whose deadlines apply (its id and version when the case opened): later pack changes do not move them
    pack_id = models.CharField(_("标准包"), max_length=80)
    opened_on = models.DateField(_("发现日期"))  # the clue's date: the whole case's limit counts from it
    due_on = models.DateField(_("办结期限"))
    step = models.CharField(_("当前环节"), max_length=12, choices=codes.StepCode.choices)
    step_since = models.DateField(_("本环节开始日期"))
    step_due = models.DateField(_("本环节期限"))
    state = models.CharField(_("办理状态"), max_length=10, choices=codes.CaseState.choices, default="open")
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    close_reason = models.CharField(_("办结说明"), max_length=200, blank=True)
    result_event = models.OneToOneField(
        "registry.StatusEvent",
        verbose_name=_("登记的状态变更"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monitoring_case",
    )
    opened_by = _user_field(_("立案人"))
    opened_at = models.DateTimeField(_("立案时间"), auto_now_add=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测事项")
        verbose_name_plural = _("监测事项")
        ordering = ["step_due", "id"]
        indexes = [
            models.Index(fields=["state", "village", "step_due"]),
            models.Index(fields=["state", "step", "step_due"]),
        ]
        constraints = [
            # one open case per household, kind and risk (the service says so in Chinese before this fires)
            models.UniqueConstraint(
                fields=["household", "kind", "risk_type"], condition=Q(state="open"), name="one_open_case_per_risk"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def area_code(self) -> str:
        return self.village_id


class CaseStep(models.Model):
    """A step taken on a case: who, when (the business date and the moment it was recorded), the decision, a
    comment. A notice step also holds the posting date and the end of its objection period."""

    case = models.ForeignKey(Case, verbose_name=_("监测事项"), on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("环节"), max_length=12, choices=codes.StepCode.choices)
    decision = models.CharField(_("结论"), max_length=6, choices=codes.Decision.choices)
    acted_on = models.DateField(_("办理日期"))
    due = models.DateField(_("环节期限"))
    comment = models.TextField(_("意见"), blank=True)
    posted_on = models.DateField(_("公示张贴日期"), null=True, blank=True)
    objection_until = models.DateField(_("异议期截止"), null=True, blank=True)
    actor = _user_field(_("办理人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case_id", "id"]

    def __str__(self):
        return f"{self.get_step_display()} {self.get_decision_display()}"

    @property
    def late(self) -> bool:
        return self.acted_on > self.due


def evidence_path(instance, filename):
    return f"cases/{instance.case_id}/{filename}"


def evidence_storage():
    """The evidence files' storage (the callable the migration names)."""
    return MonitoringFiles()


class Evidence(models.Model):
    """A file attached to a case at a step (排查表, 承诺授权书, 部门比对结果 …). Served only through the case, scoped
    and audited: these files hold ID numbers, signatures and health details."""

    case = models.ForeignKey(Case, verbose_name=_("监测事项"), on_delete=models.CASCADE, related_name="evidence")
    step = models.CharField(_("环节"), max_length=12, choices=codes.StepCode.choices)
    kind = models.CharField(_("材料类型"), max_length=14, choices=codes.EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to=evidence_path, storage=evidence_storage, max_length=200)
    name = models.CharField(_("文件名"), max_length=120)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = _user_field(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["case_id", "id"]

    def __str__(self):
        return self.name


class Notice(models.Model):
    """A notice for one village's board (村内公示 or 结果公告) listing the cases at that step: what is shown never
    includes ID numbers, phones, bank accounts or health details (services.notices builds its rows)."""

    village = _village_field()
    kind = models.CharField(_("公示类型"), max_length=12, choices=codes.NoticeKind.choices)
    case_kind = models.CharField(_("事项"), max_length=10, choices=codes.CaseKind.choices)
    cases = models.ManyToManyField(Case, verbose_name=_("监测事项"), related_name="notices")
    posted_on = models.DateField(_("张贴日期"))
    objection_until = models.DateField(_("异议期截止"), null=True, blank=True)
    contact = models.CharField(_("异议受理联系人及电话"), max_length=120)
    issuer = models.CharField(_("发布单位"), max_length=60)
    created_by = _user_field(_("制作人"))
    created_at = models.DateTimeField(_("制作时间"), auto_now_add=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示公告")
        verbose_name_plural = _("公示公告")
        ordering = ["-posted_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.posted_on}"

    @property
    def area_code(self) -> str:
        return self.village_id


class Objection(models.Model):
    """An objection raised during a notice's period, and its answer; the notice step cannot pass while one is
    unanswered."""

    case = models.ForeignKey(Case, verbose_name=_("监测事项"), on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("收到日期"))
    raised_by = models.CharField(_("异议人"), max_length=40, blank=True)
    content = models.TextField(_("异议内容"))
    answer = models.TextField(_("答复"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = _user_field(_("答复人"))
    recorded_by = _user_field(_("录入人"))

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["case_id", "id"]

    def __str__(self):
        return f"{self.received_on} {self.raised_by}"


from .department_models import DepartmentDesk, DepartmentRow, DepartmentUpload  # noqa: E402,F401  (department data)
