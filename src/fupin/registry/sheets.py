"""The registry forms as files: its three sheets (households, members, incomes), their columns, Chinese headers and
what each may hold. Pure declarations, with fupin.core.sheets' types: exchange registers them (the registry sits
below exchange and cannot) and reads, validates, templates and exports them.

One definition serves the importer (header matching, validation), the template and the exports, so a file
exported by fupin imports back unchanged. Headers are the model's Chinese field names (docs/domain.md), with a few
aliases that clerks' own forms use and the English field names. What a value may be beyond its kind (a phone's
format, a date's range, no NUL…) is the field's rule in registry.values, the one the models apply; exchange's
validation turns it into SQL.
"""

from dataclasses import replace
from datetime import date

from django.db import models
from django.utils import translation

from fupin.areas.models import AreaPopulation
from fupin.core.sheets import Column, Sheet

from . import codes, services, values
from .models import (
    CHECKLIST_ITEMS,
    CONDITION_FIELDS,
    INCOME_COMPONENTS,
    Household,
    IncomeAccount,
    LivingConditions,
    Member,
    MemberEvent,
    StatusEvent,
    VillageEvent,
    VillageFacilities,
)

#: aliases clerks' forms use for our headers, by field name, or "Model.field" where two sheets' fields share a name
ALIASES = {
    "number": ("户码", "家庭编号", "household_number"),
    "village": ("行政村代码", "村代码", "区划代码", "village_code"),
    "head_name": ("户主",),
    "name": ("成员姓名",),
    "id_number": ("身份证号", "身份证号码", "证件号"),
    "relation": ("与户主关系（代码）",),
    "labour_capacity": ("劳动能力",),
    "year": ("收入年度",),
    "persons": ("家庭人数", "人口数"),
    "MemberEvent.kind": ("成员变动类型", "变动类别"),
    "MemberEvent.date": ("变动日期", "变动时间"),
    "MemberEvent.reason": ("原因", "变动原因"),
    "other_household": ("迁入户编号", "迁出户编号", "对方户编号"),
    "rural_population": ("户籍人口", "农业户籍人口"),
    "rural_households": ("户籍户数", "农业户籍户数"),
    "source": ("来源",),
    "kind": ("事件类型", "变更类型", "变更事项"),
    "date": ("变更日期", "批准日期", "年度"),
    "reason": ("原因", "变更原因"),
    "approver": ("审批单位", "审批人"),
    "monitoring_category": ("监测类别",),
    "risk_type": ("风险类型",),
    "elimination_way": ("风险消除方式",),
    "risk_elimination_way": ("消除方式",),
    "first_identified_on": ("识别年度", "识别时间"),
    "risk_identified_on": ("纳入监测时间", "纳入监测年度"),
    "risk_eliminated_on": ("风险消除年度",),
    "document": ("文号", "批复文号"),
}
HEADERS = {"village": "行政区划代码"}
REQUIRED = {"number", "village", "head_name", "name", "id_number", "relation", "year", "persons", "kind", "date"}
#: dates a national-system export may give as a year alone (core.sheets.YEAR_ALONE, the event marked approximate)
WHEN_FIELDS = {
    "first_identified_on",
    "risk_identified_on",
    "risk_eliminated_on",
    "StatusEvent.date",
    "VillageEvent.date",
}


def _qualified(model, name: str) -> str:
    return f"{model.__name__}.{name}"


def _kind(f: models.Field) -> str:
    if f.name == "id_number":
        return "id"
    if f.name == "village":
        return "area"
    if f.choices and isinstance(f, models.CharField):
        return "code"
    if isinstance(f, models.BooleanField):
        return "bool"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.DecimalField):
        return "money"
    if isinstance(f, models.IntegerField):
        return "int"
    return "text"


