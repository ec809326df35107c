"""Member events by import (成员变动: 户编号, 证件号码, 姓名, 变动类型, 日期, 迁出/迁入户编号, 原因), and the income's
家庭人口数 against the members of its year.

The rules are registry.services.member_event_refusal's, as SQL: the registry's events of each person merged with
the file's, ordered per person (window functions per 证件号码, and per household for in/out), each file row refused
with its reason — or, when a file row breaks an event already recorded after it, that row with the recorded one
named. An event already recorded (household, person, kind, date) is unchanged, so a re-import changes nothing.
The person must be a member of the household on file (the registry's or this file's 家庭成员); each new event is
tied to that member, and the member's joined_on/left_on follow (one audit entry per member whose dates move).

家庭人口数: the members present on 12-31 of the income's year, by members_present_on's reading (born by then; the
latest event by then brings them in, or none by then and the first does not), over the members and events after
this import. A household with no member on file at all is not checked (services.income_persons_error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

from fupin.registry import codes
from fupin.registry.models import Household, Member, MemberEvent
from fupin.registry.sheets import INCOMES, MEMBER_EVENTS
from fupin.registry.signals import households_changed

from ..validation import ident, q
from . import checks, fetch, write
from .yearly import plan_sheet

if TYPE_CHECKING:
    from .run import Import, Outcome

JOINS = "(" + ", ".join(sorted(q(str(k)) for k in codes.MEMBER_JOINS)) + ")"
RANK = "CASE kind WHEN 'birth' THEN 0 WHEN 'death' THEN 2 ELSE 1 END"  # services.SAME_DAY_RANK
#: a file row's place after every recorded event (ids below this), in the order of its row
FILE_ORDER = 4_000_000_000
EVENT_KINDS = {"date": "date", "kind": "code", "household__number": "text", "birth_date": "date"}
EVENT_FIELDS = (
    "id",
    "household_id",
    "household__number",
    "household__village_id",
    "id_number",
    "kind",
    "date",
    "name",
    "other_household",
    "reason",
)


def _label(expr: str) -> str:
    choices = MEMBER_EVENTS.column("kind").choices
    return f"CASE {expr} " + " ".join(f"WHEN {q(code)} THEN {q(label)}" for code, label in choices) + " END"


def _fetch_people(staged: Import, name: str, key: str, keys_sql: str) -> None:
    """Members whose `key` is among the file's keys, with their household, birth and joined/left dates."""
    fetch._fetch(
        staged,
        name,
        Member.objects.all(),
        key,
        keys_sql,
        ["id", "household_id", "household__number", "household__village_id", "id_number", "name", "birth_date"]
        + ["joined_on", "left_on"],
        kinds={**EVENT_KINDS, "joined_on": "date", "left_on": "date"},
    )


def _fetch_events(staged: Import, name: str, key: str, keys_sql: str) -> None:
    fetch._fetch(staged, name, MemberEvent.objects.all(), key, keys_sql, list(EVENT_FIELDS), kinds=EVENT_KINDS)


def _members_of_file(staged: Import) -> str:
    """The file's 家庭成员 rows as (number, id_number, birth)."""
    m = staged.norm.get("members")
    if not m:
        return (
            "SELECT CAST(NULL AS VARCHAR) AS number, CAST(NULL AS VARCHAR) AS id_number, CAST(NULL AS DATE) AS birth "
            "WHERE false"
        )
    return f"SELECT number, id_number, CAST(COALESCE(birth_date, _birth) AS DATE) AS birth FROM {m}"


def _clean_rows(staged: Import, kind: str, row: str = "_row") -> str:
    """The rows of a sheet with no error so far (those with one take no part in the order rules)."""
    title = staged.by_kind[kind].title
    return f"{row} NOT IN (SELECT e._row FROM errors e WHERE e.sheet = {q(title)})"


# ---- check ---------------------------------------------------------------------------------------------------------


