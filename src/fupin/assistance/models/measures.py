"""Assistance measures (帮扶措施): one table for every category, with the fields of the kinds that carry their own
(a micro-loan, a public-benefit post, education aid, a subsidy paid by standard) as nullable columns that only their
kind fills (codes.MEASURE_KIND_FIELDS; services.measures checks a measure against it). One table keeps the checks
and the policy engine's `measures_in_place` one indexed probe per household."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import codes
from .common import VillageScopedQuerySet, household_field, user_field, village_field, yuan_field
from .people import Cadre


class Measure(models.Model):
    village = village_field()
    household = household_field("measures")
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("受益成员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    category = models.CharField(_("措施类别"), max_length=2, choices=codes.MeasureCategory.choices)
    kind = models.CharField(
        _("措施种类"), max_length=16, choices=codes.MeasureKind.choices, default=codes.MeasureKind.GENERAL
    )
    subtype = models.CharField(_("具体措施"), max_length=60, blank=True)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    amount = yuan_field(_("金额（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("责任干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    status = models.CharField(
        _("落实状态"), max_length=10, choices=codes.MeasureStatus.choices, default=codes.MeasureStatus.PLANNED
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # 扶贫小额信贷
    loan_amount = yuan_field(_("贷款金额（元）"), null=True, blank=True)
    loan_date = models.DateField(_("放款日期"), null=True, blank=True)
    loan_term_months = models.PositiveSmallIntegerField(_("贷款期限（月）"), null=True, blank=True)
    loan_interest_subsidy = yuan_field(_("贴息金额（元）"), null=True, blank=True)
    loan_balance = yuan_field(_("贷款余额（元）"), null=True, blank=True)
    loan_overdue = models.BooleanField(_("逾期"), default=False)
    # 公益性岗位
    post_type = models.CharField(_("岗位类型"), max_length=12, choices=codes.PostType.choices, blank=True)
    post_months = models.PositiveSmallIntegerField(_("在岗月数"), null=True, blank=True)
    post_monthly_pay = yuan_field(_("月工资（元）"), null=True, blank=True)
    # 教育资助 (the student is `member`)
    education_stage = models.CharField(_("学段"), max_length=12, choices=codes.EducationStage.choices, blank=True)
    # 按标准发放的补贴 (e.g. 残疾人护理补贴 by level per month): the standard's code and level in the pack
    standard_code = models.CharField(_("补贴标准"), max_length=40, blank=True)
    standard_level = models.CharField(_("标准档次"), max_length=20, blank=True)
    standard_monthly = yuan_field(_("月标准（元）"), null=True, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["village_id", "household_id", "-started_on", "id"]
        indexes = [
            models.Index(fields=["household", "started_on"]),
            models.Index(fields=["village", "category"]),
            models.Index(fields=["kind", "started_on"]),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.subtype}".strip()

    @property
    def area_code(self) -> str:
        return self.village_id

    def in_place_on(self, day) -> bool:
        """Whether the measure is in place on `day`: marked in place (or since ended) and the day in its period."""
        return (
            self.status != codes.MeasureStatus.PLANNED
            and self.started_on <= day
            and (self.ended_on is None or day <= self.ended_on)
        )
