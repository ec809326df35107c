"""API shapes of assessments. Decisions travel with their explanation; health-derived counts are masked."""

from datetime import date, datetime

from ninja import Field, Schema

from fupin.api_common import page_of
from fupin.registry.schemas import HouseholdItem

from .features import FEATURES
from .models import Kind


class AssessmentQuery(Schema):
    kind: Kind = Field(Kind.MONITORING, title="评估类型")
    policy: str | None = Field(
        None,
        title="标准包",
        description="如 national-2023；默认按农户所在区划和收入年度选取：基准日为 12 月 31 日时取当年，否则取上一年",
    )
    as_of: date | None = Field(None, title="评估基准日", description="默认今天")


class RuleOut(Schema):
    id: str
    title: str = Field(title="规则")
    group: str = Field(title="规则类别")
    rule_text: str = Field(title="规则表达式")
    result: bool | None = Field(title="是否符合", description="null：缺少数据，无法判断")
    verdict: str = Field(title="判断")
    explanation: str = Field(title="说明（含取值与标准）")
    values: list[tuple[str, str]] = Field(title="取值", description="[特征, 值]")
    thresholds: list[tuple[str, str, bool]] = Field(title="标准", description="[名称, 值, 是否已确认]")
    reason: bool = Field(title="是否为入选理由")


class FeatureOut(Schema):
    label: str
    value: str


class AssessmentOut(Schema):
    household_id: int
    household_number: str = Field(title="户编号")
    kind: str = Field(title="评估类型")
    kind_label: str
    pack_id: str = Field(title="标准包")
    pack_version: str
    pack_title: str
    year: int = Field(title="收入年度")
    as_of: date = Field(title="评估基准日")
    outcome: bool | None = Field(title="结论", description="null：缺少数据，无法判断")
    category: str = Field(title="监测对象类别")
    category_label: str
    summary: str = Field(title="结论说明")
    rules: list[RuleOut]
    features: dict[str, FeatureOut] = Field(title="判断所依据的特征值")
    agrees: bool = Field(title="逐条复核与结论一致")
    run_id: int | None = Field(None, title="入库批次", description="POST 时为新建的单户评估批次")


class RunOut(Schema):
    id: int
    kind: str
    kind_label: str
    pack_id: str
    pack_version: str
    year: int
    as_of: date
    area_code: str
    area_name: str
    single: bool
    user: str | None
    started_at: datetime
    finished_at: datetime | None
    counted_in: str = Field(
        title="统计范围（区划代码前缀）",
        description="以下户数、人数的统计范围：批次范围大于调用者辖区时，只统计调用者辖区内的农户",
    )
    counted_in_name: str = Field(title="统计范围")
    households: int
    persons: int
    passed: int
    passed_persons: int
    unknown: int
    counts: dict
    note: str

    @staticmethod
    def resolve_counted_in(run):
        return getattr(run, "counted_in", run.area_code)

    @staticmethod
    def resolve_counted_in_name(run):
        return getattr(run, "counted_in_name", run.area_name)

    @staticmethod
    def resolve_kind_label(run):
        return str(run.get_kind_display())

    @staticmethod
    def resolve_user(run):
        return run.user.username if run.user else None


RunPage = page_of(RunOut, "RunPage")


class FlaggedItem(HouseholdItem):
    decision_category: str = Field(title="评估的监测对象类别")
    persons: int = Field(title="人数")


class FlaggedPage(Schema):
    run: RunOut | None = Field(title="所依据的评估批次", description="没有可用的批次时为 null")
    count: int
    page: int
    page_size: int
    items: list[FlaggedItem]


def feature_values(decision, shown) -> dict[str, dict]:
    """The decision's features with labels, as explanations show them (masked where health is behind them)."""
    return {
        name: {"label": FEATURES[name].label, "value": shown(name, value)} for name, value in decision.features.items()
    }


class AreaVerdictOut(Schema):
    decision_id: int
    area_code: str = Field(title="区划代码")
    area_name: str = Field(title="区划")
    outcome: bool | None = Field(title="结论", description="true 符合退出标准，false 不符合，空为缺少数据无法判断")
    verdict: str = Field(title="结论（文字）")
    poor_persons: int = Field(title="贫困人口")
    population: int | None = Field(title="农村户籍人口", description="评估年度登记的农村户籍人口；未登记为空")
    population_source: str = Field(title="人口来源")
    incidence: float | None = Field(title="贫困发生率")
    threshold: float = Field(title="贫困发生率标准", description="须低于此值（西部省份按 incidence_threshold_west）")
    incidence_met: bool | None = Field(title="贫困发生率达标")
    items_met: list[str] = Field(title="已达标的基础设施和公共服务项目")
    items_missing: list[str] = Field(title="未达标的项目")
    items_unknown: list[str] = Field(title="未登记的项目")
    note: str = Field(title="说明")


class AreaRunOut(Schema):
    """A village- or county-exit run as its verdict list names it (its counts are of areas, not households)."""

    id: int
    kind: str
    kind_label: str
    pack_id: str
    pack_version: str
    year: int
    as_of: date
    area_code: str
    area_name: str
    finished_at: datetime | None
    note: str

    @staticmethod
    def resolve_kind_label(run):
        return str(run.get_kind_display())


class AreaVerdictsOut(Schema):
    run: AreaRunOut | None
    items: list[AreaVerdictOut]