def check(staged: Import) -> None:
    if "member_events" in staged.norm or "incomes" in staged.norm:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {MemberEvent._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    if "member_events" in staged.norm:
        _check_events(staged, staged.norm["member_events"])
    if "incomes" in staged.norm:
        _check_income_persons(staged, staged.norm["incomes"])


def _check_events(staged: Import, e: str) -> None:
    kind = "member_events"
    header = {c.name: c.header for c in MEMBER_EVENTS.columns}
    ids = fetch._keys(staged, "id_number", (kind,))
    _fetch_people(staged, "db_event_people", "id_number", ids)
    _fetch_events(staged, "db_member_events", "id_number", ids)
    others = f"SELECT DISTINCT other_household AS k FROM {e} WHERE other_household IS NOT NULL"
    fetch._fetch(staged, "db_other_households", Household.objects.all(), "number", others, ["id", "number"])
    for name, what in (("id_number", "证件号码"), ("kind", "变动类型"), ("date", "日期")):
        checks._err(
            staged,
            kind,
            header[name],
            f"SELECT _row, NULL AS value, '{what}不能为空' AS reason FROM {e} WHERE {ident(name)} IS NULL",
        )
    checks._duplicates(
        staged, kind, e, ["number", "id_number", "kind", "date"], header["kind"], "同一成员同一日期的同一变动只能有一行"
    )
    checks._outside_scope(staged, kind, e, header["number"])
    checks._missing_household(staged, kind, e, header["number"])
    checks._err(
        staged,
        kind,
        header["id_number"],
        f"""
        SELECT n._row, n.id_number AS value, '本户没有该证件号码的成员，请先登记该成员（“家庭成员”表）' AS reason
        FROM {e} n WHERE n.number IS NOT NULL AND n.id_number IS NOT NULL AND {_clean_rows(staged, kind, "n._row")}
          AND NOT EXISTS (SELECT 1 FROM db_event_people d WHERE d.household_number = n.number
                          AND d.id_number = n.id_number)
          AND NOT EXISTS (SELECT 1 FROM ({_members_of_file(staged)}) m WHERE m.number = n.number
                          AND m.id_number = n.id_number)""",
    )
    households = ["SELECT number FROM db_other_households"] + [
        f"SELECT number FROM {staged.norm[k]} WHERE number IS NOT NULL"
        for k in ("households", "roster")
        if k in staged.norm
    ]
    checks._err(
        staged,
        kind,
        header["other_household"],
        f"""
        SELECT _row, other_household AS value, CASE
            WHEN kind IN ('birth', 'death') THEN '“出生”“死亡”不填迁出/迁入户编号'
            WHEN other_household = number THEN '迁出/迁入户编号不能是本户'
            WHEN other_household NOT IN ({" UNION ".join(households)}) THEN '迁出/迁入户编号在系统和本文件中都不存在'
            END AS reason
        FROM {e} WHERE other_household IS NOT NULL AND (kind IN ('birth', 'death') OR other_household = number
            OR other_household NOT IN ({" UNION ".join(households)}))""",
    )
    _check_order(staged, e, header)


def _check_order(staged: Import, e: str, header: dict) -> None:
    """The order rules over the registry's events of each person merged with the file's (member_event_refusal)."""
    staged.con.execute(f"""
        CREATE TABLE member_event_seq AS
        WITH merged AS (
            SELECT CAST(NULL AS INTEGER) AS _row, id AS ord, household_number AS number, id_number, kind,
                   CAST(date AS DATE) AS date, CAST(NULL AS DATE) AS id_birth
            FROM db_member_events
            UNION ALL
            SELECT n._row, {FILE_ORDER} + n._row, n.number, n.id_number, n.kind, CAST(n.date AS DATE),
                   CAST(n._birth AS DATE)
            FROM {e} n
            WHERE {_clean_rows(staged, "member_events")}
              AND NOT EXISTS (SELECT 1 FROM db_member_events d WHERE d.household_number = n.number
                              AND d.id_number = n.id_number AND d.kind = n.kind AND d.date = n.date)),
        births AS (  -- the person's birth date: the file's member row, else the registry's, else the ID's
            SELECT id_number, COALESCE(max(f.birth), max(CAST(p.birth_date AS DATE))) AS birth
            FROM (SELECT DISTINCT id_number FROM merged) LEFT JOIN ({_members_of_file(staged)}) f USING (id_number)
                 LEFT JOIN db_event_people p USING (id_number)
            GROUP BY id_number)
        SELECT m.*, COALESCE(b.birth, m.id_birth) AS birth,
               row_number() OVER person AS position,
               lag(kind) OVER household AS before_kind, lag(date) OVER household AS before_date,
               min(CASE WHEN kind = 'death' THEN date END) OVER earlier AS died_on,
               last_value(_row IGNORE NULLS) OVER earlier AS cause_row
        FROM merged m LEFT JOIN births b USING (id_number)
        WINDOW person AS (PARTITION BY id_number ORDER BY date, {RANK}, ord),
               earlier AS (PARTITION BY id_number ORDER BY date, {RANK}, ord
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
               household AS (PARTITION BY id_number, number ORDER BY date, {RANK}, ord)""")
    joined, before_joined = f"kind IN {JOINS}", f"before_kind IN {JOINS}"
    in_out = f"before_kind IS NOT NULL AND ({before_joined}) = ({joined})"
    rule = f"""CASE
        WHEN died_on IS NOT NULL THEN 'died'
        WHEN kind = 'birth' AND position > 1 THEN 'birth_first'
        WHEN kind = 'birth' AND date != birth THEN 'birth_date'
        WHEN date < birth THEN 'before_birth'
        WHEN {in_out} THEN 'in_out' END"""
    reason = f"""CASE rule
        WHEN 'died' THEN '该成员已于' || CAST(died_on AS VARCHAR) || '死亡，之后不能再有变动'
        WHEN 'birth_first' THEN '“出生”须是该成员的第一条变动'
        WHEN 'birth_date' THEN '出生的日期应为出生日期' || CAST(birth AS VARCHAR)
        WHEN 'before_birth' THEN '日期早于该成员的出生日期' || CAST(birth AS VARCHAR)
        WHEN 'in_out' THEN
            CASE WHEN {joined} THEN '该成员此前已在本户（' ELSE '该成员此前已不在本户（' END
            || CAST(before_date AS VARCHAR) || ' ' || {_label("before_kind")} || '），不能再“'
            || {_label("kind")} || '”'
        END"""
    staged.con.execute(
        f"CREATE TABLE member_event_refusals AS SELECT *, {reason} AS reason, rule = 'in_out' AS in_out "
        f"FROM (SELECT *, {rule} AS rule FROM member_event_seq)"
    )
    for column, in_out in ((header["date"], False), (header["kind"], True)):
        checks._err(
            staged,
            "member_events",
            column,
            f"""
            SELECT _row, CASE WHEN {"true" if in_out else "false"} THEN {_label("kind")} ELSE CAST(date AS VARCHAR)
                   END AS value, reason
            FROM member_event_refusals WHERE _row IS NOT NULL AND reason IS NOT NULL AND in_out = {in_out}
            UNION ALL
            SELECT r.cause_row AS _row,
                   CASE WHEN {"true" if in_out else "false"} THEN {_label("c.kind")} ELSE CAST(c.date AS VARCHAR)
                   END AS value,
                   '与已登记的' || CAST(r.date AS VARCHAR) || '“' || {_label("r.kind")} || '”矛盾：'
                   || r.reason AS reason
            FROM member_event_refusals r JOIN member_event_refusals c ON c._row = r.cause_row
            WHERE r._row IS NULL AND r.reason IS NOT NULL AND r.in_out = {in_out}
              -- a row refused for its own reason is not blamed again for what it does to a recorded event
              AND c.reason IS NULL""",
        )


def _check_income_persons(staged: Import, i: str) -> None:
    """家庭人口数 against the members present on 12-31 of the year, after this import (rows with no error yet)."""
    numbers = fetch._keys(staged, "number", ("incomes",))
    _fetch_people(staged, "db_income_people", "household__number", numbers)
    _fetch_events(staged, "db_income_events", "household__number", numbers)
    if "persons" not in staged.by_kind["incomes"].columns:
        return  # the stored 家庭人口数 stays as it is: checked when it is given
    file_events = (
        "SELECT CAST(NULL AS VARCHAR) AS number, CAST(NULL AS VARCHAR) AS id_number, CAST(NULL AS VARCHAR) AS kind, "
        "CAST(NULL AS DATE) AS date, 0 AS ord WHERE false"
    )
    if "member_events" in staged.norm:
        file_events = f"""
            SELECT n.number, n.id_number, n.kind, CAST(n.date AS DATE), {FILE_ORDER} + n._row
            FROM {staged.norm["member_events"]} n
            WHERE NOT EXISTS (SELECT 1 FROM db_income_events d WHERE d.household_number = n.number
                              AND d.id_number = n.id_number AND d.kind = n.kind AND d.date = n.date)"""
    checks._err(
        staged,
        "incomes",
        INCOMES.column("persons").header,
        f"""
        WITH checked AS (
            SELECT n._row, n.number, CAST(n.persons AS INTEGER) AS persons,
                   CAST(n.year AS INTEGER) AS year, make_date(CAST(n.year AS INTEGER), 12, 31) AS day
            FROM {i} n
            WHERE n.number IS NOT NULL AND n.year IS NOT NULL AND n.persons IS NOT NULL
              AND {_clean_rows(staged, "incomes", "n._row")}),
        people AS (
            SELECT number, id_number, COALESCE(max(birth) FILTER (WHERE from_file), max(birth)) AS birth
            FROM (SELECT household_number AS number, id_number, CAST(birth_date AS DATE) AS birth, false AS from_file
                  FROM db_income_people
                  UNION ALL SELECT *, true FROM ({_members_of_file(staged)}))
            GROUP BY number, id_number),
        events AS (
            SELECT household_number AS number, id_number, kind, CAST(date AS DATE) AS date, id AS ord
            FROM db_income_events UNION ALL {file_events}),
        firsts AS (SELECT number, id_number, arg_min(kind, (date, ord)) AS first_kind FROM events GROUP BY ALL),
        latest AS (
            SELECT c._row, e.number, e.id_number, arg_max(e.kind, (e.date, e.ord)) AS kind
            FROM checked c JOIN events e ON e.number = c.number AND e.date <= c.day GROUP BY ALL),
        counted AS (
            SELECT c._row, c.persons, c.year, count(p.id_number) AS on_file,
                   count(p.id_number) FILTER (WHERE p.birth <= c.day AND CASE
                       WHEN l.kind IS NOT NULL THEN l.kind IN {JOINS}
                       ELSE f.first_kind IS NULL OR f.first_kind NOT IN {JOINS} END) AS present
            FROM checked c LEFT JOIN people p ON p.number = c.number
                 LEFT JOIN latest l ON l._row = c._row AND l.id_number = p.id_number
                 LEFT JOIN firsts f ON f.number = p.number AND f.id_number = p.id_number
            GROUP BY c._row, c.persons, c.year)
        SELECT _row, persons AS value,
               '家庭人口数填的是' || persons || '人，而' || year || '年12月31日本户在册成员为'
               || present || '人' AS reason
        FROM counted WHERE on_file > 0 AND persons != present""",
    )


# ---- plan and write --------------------------------------------------------------------------------------------


def plan(staged: Import, outcome: Outcome) -> None:
    if "member_events" not in staged.norm:
        return
    given = [c.name for c in MEMBER_EVENTS.columns if c.name in staged.by_kind["member_events"].columns]
    updatable = [n for n in given if n in ("name", "other_household", "reason")]
    plan_sheet(
        staged,
        outcome,
        MEMBER_EVENTS,
        staged.norm["member_events"],
        "db_member_events",
        "d.household_number = n.number AND d.id_number = n.id_number AND d.kind = n.kind AND d.date = n.date",
        "n.number",
        [(n, n) for n in updatable],
    )
    staged.event_present = updatable


def write_part(staged: Import, now) -> None:
    if "member_events" not in staged.norm:
        return
    e, kind = staged.norm["member_events"], "member_events"
    people = "SELECT id, household_id, id_number, name, joined_on, left_on FROM db_event_people"
    if con_has(staged, "new_members"):
        people += (
            " UNION ALL SELECT new_id, household_id, id_number, name, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR) "
            "FROM new_members"
        )
    staged.con.execute(f"CREATE TABLE event_people AS {people}")
    base = write._next_id(MemberEvent)
    staged.con.execute(f"""
        CREATE TABLE new_member_events AS
        SELECT n.* REPLACE (COALESCE(n.name, m.name) AS name), h.id AS household_id, m.id AS member_id,
               {base} - 1 + row_number() OVER (ORDER BY n.id_number, n.date, {RANK.replace("kind", "n.kind")}, n._row)
               AS new_id
        FROM {e} n JOIN plan_{kind} p USING (_row) JOIN household_ids h ON h.number = n.number
             LEFT JOIN event_people m ON m.household_id = h.id AND m.id_number = n.id_number
        WHERE p.db_id IS NULL""")
    names = {c.name for c in MEMBER_EVENTS.columns if c.name in staged.by_kind[kind].columns} | {"name"}
    write._insert(
        staged,
        MemberEvent,
        MEMBER_EVENTS.columns,
        names - {"number"},
        "new_member_events n",
        {"id": "n.new_id", "household_id": "n.household_id", "member_id": "n.member_id"},
        {"recorded_by_id": staged.user.pk, "recorded_at": now, "approximate": False},
    )
    present = [MEMBER_EVENTS.column(n) for n in staged.event_present]
    write._update(staged, MemberEvent, kind, f"plan_{kind}", e, present, lambda c: c, now)
    write._audit(
        staged,
        kind,
        MemberEvent,
        "s.village_id",
        f"(SELECT n._row, m.new_id, h.village_id FROM {e} n LEFT JOIN new_member_events m USING (_row) "
        "JOIN household_ids h ON h.number = n.number)",
    )
    _sync_member_dates(staged)


def con_has(staged: Import, table: str) -> bool:
    found = staged.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0]
    return bool(found)


