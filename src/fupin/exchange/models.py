"""Import jobs (one uploaded file, what became of it, and where its error report is) and export jobs (a large
export written in the background, and where its file is)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.areas.models import ScopedQuerySet


class ImportJobQuerySet(ScopedQuerySet):
    area_path = "area_code"

    def visible_to(self, user):
        """Jobs the user may see: inside their area, and their own or — for a role that imports (EDITORS) — a
        colleague's. Other roles never see a job: its errors and preview are cells of someone's file."""
        jobs = self.restrict(user)
        return jobs if getattr(user, "may_edit", False) else jobs.filter(user_id=getattr(user, "pk", None))


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在导入")
        DONE = "done", _("已导入")
        CHECKED = "checked", _("试导入完成（未写入）")
        INVALID = "invalid", _("有错误，未导入")
        FAILED = "failed", _("失败，未导入")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(_("导入人所属区划"), max_length=15, db_index=True)
    filename = models.CharField(_("文件名"), max_length=255)
    size = models.BigIntegerField(_("文件大小（字节）"), default=0)
    sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True)
    dry_run = models.BooleanField(_("试导入（只检查不写入）"), default=False)
    via = models.CharField(_("途径"), max_length=10, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(_("说明"), blank=True)
    counts = models.JSONField(_("新增/修改/未变"), default=dict, blank=True)
    ignored_columns = models.JSONField(_("未导入的列"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误（前若干条）"), default=list, blank=True)
    changes = models.JSONField(_("变更预览（前若干条）"), default=list, blank=True)
    report_name = models.CharField(_("错误报告文件"), max_length=255, blank=True)
    sensitive_fields = models.JSONField(
        _("文件含有的敏感字段"),
        null=True,
        blank=True,
        default=None,
        help_text=_("SENSITIVE_FIELDS 中文件有其列的字段；空（未知）按全部敏感字段对待"),
    )
    worker_pid = models.PositiveIntegerField(_("导入进程号"), null=True, blank=True)
    worker_host = models.CharField(_("导入进程所在主机"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)

    def report_readable_by(self, user) -> bool:
        """The error report holds every cell of the file: its uploader may read it, and anyone else who sees the
        job only if their role may reveal each sensitive field the file has a column of (unknown: all of them)."""
        if user.pk == self.user_id:
            return True
        fields = SENSITIVE_FIELDS if self.sensitive_fields is None else self.sensitive_fields
        return all(user.may_reveal(name) for name in fields)


class ExportJobQuerySet(ScopedQuerySet):
    area_path = "area_code"

    def visible_to(self, user):
        """An export is seen by the user who started it and nobody else: its file holds what their role may see."""
        return self.restrict(user).filter(user_id=getattr(user, "pk", None))


class ExportJob(models.Model):
    """An export written in the background (exchange.export_jobs): the household list's filters it was asked with,
    its progress, and the file, kept for its user in EXCHANGE_DIR/<job id>/ until it is pruned."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在导出")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("文件已删除")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(_("导出人所属区划"), max_length=15, db_index=True)
    format = models.CharField(_("格式"), max_length=4)
    kind = models.CharField(_("导出内容"), max_length=20, default="households")
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    via = models.CharField(_("途径"), max_length=10, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(_("说明"), blank=True)
    rows = models.JSONField(_("各表行数"), default=dict, blank=True)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    size = models.BigIntegerField(_("文件大小（字节）"), default=0)
    worker_pid = models.PositiveIntegerField(_("导出进程号"), null=True, blank=True)
    worker_host = models.CharField(_("导出进程所在主机"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename or self.format} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)