def _bounds(model, name: str) -> tuple[int | None, int | None]:
    """A whole number's range from its rule (registry.values), for the template's hints and Excel's own checks;
    the importer checks the rule itself, as of the day of the import."""
    today = date.today()
    found = {c.test: c.resolved(today) for c in values.rule(model, name) or () if c.test in ("below", "above")}
    return found.get("below"), found.get("above")


def _column(model, name: str) -> Column:
    """A column from the model field: header from its (Chinese) verbose name, kind and limits from its type."""
    f = model._meta.get_field(name)
    kind = "when" if {name, _qualified(model, name)} & WHEN_FIELDS else _kind(f)
    with translation.override("zh-hans"):
        header = HEADERS.get(name, str(f.verbose_name))
        choices = (
            tuple((str(code), str(label)) for code, label in f.choices) if kind in ("code", "int") and f.choices else ()
        )
    low, high = _bounds(model, name) if kind == "int" else (None, None)
    if kind == "int" and choices and low is None:
        low, high = int(choices[0][0]), int(choices[-1][0])
    default = f.default if f.has_default() and not callable(f.default) else None
    return Column(
        name=name,
        header=header,
        kind=kind,
        aliases=ALIASES.get(_qualified(model, name), ALIASES.get(name, ())),
        choices=choices if kind == "code" else (),
        max_length=getattr(f, "max_length", 0) or 0,
        low=low,
        high=high,
        default=default,
        required=name in REQUIRED,
        model=model,
        rules=values.rule,
    )


def _columns(model, names) -> tuple[Column, ...]:
    return tuple(_column(model, name) for name in names)


HOUSEHOLD_NUMBER = _column(Household, "number")
#: household columns a member roster may carry (not the phone: in a roster "联系电话" is the member's)
ROSTER_HOUSEHOLD_FIELDS = tuple(n for n in services.HOUSEHOLD_FIELDS if n not in ("number", "phone"))
INCOME_FIELDS = (
    "year",
    "persons",
    *INCOME_COMPONENTS,
    "business_expense",
    "compliant_out_of_pocket",
    "insurance_claims",
)


def _history_column(name: str, header: str, kind: str, aliases=(), choices=()) -> Column:
    """A household-row column of the national-system exports that becomes status events, not a field."""
    return Column(name=name, header=header, kind=kind, aliases=aliases, choices=choices, max_length=20)


with translation.override("zh-hans"):
    _STATUS_LABELS = tuple((str(code), str(label)) for code, label in codes.Status.choices)
#: the status history on a household row: with 首次识别时间 (识别年度), 纳入监测时间, 监测对象类别, 风险消除时间 and
#: 消除方式, which are the household's own columns too, it becomes the household's status events (docs/domain.md)
HISTORY_COLUMNS = (
    _history_column("exited_on", "脱贫时间", "when", ("脱贫年度", "脱贫年份", "标注脱贫时间")),
    _history_column("returned", "是否返贫", "bool"),
    _history_column("returned_on", "返贫时间", "when", ("返贫年度",)),
    _history_column("current_status", "当前状态", "text", ("户状态", "贫困户状态")),
)