def _sync_member_dates(staged: Import) -> None:
    """joined_on/left_on of the members with new events, from all their events in their household
    (services.sync_member_dates' rule), updated where they move, with one audit entry each."""
    staged.con.execute(f"""
        CREATE TABLE member_dates AS
        WITH events AS (
            SELECT household_id, id_number, kind, CAST(date AS DATE) AS date, id AS ord FROM db_member_events
            UNION ALL SELECT household_id, id_number, kind, CAST(date AS DATE), new_id FROM new_member_events),
        touched AS (SELECT DISTINCT member_id AS id FROM new_member_events WHERE member_id IS NOT NULL),
        dates AS (
            SELECT household_id, id_number, max(date) FILTER (WHERE kind IN {JOINS}) AS joined_on,
                   arg_max(kind, (date, {RANK}, ord)) AS last_kind, arg_max(date, (date, {RANK}, ord)) AS last_date
            FROM events GROUP BY ALL)
        SELECT p.id, h.village_id, p.joined_on AS old_joined, p.left_on AS old_left,
               CAST(d.joined_on AS VARCHAR) AS joined_on,
               CASE WHEN d.last_kind NOT IN {JOINS} THEN CAST(d.last_date AS VARCHAR) END AS left_on
        FROM touched t JOIN event_people p USING (id) JOIN dates d USING (household_id, id_number)
             JOIN (SELECT DISTINCT id, village_id FROM household_ids) h ON h.id = p.household_id
        WHERE p.joined_on IS DISTINCT FROM CAST(d.joined_on AS VARCHAR) OR p.left_on IS DISTINCT FROM
              (CASE WHEN d.last_kind NOT IN {JOINS} THEN CAST(d.last_date AS VARCHAR) END)""")
    rows = staged.con.execute("SELECT joined_on, left_on, id FROM member_dates").fetchall()
    if rows:
        quote = connection.ops.quote_name
        convert = write._python(Member._meta.get_field("joined_on"))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(Member._meta.db_table)} SET {quote('joined_on')} = %s, {quote('left_on')} = %s "
                "WHERE id = %s",
                [(convert(j), convert(left), pk) for j, left, pk in rows],
            )
    staged.audit_rows.append("""
        SELECT 'update' AS action, 'registry.member' AS model, CAST(id AS VARCHAR) AS object_id,
               village_id AS area_code,
               CAST(to_json(map_from_entries(list_filter(
                   [{'k': 'joined_on', 'v': [old_joined, joined_on]}, {'k': 'left_on', 'v': [old_left, left_on]}],
                   lambda e: e.v[1] IS DISTINCT FROM e.v[2]))) AS VARCHAR) AS changes
        FROM member_dates""")
    ids = [row[0] for row in staged.con.execute("SELECT DISTINCT household_id FROM new_member_events").fetchall()]
    if ids:
        households_changed.send(sender=type(staged), household_ids=ids, using=connection.alias)
