"""Assessments: runs, one decision per household (or per village / county), the village checklist, and the
per-household profile that makes a whole-registry assessment fast.

A decision keeps what it was judged on — the pack snapshot on its run, the feature values on itself, each rule's
result — so `services.explain` can show it in Chinese years later and re-check it with the Python evaluator.

Foreign keys of the bulk tables (profile, decisions) carry no database constraint and no index of their own: rows
are written by INSERT … SELECT from the household table itself, millions at a time, where a per-row constraint
check (deferred to commit on PostgreSQL) cost more than the insert (docs/decisions/0002-policy-evaluation.md).
Django still cascades deletes of households to them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet

from .features import FEATURES, FeatureType


class Kind(models.TextChoices):
    """What an assessment decides. Household kinds evaluate the pack's rules; village and county exit compute
    incidence (and the village checklist) from the registry."""

    EXIT = "exit", _("贫困户退出")
    MONITORING = "monitoring", _("监测对象识别")
    RISK_ELIMINATION = "risk_elimination", _("风险消除")
    DATA_CHECK = "data_check", _("数据质量核查")
    VILLAGE_EXIT = "village_exit", _("贫困村退出")
    COUNTY_EXIT = "county_exit", _("贫困县退出")


HOUSEHOLD_KINDS = (Kind.EXIT, Kind.MONITORING, Kind.RISK_ELIMINATION, Kind.DATA_CHECK)
AREA_KINDS = (Kind.VILLAGE_EXIT, Kind.COUNTY_EXIT)


class HouseholdProfile(models.Model):
    """Everything a whole-registry assessment reads, one narrow row per household: the household fields the
    features use, member counts, status-event facts (and the status they give), and the income accounts of the
    profile's year and the year before with that year's living conditions. Denormalised so that an assessment
    reads one row per household by its key instead of aggregating ten million member rows, probing the wide income
    table twice and reading the wide household row (docs/decisions/0002-policy-evaluation.md has the measurements).

    Kept fresh by `compute.py`: signals refresh one household when the services save or delete a household, a
    member, an event, an income account or a living-conditions survey; the importer sends
    `registry.signals.households_changed` for the rows it updates in bulk; rows added by bulk loads (ids above
    `ProfileState`'s watermarks) are caught before every assessment.
    """

    #: the household's own id: an integer primary key is SQLite's rowid, found in one B-tree probe (a separate
    #: unique key costs a second one per household)
    id = models.BigAutoField(primary_key=True)
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="policy_profiles",
        verbose_name=_("农户"),
    )
    members = models.PositiveIntegerField(_("家庭人口数"), default=0)
    members_with_labour = models.PositiveIntegerField(_("有劳动能力人数"), default=0)
    members_weak_labour = models.PositiveIntegerField(_("弱劳动力人数"), default=0)
    members_without_labour = models.PositiveIntegerField(_("无劳动能力人数"), default=0)
    uninsured_members = models.PositiveIntegerField(_("未参加基本医保人数"), default=0)
    latest_unschooled_birth = models.DateField(
        _("最年轻的不在校成员的出生日期"), null=True, help_text=_("在校生状况为非在校生或失学辍学的成员中")
    )
    dibao_members = models.PositiveIntegerField(_("享受低保人数"), default=0)
    tekun_members = models.PositiveIntegerField(_("特困供养人数"), default=0)
    seriously_ill_members = models.PositiveIntegerField(_("大病人数"), default=0)
    disabled_members = models.PositiveIntegerField(_("残疾人数"), default=0)
    identified_on = models.DateField(_("首次识别事件日期"), null=True)
    monitored_on = models.DateField(_("最近纳入监测日期"), null=True)
    monitored_category = models.CharField(_("最近纳入监测类别"), max_length=1, blank=True)
    last_kind = models.CharField(_("最近状态事件"), max_length=20, blank=True)
    status = models.CharField(_("当前状态"), max_length=20, blank=True)
    first_poor_on = models.DateField(
        _("最早识别为贫困户日期"), null=True, help_text=_("识别事件与户表首次识别时间中较早者")
    )
    household_type = models.CharField(_("户类型"), max_length=1, blank=True)
    risk_type = models.CharField(_("主要返贫致贫风险"), max_length=4, blank=True)
    no_labour_household = models.BooleanField(_("整户无劳动能力兜底"), null=True)
    relocated = models.BooleanField(_("易地扶贫搬迁户"), null=True)
    first_identified_on = models.DateField(_("户表首次识别时间"), null=True)
    per_capita_income = models.FloatField(_("人均纯收入（汇总年度）"), null=True)
    net_income = models.FloatField(_("家庭纯收入（汇总年度）"), null=True)
    out_of_pocket = models.FloatField(_("合规自付支出（汇总年度）"), null=True)
    per_capita_income_prev = models.FloatField(_("上年人均纯收入"), null=True)
    net_income_prev = models.FloatField(_("上年家庭纯收入"), null=True)
    # NULL (no record for the year) as in the fields around it; changing it would need a migration
    housing_safety = models.CharField(_("住房安全等级（汇总年度）"), max_length=1, null=True)  # noqa: DJ001
    safe_drinking_water = models.BooleanField(_("饮水安全（汇总年度）"), null=True)
    food_clothing_secure = models.BooleanField(_("不愁吃穿（汇总年度）"), null=True)

    class Meta:
        verbose_name = _("农户汇总（评估用）")
        verbose_name_plural = _("农户汇总（评估用）")


class ProfileState(models.Model):
    """The profile's year and how far it has read each registry table (one row). An assessment of the profile's
    year reads the profile alone; of an earlier year, the income tables; of a later one, it moves the profile to
    that year first (a county assesses forward, year after year)."""

    year = models.PositiveSmallIntegerField(_("汇总年度"), null=True)
    household_id = models.BigIntegerField(_("已汇总的最大农户编号"), default=0)
    member_id = models.BigIntegerField(_("已汇总的最大成员编号"), default=0)
    event_id = models.BigIntegerField(_("已汇总的最大事件编号"), default=0)
    income_id = models.BigIntegerField(_("已汇总的最大收入台账编号"), default=0)
    conditions_id = models.BigIntegerField(_("已汇总的最大生产生活条件编号"), default=0)

    class Meta:
        verbose_name = _("农户汇总状态")
        verbose_name_plural = _("农户汇总状态")


class RunQuerySet(ScopedQuerySet):
    area_path = "area_code"


class AssessmentRun(models.Model):
    """One assessment: which pack (id, content version and the whole resolved content), what kind, as of when,
    over which area, by whom, and the counts it found."""

    kind = models.CharField(_("评估类型"), max_length=20, choices=Kind.choices)
    pack_id = models.CharField(_("标准包"), max_length=120)
    pack_version = models.CharField(_("标准包版本"), max_length=16)
    pack = models.JSONField(_("标准包内容"), help_text=_("评估时的线、参数、选项与规则全文"))
    rule_ids = models.JSONField(_("规则顺序"), default=list, help_text=_("决定中逐条结果的顺序"))
    year = models.PositiveSmallIntegerField(_("收入年度"))
    as_of = models.DateField(_("评估基准日"))
    area_code = models.CharField(_("评估范围（区划代码前缀）"), max_length=15, blank=True)
    area_name = models.CharField(_("评估范围"), max_length=120, blank=True)
    single = models.BooleanField(_("单户即时评估"), default=False)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("所评估的农户"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy_single_runs",
        help_text=_("单户即时评估时为该户，便于在农户页面找到"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评估人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    engine = models.CharField(_("计算引擎"), max_length=20, blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    households = models.PositiveIntegerField(_("评估户数"), default=0)
    persons = models.PositiveIntegerField(_("评估人数"), default=0)
    passed = models.PositiveIntegerField(_("符合户数"), default=0)
    passed_persons = models.PositiveIntegerField(_("符合人数"), default=0)
    unknown = models.PositiveIntegerField(_("无法判断户数"), default=0)
    counts = models.JSONField(_("分类统计"), default=dict)
    note = models.TextField(_("说明"), blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估批次")
        verbose_name_plural = _("评估批次")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "area_code", "single"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pack_id} {self.as_of}"


class DecisionQuerySet(ScopedQuerySet):
    area_path = "household__village_id"


def _feature_field(feature):
    label = feature.label
    if feature.type is FeatureType.NUMBER:
        return models.FloatField(label, null=True)
    if feature.type is FeatureType.INTEGER:
        return models.BigIntegerField(label, null=True)
    if feature.type is FeatureType.BOOLEAN:
        return models.BooleanField(label, null=True)
    return models.CharField(label, max_length=max(len(choice) for choice in feature.choices), null=True)


#: a decision's key is run id × 2**32 + household id (decision_key): household ids stay below 2**32
HOUSEHOLD_ID_BITS = 32


def decision_key(run_id: int, household_id: int) -> int:
    if not 0 < household_id < 2**HOUSEHOLD_ID_BITS:
        raise ValueError(f"household id {household_id} does not fit a decision key")
    return (run_id << HOUSEHOLD_ID_BITS) | household_id


def run_keys(run_id: int) -> tuple[int, int]:
    """The half-open key range of a run's decisions."""
    return run_id << HOUSEHOLD_ID_BITS, (run_id + 1) << HOUSEHOLD_ID_BITS


class DecisionKey(models.BigIntegerField):
    """A 64-bit key declared INTEGER on SQLite, so that it is the table's rowid (a B-tree of its own otherwise)."""

    def db_type(self, connection):
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class HouseholdDecision(models.Model):
    """One household's decision in a run. `results` holds each rule's result in `run.rule_ids` order as base-3
    digits (rule i is digit i: 1 met, 0 not met, 2 unknown because a value was missing) — an integer, which SQLite
    builds far faster than a string (evaluation.decode_results reads it). The feature columns are named as in the
    catalogue and hold the values the rules and explanation templates of the run's kind read (the others stay empty).

    The key is run id × 2**32 + household id (`decision_key`): finding a household's decision in a run is one probe
    of the primary key, a run's decisions are one key range, and writing them needs no other index — a run's
    millions of rows are appended in key order (on SQLite the key is the rowid itself). Measured: a second index
    on (run, household) doubled the time SQLite takes to write them. Neither foreign key has an index or a
    database constraint: decisions are history, deleting a household keeps them (lists join the households that
    exist), and a run's rows are deleted by their key range (signals.py)."""

    id = DecisionKey(primary_key=True, editable=False)
    run = models.ForeignKey(
        AssessmentRun,
        verbose_name=_("评估批次"),
        on_delete=models.DO_NOTHING,
        related_name="decisions",
        db_constraint=False,
        db_index=False,
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("农户"),
        on_delete=models.DO_NOTHING,
        related_name="policy_decisions",
        db_constraint=False,
        db_index=False,
    )
    outcome = models.BooleanField(_("结论"), null=True, help_text=_("空：缺少数据无法判断"))
    category = models.CharField(_("监测对象类别"), max_length=1, blank=True)
    results = models.BigIntegerField(_("逐条结果"), default=0)
    persons = models.PositiveIntegerField(_("人数"), default=0)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("农户评估结论")
        verbose_name_plural = _("农户评估结论")


_RESERVED = {field.name for field in HouseholdDecision._meta.local_fields} | {
    "pk",
    "run_id",
    "household_id",
    "decisions",
}
assert not _RESERVED & set(FEATURES), f"feature names clash with decision fields: {_RESERVED & set(FEATURES)}"
for _name, _feature in FEATURES.items():
    HouseholdDecision.add_to_class(_name, _feature_field(_feature))


class AreaDecisionQuerySet(ScopedQuerySet):
    area_path = "area_id"


class AreaDecision(models.Model):
    """A village's or county's exit decision: incidence against the pack's threshold, and for a village the
    checklist of facilities. `outcome` is empty where a criterion cannot be judged yet (see `note`)."""

    run = models.ForeignKey(
        AssessmentRun, verbose_name=_("评估批次"), on_delete=models.CASCADE, related_name="area_decisions"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("区划"), on_delete=models.CASCADE, related_name="+")
    outcome = models.BooleanField(_("结论"), null=True)
    poor_persons = models.PositiveIntegerField(_("贫困人口"), default=0)
    population = models.PositiveIntegerField(_("农村户籍人口"), null=True)
    population_source = models.CharField(_("人口口径"), max_length=60, blank=True)
    incidence = models.FloatField(_("贫困发生率"), null=True)
    threshold = models.FloatField(_("贫困发生率标准"))
    incidence_met = models.BooleanField(_("贫困发生率达标"), null=True)
    checklist = models.JSONField(_("基础设施和公共服务"), default=dict, help_text=_("项目 → 是否达标（空为未调查）"))
    estimates = models.JSONField(
        _("抽查估计"), default=dict, blank=True, help_text=_("县退出：错退率、漏评率、群众认可度及其置信区间")
    )
    note = models.TextField(_("说明"), blank=True)

    objects = AreaDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("村/县退出评估结论")
        verbose_name_plural = _("村/县退出评估结论")
        ordering = ["run", "area"]
        constraints = [models.UniqueConstraint(fields=["run", "area"], name="area_decision_once_per_run")]


class UploadedPack(models.Model):
    """A policy pack a county uploaded in the admin: the YAML text as uploaded, kept for good, one row a version.

    Each upload of the same pack id is its next version; the highest active version of an id is the one in force
    (`policy.services.packs`), so switching a version off goes back to the one before. Runs judged with it keep
    the whole resolved pack and its origin ("上传第 N 版") in their snapshot."""

    pack_id = models.CharField(_("标准包 id"), max_length=60)
    version = models.PositiveIntegerField(_("版本"))
    region = models.CharField(_("地区"), max_length=6)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200, blank=True)
    file_name = models.CharField(_("上传的文件名"), max_length=200)
    text = models.TextField(_("标准包全文（YAML）"))
    digest = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    active = models.BooleanField(_("启用"), default=True, help_text=_("同一 id 取启用的最高版本"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("上传的标准包")
        verbose_name_plural = _("上传的标准包")
        ordering = ["pack_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["pack_id", "version"], name="uploaded_pack_version_once")]

    def __str__(self):
        return _("%(pack)s 第 %(version)s 版") % {"pack": self.pack_id, "version": self.version}


class JobQuerySet(ScopedQuerySet):
    area_path = "area_code"


class AssessmentJob(models.Model):
    """An assessment started from the web: what was asked (kind, pack, date, area), by whom, and what became of it.
    It outlives a failed run (whose row is removed with its decisions), so the runs list can say it failed and why.
    Its progress while it runs is a small file (services.jobs), since the run's own rows are inside its transaction."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在评估")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("评估类型"), max_length=20, choices=Kind.choices)
    pack_id = models.CharField(_("标准包"), max_length=120, help_text=_("空：按区划和年度自动选取"), blank=True)
    as_of = models.DateField(_("评估基准日"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("评估的区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(_("评估范围（区划代码前缀）"), max_length=15, blank=True)
    area_name = models.CharField(_("评估范围"), max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评估人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(_("说明"), blank=True)
    run = models.ForeignKey(
        AssessmentRun, verbose_name=_("评估批次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估任务")
        verbose_name_plural = _("评估任务")
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
