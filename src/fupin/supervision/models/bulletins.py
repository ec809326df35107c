"""Bulletins (通报、排名、总结): a dated issue of a daily bulletin, a weekly ranking or a monthly summary, stored as
issued (its figures as `content`, its .xlsx and PDF as bytes) so it opens again later unchanged, with who issued it and
the issue before it (the change since the last period is read against that one)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.fields import user_field

from .. import codes
from .common import CountyScopedQuerySet, county_field


class Bulletin(models.Model):
    county = county_field()
    kind = models.CharField(_("类型"), max_length=8, choices=codes.BulletinKind.choices)
    area = models.ForeignKey("areas.Area", verbose_name=_("通报范围"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("排名对象"), max_length=10, help_text=_("township 或 village"))
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    number = models.CharField(_("期号"), max_length=40, blank=True)
    title = models.CharField(_("标题"), max_length=120)
    indicators = models.JSONField(_("排名指标"), default=list)
    content = models.JSONField(_("内容"), default=dict)
    xlsx = models.BinaryField(_("Excel 文件"), null=True, blank=True, editable=False)
    pdf = models.BinaryField(_("PDF 文件"), null=True, blank=True, editable=False)
    previous = models.ForeignKey(
        "self", verbose_name=_("上一期"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by = user_field(_("签发人"))
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)

    objects = CountyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报排名")
        ordering = ["county_id", "-period_end", "-id"]
        indexes = [models.Index(fields=["county", "kind", "period_end"])]

    def __str__(self):
        return self.title

    @property
    def area_code(self) -> str:
        return self.area_id
