"""Relocation (易地扶贫搬迁), training (培训), enterprise–village pairings (一企包一村) and social aid (社会帮扶).

A relocation site belongs to the area it lies in (a township or the county seat); a relocated household's row to
its village of origin, where the household is registered. A training belongs to the area that ran it, its
attendances to the attendee's village."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import codes
from .common import AreaScopedQuerySet, VillageScopedQuerySet, household_field, user_field, village_field, yuan_field
from .people import Unit


class RelocationSite(models.Model):
    """安置点: where relocated households move to."""

    area = models.ForeignKey("areas.Area", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("安置点名称"), max_length=80)
    kind = models.CharField(_("安置方式"), max_length=10, choices=codes.SiteKind.choices, default="central")
    location = models.CharField(_("地点"), max_length=120, blank=True)
    planned_households = models.PositiveIntegerField(_("计划安置户数"))
    planned_persons = models.PositiveIntegerField(_("计划安置人数"), default=0)
    construction_started_on = models.DateField(_("开工日期"), null=True, blank=True)
    construction_completed_on = models.DateField(_("竣工日期"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("安置点")
        verbose_name_plural = _("安置点")
        ordering = ["area_id", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="one_site_name_per_area")]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.area_id


class Relocation(models.Model):
    """A relocated household: its site, when it moved in, its old house demolished and the land reclaimed, and
    whether a member is employed (the four rates of seeds 000–003 are counted from these rows)."""

    village = village_field()
    household = household_field("relocations")
    site = models.ForeignKey(
        RelocationSite, verbose_name=_("安置点"), on_delete=models.PROTECT, related_name="households"
    )
    persons = models.PositiveSmallIntegerField(_("搬迁人数"))
    moved_in_on = models.DateField(_("入住日期"), null=True, blank=True)
    demolished_on = models.DateField(_("旧房拆除日期"), null=True, blank=True)
    reclaimed_on = models.DateField(_("复垦日期"), null=True, blank=True)
    employed_members = models.PositiveSmallIntegerField(_("就业人数"), default=0)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("搬迁户")
        verbose_name_plural = _("搬迁户")
        ordering = ["village_id", "household_id"]
        constraints = [models.UniqueConstraint(fields=["household"], name="one_relocation_per_household")]

    def __str__(self):
        return f"{self.household_id} → {self.site}"

    @property
    def area_code(self) -> str:
        return self.village_id


class Training(models.Model):
    """培训: a course held by an area's office (seed 004: 841 trained, all certified, 70 % employed)."""

    area = models.ForeignKey("areas.Area", verbose_name=_("举办区划"), on_delete=models.PROTECT, related_name="+")
    course = models.CharField(_("培训项目"), max_length=80)
    organiser = models.CharField(_("承办单位"), max_length=80, blank=True)
    started_on = models.DateField(_("开班日期"))
    ended_on = models.DateField(_("结业日期"), null=True, blank=True)
    hours = models.PositiveSmallIntegerField(_("学时"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-started_on", "id"]

    def __str__(self):
        return self.course

    @property
    def area_code(self) -> str:
        return self.area_id


class Attendance(models.Model):
    """One member's attendance of a training: certified, and employed afterwards."""

    village = village_field()
    training = models.ForeignKey(
        Training, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey("registry.Member", verbose_name=_("学员"), on_delete=models.PROTECT, related_name="+")
    certified = models.BooleanField(_("取得证书"), default=False)
    employed = models.BooleanField(_("培训后就业"), default=False)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训学员")
        verbose_name_plural = _("培训学员")
        ordering = ["training_id", "id"]
        constraints = [models.UniqueConstraint(fields=["training", "member"], name="one_attendance_per_member")]

    def __str__(self):
        return f"{self.training} {self.member_id}"

    @property
    def area_code(self) -> str:
        return self.village_id


class EnterprisePairing(models.Model):
    """一企包一村: an enterprise (a unit of kind enterprise) with a village over a period, and what it put in."""

    village = village_field()
    unit = models.ForeignKey(Unit, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="village_pairings")
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)
    projects = models.PositiveSmallIntegerField(_("实施项目数"), default=0)
    amount = yuan_field(_("投入金额（元）"), default=0)
    note = models.CharField(_("帮扶内容"), max_length=200, blank=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("一企包一村")
        verbose_name_plural = _("一企包一村")
        ordering = ["village_id", "-started_on"]

    def __str__(self):
        return f"{self.unit} — {self.village_id}"

    @property
    def area_code(self) -> str:
        return self.village_id


class SocialAid(models.Model):
    """社会帮扶: a donation or service from a unit or person to a village (or one of its households)."""

    village = village_field()
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("受助农户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    donor = models.CharField(_("帮扶主体"), max_length=80)
    unit = models.ForeignKey(
        Unit, verbose_name=_("帮扶单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("日期"))
    content = models.CharField(_("帮扶内容"), max_length=200)
    amount = yuan_field(_("折合金额（元）"), default=0)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("社会帮扶")
        verbose_name_plural = _("社会帮扶")
        ordering = ["village_id", "-given_on"]

    def __str__(self):
        return f"{self.donor} {self.content}"

    @property
    def area_code(self) -> str:
        return self.village_id
