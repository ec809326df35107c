"""Spot checks (抽查): the checking teams, a sampling plan with its stored seed and population snapshot (so anyone can
redraw the same sample: services.sampling), one Check per sampled household assigned to a checker, and one result per
checklist item, a failed one optionally raising a problem. services.checks moves a check; nothing else writes it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet
from fupin.core.fields import user_field

from .. import codes
from .common import CountyScopedQuerySet, county_field
from .problems import Problem


class Team(models.Model):
    """A checking team: the phone team (电话抽查组), an undercover team (暗访组), an inspection group (督查组)."""

    county = county_field()
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=codes.TeamKind.choices)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), blank=True, related_name="supervision_teams"
    )
    active = models.BooleanField(_("在用"), default=True)

    objects = CountyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("抽查组")
        verbose_name_plural = _("抽查组")
        ordering = ["county_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="supervision_team_name")]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.county_id


class Plan(models.Model):
    """A sampling plan: households of `population` under `area`, `rate` of them (per township stratum where
    `stratified`), drawn with `seed` from the population snapshot (the sorted household ids, compressed: `snapshot`,
    its SHA-256 `population_digest`), checked on `items` by `team`."""

    county = county_field()
    name = models.CharField(_("抽查名称"), max_length=80)
    area = models.ForeignKey("areas.Area", verbose_name=_("抽查范围"), on_delete=models.PROTECT, related_name="+")
    population = models.CharField(_("抽查对象"), max_length=10, choices=codes.Population.choices)
    rate = models.DecimalField(_("抽样比例"), max_digits=6, decimal_places=4, help_text=_("如 0.0200 即 2%"))
    stratified = models.BooleanField(_("按乡镇分层"), default=False)
    items = models.JSONField(_("抽查项目"), default=list, help_text=_("codes.CheckItem 的代码列表"))
    team = models.ForeignKey(
        Team, verbose_name=_("抽查组"), null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    status = models.CharField(_("状态"), max_length=8, choices=codes.PlanStatus.choices, default=codes.PlanStatus.DRAFT)
    seed = models.BigIntegerField(_("随机种子"), null=True, blank=True)
    drawn_on = models.DateField(_("抽样日期"), null=True, blank=True)
    drawn_by = user_field(_("抽样人"))
    population_size = models.PositiveIntegerField(_("总体户数"), null=True, blank=True)
    population_digest = models.CharField(_("总体快照摘要"), max_length=64, blank=True)
    snapshot = models.BinaryField(_("总体快照"), null=True, blank=True, editable=False)
    sample_size = models.PositiveIntegerField(_("样本户数"), null=True, blank=True)
    created_by = user_field(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CountyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        ordering = ["county_id", "-created_at", "id"]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.county_id


class CheckScopedQuerySet(ScopedQuerySet):
    """A check is seen in the village of its household and above (a checker's own: services.checks.for_checker)."""

    area_path = "household__village_id"


class Check(models.Model):
    """One sampled household of a plan: its stratum (township code), its place in the draw, its checker and result."""

    plan = models.ForeignKey(Plan, verbose_name=_("抽查计划"), on_delete=models.CASCADE, related_name="checks")
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="supervision_checks"
    )
    stratum = models.CharField(_("分层（乡镇）"), max_length=12, blank=True)
    order = models.PositiveIntegerField(_("抽中顺序"))
    checker = user_field(_("抽查人"))
    status = models.CharField(
        _("状态"), max_length=12, choices=codes.CheckStatus.choices, default=codes.CheckStatus.ASSIGNED
    )
    checked_at = models.DateTimeField(_("抽查时间"), null=True, blank=True)
    note = models.TextField(_("抽查说明"), blank=True)
    client_id = models.UUIDField(_("客户端编号"), null=True, blank=True, unique=True, editable=False)

    objects = CheckScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("抽查户")
        verbose_name_plural = _("抽查户")
        ordering = ["plan_id", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "household"], name="supervision_check_household")]
        indexes = [models.Index(fields=["checker", "status"])]

    def __str__(self):
        return f"{self.plan_id}-{self.order}"

    @property
    def area_code(self) -> str:
        return self.household.village_id


class OfCheckScopedQuerySet(ScopedQuerySet):
    area_path = "check_row__household__village_id"


class CheckResult(models.Model):
    """One checklist item of a check: pass, fail (an error, or not satisfied) or not applicable."""

    check_row = models.ForeignKey(Check, verbose_name=_("抽查户"), on_delete=models.CASCADE, related_name="results")
    item = models.CharField(_("抽查项目"), max_length=12, choices=codes.CheckItem.choices)
    outcome = models.CharField(_("结果"), max_length=4, choices=codes.Outcome.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    problem = models.ForeignKey(
        Problem, verbose_name=_("生成的问题"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OfCheckScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("抽查结果")
        verbose_name_plural = _("抽查结果")
        ordering = ["check_row_id", "item"]
        constraints = [models.UniqueConstraint(fields=["check_row", "item"], name="supervision_result_item")]

    @property
    def area_code(self) -> str:
        return self.check_row.household.village_id
