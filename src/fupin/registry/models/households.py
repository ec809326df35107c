"""Households, members, yearly income accounts, living conditions and status events.

The per-capita net income is a generated column: it is computed by the database from the components and
can never be typed in. A household's status changes only through status events (see services.record_event),
so any statistic can be computed as of a date from the events alone. What each field may hold (formats, ranges)
is registry.values, applied by full_clean() through the FieldRules mixin.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet

from .. import codes
from ..values import FieldRules


def recorded_by_field():
    """Who recorded an event (a status, member or village event): kept when the user is deleted, as NULL."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class HouseholdQuerySet(ScopedQuerySet):
    area_path = "village_id"


class HouseholdPartQuerySet(ScopedQuerySet):
    """Members, incomes, conditions and events are scoped through their household's village."""

    area_path = "household__village_id"


class Household(codes.CodeLabels, FieldRules, models.Model):
    number = models.CharField(_("户编号"), max_length=24, unique=True)
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="households"
    )
    group_name = models.CharField(_("村民小组"), max_length=30, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=40)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_account = models.CharField(_("开户银行账号"), max_length=32, blank=True)
    address = models.CharField(_("住址"), max_length=120, blank=True)
    household_type = models.CharField(
        _("户类型"), max_length=1, choices=codes.HouseholdType.choices, default=codes.HouseholdType.ORDINARY
    )
    status = models.CharField(
        _("当前状态"), max_length=20, choices=codes.Status.choices, default=codes.Status.ORDINARY, editable=False
    )
    monitoring_category = models.CharField(
        _("监测对象类别"), max_length=1, choices=codes.MonitoringCategory.choices, blank=True
    )
    poverty_cause = models.CharField(_("主要致贫原因"), max_length=2, choices=codes.PovertyCause.choices, blank=True)
    risk_type = models.CharField(_("主要返贫致贫风险"), max_length=4, choices=codes.RiskType.choices, blank=True)
    first_identified_on = models.DateField(_("首次识别时间"), null=True, blank=True)
    risk_identified_on = models.DateField(_("风险识别时间"), null=True, blank=True)
    risk_level = models.PositiveSmallIntegerField(
        _("致贫/返贫风险等级"), null=True, blank=True, choices=[(i, str(i)) for i in range(1, 6)]
    )
    risk_eliminated = models.BooleanField(_("风险是否已消除"), default=False)
    risk_eliminated_on = models.DateField(_("风险消除时间"), null=True, blank=True)
    risk_elimination_way = models.CharField(
        _("风险消除方式"), max_length=1, choices=codes.RiskEliminationWay.choices, blank=True
    )
    relocated = models.BooleanField(_("易地扶贫搬迁户"), default=False)
    no_labour_household = models.BooleanField(_("整户无劳动能力兜底"), default=False)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        ordering = ["number"]
        indexes = [
            models.Index(fields=["village", "number"]),
            models.Index(fields=["status", "village"]),
            models.Index(fields=["head_name"]),
        ]

    def __str__(self):
        return f"{self.number} {self.head_name}"

    @property
    def area_code(self) -> str:
        return self.village_id


