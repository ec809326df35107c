"""Features from the registry, computed by the registry database itself (SQLite or PostgreSQL).

Why in the database: measured on `fupin demo` data, reading the tables out into Arrow (ADBC) took longer than the
database needs to compute every feature and write every decision (docs/decisions/0002-policy-evaluation.md).
So the catalogue of `features.py` is defined here once, as SQL expressions over these aliases:

    h   registry_household (the row being judged)
    pm  member counts of the household       (the HouseholdProfile table, or the same counts computed inline)
    pe  status-event facts as of the date    (the profile when nothing happened after the date, else recomputed)
    and the year's inputs (YEAR_INPUTS): the profile's own columns when it holds the assessment year, else
    i   the income account of the year,  p  the one of the year before,  c  the living conditions of the year

The same SELECT serves one household (the API, explanations) and the whole registry (batch), so the two cannot
compute a feature differently; only the member and event relations differ (inline for one household, the
denormalised profile for the batch), and the property test holds those together.

Every value that is not a column comes in as a named parameter, or is a literal we format from a typed Python
value (a code from codes.py); nothing a user typed is ever spliced into the text.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connections

from fupin.areas.models import code_range
from fupin.registry import codes
from fupin.registry.models import Household, IncomeAccount, LivingConditions, Member, StatusEvent

from .features import FEATURES, NOT_AT_SCHOOL, OLDEST_PUPIL, YOUNGEST_PUPIL
from .models import HouseholdProfile, ProfileState

DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}
DOUBLE = {"sqlite": "REAL", "postgres": "DOUBLE PRECISION"}
FALSE = {"sqlite": "0", "postgres": "FALSE"}
#: keeps a subquery from being merged into the query around it: the outer query reads each computed column
#: several times (a rule result in the outcome, the category and the result string), and a merged subquery would
#: recompute the expression at each use (measured: 2.6 s instead of 1.8 s per million persons on SQLite)
FENCE = {"sqlite": "LIMIT -1 OFFSET 0", "postgres": "OFFSET 0"}

HOUSEHOLD = Household._meta.db_table
MEMBER = Member._meta.db_table
INCOME = IncomeAccount._meta.db_table
CONDITIONS = LivingConditions._meta.db_table
EVENT = StatusEvent._meta.db_table
PROFILE = HouseholdProfile._meta.db_table
AS_OF_EVENTS = "policy_as_of_events"  # a temporary table: event facts as of a past date


def dialect_of(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in DIALECTS:
        raise NotImplementedError(f"policy evaluation runs on SQLite or PostgreSQL, not {vendor}")
    return DIALECTS[vendor]


def _codes(values) -> str:
    return ", ".join(f"'{value}'" for value in values)  # values from codes.py: digits and lower-case words


def _count_if(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


L = codes.LabourCapacity
WITH_LABOUR, WEAK_LABOUR, WITHOUT_LABOUR = (L.ORDINARY, L.SKILLED), (L.WEAK,), (L.LOST, L.NONE)
NOT_AT_SCHOOL_CODES = _codes(NOT_AT_SCHOOL)

#: the profile's member counts, as aggregates over registry_member m (grouped by household)
MEMBER_COUNTS = {
    "members": "COUNT(*)",
    "members_with_labour": _count_if(f"m.labour_capacity IN ({_codes(WITH_LABOUR)})"),
    "members_weak_labour": _count_if(f"m.labour_capacity IN ({_codes(WEAK_LABOUR)})"),
    "members_without_labour": _count_if(f"m.labour_capacity IN ({_codes(WITHOUT_LABOUR)})"),
    "uninsured_members": _count_if("NOT m.basic_medical_insured"),
    "dibao_members": _count_if("m.dibao"),
    "tekun_members": _count_if("m.tekun"),
    "seriously_ill_members": _count_if(f"m.health = '{codes.Health.SERIOUS}'"),
    "disabled_members": _count_if(f"m.health = '{codes.Health.DISABLED}' OR m.disability_cert <> ''"),
}
EK = codes.EventKind


#: the profile's member dates, as aggregates over the same rows: the birth date of the youngest member not at
#: school (features.NOT_AT_SCHOOL), which tells without a probe that no child of compulsory age is out of
#: school when it is older than the age (most households: their youngest such member is an adult)
MEMBER_DATES = {
    "latest_unschooled_birth": f"MAX(CASE WHEN m.school_status IN ({NOT_AT_SCHOOL_CODES}) THEN m.birth_date END)",
}


def member_counts_select(where: str) -> str:
    aggregates = {**MEMBER_COUNTS, **MEMBER_DATES}
    columns = ", ".join(f"{expression} AS {name}" for name, expression in aggregates.items())
    return f"SELECT m.household_id AS household_id, {columns} FROM {MEMBER} m WHERE {where} GROUP BY m.household_id"


def _status_of(last_kind: str) -> str:
    """The status the latest status-moving event leaves (codes.STATUS_AFTER); none: an ordinary household."""
    whens = " ".join(f"WHEN '{kind}' THEN '{status}'" for kind, status in codes.STATUS_AFTER.items())
    return f"CASE {last_kind} {whens} ELSE '{codes.Status.ORDINARY}' END"


def event_facts_select(where: str) -> str:
    """Per household: the first identification, the latest 纳入监测 (date and category) and the latest event that
    moves the status (合并 does not), each latest by (date, id) as services.with_status_as_of orders them, and
    the status that event leaves."""
    last_kind = f"MAX(CASE WHEN e.kind <> '{EK.MERGED}' AND e.rn_status = 1 THEN e.kind END)"
    return f"""SELECT e.household_id AS household_id,
  MIN(CASE WHEN e.kind = '{EK.IDENTIFIED}' THEN e.date END) AS identified_on,
  MAX(CASE WHEN e.kind = '{EK.MONITORED}' AND e.rn_kind = 1 THEN e.date END) AS monitored_on,
  COALESCE(MAX(CASE WHEN e.kind = '{EK.MONITORED}' AND e.rn_kind = 1 THEN e.monitoring_category END), '')
    AS monitored_category,
  COALESCE({last_kind}, '') AS last_kind,
  {_status_of(last_kind)} AS status