HOUSEHOLDS = Sheet(
    kind="households",
    title="农户",
    model=Household,
    key=("number",),
    columns=_columns(Household, services.HOUSEHOLD_FIELDS),
    readonly=("行政村", "当前状态", "家庭成员数", "最近收入年度", "人均纯收入（元）", "户主证件号码"),
    book="registry",
    identified_by=("village", "head_name"),
    event_columns=HISTORY_COLUMNS,
)
MEMBERS = Sheet(
    kind="members",
    title="家庭成员",
    model=Member,
    key=("number", "id_number"),
    columns=(HOUSEHOLD_NUMBER, *_columns(Member, services.MEMBER_FIELDS)),
    household_columns=_columns(Household, ROSTER_HOUSEHOLD_FIELDS),
    book="registry",
    identified_by=("id_number",),
    precedence=2,
)
INCOMES = Sheet(
    kind="incomes",
    title="收入台账",
    model=IncomeAccount,
    key=("number", "year"),
    columns=(HOUSEHOLD_NUMBER, *_columns(IncomeAccount, INCOME_FIELDS)),
    readonly=("家庭纯收入", "人均纯收入"),
    book="registry",
    identified_by=("year",),
    precedence=1,
)
STATUS_EVENTS = Sheet(
    kind="status_events",
    title="状态变更",
    model=StatusEvent,
    key=("number", "kind", "date"),
    columns=(
        HOUSEHOLD_NUMBER,
        *_columns(
            StatusEvent, ("kind", "date", "reason", "approver", "monitoring_category", "risk_type", "elimination_way")
        ),
    ),
    book="registry",
    identified_by=("kind",),
    precedence=3,
)
VILLAGE_EVENTS = Sheet(
    kind="village_events",
    title="贫困村",
    model=VillageEvent,
    key=("village", "kind", "date"),
    columns=_columns(VillageEvent, ("village", "kind", "date", "document", "reason")),
    book="registry",
    identified_by=("kind", "document"),
    precedence=4,
)
SHEETS = (HOUSEHOLDS, MEMBERS, INCOMES, STATUS_EVENTS, VILLAGE_EVENTS)


# ---- sheets that only come in (imported; no export) --------------------------------------------------------------
# Member events, living conditions and the areas' yearly data: each its own sheet of the registry book, so the
# template and the reader know them; the exports keep the three sheets above (SHEETS).


def _optional(column: Column) -> Column:
    return replace(column, required=False)


MEMBER_EVENTS = Sheet(
    kind="member_events",
    title="成员变动",
    model=MemberEvent,
    key=("number", "id_number", "kind", "date"),
    columns=(
        HOUSEHOLD_NUMBER,
        _column(MemberEvent, "id_number"),
        _optional(_column(MemberEvent, "name")),
        replace(_column(MemberEvent, "kind"), required=True),
        replace(_column(MemberEvent, "date"), required=True),
        _column(MemberEvent, "other_household"),
        _column(MemberEvent, "reason"),
    ),
    book="registry",
    identified_by=("kind",),
    precedence=3,
)
CONDITIONS = Sheet(
    kind="conditions",
    title="生产生活条件",
    model=LivingConditions,
    key=("number", "year"),
    columns=(HOUSEHOLD_NUMBER, *_columns(LivingConditions, ("year", *CONDITION_FIELDS))),
    book="registry",
    identified_by=("housing_safety", "road_type", "farmland_mu", "food_clothing_secure", "cooperative_member"),
    precedence=3,
)
POPULATIONS = Sheet(
    kind="populations",
    title="农村户籍人口",
    model=AreaPopulation,
    key=("area", "year"),
    columns=(
        replace(
            _column(AreaPopulation, "area"),
            header="区划代码",
            aliases=("行政区划代码", "区划编码", "area_code"),
            kind="area",
            required=True,
        ),
        replace(_column(AreaPopulation, "year"), required=True),
        replace(_column(AreaPopulation, "rural_population"), required=True),
        _column(AreaPopulation, "rural_households"),
        _column(AreaPopulation, "source"),
    ),
    book="registry",
    identified_by=("rural_population",),
    precedence=3,
)
FACILITIES = Sheet(
    kind="facilities",
    title="村基础设施",
    model=VillageFacilities,
    key=("village", "year"),
    columns=(
        replace(_column(VillageFacilities, "village"), required=True),
        replace(_column(VillageFacilities, "year"), required=True),
        *_columns(VillageFacilities, tuple(CHECKLIST_ITEMS)),
        _column(VillageFacilities, "note"),
    ),
    book="registry",
    identified_by=tuple(name for name in CHECKLIST_ITEMS if name not in ("electricity", "safe_water")),
    precedence=3,
)
#: the sheets imported only, in the order the template shows them
IMPORTED_ONLY = (MEMBER_EVENTS, CONDITIONS, POPULATIONS, FACILITIES)