class Member(codes.CodeLabels, FieldRules, models.Model):
    household = models.ForeignKey(Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=40)
    sex = models.CharField(_("性别"), max_length=1, choices=codes.Sex.choices)
    id_type = models.CharField(_("证件类型"), max_length=1, choices=codes.IdType.choices, default=codes.IdType.RESIDENT)
    id_number = models.CharField(_("证件号码"), max_length=22, db_index=True)
    birth_date = models.DateField(_("出生日期"))
    relation = models.CharField(_("与户主关系"), max_length=2, choices=codes.Relation.choices)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=codes.Ethnicity.choices, default=codes.Ethnicity.HAN)
    education = models.CharField(_("文化程度"), max_length=1, choices=codes.Education.choices, blank=True)
    school_status = models.CharField(
        _("在校生状况"), max_length=1, choices=codes.SchoolStatus.choices, default=codes.SchoolStatus.NOT_STUDENT
    )
    health = models.CharField(_("健康状况"), max_length=2, choices=codes.Health.choices, default=codes.Health.HEALTHY)
    labour_capacity = models.CharField(
        _("劳动技能"), max_length=2, choices=codes.LabourCapacity.choices, default=codes.LabourCapacity.ORDINARY
    )
    work_place = models.CharField(_("务工地点"), max_length=60, blank=True)
    work_months = models.PositiveSmallIntegerField(_("务工时间（月）"), default=0)
    public_job_months = models.PositiveSmallIntegerField(_("公益性岗位（月）"), default=0)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    basic_medical_insured = models.BooleanField(_("参加城乡居民基本医疗保险"), default=True)
    serious_illness_insured = models.BooleanField(_("参加大病保险"), default=True)
    pension_insured = models.BooleanField(_("参加城乡居民基本养老保险"), default=False)
    dibao = models.BooleanField(_("享受低保"), default=False)
    tekun = models.BooleanField(_("特困供养"), default=False)
    disability_cert = models.CharField(_("残疾证号"), max_length=22, blank=True)
    disability_level = models.PositiveSmallIntegerField(
        _("残疾等级"), null=True, blank=True, choices=[(i, str(i)) for i in range(1, 5)]
    )
    #: when the member came into and left the household, kept in step with their member events by
    #: services.sync_member_dates (and the import): joined_on is the date of the latest event that brought them in,
    #: left_on the date of the latest that took them out when that is their last event (NULL: no event says, i.e.
    #: a member since before the records / still in it); persons as of a date count the members then
    joined_on = models.DateField(_("入户日期"), null=True, blank=True, editable=False)
    left_on = models.DateField(_("离户日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "relation", "birth_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "id_number"],
                name="member_id_once_per_household",
                violation_error_message=_("同一证件号码在本户已登记"),
            ),
            models.CheckConstraint(
                condition=Q(work_months__lte=12),
                name="member_work_months_le_12",
                violation_error_message=_("务工时间不能超过12个月"),
            ),
            models.CheckConstraint(
                condition=Q(public_job_months__lte=12),
                name="member_public_job_months_le_12",
                violation_error_message=_("公益性岗位时间不能超过12个月"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.household.village_id

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


def _money(verbose):
    return models.DecimalField(verbose, max_digits=12, decimal_places=2, default=Decimal("0"))


INCOME_COMPONENTS = (
    "wage_income",
    "business_income",
    "property_income",
    "pension_income",
    "family_planning_income",
    "eco_compensation_income",
    "dibao_income",
    "tekun_income",
    "other_transfer_income",
)
TRANSFER_COMPONENTS = INCOME_COMPONENTS[3:]
#: a year's living conditions (LivingConditions), in the order the pages, the API and the exports show them
CONDITION_FIELDS = (
    "housing_safety",
    "safe_drinking_water",
    "electricity",
    "road_type",
    "farmland_mu",
    "cooperative_member",
    "food_clothing_secure",
)


def _net_income_expression():
    total = F(INCOME_COMPONENTS[0])
    for name in INCOME_COMPONENTS[1:]:
        total = total + F(name)
    return total - F("business_expense")


class PerCapita(Func):
    """net ÷ persons rounded half away from zero to the fen, identically on PostgreSQL and SQLite.

    SQLite would divide whole yuan as integers, so there the division is done on cents as REAL: the
    quotient of two small integers is exact wherever it is a half, so the rounding matches numeric.
    """

    arity = 2
    output_field = models.DecimalField(max_digits=14, decimal_places=2)

    template = "ROUND((%(net)s) / (%(persons)s), 2)"
    sqlite_template = "(ROUND(ROUND((%(net)s) * 100) / CAST((%(persons)s) AS REAL)) / 100.0)"

    def as_sql(self, compiler, connection, template=None, **extra):
        (net, net_params), (persons, persons_params) = (compiler.compile(e) for e in self.source_expressions)
        return (template or self.template) % {"net": net, "persons": persons}, (*net_params, *persons_params)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.sqlite_template)


class IncomeAccount(codes.CodeLabels, FieldRules, models.Model):
    """One household's income for one year (收入台账, "算清账").

    人均纯收入 = (工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出) ÷ 家庭人口数, computed by the database.
    """

    household = models.ForeignKey(Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("年度"))
    persons = models.PositiveSmallIntegerField(_("家庭人口数"))
    wage_income = _money(_("工资性收入（含公益性岗位）"))
    business_income = _money(_("生产经营性收入"))
    property_income = _money(_("财产性收入（含资产收益分红）"))
    pension_income = _money(_("养老金"))
    family_planning_income = _money(_("计划生育金"))
    eco_compensation_income = _money(_("生态补偿金"))
    dibao_income = _money(_("低保金"))
    tekun_income = _money(_("特困供养金"))
    other_transfer_income = _money(_("其他转移性收入"))
    business_expense = _money(_("生产经营性支出"))
    compliant_out_of_pocket = _money(_("合规自付支出"))
    insurance_claims = _money(_("理赔收入"))
    net_income = models.GeneratedField(
        verbose_name=_("家庭纯收入"),
        expression=_net_income_expression(),
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
        db_persist=True,
    )
    per_capita_net_income = models.GeneratedField(
        verbose_name=_("人均纯收入"),
        expression=PerCapita(_net_income_expression(), F("persons")),
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
        db_persist=True,
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now=True)

    objects = HouseholdPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("收入台账")
        verbose_name_plural = _("收入台账")
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                name="income_once_per_household_year",
                violation_error_message=_("该户本年度收入台账已存在"),
            ),
            models.CheckConstraint(
                condition=Q(persons__gte=1),
                name="income_persons_at_least_one",
                violation_error_message=_("家庭人口数至少为1"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2010, year__lte=2100),
                name="income_year_plausible",
                violation_error_message=_("年度应在2010至2100之间"),
            ),
        ]

    def __str__(self):
        return f"{self.household_id} {self.year}"

    @property
    def area_code(self) -> str:
        return self.household.village_id

    @property
    def transfer_income(self) -> Decimal:
        return sum((getattr(self, name) for name in TRANSFER_COMPONENTS), Decimal("0"))