FROM (SELECT household_id, id, kind, date, monitoring_category,
        ROW_NUMBER() OVER (PARTITION BY household_id, kind ORDER BY date DESC, id DESC) AS rn_kind,
        ROW_NUMBER() OVER (PARTITION BY household_id, kind = '{EK.MERGED}' ORDER BY date DESC, id DESC) AS rn_status
      FROM {EVENT} WHERE {where}) e
GROUP BY e.household_id"""


# ── the features ────────────────────────────────────────────────────────────────────────────────────────────────

STATUS = f"COALESCE({{pe}}.status, '{codes.Status.ORDINARY}')"


def _type_for_status() -> str:
    from fupin.registry.services import TYPE_FOR_STATUS

    cases = " ".join(f"WHEN '{status}' THEN '{kind}'" for status, kind in TYPE_FOR_STATUS.items())
    return f"CASE {STATUS} {cases} ELSE {{household_type}} END"


def _whole_months(dialect: str) -> str:
    """Whole months from the latest 纳入监测 to the assessment date, day against day (Jan 31 → Feb 28 is 0)."""
    if dialect == "sqlite":
        year, month, day = (
            f"CAST(substr({{pe}}.monitored_on, {start}, {length}) AS INTEGER)"
            for start, length in ((1, 4), (6, 2), (9, 2))
        )
    else:
        year, month, day = (
            f"CAST(EXTRACT({part} FROM {{pe}}.monitored_on) AS INTEGER)" for part in ("YEAR", "MONTH", "DAY")
        )
    return f"(%(month_index)s - ({year} * 12 + {month}) - CASE WHEN %(day)s < {day} THEN 1 ELSE 0 END)"


def _money(dialect: str, column: str) -> str:
    return f"CAST({column} AS {DOUBLE[dialect]})"


#: the household's own fields the features read: the profile keeps a copy (a household row is wide, and reading
#: a column near its end costs more than the rule that uses it)
HOUSEHOLD_INPUTS = ("household_type", "risk_type", "no_labour_household", "relocated", "first_identified_on")

#: the inputs that depend on the assessment year: (table alias, column, kind) in the registry's own tables; the
#: profile holds each under the same name for its year (HouseholdProfile). A per-capita income is the exact
#: quotient net income ÷ persons, not the account's 人均纯收入 (rounded to the fen): a line is compared with
#: what the household has, so 9,654.01 ÷ 3 = 3,218.0033 exceeds a 3,218 line that 3,218.00 would not
#: (docs/domain.md, "人均纯收入与标准线的比较")
YEAR_INPUTS = {
    "per_capita_income": ("i", "net_income", "per_capita"),
    "net_income": ("i", "net_income", "money"),
    "out_of_pocket": ("i", "compliant_out_of_pocket", "money"),
    "per_capita_income_prev": ("p", "net_income", "per_capita"),
    "net_income_prev": ("p", "net_income", "money"),
    "housing_safety": ("c", "housing_safety", "code"),
    "safe_drinking_water": ("c", "safe_drinking_water", "code"),
    "food_clothing_secure": ("c", "food_clothing_secure", "code"),
}


def year_joins(key: str, aliases=("i", "p", "c")) -> list[str]:
    """The joins of the year inputs' tables onto the household id `key`: i the year's income account, p the year
    before's, c the year's living conditions."""
    joins = {
        "i": f"LEFT JOIN {INCOME} i ON i.household_id = {key} AND i.year = %(year)s",
        "p": f"LEFT JOIN {INCOME} p ON p.household_id = {key} AND p.year = %(last_year)s",
        "c": f"LEFT JOIN {CONDITIONS} c ON c.household_id = {key} AND c.year = %(year)s",
    }
    return [joins[alias] for alias in aliases]


def year_input_tables(dialect: str) -> dict[str, str]:
    """Each year input as an expression over the registry tables i, p and c (persons is at least 1: a check
    constraint of the income account)."""
    expressions = {}
    for name, (alias, column, kind) in YEAR_INPUTS.items():
        if kind == "per_capita":
            expressions[name] = f"({_money(dialect, f'{alias}.{column}')} / {alias}.persons)"
        elif kind == "money":
            expressions[name] = _money(dialect, f"{alias}.{column}")
        else:
            expressions[name] = f"{alias}.{column}"
    return expressions


#: the SQL of `measures_in_place`: "0" until the app that records assistance measures (issue 14) registers its
#: count through `register_measures`; policy sits below it and never imports it (docs/architecture.md)
_measures_sql = ["0"]


def register_measures(template: str | None) -> None:
    """Set the SQL counting a household's measures in place on the assessment date: our own text (never input),
    a template over {hid} (the household id column) and the %(as_of)s parameter, e.g.
    "(SELECT COUNT(*) FROM assistance_measure am WHERE am.household_id = {hid} AND am.started_on <= %(as_of)s)".
    None puts back the literal 0 (tests)."""
    _measures_sql[0] = template or "0"


def feature_expressions(dialect: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each catalogue feature as (SQL expression, the relations it reads). Expressions are templates over {pm}/{pe}
    and the year inputs ({per_capita_income}, …), so that the member and event relations can be the profile or
    computed inline, and the year's inputs the profile's columns or the registry's tables."""
    false = FALSE[dialect]
    count = lambda name: (f"COALESCE({{pm}}.{name}, 0)", ("pm",))  # noqa: E731
    status = STATUS
    features = {
        "income_per_capita": ("{per_capita_income}", ("y",)),
        "income_per_capita_last_year": ("{per_capita_income_prev}", ("y",)),
        "income_change_ratio": (
            "CASE WHEN {per_capita_income_prev} > 0 THEN ({per_capita_income} - {per_capita_income_prev}) "
            "/ {per_capita_income_prev} END",
            ("y",),
        ),
        "net_income": ("{net_income}", ("y",)),
        "net_income_last_year": ("{net_income_prev}", ("y",)),
        "out_of_pocket": ("{out_of_pocket}", ("y",)),
        "out_of_pocket_ratio": ("CASE WHEN {net_income} > 0 THEN {out_of_pocket} / {net_income} END", ("y",)),
        "members": count("members"),
        "members_with_labour": count("members_with_labour"),
        "members_weak_labour": count("members_weak_labour"),
        "members_without_labour": count("members_without_labour"),
        "labour_capacity_all_lost": (
            "CASE WHEN COALESCE({pm}.members, 0) = 0 THEN NULL "
            "ELSE ({pm}.members_with_labour + {pm}.members_weak_labour = 0) END",
            ("pm",),
        ),
        "anyone_uninsured": ("(COALESCE({pm}.uninsured_members, 0) > 0)", ("pm",)),
        # the age test only for a household whose youngest member not at school may be of the age (an indexed
        # probe each). The fence keeps PostgreSQL from turning the probe into a hashed subplan, which scans every
        # member row first (measured: two scans of 10M members, 1.2 s, per connection)
        "child_out_of_school": (
            f"CASE WHEN {{pm}}.latest_unschooled_birth IS NULL OR {{pm}}.latest_unschooled_birth <= %(born_after)s "
            f"THEN {false} ELSE EXISTS (SELECT 1 FROM {MEMBER} oos WHERE oos.household_id = {{hid}} "
            f"AND oos.school_status IN ({NOT_AT_SCHOOL_CODES}) "
            f"AND oos.birth_date > %(born_after)s AND oos.birth_date <= %(born_by)s {FENCE[dialect]}) END",
            ("pm",),
        ),
        "dibao_members": count("dibao_members"),
        "tekun_members": count("tekun_members"),
        "seriously_ill_members": count("seriously_ill_members"),
        "disabled_members": count("disabled_members"),
        "housing_unsafe": (f"({{housing_safety}} <> '{codes.HousingSafety.SAFE}')", ("y",)),
        "housing_grade": ("{housing_safety}", ("y",)),
        "safe_drinking_water": ("{safe_drinking_water}", ("y",)),
        "food_clothing_secure": ("{food_clothing_secure}", ("y",)),
        "household_type": (_type_for_status(), ("pe",)),
        "status": (status, ("pe",)),
        # the profile keeps the earlier of the two dates (first_poor_on); recomputed event facts do not
        "ever_poor": ("{ever_poor_by_date}", ("pe",)),
        "monitoring_category": (
            f"CASE WHEN {status} = '{codes.Status.MONITORED}' THEN NULLIF({{pe}}.monitored_category, '') END",
            ("pe",),
        ),
        "risk_type": ("NULLIF({risk_type}, '')", ()),
        "months_monitored": (
            f"CASE WHEN {status} = '{codes.Status.MONITORED}' THEN {_whole_months(dialect)} ELSE 0 END",
            ("pe",),
        ),
        "measures_in_place": (_measures_sql[0], ()),  # 0 until an app registers its count (register_measures)
        "no_labour_household": ("{no_labour_household}", ()),
        "relocated": ("{relocated}", ()),
    }
    missing = set(FEATURES) ^ set(features)
    assert not missing, f"features without SQL or SQL without a feature: {missing}"
    return features


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes the 28th (Member.age_on counts it so)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def parameters(as_of: date, year: int) -> dict:
    """The named parameters every feature SELECT takes. A member is of compulsory-education age on `as_of` when
    born after the day they would turn OLDEST_PUPIL + 1 and by the day they turn YOUNGEST_PUPIL."""
    return {
        "as_of": as_of,
        "year": year,
        "last_year": year - 1,
        "born_after": _years_before(as_of, OLDEST_PUPIL + 1),
        "born_by": _years_before(as_of, YOUNGEST_PUPIL),
        "month_index": as_of.year * 12 + as_of.month,
        "day": as_of.day,
    }


