"""Department data: who uploads for which department (DepartmentDesk), each upload with its counts, and the rows of
an upload that need a human (DepartmentRow): unmatched, ambiguous, invalid, and those that raised a clue.

Imported by models.py, so these are monitoring's models like the others (accounts sits below monitoring and cannot
know a user's department: the desk says it).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.accounts.roles import Role
from fupin.areas.models import ScopedQuerySet

from . import codes
from .storage import MonitoringFiles


class DepartmentDesk(models.Model):
    """Which department a DEPARTMENT-role user works for (managed in the admin). A department user without a desk
    can upload nothing and sees no upload."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="department_desk"
    )
    department = models.CharField(_("所属部门"), max_length=12, choices=codes.Department.choices)

    class Meta:
        verbose_name = _("部门数据专员")
        verbose_name_plural = _("部门数据专员")

    def __str__(self):
        return f"{self.user} · {self.get_department_display()}"


def desk_department(user) -> str:
    """The department a user uploads for: his desk's, or "" (none)."""
    desk = getattr(user, "department_desk", None) if getattr(user, "pk", None) else None
    return desk.department if desk is not None else ""


class UploadQuerySet(ScopedQuerySet):
    area_path = "area_id"

    def restrict(self, user):
        """Inside the user's area; a department clerk sees only his own department's uploads (none without a
        desk)."""
        rows = super().restrict(user)
        if getattr(user, "role", None) == Role.DEPARTMENT and not user.is_superuser:
            rows = rows.filter(department=desk_department(user) or "-")
        return rows


def report_path(instance, filename):
    return f"departments/{instance.pk}/{filename}"


def report_storage():
    """The reports' storage (the callable the migration names): monitoring's files folder, read when used."""
    return MonitoringFiles()


class DepartmentUpload(models.Model):
    """One dataset a department sent: the file (name and SHA-256; the file itself is not kept), the period it
    covers, and what became of its rows. The report back (unmatched, ambiguous and invalid rows) is a file."""

    class State(models.TextChoices):
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    department = models.CharField(_("部门"), max_length=12, choices=codes.Department.choices)
    period = models.CharField(_("数据期间"), max_length=7)  # YYYY-MM
    reported_on = models.DateField(_("推送日期"))
    file_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    #: the uploader's area (a county): scoping reads it
    area = models.ForeignKey("areas.Area", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    via = models.CharField(_("途径"), max_length=8, blank=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.DONE)
    message = models.TextField(_("说明"), blank=True)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    matched = models.PositiveIntegerField(_("匹配到在册人员"), default=0)
    unmatched = models.PositiveIntegerField(_("未匹配"), default=0)
    ambiguous = models.PositiveIntegerField(_("匹配到多人"), default=0)
    invalid = models.PositiveIntegerField(_("数据有误"), default=0)
    above_threshold = models.PositiveIntegerField(_("超过预警标准"), default=0)
    clues_raised = models.PositiveIntegerField(_("生成线索"), default=0)
    already_raised = models.PositiveIntegerField(_("此前已预警"), default=0)
    report = models.FileField(_("反馈清单"), upload_to=report_path, storage=report_storage, max_length=200, blank=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门预警数据")
        verbose_name_plural = _("部门预警数据")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["area", "department", "uploaded_at"])]

    def __str__(self):
        return f"{self.get_department_display()} {self.period} {self.file_name}"

    @property
    def area_code(self) -> str:
        return self.area_id

    @property
    def to_report(self) -> int:
        """Rows sent back to the department: they are never dropped."""
        return self.unmatched + self.ambiguous + self.invalid


class DepartmentRow(models.Model):
    """A row of an upload that needs a human: why, where it is in the department's file, and the clue it raised.
    Rows matched and below the threshold are counted, not kept."""

    class Outcome(models.TextChoices):
        UNMATCHED = "unmatched", _("未匹配到在册人员")
        AMBIGUOUS = "ambiguous", _("证件号码对应多名在册人员")
        INVALID = "invalid", _("数据有误")
        CLUE = "clue", _("已生成线索")
        ALREADY = "already", _("此前已预警")

    upload = models.ForeignKey(
        DepartmentUpload, verbose_name=_("部门数据"), on_delete=models.CASCADE, related_name="kept"
    )
    row = models.PositiveIntegerField(_("行号"))
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    id_number = models.CharField(_("证件号码"), max_length=40, blank=True)  # as the department sent it
    name = models.CharField(_("姓名"), max_length=40, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    clue = models.ForeignKey(
        "monitoring.Clue", verbose_name=_("线索"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("部门数据待处理行")
        verbose_name_plural = _("部门数据待处理行")
        ordering = ["upload_id", "row", "id"]

    def __str__(self):
        return f"{self.upload_id}:{self.row} {self.get_outcome_display()}"
