"""Villages as the registry sees them: their poverty standing over time and their yearly facilities.

A village's standing (registered poor village, deep-poverty village, exited, with poverty tasks) changes only through
its dated events, like a household's status, so "poor villages as of a date" and "villages exited per year" are
counted from the events. The facilities are the village exit checklist, one record a year.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet

from .. import codes
from .households import recorded_by_field


class VillageQuerySet(ScopedQuerySet):
    area_path = "village_id"


class VillageEvent(codes.CodeLabels, models.Model):
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.CASCADE, related_name="village_events"
    )
    kind = models.CharField(_("事件"), max_length=10, choices=codes.VillageEventKind.choices)
    date = models.DateField(_("日期"))
    approximate = models.BooleanField(_("日期为约定日期"), default=False)
    document = models.CharField(_("批准文号"), max_length=100, blank=True)
    reason = models.CharField(_("原因/依据"), max_length=200, blank=True)
    recorded_by = recorded_by_field()
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("贫困村状态变更")
        verbose_name_plural = _("贫困村状态变更")
        ordering = ["village_id", "date", "id"]
        indexes = [models.Index(fields=["village", "date"]), models.Index(fields=["kind", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "kind", "date"],
                name="village_event_once",
                violation_error_message=_("该村同一日期的同一事件已登记"),
            )
        ]

    def __str__(self):
        return f"{self.village_id} {self.date} {self.get_kind_display()}"

    @property
    def area_code(self) -> str:
        return self.village_id


class VillageFacilities(models.Model):
    """A village's infrastructure and public services in a year: the checklist of village exit. The national
    items (DOMAIN.md §3) and seed 003's county items (水电路车房，手机电视互联网，红白养老卫生室，党群阵地活动场)
    are all fields; which of them a pack requires is its `village_checklist` parameter."""

    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.CASCADE, related_name="facilities"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    hardened_road = models.BooleanField(_("通硬化路"), default=False)
    electricity = models.BooleanField(_("通生活用电"), default=False)
    safe_water = models.BooleanField(_("饮水安全"), default=False)
    radio_tv = models.BooleanField(_("通广播电视"), default=False)
    broadband = models.BooleanField(_("通宽带互联网"), default=False)
    clinic_with_doctor = models.BooleanField(_("有卫生室和合格村医"), default=False)
    cultural_centre = models.BooleanField(_("有综合文化服务中心"), default=False)
    passenger_bus = models.BooleanField(_("通客车"), default=False)
    housing_safe = models.BooleanField(_("住房安全（无危房）"), default=False)
    mobile_signal = models.BooleanField(_("通手机信号"), default=False)
    wedding_funeral_hall = models.BooleanField(_("有红白理事会场所"), default=False)
    elderly_care = models.BooleanField(_("有养老服务设施"), default=False)
    party_service_centre = models.BooleanField(_("有党群服务中心（阵地）"), default=False)
    activity_square = models.BooleanField(_("有文体活动场所"), default=False)
    collective_income = models.DecimalField(
        _("村集体经济收入（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("村基础设施和公共服务")
        verbose_name_plural = _("村基础设施和公共服务")
        ordering = ["village", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year"],
                name="village_facilities_once_a_year",
                violation_error_message=_("该村本年度基础设施和公共服务已登记"),
            )
        ]

    def __str__(self):
        return f"{self.village_id} {self.year}"

    @property
    def area_code(self) -> str:
        return self.village_id

    def item(self, name: str) -> bool:
        """A checklist item; collective income counts when the village has any (no national minimum)."""
        if name == "collective_income":
            return self.collective_income is not None and self.collective_income > 0
        return bool(getattr(self, name))


#: checklist items a pack's `village_checklist` may name: the boolean facilities and collective income
CHECKLIST_ITEMS = {
    field.name: str(field.verbose_name)
    for field in VillageFacilities._meta.concrete_fields
    if isinstance(field, models.BooleanField) or field.name == "collective_income"
}
