"""Request and response bodies of the registry API, derived from the models and from the field lists the
services accept, so a field added there reaches the API with its type, limits, code list and Chinese title."""

from datetime import date
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StrictFloat, StrictInt, StrictStr, WithJsonSchema, create_model

from fupin.api_common import Input, input_schema, masked, output_schema, page_of

from . import values
from .filters import FILTER_NAMES
from .models import CONDITION_FIELDS, INCOME_COMPONENTS, Household, IncomeAccount, LivingConditions, Member, StatusEvent
from .services import HOUSEHOLD_FIELDS, MEMBER_FIELDS

# ---- requests -------------------------------------------------------------------------------------------------

#: A number (what Excel or a careless script sends) is let through to registry.idcard, which refuses it with the
#: reason a clerk can act on ("stored as a number, the last digits are lost") instead of a bare type error.
IdNumberInput = Annotated[
    StrictStr | StrictInt | StrictFloat,
    WithJsonSchema({"type": "string", "description": "18位身份证号（或15位旧号、20/22位残疾人证号），须作为文本发送"}),
]


def formats(model) -> dict:
    """Text fields whose rule (registry.values) has a format, typed with it documented: the pattern and the reason
    given for a value that does not match. The services judge the value (with that reason), not the schema."""
    found = {}
    for name, checks in values.rules(model).items():
        pattern = next((c for c in checks if c.test == "unlike"), None)
        if pattern is not None:
            found[name] = Annotated[
                str,
                Field(
                    max_length=model._meta.get_field(name).max_length,
                    description=pattern.reason,
                    json_schema_extra={"pattern": f"^(?:{pattern.arg})$"},
                ),
            ]
    return found


HouseholdCreate = input_schema(
    Household,
    "HouseholdCreate",
    HOUSEHOLD_FIELDS,
    required=("number", "village", "head_name"),
    types=formats(Household),
)
HouseholdPatch = input_schema(
    Household, "HouseholdPatch", HOUSEHOLD_FIELDS, partial_update=True, types=formats(Household)
)
MemberCreate = input_schema(
    Member,
    "MemberCreate",
    MEMBER_FIELDS,
    required=("name", "relation", "id_number"),
    types={**formats(Member), "id_number": IdNumberInput},
)
MemberPatch = input_schema(
    Member, "MemberPatch", MEMBER_FIELDS, partial_update=True, types={**formats(Member), "id_number": IdNumberInput}
)
EventIn = input_schema(
    StatusEvent, "EventIn", ("kind", "date", "reason", "approver", "monitoring_category"), required=("kind", "date")
)

#: the list filters are HouseholdFilterSet's, whatever they become (texts: the FilterSet reads them as the UI's)
HouseholdQuery = create_model("HouseholdQuery", __base__=Schema, **{name: (str, "") for name in FILTER_NAMES})


class ExportQuery(Schema):
    format: Literal["xlsx", "csv"] = Field(
        "xlsx", title="文件格式", description="xlsx：农户、家庭成员、收入台账三张表；csv：一张表"
    )
    kind: Literal["households", "members", "incomes"] = Field(
        "households", title="导出内容", description="仅对csv有效：households 农户，members 家庭成员，incomes 收入台账"
    )


class HouseholdRevealIn(Input):
    field: Literal["phone", "bank_account"] = Field(..., title="字段")


class MemberRevealIn(Input):
    field: Literal["id_number", "phone", "health"] = Field(..., title="字段")


# ---- responses ------------------------------------------------------------------------------------------------


class HouseholdItem(
    output_schema(
        Household,
        "HouseholdItemBase",
        (
            "id",
            "number",
            "village",
            "group_name",
            "head_name",
            "phone",
            "household_type",
            "status",
            "monitoring_category",
            "risk_level",
            "updated_at",
        ),
    )
):
    village_name: str = Field(title="行政村名称")

    @staticmethod
    def resolve_village_name(household):
        return household.village.name


MemberOut = output_schema(
    Member, "MemberOut", ("id", "household", *MEMBER_FIELDS, "updated_at"), mask={"disability_cert": "id_number"}
)
IncomeOut = output_schema(
    IncomeAccount,
    "IncomeOut",
    (
        "id",
        "year",
        "persons",
        *INCOME_COMPONENTS,
        "business_expense",
        "compliant_out_of_pocket",
        "insurance_claims",
        "net_income",
        "per_capita_net_income",
        "recorded_at",
    ),
)
ConditionsOut = output_schema(
    LivingConditions,
    "ConditionsOut",
    ("id", "year", *CONDITION_FIELDS),
)


class EventOut(
    output_schema(
        StatusEvent,
        "EventOutBase",
        ("id", "kind", "date", "reason", "approver", "monitoring_category", "recorded_at"),
    )
):
    recorded_by: str | None = Field(title="录入人")

    @staticmethod
    def resolve_recorded_by(event):
        return event.recorded_by.username if event.recorded_by else None


class HouseholdOut(output_schema(Household, "HouseholdOutBase", (*HOUSEHOLD_FIELDS, "created_at"), base=HouseholdItem)):
    """A household with everything filed under it; every sensitive field masked."""

    members: list[MemberOut]
    incomes: list[IncomeOut]
    conditions: list[ConditionsOut]
    events: list[EventOut]


HouseholdPage = page_of(HouseholdItem, "HouseholdPage")


class DuplicateOut(Schema):
    id_number: masked("id_number") = Field(title="证件号码", description="已遮蔽；可用末4位在农户列表中检索")
    households: int = Field(title="登记户数")


class RevealOut(Schema):
    field: str
    value: str = Field(description="明文（本次查看已记入审计日志）")
    label: str | None = Field(None, description="代码字段（健康状况）的中文含义")


class FiguresQuery(Schema):
    area: str = Field(title="区划代码")
    as_of: date = Field(title="统计日期", description="YYYY-MM-DD：按该日的状态、成员与当年农村户籍人口统计")


class VillageFiguresOut(Schema):
    registered: int = Field(title="已识别的贫困村", description="截至统计日识别为贫困村的村数（含已出列）")
    deep_listed: int = Field(title="已列为深度贫困村", description="截至统计日列为深度贫困村的村数（含已出列）")
    poor: int = Field(title="未出列的贫困村（非深度）")
    deep: int = Field(title="未出列的深度贫困村")
    exited: int = Field(title="已出列的贫困村")
    tasked: int = Field(title="有扶贫任务的非贫困村")
    exited_by_year: dict[int, int] = Field(title="各年出列村数", description="年度 → 当年出列的村数")


class FiguresOut(Schema):
    area_code: str = Field(title="区划代码")
    area_name: str = Field(title="区划")
    as_of: date = Field(title="统计日期")
    households: dict[str, int] = Field(title="各状态户数", description="状态代码 → 该日处于该状态的户数")
    persons: dict[str, int] = Field(title="各状态人数", description="状态代码 → 该日在户成员数")
    poor_persons: int = Field(title="贫困人口", description="该日未脱贫户的在户成员数")
    population_year: int = Field(title="人口年度")
    population: int | None = Field(title="农村户籍人口", description="该年度登记的农村户籍人口；未登记为空")
    population_source: str = Field(title="人口来源")
    incidence: float | None = Field(title="贫困发生率", description="贫困人口 ÷ 农村户籍人口；未登记人口时为空")
    incidence_note: str = Field(title="说明", description="无法计算贫困发生率时的原因")
    villages: VillageFiguresOut
