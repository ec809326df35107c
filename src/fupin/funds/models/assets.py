"""Project assets (扶贫项目资产, 2021 guidance): created from a completed project (the lineage asset → project →
funds kept), confirmed to an owner (确权) with the rights recorded, maintained, disposed of with a reason and an
approval; an operating asset's income distributed by a recorded plan, the households' shares written into their
property income (资产收益分红) through the registry's income service. The county's general ledger and a village's
detailed ledger are both views of Asset rows."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet
from fupin.core.fields import user_field, wan_field, yuan_field

from .. import codes
from .funds import county_field
from .projects import Project


class AssetScopedQuerySet(ScopedQuerySet):
    """An asset is seen in the area it stands in (its village, township or the county)."""

    area_path = "area_id"


class OfAssetScopedQuerySet(ScopedQuerySet):
    area_path = "asset__area_id"


class Asset(models.Model):
    county = county_field()
    project = models.ForeignKey(
        Project,
        verbose_name=_("来源项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
        help_text=_("空：项目库建立之前形成、按台账补录的资产"),
    )
    code = models.CharField(_("资产编号"), max_length=40, blank=True)
    name = models.CharField(_("资产名称"), max_length=120)
    category = models.CharField(_("资产类别"), max_length=10, choices=codes.AssetCategory.choices)
    kind = models.CharField(_("资产类型"), max_length=40, blank=True, help_text=_("如：光伏电站、产业园、村道"))
    area = models.ForeignKey("areas.Area", verbose_name=_("坐落地点"), on_delete=models.PROTECT, related_name="+")
    location = models.CharField(_("具体位置"), max_length=120, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("计量单位"), max_length=10, choices=codes.PhysicalUnit.choices, blank=True)
    value = wan_field(_("资产价值（万元）"), validators=[MinValueValidator(0)])
    formed_on = models.DateField(_("形成日期"))
    owner_level = models.CharField(_("确权层级"), max_length=10, choices=codes.OwnerLevel.choices, blank=True)
    owner_area = models.ForeignKey(
        "areas.Area", verbose_name=_("所有权单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("所有权农户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    confirmed_on = models.DateField(_("确权日期"), null=True, blank=True)
    rights = models.JSONField(_("权属"), default=dict, blank=True, help_text=_("权利 → 权利人，如 经营权 → 合作社"))
    maintainer = models.CharField(_("管护主体"), max_length=80, blank=True)
    state = models.CharField(
        _("资产状态"), max_length=10, choices=codes.AssetState.choices, default=codes.AssetState.IN_USE
    )
    disposed_on = models.DateField(_("处置日期"), null=True, blank=True)
    disposal_reason = models.CharField(_("处置原因"), max_length=12, choices=codes.DisposalReason.choices, blank=True)
    disposal_note = models.CharField(_("处置说明"), max_length=200, blank=True)
    disposal_approval = models.CharField(_("处置批准文号"), max_length=80, blank=True)
    disposal_approved_by = user_field(_("处置审批人"))
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AssetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("扶贫项目资产")
        verbose_name_plural = _("扶贫项目资产")
        ordering = ["county_id", "area_id", "id"]
        indexes = [
            models.Index(fields=["area", "category"]),
            models.Index(fields=["county", "owner_level"]),
        ]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.area_id


class Maintenance(models.Model):
    """An upkeep record (管护): what was done, by whom, at what cost."""

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.CASCADE, related_name="maintenance")
    on = models.DateField(_("日期"))
    work = models.CharField(_("管护内容"), max_length=200)
    cost = yuan_field(_("费用（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    by = user_field(_("记录人"))

    objects = OfAssetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资产管护记录")
        verbose_name_plural = _("资产管护记录")
        ordering = ["asset_id", "-on"]


class IncomePlan(models.Model):
    """An operating asset's income of a period and how it is divided (收益分配方案): the village collective's part and
    the households' part by a rule; distributing it writes the shares (IncomeShare) and the households' property
    income of `year`."""

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.PROTECT, related_name="income_plans")
    year = models.PositiveSmallIntegerField(_("收益年度"))
    income = yuan_field(_("收益总额（元）"), validators=[MinValueValidator(0)])
    collective_share = yuan_field(_("村集体留存（元）"), default=0, validators=[MinValueValidator(0)])
    households_share = yuan_field(_("分配到户（元）"), default=0, validators=[MinValueValidator(0)])
    rule = models.CharField(_("到户分配方式"), max_length=12, choices=codes.ShareRule.choices)
    approval = models.CharField(_("方案批准（文号或会议）"), max_length=120, blank=True)
    decided_on = models.DateField(_("方案日期"))
    distributed_on = models.DateField(_("分配日期"), null=True, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = OfAssetScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资产收益分配方案")
        verbose_name_plural = _("资产收益分配方案")
        ordering = ["asset_id", "-year", "id"]

    def __str__(self):
        return f"{self.asset} {self.year}"

    @property
    def area_code(self) -> str:
        return self.asset.area_id


class ShareScopedQuerySet(ScopedQuerySet):
    area_path = "household__village_id"


class IncomeShare(models.Model):
    """One household's share of a distribution, as written into its income account."""

    plan = models.ForeignKey(IncomePlan, verbose_name=_("分配方案"), on_delete=models.CASCADE, related_name="shares")
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="asset_shares"
    )
    amount = yuan_field(_("分红金额（元）"), validators=[MinValueValidator(0)])

    objects = ShareScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资产收益到户")
        verbose_name_plural = _("资产收益到户")
        ordering = ["plan_id", "household_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "household"], name="funds_share_once")]

    @property
    def area_code(self) -> str:
        return self.household.village_id
