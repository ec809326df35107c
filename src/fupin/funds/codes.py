"""Code lists of funds, projects and assets (DOMAIN.md §5 and §8). Services, forms and sheets read these tables;
nothing else lists them. The project library's default procedure is data here too (DEFAULT_PROCEDURE): a county that
keeps its own writes ProcedureStep rows, which replace it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.accounts.roles import Role

#: money in 万元 is kept to four decimals (seed 004: 6,555.8557 万元), exact: decimal, never float
WAN_PLACES = 4
WAN_QUANTUM = Decimal("0.0001")
#: one 万元 in yuan (a household's share of an asset's income is in yuan, like the registry's income account)
YUAN_PER_WAN = Decimal(10000)


class FundLevel(models.TextChoices):
    """Which government's money it is (the level that budgets it)."""

    CENTRAL = "central", _("中央")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class FundKind(models.TextChoices):
    """The kinds of source DOMAIN.md §5 names."""

    SPECIAL = "special", _("财政专项扶贫资金")
    LINKAGE = "linkage", _("衔接推进乡村振兴补助资金")
    POOLED = "pooled", _("统筹整合涉农资金")
    EAST_WEST = "east_west", _("东西部协作资金")
    PAIRING = "pairing", _("定点帮扶资金")
    SOCIAL = "social", _("社会帮扶资金")
    LOAN = "loan", _("信贷资金")
    SELF_RAISED = "self_raised", _("群众自筹（一事一议）")
    OTHER = "other", _("其他资金")


class UseCategory(models.TextChoices):
    """What an allocation is for (资金用途): seed 004's 2018 categories — the province's 8 and the county's 12 — and
    the headings of DOMAIN.md §5; the county adds its own under OTHER with a note."""

    INDUSTRY = "industry", _("产业发展")
    EMPLOYMENT = "employment", _("就业扶持")
    FOOD_CLOTHING = "food_clothing", _("愁吃、愁穿")
    HOUSING = "housing", _("危房改造")
    WATER = "water", _("安全饮用水")
    ELECTRICITY = "electricity", _("生活用电")
    BROADCAST = "broadcast", _("广播电视（信号）")
    CLINIC = "clinic", _("卫生室建设")
    HARDSHIP_FUND = "hardship_fund", _("特困户帮扶基金")
    COLLECTIVE = "collective", _("村集体经济建设")
    VILLAGE_ROAD = "village_road", _("通村硬化路建设")
    CULTURE_ROOM = "culture_room", _("文化室建设")
    SERVICE_ROOM = "service_room", _("便民服务室建设")
    GROUP_ROAD = "group_road", _("社级道路建设")
    PATH = "path", _("生产生活便道建设")
    SLAB_ROAD = "slab_road", _("小板路建设")
    CISTERN = "cistern", _("蓄水池建设")
    POND = "pond", _("山坪塘建设")
    EDUCATION = "education", _("教育扶贫")
    HEALTH = "health", _("健康扶贫")
    RELOCATION = "relocation", _("易地扶贫搬迁")
    INFRASTRUCTURE = "infrastructure", _("其他基础设施")
    MANAGEMENT = "management", _("项目管理费")
    OTHER = "other", _("其他项目建设")


class Department(models.TextChoices):
    """The county departments that receive and spend funds (the second of the four ledger levels)."""

    RURAL = "rural", _("农业农村局（乡村振兴局）")
    FINANCE = "finance", _("财政局")
    TRANSPORT = "transport", _("交通运输局")
    WATER = "water", _("水利局")
    HOUSING = "housing", _("住房城乡建设局")
    EDUCATION = "education", _("教育局")
    HEALTH = "health", _("卫生健康局")
    HR = "hr", _("人力资源社会保障局")
    DEVELOPMENT = "development", _("发展改革局")
    FORESTRY = "forestry", _("林业局")
    OTHER = "other", _("其他部门")


class HolderLevel(models.IntegerChoices):
    """The four levels of the ledger (四级台账, seed 001): who holds money at a point of its flow."""

    COUNTY = 1, _("县级")
    DEPARTMENT = 2, _("部门")
    TOWNSHIP = 3, _("乡镇")
    VILLAGE = 4, _("村级")


