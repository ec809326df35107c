"""The problems ledger (问题整改台账): a county's own problem kinds, the feedback batches problems arrive in, the
problem with who claims it (认领), its deadline, measures and files, the check by someone other than the rectifier and
its 销号 — one row per step taken. services.problems moves a problem; nothing else writes `status`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet
from fupin.core.fields import user_field

from .. import codes
from .common import CountyScopedQuerySet, county_field


class ProblemKind(models.Model):
    """A county's classification of problems (精准识别、精准退出…), edited by the county (codes.DEFAULT_KINDS first)."""

    county = county_field()
    name = models.CharField(_("问题类别"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    objects = CountyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["county_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="supervision_kind_name")]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.county_id


class Batch(models.Model):
    """A batch of feedback (反馈批次): the document problems arrived in, e.g. 省考核反馈问题清单 of a date."""

    county = county_field()
    source = models.CharField(_("问题来源"), max_length=12, choices=codes.ProblemSource.choices)
    title = models.CharField(_("批次名称"), max_length=120)
    document_number = models.CharField(_("反馈文号"), max_length=60, blank=True)
    received_on = models.DateField(_("反馈日期"))
    issued_by = models.CharField(_("反馈单位"), max_length=80, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = CountyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题反馈批次")
        verbose_name_plural = _("问题反馈批次")
        ordering = ["county_id", "-received_on", "id"]

    def __str__(self):
        return self.title

    @property
    def area_code(self) -> str:
        return self.county_id


class ProblemScopedQuerySet(ScopedQuerySet):
    """A problem is seen in the area it concerns (a village, a township or the county) and above."""

    area_path = "area_id"


class Problem(models.Model):
    county = county_field()
    number = models.CharField(_("问题编号"), max_length=40, blank=True)
    batch = models.ForeignKey(
        Batch, verbose_name=_("反馈批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    source = models.CharField(_("问题来源"), max_length=12, choices=codes.ProblemSource.choices)
    kind = models.ForeignKey(
        ProblemKind, verbose_name=_("问题类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    found = models.TextField(_("问题描述"))
    found_on = models.DateField(_("发现日期"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("涉及区划"), on_delete=models.PROTECT, related_name="+",
        help_text=_("村、乡镇或县"),
    )  # fmt: skip
    households = models.ManyToManyField(
        "registry.Household", verbose_name=_("涉及农户"), blank=True, related_name="supervision_problems"
    )
    project_name = models.CharField(_("涉及项目"), max_length=120, blank=True)
    responsible_unit = models.CharField(_("责任单位"), max_length=80, blank=True)
    responsible_area = models.ForeignKey(
        "areas.Area", verbose_name=_("责任单位所在区划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    status = models.CharField(
        _("整改状态"), max_length=10, choices=codes.ProblemStatus.choices, default=codes.ProblemStatus.OPEN
    )
    claimed_by = user_field(_("认领人"))
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    rectified_by = user_field(_("整改人"))
    rectified_at = models.DateTimeField(_("提交整改时间"), null=True, blank=True)
    checked_by = user_field(_("核查人"))
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    open_reason = models.TextField(_("未销号原因"), blank=True)
    rule_made = models.TextField(_("建章立制"), blank=True)
    escalated_to = models.ForeignKey(
        "areas.Area", verbose_name=_("升级至"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_on = models.DateField(_("升级日期"), null=True, blank=True)
    recurrence_of = models.ForeignKey(
        "self", verbose_name=_("复发自"), null=True, blank=True, on_delete=models.PROTECT, related_name="recurrences"
    )
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProblemScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题整改台账")
        ordering = ["county_id", "-found_on", "id"]
        indexes = [
            models.Index(fields=["county", "status"]),
            models.Index(fields=["area", "status"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self):
        return self.number or self.found[:30]

    @property
    def area_code(self) -> str:
        return self.area_id


class OfProblemScopedQuerySet(ScopedQuerySet):
    area_path = "problem__area_id"


class ProblemStepRecord(models.Model):
    """One step a problem took: who, when, what they said; `data` keeps what the step changed."""

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(_("环节"), max_length=14, choices=codes.ProblemStep.choices)
    actor = user_field(_("办理人"))
    at = models.DateTimeField(_("办理时间"), auto_now_add=True)
    comment = models.TextField(_("意见"), blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    objects = OfProblemScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题办理环节")
        verbose_name_plural = _("问题办理环节")
        ordering = ["problem_id", "at", "id"]

    @property
    def area_code(self) -> str:
        return self.problem.area_id


class ProblemFile(models.Model):
    """An evidence file (整改佐证材料) under SUPERVISION_FILES_DIR, named by the server, served only scoped."""

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="files")
    step = models.ForeignKey(
        ProblemStepRecord,
        verbose_name=_("环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="files",
    )
    name = models.CharField(_("文件名"), max_length=120)
    path = models.CharField(_("存储路径"), max_length=200, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=80)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = user_field(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = OfProblemScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["problem_id", "id"]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.problem.area_id