@dataclass(frozen=True)
class Source:
    """Where the member counts, the event facts and the year's inputs come from: the profile table (batch), a
    table of event facts as of a past date (batch), or computed inline for one household; the year's inputs from
    the profile when it holds the assessment year, else from the income and conditions tables."""

    members: str
    events: str
    key: str = "id"  # the members relation's household column: the profile's primary key is the household id
    years_in_profile: bool = False

    @staticmethod
    def profile(years_in_profile: bool = True) -> "Source":
        return Source(PROFILE, PROFILE, years_in_profile=years_in_profile)

    @staticmethod
    def as_of_table(years_in_profile: bool = True) -> "Source":
        return Source(PROFILE, AS_OF_EVENTS, years_in_profile=years_in_profile)

    @staticmethod
    def inline() -> "Source":
        return Source(
            f"({member_counts_select('m.household_id = %(household)s')})",
            f"({event_facts_select('household_id = %(household)s AND date <= %(as_of)s')})",
            key="household_id",
        )


@dataclass(frozen=True)
class Relation:
    """The named features as SQL expressions, the joins they need (FROM … JOIN …) and the household id column."""

    expressions: dict[str, str]
    joins: str
    key: str


def feature_relation(dialect: str, names, source: Source, scoped: bool = True) -> Relation:
    """Features over the registry. A batch over the whole registry (`scoped` false) reads the profile alone, which
    holds a row for every household: no household row is read at all."""
    expressions = feature_expressions(dialect)
    needed = {alias for name in names for alias in expressions[name][1]}
    same = source.members == source.events
    batch = source.members == PROFILE
    key = "h.id" if scoped or not batch else "pm.id"
    values = {"pm": "pm", "pe": "pm" if same else "pe", "hid": key}
    values.update({name: f"pm.{name}" if batch else f"h.{name}" for name in HOUSEHOLD_INPUTS})
    if same and batch:
        values["ever_poor_by_date"] = f"COALESCE(pm.first_poor_on <= %(as_of)s, {FALSE[dialect]})"
    else:
        values["ever_poor_by_date"] = (
            f"({values['pe']}.identified_on IS NOT NULL OR "
            f"COALESCE({values['first_identified_on']} <= %(as_of)s, {FALSE[dialect]}))"
        )
    if source.years_in_profile:
        values.update({name: f"pm.{name}" for name in YEAR_INPUTS})
    else:
        values.update(year_input_tables(dialect))
    texts = {name: expressions[name][0].format(**values) for name in names}
    if key == "pm.id":
        joins = [f"FROM {PROFILE} pm"]
    else:
        joins = [f"FROM {HOUSEHOLD} h"]
        if batch or "pm" in needed or (same and "pe" in needed):
            joins.append(f"LEFT JOIN {source.members} pm ON pm.{source.key} = h.id")
    if "pe" in needed and not same:
        joins.append(f"LEFT JOIN {source.events} pe ON pe.household_id = {key}")
    if "y" in needed and not source.years_in_profile:
        used = {YEAR_INPUTS[name][0] for name in YEAR_INPUTS if any(f"{{{name}}}" in expressions[n][0] for n in names)}
        joins += year_joins(key, [alias for alias in ("i", "p", "c") if alias in used])
    return Relation(texts, "\n".join(joins), key)


