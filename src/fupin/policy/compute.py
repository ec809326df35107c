"""Features from the registry, computed by the registry database itself (SQLite or PostgreSQL).

Why in the database: measured on `fupin demo` data, reading the tables out into Arrow (ADBC) took longer than the
database needs to compute every feature and write every decision (docs/decisions/0002-policy-evaluation.md).
So the catalogue of `features.py` is defined here once, as SQL expressions over these aliases:

    h   registry_household (the row being judged)
    pm  member counts of the household       (the HouseholdProfile table, or the same counts computed inline)
    pe  status-event facts as of the date    (the profile when nothing happened after the date, else recomputed)
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

from .features import FEATURES, OLDEST_PUPIL, YOUNGEST_PUPIL
from .models import HouseholdProfile

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
OUT_OF_SCHOOL = codes.SchoolStatus.OUT_OF_SCHOOL

#: the profile's member counts, as aggregates over registry_member m (grouped by household)
MEMBER_COUNTS = {
    "members": "COUNT(*)",
    "members_with_labour": _count_if(f"m.labour_capacity IN ({_codes(WITH_LABOUR)})"),
    "members_weak_labour": _count_if(f"m.labour_capacity IN ({_codes(WEAK_LABOUR)})"),
    "members_without_labour": _count_if(f"m.labour_capacity IN ({_codes(WITHOUT_LABOUR)})"),
    "uninsured_members": _count_if("NOT m.basic_medical_insured"),
    "out_of_school_members": _count_if(f"m.school_status = '{OUT_OF_SCHOOL}'"),
    "dibao_members": _count_if("m.dibao"),
    "tekun_members": _count_if("m.tekun"),
    "seriously_ill_members": _count_if(f"m.health = '{codes.Health.SERIOUS}'"),
    "disabled_members": _count_if(f"m.health = '{codes.Health.DISABLED}' OR m.disability_cert <> ''"),
    "max_member_id": "MAX(m.id)",
}
EVENT_FACTS = ("identified_on", "monitored_on", "monitored_category", "last_kind", "max_event_id")
EK = codes.EventKind


def member_counts_select(where: str) -> str:
    columns = ", ".join(f"{expression} AS {name}" for name, expression in MEMBER_COUNTS.items())
    return f"SELECT m.household_id AS household_id, {columns} FROM {MEMBER} m WHERE {where} GROUP BY m.household_id"


def event_facts_select(where: str) -> str:
    """Per household: the first identification, the latest 纳入监测 (date and category) and the latest event that
    moves the status (合并 does not), each latest by (date, id) as services.with_status_as_of orders them."""
    return f"""SELECT e.household_id AS household_id,
  MIN(CASE WHEN e.kind = '{EK.IDENTIFIED}' THEN e.date END) AS identified_on,
  MAX(CASE WHEN e.kind = '{EK.MONITORED}' AND e.rn_kind = 1 THEN e.date END) AS monitored_on,
  COALESCE(MAX(CASE WHEN e.kind = '{EK.MONITORED}' AND e.rn_kind = 1 THEN e.monitoring_category END), '')
    AS monitored_category,
  COALESCE(MAX(CASE WHEN e.kind <> '{EK.MERGED}' AND e.rn_status = 1 THEN e.kind END), '') AS last_kind,
  MAX(e.id) AS max_event_id
FROM (SELECT household_id, id, kind, date, monitoring_category,
        ROW_NUMBER() OVER (PARTITION BY household_id, kind ORDER BY date DESC, id DESC) AS rn_kind,
        ROW_NUMBER() OVER (PARTITION BY household_id, kind = '{EK.MERGED}' ORDER BY date DESC, id DESC) AS rn_status
      FROM {EVENT} WHERE {where}) e
