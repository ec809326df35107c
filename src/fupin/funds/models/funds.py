"""Funds: sources with their yearly budgets, allocation batches (批次) with the amounts their documents declare, and
the money's flow down the four levels (county → department / township → village) as transfer rows; spending is a
Disbursement (models.projects). Every level's ledger (四级台账) is a query over these rows seen from that holder
(services.ledger), never a stored balance."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import PREFIX_LENGTH, Level, ScopedQuerySet
from fupin.areas.scoping import scope_prefix
from fupin.core.fields import user_field, wan_field

from .. import codes


class CountyScopedQuerySet(ScopedQuerySet):
    """A county's own records (its sources, budgets, batches and procedure) are seen by every user of the county:
    allocation results are public (谁分配、谁公开), and a township's ledger is read against them. A user above the
    county sees the counties under his area."""

    area_path = "county_id"

    def restrict(self, user):
        prefix = scope_prefix(user)
        return self.under(prefix[: PREFIX_LENGTH[Level.COUNTY]])


class ReceiverScopedQuerySet(ScopedQuerySet):
    """A transfer is seen by the areas it lands in: a township sees what reached it and what it passed on to its
    villages (both land inside its code range); the county sees all."""

    area_path = "to_area_id"


def county_field(related_name="+"):
    return models.ForeignKey(
        "areas.Area", verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name=related_name
    )


class FundSource(models.Model):
    """A named line of money (资金来源): 中央财政专项扶贫资金（发展资金）, 省级财政专项扶贫资金, 统筹整合资金…, as
    the county keeps them."""

    county = county_field()
    name = models.CharField(_("资金名称"), max_length=80)
    level = models.CharField(_("资金级次"), max_length=10, choices=codes.FundLevel.choices)
    kind = models.CharField(_("资金性质"), max_length=12, choices=codes.FundKind.choices)
    line = models.CharField(_("资金项目（科目）"), max_length=80, blank=True, help_text=_("如：发展资金、以工代赈"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = CountyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["county_id", "level", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="funds_source_unique_name")]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.county_id


class Budget(models.Model):
    """A source's money for the county in a year (年度预算/下达指标), with the document that set it. The county's
    own budget (县级预算) is the base of the 双增长 figure; a transfer from above is a Budget of that source."""

    source = models.ForeignKey(FundSource, verbose_name=_("资金来源"), on_delete=models.PROTECT, related_name="budgets")
    county = county_field()
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = wan_field(_("金额（万元）"), validators=[MinValueValidator(0)])
    document_no = models.CharField(_("文号"), max_length=80, blank=True)
    document_date = models.DateField(_("下达日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = CountyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度资金预算")
        verbose_name_plural = _("年度资金预算")
        ordering = ["county_id", "-year", "source_id"]
        constraints = [models.UniqueConstraint(fields=["source", "year"], name="funds_budget_one_a_year")]
        indexes = [models.Index(fields=["county", "document_date"], name="funds_budget_county_date")]

    def __str__(self):
        return f"{self.year} {self.source}"

    @property
    def area_code(self) -> str:
        return self.county_id


class Batch(models.Model):
    """An allocation batch (第一批、第二批…) of a year: one document, its date, and its publication (allocation results
    are published within 15 working days, DOMAIN.md §5)."""

    county = county_field()
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("批次"), validators=[MinValueValidator(1)])
    title = models.CharField(_("批次名称"), max_length=120)
    document_no = models.CharField(_("文号"), max_length=80, blank=True)
    document_date = models.DateField(_("印发日期"))
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    published_where = models.CharField(_("公开载体"), max_length=120, blank=True, help_text=_("如：县政府门户网站"))
    published_days = models.PositiveSmallIntegerField(_("公开期限（天）"), null=True, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = CountyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金分配批次")
        verbose_name_plural = _("资金分配批次")
        ordering = ["county_id", "-year", "number"]
        constraints = [models.UniqueConstraint(fields=["county", "year", "number"], name="funds_batch_number")]

    def __str__(self):
        return self.title

    @property
    def area_code(self) -> str:
        return self.county_id


class BatchSource(models.Model):
    """What a batch's document declares for one source: its total (the document's figure, which its category lines
    should add up to; a difference is shown, never hidden) and the part of it already advanced in an earlier year
    (提前下达), which that year's budget carried. "Remaining for the next batch" is computed from these."""

    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="sources")
    source = models.ForeignKey(FundSource, verbose_name=_("资金来源"), on_delete=models.PROTECT, related_name="+")
    declared = wan_field(_("文件金额（万元）"), validators=[MinValueValidator(0)])
    advanced = wan_field(_("其中提前下达（万元）"), default=0, validators=[MinValueValidator(0)])
    advanced_year = models.PositiveSmallIntegerField(_("提前下达年度"), null=True, blank=True)

    class Meta:
        verbose_name = _("批次资金来源")
        verbose_name_plural = _("批次资金来源")
        ordering = ["batch_id", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "source"], name="funds_batch_source_once")]

    def __str__(self):
        return f"{self.batch} {self.source}"

    @property
    def area_code(self) -> str:
        return self.batch.county_id


class Transfer(models.Model):
    """Money moving down one level (资金下达): from a holder (the county itself; a department of the county; a
    township) to the next (a department, a township, a village), by source and category, in a batch or on its
    own document. The county's receipt from above is its Budget; a holder is an area plus, at the county, an
    optional department."""

    county = county_field()
    year = models.PositiveSmallIntegerField(_("资金年度"))
    kind = models.CharField(
        _("下达方式"), max_length=12, choices=codes.TransferKind.choices, default=codes.TransferKind.ALLOCATION
    )
    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    source = models.ForeignKey(FundSource, verbose_name=_("资金来源"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("资金用途"), max_length=16, choices=codes.UseCategory.choices)
    from_area = models.ForeignKey(
        "areas.Area", verbose_name=_("拨出单位（区划）"), on_delete=models.PROTECT, related_name="+"
    )
    from_department = models.CharField(_("拨出部门"), max_length=12, choices=codes.Department.choices, blank=True)
    to_area = models.ForeignKey(
        "areas.Area", verbose_name=_("接收单位（区划）"), on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.CharField(_("接收部门"), max_length=12, choices=codes.Department.choices, blank=True)
    amount = wan_field(_("金额（万元）"))
    on = models.DateField(_("下达日期"))
    document_no = models.CharField(_("文号"), max_length=80, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ReceiverScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金下达")
        verbose_name_plural = _("资金下达")
        ordering = ["county_id", "-on", "id"]
        indexes = [
            models.Index(fields=["to_area", "on"]),
            models.Index(fields=["from_area", "on"]),
            models.Index(fields=["county", "year"]),
            # the four-level ledger reads a county's (or a province's counties') transfers up to a date
            models.Index(fields=["county", "on"], name="funds_transfer_county_on"),
        ]

    def __str__(self):
        return f"{self.source} → {self.to_area_id} {self.amount}"

    @property
    def area_code(self) -> str:
        return self.to_area_id
