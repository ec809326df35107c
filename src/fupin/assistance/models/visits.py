"""Visits (走访) and their photos. A visit is recorded on a phone at the household, possibly offline: the phone
names each visit with a UUID it makes (`client_id`), so a draft sent twice when the network returns is one visit.

A photo is stored resized under ASSISTANCE_FILES_DIR, named by the server; the camera's EXIF time and location are
kept as evidence, never shown on a public page."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..storage import AssistanceFiles
from .common import VillageScopedQuerySet, household_field, user_field, village_field
from .people import Cadre


class Visit(models.Model):
    village = village_field()
    household = household_field("visits")
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("走访干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    client_id = models.UUIDField(_("客户端编号"), unique=True)
    visited_on = models.DateField(_("走访日期"))
    met = models.CharField(_("见到的家庭成员"), max_length=80, blank=True)
    #: the quick check of 两不愁三保障 and water: {codes.VisitCheck value: true / false}; a check not made is absent
    checks = models.JSONField(_("两不愁三保障核实"), default=dict)
    problems = models.TextField(_("发现的问题"), blank=True)
    policies = models.JSONField(_("宣讲的政策"), default=list)  # codes.Policy values
    income_year = models.PositiveSmallIntegerField(_("算账年度"), null=True, blank=True)
    #: the per-capita net income worked out on the visit (the registry's income account holds the components)
    per_capita_income = models.DecimalField(
        _("人均纯收入（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    risk_found = models.BooleanField(_("发现返贫致贫风险"), default=False)
    risk_types = models.JSONField(_("风险类型"), default=list)  # registry.codes.RiskType values
    #: "clue:<id>" when the visit raised a monitoring clue (registry.signals.risk_reported)
    clue_ref = models.CharField(_("转监测线索"), max_length=40, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["household", "visited_on"]),
            models.Index(fields=["cadre", "visited_on"]),
            models.Index(fields=["village", "visited_on"]),
        ]

    def __str__(self):
        return f"{self.household_id} {self.visited_on}"

    @property
    def area_code(self) -> str:
        return self.village_id


def photo_path(instance, filename):
    return f"visits/{instance.visit_id}/{filename}"


class VisitPhotoQuerySet(VillageScopedQuerySet):
    area_path = "visit__village_id"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=photo_path, storage=AssistanceFiles(), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("宽（像素）"))
    height = models.PositiveIntegerField(_("高（像素）"))
    taken_at = models.DateTimeField(_("拍摄时间（EXIF）"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度（EXIF）"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度（EXIF）"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = user_field(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = VisitPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["visit_id", "id"]

    def __str__(self):
        return f"{self.visit_id} #{self.pk}"

    @property
    def area_code(self) -> str:
        return self.visit.village_id
