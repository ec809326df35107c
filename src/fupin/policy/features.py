"""The catalogue of household features a rule may use, as data.

A rule can only name what is listed here: the catalogue is the whitelist of `rules`, the column list of the
feature table that batch evaluation builds, and the vocabulary of explanation templates. Each entry says what
the value means precisely (which date, which members, what happens when data are missing), because a rule is
only as exact as the feature it reads. Computing the values from the registry is a later layer; this module
only describes them.

Conventions shared by every feature:
- Values are judged "as of" an assessment date (评估基准日) in an assessment year (评估年度); income features
  come from that year's income account (收入台账), living conditions from that year's survey.
- A value that cannot be known (no income account, no survey for the year) is NULL, and rules see SQL's
  three-valued logic: a comparison with NULL is unknown, so a rule neither passes nor fails on missing data.
- Counts are over the household's members registered on the assessment date.
"""

from dataclasses import dataclass
from enum import Enum

from fupin.registry import codes


class FeatureType(str, Enum):
    """The storage type of a feature. Rules treat number and integer alike as numbers."""

    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    TEXT = "text"


@dataclass(frozen=True)
class Feature:
    name: str
    type: FeatureType
    label: str
    unit: str
    description: str
    choices: tuple[str, ...] = ()  # for text features: the only values a rule may compare them with


NUMBER, INTEGER, BOOLEAN, TEXT = FeatureType.NUMBER, FeatureType.INTEGER, FeatureType.BOOLEAN, FeatureType.TEXT

#: compulsory-education age in full years (周岁) on the assessment date, both ends included: the rule of
#: child_out_of_school, kept here so that its description and the feature computation cannot drift apart
YOUNGEST_PUPIL, OLDEST_PUPIL = 6, 15

#: the school statuses of a child not at school: not a pupil at all, or the code for dropping out. A child of the
#: age in any stage — kindergarten at 6 (entry is at 6 or 7), senior school at 15 (the usual age for it) — is
#: at school, and its stage is not a reason to fail a household (docs/domain.md, 义务教育有保障)
NOT_AT_SCHOOL = (codes.SchoolStatus.NOT_STUDENT, codes.SchoolStatus.OUT_OF_SCHOOL)

