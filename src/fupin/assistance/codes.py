"""Code lists of assistance: units and cadres, the village's assistance set, responsible-person roles, measures and
their kinds, relocation and training. Services and forms read these tables; nothing else lists them.

Which fields each measure kind carries is data too (MEASURE_KIND_FIELDS): the service checks a measure against it
and the form shows only its kind's fields."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """帮扶单位: who sends the cadres (seed 000: departments, enterprises, social organisations, east–west partners)."""

    DEPARTMENT = "department", _("党政机关/事业单位")
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL = "social", _("社会组织")
    EAST_WEST = "east_west", _("东西部协作单位")
    OTHER = "other", _("其他")


class CadreLevel(models.TextChoices):
    """帮扶干部的职级: a county leader heads a key village (seed 002), every salaried cadre pairs with households."""

    COUNTY = "county", _("县级干部")
    SECTION = "section", _("科级干部")
    STAFF = "staff", _("一般干部")
    VILLAGE = "village", _("村组干部")
    OTHER = "other", _("其他人员")


class SetPart(models.TextChoices):
    """The village's assistance set: poor villages' 五个一, other villages' 三个一 (seed 004; DOMAIN.md §8)."""

    CONTACT_LEADER = "contact_leader", _("联系领导")
    UNIT = "unit", _("帮扶单位")
    TEAM = "team", _("驻村工作队")
    FIRST_SECRETARY = "first_secretary", _("第一书记")
    AGRONOMIST = "agronomist", _("农技员")


#: the parts a village must have: 五个一 for a registered poor village, 三个一 for the others
FIVE_SET = (SetPart.CONTACT_LEADER, SetPart.UNIT, SetPart.TEAM, SetPart.FIRST_SECRETARY, SetPart.AGRONOMIST)
THREE_SET = (SetPart.CONTACT_LEADER, SetPart.UNIT, SetPart.TEAM)


@dataclass(frozen=True)
class DefaultRole:
    """A responsible-person role a county starts with (ResponsibleRole rows replace these), and where the cadre
    assigned on entering monitoring comes from."""

    code: str
    name: str
    default_from: str  # a DefaultFrom value


class DefaultFrom(models.TextChoices):
    """Whom a role falls to when a household enters monitoring (changed later with a record)."""

    PAIRED = "paired", _("结对帮扶干部")
    FIRST_SECRETARY = "first_secretary", _("村第一书记")
    CONTACT_LEADER = "contact_leader", _("村联系领导")
    TEAM_LEADER = "team_leader", _("驻村工作队队长")
    NONE = "none", _("不自动指定")


#: seed 000's three responsible persons on every unstable and marginal household; which cadre each falls to by
#: default is this system's choice (unconfirmed: a county sets its own in the admin)
DEFAULT_RESPONSIBLE_ROLES = (
    DefaultRole("battle", "决战帮扶责任人", DefaultFrom.FIRST_SECRETARY),
    DefaultRole("policy", "政策保障责任人", DefaultFrom.CONTACT_LEADER),
    DefaultRole("household", "包户帮扶责任人", DefaultFrom.PAIRED),
)


class MeasureCategory(models.TextChoices):
    """帮扶措施类别 (DOMAIN.md §2)."""

    INDUSTRY = "01", _("产业帮扶")
    EMPLOYMENT = "02", _("就业帮扶")
    FINANCE = "03", _("金融帮扶")
    PUBLIC_POST = "04", _("公益岗位帮扶")
    HOUSING = "05", _("住房安全保障")
    WATER = "06", _("饮水安全保障")
    HEALTH = "07", _("健康帮扶")
    COMPULSORY_EDUCATION = "08", _("义务教育保障")
    OTHER_EDUCATION = "09", _("其他教育帮扶")
    SOCIAL_SECURITY = "10", _("综合保障")
    SOCIAL = "11", _("社会帮扶")
    RELOCATION = "12", _("易地搬迁")
    LIVING_CONDITIONS = "13", _("生产生活条件改善")
    INFRASTRUCTURE = "14", _("基础设施建设")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PLACE = "in_place", _("已落实")
    ENDED = "ended", _("已结束")


class MeasureKind(models.TextChoices):
    """Measures whose kind carries its own fields (MEASURE_KIND_FIELDS); the others are GENERAL."""

    GENERAL = "general", _("一般措施")
    MICRO_LOAN = "micro_loan", _("扶贫小额信贷")
    PUBLIC_POST = "public_post", _("公益性岗位")
    EDUCATION_AID = "education_aid", _("教育资助")
    STANDARD_SUBSIDY = "standard_subsidy", _("按标准发放的补贴")


#: the fields each kind must fill (besides the common ones) and the category it belongs to (None: any)
MEASURE_KIND_FIELDS = {
    MeasureKind.GENERAL: ((), None),
    MeasureKind.MICRO_LOAN: (
        ("loan_amount", "loan_date", "loan_term_months", "loan_interest_subsidy", "loan_balance"),
        MeasureCategory.FINANCE,
    ),
    MeasureKind.PUBLIC_POST: (("post_type", "post_months", "post_monthly_pay"), MeasureCategory.PUBLIC_POST),
    MeasureKind.EDUCATION_AID: (("member", "education_stage"), None),
    MeasureKind.STANDARD_SUBSIDY: (("standard_code", "standard_level", "standard_monthly"), None),
}

#: the kind-specific fields of every kind: a measure of one kind leaves the others' empty
KIND_SPECIFIC_FIELDS = tuple(
    sorted({name for fields, _category in MEASURE_KIND_FIELDS.values() for name in fields if name != "member"})
)


class PostType(models.TextChoices):
    """公益性岗位的类型."""

    CLEANER = "cleaner", _("保洁员")
    ROAD = "road", _("护路员")
    FOREST = "forest", _("护林员/生态护林员")
    WATER = "water", _("水管员")
    SECURITY = "security", _("治安协管员")
    CARE = "care", _("养老/助残服务员")
    OTHER = "other", _("其他岗位")


class EducationStage(models.TextChoices):
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("普通高中")
    VOCATIONAL = "vocational", _("中等职业教育")
    COLLEGE = "college", _("高等教育")


class SiteKind(models.TextChoices):
    """安置方式."""

    CENTRAL = "central", _("集中安置")
    SCATTERED = "scattered", _("分散安置")


class VisitCheck(models.TextChoices):
    """The quick check of 两不愁三保障 and drinking water a visit records (each: 是 / 否 / 未核实)."""

    FOOD = "food", _("不愁吃")
    CLOTHING = "clothing", _("不愁穿")
    EDUCATION = "education", _("义务教育有保障")
    MEDICAL = "medical", _("基本医疗有保障")
    HOUSING = "housing", _("住房安全有保障")
    WATER = "water", _("饮水安全有保障")


class Policy(models.TextChoices):
    """Policies a cadre explains on a visit (讲政策)."""

    MONITORING = "monitoring", _("防返贫监测帮扶政策")
    MEDICAL = "medical", _("医疗保障政策")
    EDUCATION = "education", _("教育资助政策")
    HOUSING = "housing", _("住房安全政策")
    EMPLOYMENT = "employment", _("就业帮扶政策")
    INDUSTRY = "industry", _("产业奖补政策")
    LOAN = "loan", _("小额信贷政策")
    SOCIAL_SECURITY = "social_security", _("低保特困等兜底政策")