GROUP BY e.household_id"""


# ── the features ────────────────────────────────────────────────────────────────────────────────────────────────

STATUS = "CASE {pe}.last_kind " + " ".join(
    f"WHEN '{kind}' THEN '{status}'" for kind, status in codes.STATUS_AFTER.items()
) + f" ELSE '{codes.Status.ORDINARY}' END"


def _type_for_status() -> str:
    from fupin.registry.services import TYPE_FOR_STATUS

    cases = " ".join(f"WHEN '{status}' THEN '{kind}'" for status, kind in TYPE_FOR_STATUS.items())
    return f"CASE {STATUS} {cases} ELSE h.household_type END"


def _whole_months(dialect: str) -> str:
    """Whole months from the latest 纳入监测 to the assessment date, day against day (Jan 31 → Feb 28 is 0)."""
    if dialect == "sqlite":
        year, month, day = ("CAST(substr({pe}.monitored_on, %d, %d) AS INTEGER)" % span for span in ((1, 4), (6, 2), (9, 2)))
    else:
        year, month, day = (f"CAST(EXTRACT({part} FROM {{pe}}.monitored_on) AS INTEGER)" for part in ("YEAR", "MONTH", "DAY"))
    return (f"(%(month_index)s - ({year} * 12 + {month}) - CASE WHEN %(day)s < {day} THEN 1 ELSE 0 END)")


def _money(dialect: str, column: str) -> str:
    return f"CAST({column} AS {DOUBLE[dialect]})"


def feature_expressions(dialect: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each catalogue feature as (SQL expression, the aliases it joins). Expressions are templates over {pm}/{pe}
    so that the member and event relations can be the profile table or computed inline."""
    money = lambda column: _money(dialect, column)  # noqa: E731
    false = FALSE[dialect]
    count = lambda name: (f"COALESCE({{pm}}.{name}, 0)", ("pm",))  # noqa: E731
    status = STATUS
    features = {
        "income_per_capita": (money("i.per_capita_net_income"), ("i",)),
        "income_per_capita_last_year": (money("p.per_capita_net_income"), ("p",)),
        "income_change_ratio": (
            f"CASE WHEN p.per_capita_net_income > 0 THEN ({money('i.per_capita_net_income')} - "
            f"{money('p.per_capita_net_income')}) / {money('p.per_capita_net_income')} END", ("i", "p")),
        "net_income": (money("i.net_income"), ("i",)),
        "net_income_last_year": (money("p.net_income"), ("p",)),
        "out_of_pocket": (money("i.compliant_out_of_pocket"), ("i",)),
        "out_of_pocket_ratio": (
            f"CASE WHEN i.net_income > 0 THEN {money('i.compliant_out_of_pocket')} / {money('i.net_income')} END",
            ("i",)),
        "members": count("members"),
        "members_with_labour": count("members_with_labour"),
        "members_weak_labour": count("members_weak_labour"),
        "members_without_labour": count("members_without_labour"),
        "labour_capacity_all_lost": (
            "CASE WHEN COALESCE({pm}.members, 0) = 0 THEN NULL "
            "ELSE ({pm}.members_with_labour + {pm}.members_weak_labour = 0) END", ("pm",)),
        "anyone_uninsured": ("(COALESCE({pm}.uninsured_members, 0) > 0)", ("pm",)),
        # the age test only for the rare household with an out-of-school member (an indexed probe each)
        "child_out_of_school": (
            f"CASE WHEN COALESCE({{pm}}.out_of_school_members, 0) = 0 THEN {false} ELSE EXISTS (SELECT 1 FROM {MEMBER} "
            f"oos WHERE oos.household_id = h.id AND oos.school_status = '{OUT_OF_SCHOOL}' "
            f"AND oos.birth_date > %(born_after)s AND oos.birth_date <= %(born_by)s) END", ("pm",)),
        "dibao_members": count("dibao_members"),
        "tekun_members": count("tekun_members"),
        "seriously_ill_members": count("seriously_ill_members"),
        "disabled_members": count("disabled_members"),
        "housing_unsafe": (f"(c.housing_safety <> '{codes.HousingSafety.SAFE}')", ("c",)),
        "housing_grade": ("c.housing_safety", ("c",)),
        "safe_drinking_water": ("c.safe_drinking_water", ("c",)),
        "food_clothing_secure": ("c.food_clothing_secure", ("c",)),
        "household_type": (_type_for_status(), ("pe",)),
        "status": (status, ("pe",)),
        "ever_poor": (
            f"({{pe}}.identified_on IS NOT NULL OR COALESCE(h.first_identified_on <= %(as_of)s, {false}))", ("pe",)),
        "monitoring_category": (
            f"CASE WHEN {status} = '{codes.Status.MONITORED}' THEN NULLIF({{pe}}.monitored_category, '') END", ("pe",)),
        "risk_type": ("NULLIF(h.risk_type, '')", ()),
        "months_monitored": (
            f"CASE WHEN {status} = '{codes.Status.MONITORED}' THEN {_whole_months(dialect)} ELSE 0 END", ("pe",)),
        "measures_in_place": ("0", ()),  # the assistance module does not exist yet (see the catalogue)
        "no_labour_household": ("h.no_labour_household", ()),
        "relocated": ("h.relocated", ()),
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
        "as_of": as_of, "year": year, "last_year": year - 1,
        "born_after": _years_before(as_of, OLDEST_PUPIL + 1), "born_by": _years_before(as_of, YOUNGEST_PUPIL),
        "month_index": as_of.year * 12 + as_of.month, "day": as_of.day,
    }


@dataclass(frozen=True)
class Source:
    """Where the member counts and event facts come from: the profile table (batch), a table of event facts as of
    a past date (batch), or computed inline for one household."""

    members: str
    events: str
    key: str = "id"  # the members relation's household column: the profile's primary key is the household id

    @staticmethod
    def profile() -> "Source":
        return Source(PROFILE, PROFILE)

    @staticmethod
    def as_of_table() -> "Source":
        return Source(PROFILE, AS_OF_EVENTS)

    @staticmethod
    def inline() -> "Source":
        return Source(
            f"({member_counts_select('m.household_id = %(household)s')})",
            f"({event_facts_select('household_id = %(household)s AND date <= %(as_of)s')})",
            key="household_id",
        )