_CATALOGUE = (
    # income (收入台账)
    Feature(
        "income_per_capita",
        NUMBER,
        "人均纯收入",
        "元/人·年",
        "(工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出) ÷ 家庭人口数，取评估年度的收入台账；"
        "按精确的商与标准线比较，不先四舍五入到分（台账显示的人均纯收入到分）：9654.01 元 ÷ 3 人 = 3218.0033 元，"
        "超过 3218 元的标准线；可为负（经营亏损）；该年度无台账时为空。",
    ),
    Feature(
        "income_per_capita_last_year",
        NUMBER,
        "上年人均纯收入",
        "元/人·年",
        "评估年度前一年收入台账的人均纯收入（同样是精确的商）；无台账时为空。",
    ),
    Feature(
        "income_change_ratio",
        NUMBER,
        "人均纯收入较上年变化率",
        "比例",
        "(本年人均纯收入 − 上年人均纯收入) ÷ 上年人均纯收入；−0.5 表示下降一半。"
        "任一年缺台账、或上年人均纯收入 ≤ 0 时为空（比例没有意义）。",
    ),
    Feature(
        "net_income",
        NUMBER,
        "家庭纯收入",
        "元/年",
        "工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出，评估年度；无台账时为空。",
    ),
    Feature("net_income_last_year", NUMBER, "上年家庭纯收入", "元/年", "前一年的家庭纯收入；无台账时为空。"),
    Feature(
        "out_of_pocket",
        NUMBER,
        "合规自付支出",
        "元/年",
        "评估年度收入台账登记的合规自付支出（医疗等刚性支出）；无台账时为空。",
    ),
    Feature(
        "out_of_pocket_ratio",
        NUMBER,
        "合规自付支出占家庭纯收入比例",
        "比例",
        "合规自付支出 ÷ 家庭纯收入；家庭纯收入 ≤ 0 或无台账时为空（比例没有意义，"
        "规则应同时看 out_of_pocket 本身，如 coalesce(out_of_pocket_ratio, 1) > 0.5）。",
    ),
    # members (家庭成员)
    Feature("members", INTEGER, "家庭人口数", "人", "评估基准日在册的家庭成员人数。"),
    Feature("members_with_labour", INTEGER, "有劳动能力人数", "人", "劳动技能为普通劳动力或技能劳动力的成员人数。"),
    Feature("members_weak_labour", INTEGER, "弱劳动力或半劳动力人数", "人", "劳动技能为弱劳动力或半劳动力的成员人数。"),
    Feature("members_without_labour", INTEGER, "无劳动能力人数", "人", "劳动技能为丧失劳动力或无劳动力的成员人数。"),
    Feature(
        "labour_capacity_all_lost",
        BOOLEAN,
        "全家无劳动能力",
        "",
        "每个成员都丧失劳动力或无劳动力（有劳动能力人数与弱劳动力人数均为 0）；没有在册成员时为空。",
    ),
    Feature("anyone_uninsured", BOOLEAN, "有成员未参加基本医保", "", "至少一名成员未参加城乡居民基本医疗保险。"),
    Feature(
        "child_out_of_school",
        BOOLEAN,
        "有义务教育阶段失学辍学儿童",
        "",
        f"至少一名成员在评估基准日的周岁年龄 ≥ {YOUNGEST_PUPIL} 且 ≤ {OLDEST_PUPIL}（满 {YOUNGEST_PUPIL} 周岁算，"
        f"满 {OLDEST_PUPIL + 1} 周岁不算；生日当天满周岁），且在校生状况为"
        + "或".join(f"“{label}”" for label in (codes.SchoolStatus(code).label for code in NOT_AT_SCHOOL))
        + "（在读任何学段，包括学前教育、高中、中职，都算在校）。",
    ),
    Feature("dibao_members", INTEGER, "享受低保人数", "人", "享受农村最低生活保障的成员人数。"),
    Feature("tekun_members", INTEGER, "特困供养人数", "人", "特困人员救助供养的成员人数。"),
    Feature("seriously_ill_members", INTEGER, "大病人数", "人", "健康状况为“大病”的成员人数。"),
    Feature("disabled_members", INTEGER, "残疾人数", "人", "健康状况为“残疾”或持有残疾证的成员人数。"),
    # living conditions (生产生活条件，评估年度的调查)
    Feature("housing_unsafe", BOOLEAN, "住房不安全", "", "评估年度调查的住房为 C 级或 D 级危房；无调查时为空。"),
    Feature(
        "housing_grade",
        TEXT,
        "住房安全等级",
        "",
        "1 安全、2 C级危房、3 D级危房；无调查时为空。",
        tuple(codes.HousingSafety.values),
    ),
    Feature("safe_drinking_water", BOOLEAN, "饮水安全", "", "评估年度调查的饮水安全；无调查时为空。"),
    Feature("food_clothing_secure", BOOLEAN, "不愁吃、不愁穿", "", "评估年度调查的不愁吃、不愁穿；无调查时为空。"),
    # standing (户的身份与监测)
    Feature(
        "household_type",
        TEXT,
        "户类型",
        "",
        "1 一般户、2 贫困户、3 脱贫户、4 监测户。",
        tuple(codes.HouseholdType.values),
    ),
    Feature(
        "status",
        TEXT,
        "当前状态",
        "",
        "评估基准日的状态（由状态事件推出）：ordinary 一般农户、poor 未脱贫、exited 已脱贫、monitored 监测中、"
        "risk_eliminated 风险已消除、removed 已清退/销户。",
        tuple(codes.Status.values),
    ),
    Feature(
        "ever_poor",
        BOOLEAN,
        "曾为建档立卡贫困户",
        "",
        "评估基准日前有“识别为贫困户”事件或首次识别时间（用于区分脱贫不稳定户与边缘易致贫户）。",
    ),
    Feature(
        "monitoring_category",
        TEXT,
        "监测对象类别",
        "",
        "1 脱贫不稳定户、2 边缘易致贫户、3 突发严重困难户；未纳入监测时为空。",
        tuple(codes.MonitoringCategory.values),
    ),
    Feature(
        "risk_type",
        TEXT,
        "主要返贫致贫风险",
        "",
        "2021 年起的风险代码（01 因病 … 99 其他）；未登记时为空。",
        tuple(codes.RiskType.values),
    ),
    Feature(
        "months_monitored",
        INTEGER,
        "已监测月数",
        "月",
        "从最近一次“纳入监测”到评估基准日的整月数；当前未在监测中时为 0。",
    ),
    Feature(
        "measures_in_place",
        INTEGER,
        "落实的帮扶措施数",
        "项",
        "评估基准日有效的帮扶措施项数，由帮扶（assistance）模块登记其计数（policy.compute.register_measures）；"
        "登记之前恒为 0，依赖它的规则届时才有意义。",
    ),
    Feature("no_labour_household", BOOLEAN, "整户无劳动能力兜底", "", "户表登记的“整户无劳动能力兜底”标记。"),
    Feature("relocated", BOOLEAN, "易地扶贫搬迁户", "", "户表登记的“易地扶贫搬迁”标记。"),
)

FEATURES: dict[str, Feature] = {feature.name: feature for feature in _CATALOGUE}