class TransferKind(models.TextChoices):
    """A row of money moving down: an allocation of this year's budget, or one made earlier and counted now
    (提前下达/提前启动: seed 004's 1,320 万元 of 2017 for 44 villages, charged to the 2018 budget)."""

    ALLOCATION = "allocation", _("分配下达")
    ADVANCE = "advance", _("提前下达")
    RECALL = "recall", _("收回调整")


class ProjectType(models.TextChoices):
    """项目类型 (DOMAIN.md §5; seed 004's roads and ponds; seed 000's industry bases)."""

    INDUSTRY = "industry", _("产业发展")
    EMPLOYMENT = "employment", _("就业扶贫")
    ROAD = "road", _("道路交通")
    WATER = "water", _("饮水安全")
    IRRIGATION = "irrigation", _("农田水利")
    HOUSING = "housing", _("住房安全")
    PUBLIC_SERVICE = "public_service", _("公共服务设施")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("健康")
    COLLECTIVE = "collective", _("村集体经济")
    RELOCATION = "relocation", _("易地搬迁后续扶持")
    OTHER = "other", _("其他")


class ProposerLevel(models.TextChoices):
    """Who proposes a project (DOMAIN.md §8: a village's proposal; township and county ones for cross-village work)."""

    VILLAGE = "village", _("村级申报")
    TOWNSHIP = "township", _("乡镇申报")
    COUNTY = "county", _("县级申报")


class Stage(models.TextChoices):
    """Where a project is. The library's steps move it from PROPOSED to PLANNED; implementation then records
    progress, acceptance (验收), audit and the completion notice."""

    PROPOSED = "proposed", _("申报中")
    PLANNED = "planned", _("已入年度计划")
    IMPLEMENTING = "implementing", _("实施中")
    ACCEPTED = "accepted", _("已验收")
    COMPLETED = "completed", _("已完工公告")
    REFUSED = "refused", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


#: stages a project no longer moves from
CLOSED_STAGES = frozenset({Stage.COMPLETED, Stage.REFUSED, Stage.WITHDRAWN})


class StepCode(models.TextChoices):
    """The library's steps (seed 003: 户申请 → 村提议 → 队帮扶 → 乡统筹 → 县审定; DOMAIN.md §8), then the plan."""

    APPLY = "apply", _("户申请")
    VILLAGE = "village", _("村提议")
    TEAM = "team", _("队帮扶")
    TOWNSHIP = "township", _("乡统筹")
    COUNTY = "county", _("县审定")
    PLAN = "plan", _("入年度计划")


class Decision(models.TextChoices):
    APPROVE = "approve", _("通过")
    RETURN = "return", _("退回修改")
    REFUSE = "refuse", _("不予通过")


#: the township's review criteria (DOMAIN.md §8: 真实性、必要性、科学性、完整性、可行性, cost, funding, benefit
#: mechanism, performance targets); the county's (合规性, land use). A step's criteria are each answered yes or no.
TOWNSHIP_CRITERIA = (
    "真实性",
    "必要性",
    "科学性",
    "完整性",
    "可行性",
    "投资估算",
    "资金来源",
    "联农带农机制",
    "绩效目标",
)
COUNTY_CRITERIA = ("合规性", "用地合规")


@dataclass(frozen=True)
class DefaultStep:
    """One step of the default procedure: who takes it, the notice it publishes (0: none) and its criteria."""

    code: str
    roles: frozenset
    notice_days: int = 0
    criteria: tuple = ()


_VILLAGE = frozenset({Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY_ADMIN})
_TEAM = frozenset({Role.VILLAGE, Role.CADRE, Role.TOWNSHIP, Role.COUNTY_ADMIN})
_TOWNSHIP = frozenset({Role.TOWNSHIP, Role.COUNTY_ADMIN})
_COUNTY = frozenset({Role.COUNTY_ADMIN})

#: the project library's procedure when a county has not written its own (seed 003; DOMAIN.md §5 and §8): village
#: and county notices at least 10 days (DOMAIN.md §5: village/township notices at least 10 days)
DEFAULT_PROCEDURE = (
    DefaultStep(StepCode.APPLY, _VILLAGE),
    DefaultStep(StepCode.VILLAGE, _VILLAGE, notice_days=10),
    DefaultStep(StepCode.TEAM, _TEAM),
    DefaultStep(StepCode.TOWNSHIP, _TOWNSHIP, criteria=TOWNSHIP_CRITERIA),
    DefaultStep(StepCode.COUNTY, _COUNTY, notice_days=10, criteria=COUNTY_CRITERIA),
    DefaultStep(StepCode.PLAN, _COUNTY),
)