class LivingConditions(codes.CodeLabels, FieldRules, models.Model):
    """Yearly survey of the household's housing, water and other conditions (两不愁三保障及饮水安全)."""

    household = models.ForeignKey(
        Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="conditions"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    housing_safety = models.CharField(
        _("住房安全"), max_length=1, choices=codes.HousingSafety.choices, default=codes.HousingSafety.SAFE
    )
    safe_drinking_water = models.BooleanField(_("饮水安全"), default=True)
    electricity = models.BooleanField(_("通生活用电"), default=True)
    road_type = models.CharField(
        _("入户路类型"), max_length=1, choices=codes.RoadType.choices, default=codes.RoadType.HARDENED
    )
    farmland_mu = models.DecimalField(_("耕地面积（亩）"), max_digits=8, decimal_places=2, default=Decimal("0"))
    cooperative_member = models.BooleanField(_("加入农民专业合作社"), default=False)
    food_clothing_secure = models.BooleanField(_("不愁吃、不愁穿"), default=True)

    objects = HouseholdPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("生产生活条件")
        verbose_name_plural = _("生产生活条件")
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                name="conditions_once_per_household_year",
                violation_error_message=_("该户本年度生产生活条件已存在"),
            )
        ]

    @property
    def area_code(self) -> str:
        return self.household.village_id

    @property
    def housing_unsafe(self) -> bool:
        return self.housing_safety != codes.HousingSafety.SAFE


class StatusEvent(codes.CodeLabels, FieldRules, models.Model):
    household = models.ForeignKey(Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=codes.EventKind.choices)
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因/依据"), max_length=200, blank=True)
    approver = models.CharField(_("审批人/审批单位"), max_length=60, blank=True)
    monitoring_category = models.CharField(
        _("监测对象类别"), max_length=1, choices=codes.MonitoringCategory.choices, blank=True
    )
    risk_type = models.CharField(_("风险类型"), max_length=4, choices=codes.RiskType.choices, blank=True)
    elimination_way = models.CharField(
        _("消除方式"), max_length=1, choices=codes.RiskEliminationWay.choices, blank=True
    )
    #: the source gave only a year: the date is the convention date of that year (docs/domain.md), not the real one
    approximate = models.BooleanField(_("日期为约定日期"), default=False)
    recorded_by = recorded_by_field()
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = HouseholdPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["household_id", "date", "id"]
        indexes = [models.Index(fields=["household", "date"]), models.Index(fields=["kind", "date"])]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    @property
    def area_code(self) -> str:
        return self.household.village_id


class MemberEvent(codes.CodeLabels, FieldRules, models.Model):
    """A member coming into or leaving a household, dated (出生、死亡、迁入迁出、婚嫁、分户合户). The member's
    joined_on/left_on follow from these, so persons as of a past date count that date's members."""

    household = models.ForeignKey(
        Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="member_events"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("成员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    id_number = models.CharField(_("证件号码"), max_length=22)
    name = models.CharField(_("姓名"), max_length=40, blank=True)
    kind = models.CharField(_("变动类型"), max_length=12, choices=codes.MemberEventKind.choices)
    date = models.DateField(_("日期"))
    approximate = models.BooleanField(_("日期为约定日期"), default=False)
    other_household = models.CharField(_("迁出/迁入户编号"), max_length=24, blank=True)
    reason = models.CharField(_("原因/依据"), max_length=200, blank=True)
    recorded_by = recorded_by_field()
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = HouseholdPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员变动")
        verbose_name_plural = _("成员变动")
        ordering = ["household_id", "date", "id"]
        indexes = [models.Index(fields=["household", "date"]), models.Index(fields=["id_number", "date"])]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"

    @property
    def area_code(self) -> str:
        return self.household.village_id