def features_select(dialect: str, names, source: Source, where: str) -> str:
    """SELECT household_id, village_id and the named features for the households matching `where` (over h)."""
    relation = feature_relation(dialect, names, source)
    columns = "".join(f",\n  {relation.expressions[name]} AS {name}" for name in names)
    return (
        f"SELECT h.id AS household_id, h.village_id AS village_id{columns}\n{relation.joins}\n"
        f"WHERE {where} {FENCE[dialect]}"
    )


def scope_condition(prefix: str) -> tuple[str, dict]:
    """Households under an area-code prefix: the code range of areas.models.code_range, as `.restrict` uses."""
    low, high = code_range(prefix)
    return "h.village_id >= %(low)s AND h.village_id < %(high)s", {"low": low, "high": high}


def batch_scope(prefix: str) -> tuple[str, dict, str]:
    """(condition, parameters, household id column) of a batch: the whole registry reads the profile alone."""
    if not prefix:
        return "1 = 1", {}, "pm.id"
    condition, params = scope_condition(prefix)
    return condition, params, "h.id"


def events_after(day: date, using: str = "default") -> bool:
    """Whether any status event is dated after `day` (then the profile's facts are not those as of `day`). One
    probe of the (kind, date) index per kind."""
    with connections[using].cursor() as cursor:
        for kind in EK.values:
            cursor.execute(f"SELECT 1 FROM {EVENT} WHERE kind = %s AND date > %s LIMIT 1", [kind, day])
            if cursor.fetchone():
                return True
    return False