def features_select(dialect: str, names, source: Source, where: str) -> str:
    """SELECT household_id, village_id and the named features for the households matching `where` (over h)."""
    expressions = feature_expressions(dialect)
    needed = {alias for name in names for alias in expressions[name][1]}
    same = source.members == source.events
    aliases = {"pm": "pm", "pe": "pm" if same else "pe"}
    joins = []
    if needed & {"pm", "pe"} and ("pm" in needed or same):
        joins.append(f"LEFT JOIN {source.members} pm ON pm.{source.key} = h.id")
    if "pe" in needed and not same:
        joins.append(f"LEFT JOIN {source.events} pe ON pe.household_id = h.id")
    if "i" in needed:
        joins.append(f"LEFT JOIN {INCOME} i ON i.household_id = h.id AND i.year = %(year)s")
    if "p" in needed:
        joins.append(f"LEFT JOIN {INCOME} p ON p.household_id = h.id AND p.year = %(last_year)s")
    if "c" in needed:
        joins.append(f"LEFT JOIN {CONDITIONS} c ON c.household_id = h.id AND c.year = %(year)s")
    columns = "".join(
        f",\n  {expressions[name][0].format(**aliases)} AS {name}" for name in names
    )
    return (f"SELECT h.id AS household_id, h.village_id AS village_id{columns}\nFROM {HOUSEHOLD} h\n"
            + "\n".join(joins) + f"\nWHERE {where} {FENCE[dialect]}")


def scope_condition(prefix: str) -> tuple[str, dict]:
    """Households under an area-code prefix: the code range of areas.models.code_range, as `.restrict` uses."""
    low, high = code_range(prefix)
    return "h.village_id >= %(low)s AND h.village_id < %(high)s", {"low": low, "high": high}


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
            f"monitored_on DATE, monitored_category VARCHAR(1), last_kind VARCHAR(20), max_event_id BIGINT)"
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


def _profile_columns() -> list[str]:
    return [*MEMBER_COUNTS, *EVENT_FACTS]


def rebuild_profiles(households: str | None, params: dict, using: str = "default") -> None:
    """Recompute the profile of the households whose ids `households` (SQL yielding ids, or None for all) gives:
    delete, insert member counts, then upsert event facts (a household may have events but no members).
    Statements, not a Python loop, at any size."""
    where = (lambda column: f"{column} IN ({households})") if households else (lambda column: "1 = 1")
    member_blank = ", ".join("0" for _ in MEMBER_COUNTS)
    event_blank = "CAST(NULL AS DATE), CAST(NULL AS DATE), '', '', 0"
    columns = ", ".join(_profile_columns())
    member_columns = ", ".join(MEMBER_COUNTS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in EVENT_FACTS)
    with connections[using].cursor() as cursor:
        if households is None and connections[using].vendor == "postgresql":
            cursor.execute(f"TRUNCATE {PROFILE}")  # a whole rebuild leaves no dead rows for the next scans to read
        else:
            cursor.execute(f"DELETE FROM {PROFILE} WHERE {where('id')}", params)
        cursor.execute(
            f"INSERT INTO {PROFILE} (id, household_id, {columns}) SELECT household_id, household_id, {member_columns}, "
            f"{event_blank} FROM ({member_counts_select(where('m.household_id'))}) mc",
            params,
        )
        cursor.execute(
            f"INSERT INTO {PROFILE} (id, household_id, {columns}) SELECT household_id, household_id, {member_blank}, "
            f"{', '.join(EVENT_FACTS)} FROM ({event_facts_select(where('household_id'))}) ef WHERE true "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            params,
        )


def refresh_household_profile(household_id: int, using: str = "default") -> None:
    rebuild_profiles("%(household)s", {"household": household_id}, using)


def refresh_profiles(using: str = "default") -> int:
    """Bring the profile up to date with rows written without the services (bulk loads such as `fupin demo`):
    the households with members or events above the profile's watermarks are recomputed; an empty profile is
    built whole. Returns how many households were recomputed (0 when the profile was fresh)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {MEMBER}")
        top_member = cursor.fetchone()[0] or 0
        cursor.execute(f"SELECT MAX(id) FROM {EVENT}")
        top_event = cursor.fetchone()[0] or 0
        cursor.execute(f"SELECT MAX(max_member_id) FROM {PROFILE}")
        seen_member = cursor.fetchone()[0]
        cursor.execute(f"SELECT MAX(max_event_id) FROM {PROFILE}")
        seen_event = cursor.fetchone()[0]
    if seen_member is None and seen_event is None:
        if not (top_member or top_event):
            return 0
        rebuild_profiles(None, {}, using)
    elif top_member > (seen_member or 0) or top_event > (seen_event or 0):
        touched = (f"SELECT household_id FROM {MEMBER} WHERE id > %(member)s "
                   f"UNION SELECT household_id FROM {EVENT} WHERE id > %(event)s")
        rebuild_profiles(touched, {"member": seen_member or 0, "event": seen_event or 0}, using)
    else:
        return 0
    with connections[using].cursor() as cursor:
        if connections[using].vendor == "postgresql":
            cursor.execute(f"ANALYZE {PROFILE}")  # the planner's row counts, so it hash-joins the whole table
        cursor.execute(f"SELECT COUNT(*) FROM {PROFILE}")
        return cursor.fetchone()[0]
