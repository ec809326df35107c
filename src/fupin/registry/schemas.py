"""Request and response bodies of the registry API, derived from the models and from the field lists the
services accept, so a field added there reaches the API with its type, limits, code list and Chinese title."""

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