def fill_as_of_events(day: date, prefix: str, using: str = "default") -> None:
    """(Re)create the temporary table of event facts as of a past date for the households under `prefix`."""
    scope, params = scope_condition(prefix)
    with connections[using].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {AS_OF_EVENTS}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {AS_OF_EVENTS} (household_id BIGINT PRIMARY KEY, identified_on DATE, "
            f"monitored_on DATE, monitored_category VARCHAR(1), last_kind VARCHAR(20), status VARCHAR(20))"
        )
        where = f"date <= %(as_of)s AND household_id IN (SELECT h.id FROM {HOUSEHOLD} h WHERE {scope})"
        cursor.execute(f"INSERT INTO {AS_OF_EVENTS} {event_facts_select(where)}", {**params, "as_of": day})


def drop_as_of_events(using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {AS_OF_EVENTS}")


def household_features(household_id: int, names, as_of: date, year: int, using: str = "default") -> dict | None:
    """The named features of one household, computed from its rows now (no profile involved)."""
    dialect = dialect_of(using)
    sql = features_select(dialect, names, Source.inline(), "h.id = %(household)s")
    with connections[using].cursor() as cursor:
        cursor.execute(sql, {**parameters(as_of, year), "household": household_id})
        row = cursor.fetchone()
        if row is None:
            return None
        columns = [column[0] for column in cursor.description]
    values = dict(zip(columns, row))
    return {name: _python_value(name, values[name]) for name in names}


def _python_value(name: str, value):
    """As the batch stores it: SQLite gives booleans as 0/1 and counts as ints, PostgreSQL gives them typed."""
    from .features import FeatureType

    if value is None:
        return None
    kind = FEATURES[name].type
    if kind is FeatureType.BOOLEAN:
        return bool(value)
    if kind is FeatureType.INTEGER:
        return int(value)
    if kind is FeatureType.NUMBER:
        return float(value)
    return str(value)


# ── keeping the profile fresh ──────────────────────────────────────────────────────────────────────────────────


def profile_state(using: str = "default") -> ProfileState | None:
    return ProfileState.objects.using(using).first()


def _top_ids(using: str) -> dict[str, int]:
    """The highest id of each table the profile reads (the rowid or primary-key end: one probe each)."""
    tops = {}
    with connections[using].cursor() as cursor:
        for name, table in WATERMARKS.items():
            cursor.execute(f"SELECT MAX(id) FROM {table}")
            tops[name] = cursor.fetchone()[0] or 0
    return tops


#: ProfileState's watermark fields and the tables they follow
WATERMARKS = {
    "household_id": HOUSEHOLD,
    "member_id": MEMBER,
    "event_id": EVENT,
    "income_id": INCOME,
    "conditions_id": CONDITIONS,
}


def rebuild_profiles(households: str | None, params: dict, year: int, using: str = "default") -> None:
    """Recompute the profile of the households whose ids `households` gives (SQL yielding ids; None: all of them)
    for `year`: delete their rows and insert one row per household — its own fields, the year's inputs, member
    counts and event facts — in one statement, at any size. (One INSERT, not an insert and two upserts: on
    PostgreSQL every upsert leaves a dead row version, which doubled the table the next assessments scan.)"""
    where = (lambda column: f"{column} IN ({households})") if households else (lambda column: "1 = 1")
    params = {**params, "year": year, "last_year": year - 1}
    first = "h.first_identified_on"
    values = {
        **{name: f"h.{name}" for name in HOUSEHOLD_INPUTS},
        **year_input_tables(dialect_of(using)),
        **{name: f"COALESCE(mc.{name}, 0)" for name in MEMBER_COUNTS},
        **{name: f"mc.{name}" for name in MEMBER_DATES},
        "identified_on": "ef.identified_on",
        "monitored_on": "ef.monitored_on",
        "monitored_category": "COALESCE(ef.monitored_category, '')",
        "last_kind": "COALESCE(ef.last_kind, '')",
        "status": f"COALESCE(ef.status, '{codes.Status.ORDINARY}')",
        # the earlier of the identification event and the household's own date
        "first_poor_on": f"CASE WHEN {first} IS NULL OR ef.identified_on < {first} THEN COALESCE(ef.identified_on, "
        f"{first}) ELSE {first} END",
    }
    with connections[using].cursor() as cursor:
        if households is None and connections[using].vendor == "postgresql":
            cursor.execute(f"TRUNCATE {PROFILE}")  # a whole rebuild leaves no dead rows for the next scans to read
        else:
            cursor.execute(f"DELETE FROM {PROFILE} WHERE {where('id')}", params)
        cursor.execute(
            f"INSERT INTO {PROFILE} (id, household_id, {', '.join(values)})\n"
            f"SELECT h.id, h.id, {', '.join(values.values())}\nFROM {HOUSEHOLD} h {' '.join(year_joins('h.id'))}\n"
            f"LEFT JOIN ({member_counts_select(where('m.household_id'))}) mc ON mc.household_id = h.id\n"
            f"LEFT JOIN ({event_facts_select(where('household_id'))}) ef ON ef.household_id = h.id\n"
            f"WHERE {where('h.id')}",
            params,
        )


#: a refresh naming more than this share of the households rebuilds the whole profile: one statement over the
#: tables beats dozens of id-list batches (a full county's status history moves nearly every household)
WHOLE_REBUILD_SHARE = 0.25


def refresh_households(household_ids, using: str = "default") -> None:
    """After an edit through the services (one household) or a bulk update (the importer): the rows of these
    households for the profile's year, a batch at a time, or the whole profile when they are a large share of
    the households (none built yet: nothing to do, the first assessment builds the whole profile). Either way
    each household's row is what a rebuild gives; the watermarks stay, so rows bulk-loaded since are still
    found by refresh_profiles."""
    state = profile_state(using)
    if state is None or state.year is None:
        return
    ids = sorted({int(i) for i in household_ids})
    if len(ids) > 1 and len(ids) > WHOLE_REBUILD_SHARE * _household_count(using):
        rebuild_profiles(None, {}, state.year, using)
        return
    for start in range(0, len(ids), 10_000):
        chunk = ids[start : start + 10_000]
        rebuild_profiles(", ".join(str(i) for i in chunk), {}, state.year, using)  # integers we made: no injection


def _household_count(using: str) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {HOUSEHOLD}")
        return cursor.fetchone()[0]


def refresh_profiles(year: int, using: str = "default") -> int:
    """Bring the profile up to date before an assessment of `year`; returns its row count after a recomputation,
    0 when nothing was stale.

    Built whole when it has never been built or when `year` is later than the profile's (a county moves on to the
    next year's accounts); otherwise the households with member, event, income or conditions rows added since the
    watermarks (bulk loads send no signals) are recomputed for the profile's own year. An earlier year leaves the
    profile as it is: that assessment reads the income tables (see `Source`)."""
    state = profile_state(using) or ProfileState()
    tops = _top_ids(using)
    if state.year is None or year > state.year:
        rebuild_profiles(None, {}, year, using)
        state.year = year
    elif any(tops[name] > getattr(state, name) for name in WATERMARKS):
        touched = " UNION ".join(
            f"SELECT {'id' if table == HOUSEHOLD else 'household_id'} FROM {table} WHERE id > %({name})s"
            for name, table in WATERMARKS.items()
        )
        rebuild_profiles(touched, {name: getattr(state, name) for name in WATERMARKS}, state.year, using)
    else:
        return 0
    for name, top in tops.items():
        setattr(state, name, top)
    state.save(using=using)
    with connections[using].cursor() as cursor:
        if connections[using].vendor == "postgresql":
            cursor.execute(f"ANALYZE {PROFILE}")  # the planner's row counts, so it hash-joins the whole table
        cursor.execute(f"SELECT COUNT(*) FROM {PROFILE}")
        return cursor.fetchone()[0]