class PhysicalUnit(models.TextChoices):
    """A project's physical measure (seed 004: km of road; DOMAIN.md: 处, 口, 座, 亩, 户…)."""

    KM = "km", _("公里")
    M = "m", _("米")
    SQM = "sqm", _("平方米")
    CUBIC = "cubic", _("立方米")
    MU = "mu", _("亩")
    PLACE = "place", _("处")
    WELL = "well", _("口")
    BUILDING = "building", _("座")
    HOUSEHOLD = "household", _("户")
    PERSON = "person", _("人")
    ITEM = "item", _("个")
    SET = "set", _("套")
    HEAD = "head", _("头（只）")


class BenefitWay(models.TextChoices):
    """联农带农: how a project benefits the households it names (DOMAIN.md §8)."""

    DIVIDEND = "dividend", _("资产收益分红")
    WAGE = "wage", _("务工就业")
    PRODUCTION = "production", _("带动生产经营")
    DIRECT = "direct", _("直接到户")
    SERVICE = "service", _("改善生产生活条件")
    OTHER = "other", _("其他")


class FileKind(models.TextChoices):
    """A project's files."""

    PROPOSAL = "proposal", _("申报材料")
    NOTICE = "notice", _("公示公告")
    ACCEPTANCE = "acceptance", _("验收报告")
    AUDIT = "audit", _("审计报告")
    PHOTO = "photo", _("现场照片")
    OTHER = "other", _("其他")


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", _("验收合格")
    FAILED = "failed", _("验收不合格")


class AssetCategory(models.TextChoices):
    """扶贫项目资产 (2021 guidance; DOMAIN.md §5, §8)."""

    OPERATING = "operating", _("经营性资产")
    PUBLIC = "public", _("公益性资产")
    HOUSEHOLD = "household", _("到户类资产")


class OwnerLevel(models.TextChoices):
    """Whom an asset's ownership is confirmed to (确权)."""

    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村集体")
    HOUSEHOLD = "household", _("农户")


class Right(models.TextChoices):
    """The rights an asset's record names (DOMAIN.md §8)."""

    OWNERSHIP = "ownership", _("所有权")
    OPERATION = "operation", _("经营权")
    INCOME = "income", _("收益权")
    DISTRIBUTION = "distribution", _("分配权")
    DISPOSAL = "disposal", _("处置权")
    SUPERVISION = "supervision", _("监督权")


class AssetState(models.TextChoices):
    IN_USE = "in_use", _("正常使用")
    IDLE = "idle", _("闲置")
    DAMAGED = "damaged", _("损毁待修")
    DISPOSED = "disposed", _("已处置")


class DisposalReason(models.TextChoices):
    """Why an asset is disposed of (DOMAIN.md §8: disaster, accident, planning or end of life)."""

    DISASTER = "disaster", _("自然灾害")
    ACCIDENT = "accident", _("意外事故")
    PLANNING = "planning", _("规划调整")
    END_OF_LIFE = "end_of_life", _("达到使用年限")
    OTHER = "other", _("其他")


class ShareRule(models.TextChoices):
    """How an income distribution divides the households' part."""

    EQUAL = "equal", _("按户平均")
    PER_PERSON = "per_person", _("按人口")
    FIXED = "fixed", _("按方案逐户确定")


#: who keeps fund and project records of their area (the county's and townships' clerks; a village files proposals)
FUND_KEEPERS = frozenset({Role.COUNTY_ADMIN})
#: who records disbursements and progress: the county, the departments and the townships (their own projects)
SPENDERS = frozenset({Role.COUNTY_ADMIN, Role.DEPARTMENT, Role.TOWNSHIP})
#: who files a project proposal (its proposer level follows the user's area)
PROPOSERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE})
#: who keeps assets (ownership, state, disposal, income plans): the county and the townships of their area
ASSET_KEEPERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP})
