"""Pairings (结对帮扶) and responsible persons (帮扶责任人), both over periods: history is the rows, never an edit.

A pairing is a cadre with a household from one date to another (open while it lasts). A responsibility is one role
of a monitored household held by a cadre over a period; changing the person ends the row and starts another with
the reason, so who was responsible on any date can be read back. The roles are the county's (ResponsibleRole),
seed 000's three until a county writes its own (codes.DEFAULT_RESPONSIBLE_ROLES)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import codes
from .common import AreaScopedQuerySet, VillageScopedQuerySet, household_field, user_field, village_field
from .people import Cadre


class ResponsibleRole(models.Model):
    """A county's responsible-person role. A county with none uses codes.DEFAULT_RESPONSIBLE_ROLES."""

    area = models.ForeignKey("areas.Area", verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    default_from = models.CharField(
        _("纳入监测时默认指定"), max_length=16, choices=codes.DefaultFrom.choices, default=codes.DefaultFrom.NONE
    )
    active = models.BooleanField(_("启用"), default=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶责任人类别")
        verbose_name_plural = _("帮扶责任人类别")
        ordering = ["area_id", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="one_role_code_per_county")]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.area_id


class Pairing(models.Model):
    """结对帮扶: a cadre paired with a household from `started_on`, until `ended_on` (open while it lasts)."""

    village = village_field()
    household = household_field("pairings")
    cadre = models.ForeignKey(Cadre, verbose_name=_("帮扶干部"), on_delete=models.PROTECT, related_name="pairings")
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)
    end_reason = models.CharField(_("解除原因"), max_length=200, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["village_id", "household_id", "-started_on"]
        indexes = [
            models.Index(fields=["household", "started_on"]),
            models.Index(fields=["cadre", "started_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "cadre"], condition=Q(ended_on__isnull=True), name="one_open_pairing"
            )
        ]

    def __str__(self):
        return f"{self.cadre} — {self.household_id}"

    @property
    def area_code(self) -> str:
        return self.village_id


class Responsibility(models.Model):
    """One role of a household's responsible persons held by a cadre over a period. `role` is the role's code
    (ResponsibleRole.code or a default's), `role_name` its name when assigned (the record reads as it was)."""

    village = village_field()
    household = household_field("responsibilities")
    role = models.CharField(_("责任人类别代码"), max_length=20)
    role_name = models.CharField(_("责任人类别"), max_length=40)
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    reason = models.CharField(_("指定/变更原因"), max_length=200, blank=True)
    automatic = models.BooleanField(_("纳入监测时自动指定"), default=False)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶责任人")
        verbose_name_plural = _("帮扶责任人")
        ordering = ["village_id", "household_id", "role", "-started_on"]
        indexes = [
            models.Index(fields=["household", "role", "started_on"]),
            models.Index(fields=["cadre", "started_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "role"], condition=Q(ended_on__isnull=True), name="one_open_responsibility"
            )
        ]

    def __str__(self):
        return f"{self.role_name} {self.cadre}"

    @property
    def area_code(self) -> str:
        return self.village_id
