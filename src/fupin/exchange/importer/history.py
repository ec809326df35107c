"""The status history of an import: the status events sheet (状态变更) and the history columns of a household row
(national-system exports) staged as one table of dated events, checked per household in date order against the
transition rules over the household's recorded events merged with the file's, then written with the household's
status fields following from all its events.

Stages, as the rest of the import (run.py): stage_events and the checks from run_checks, the plan (which events
are new, which already recorded, what each household's status fields become) from plan_rows, the write from
write_rows. Each is a few statements over DuckDB tables whatever the number of events: window functions give each
event the status it follows.

Order of one household's events: by date; on one date the recorded ones first (they were there before), then the
file's in the natural order of the procedure (PROCEDURE_ORDER: identified before exited…). The registry orders
same-date events by id, and the new events get their ids in this order, so as-of queries see the same sequence.
An event already recorded (household, kind, date) is unchanged: re-importing a file changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts.models import AuditEntry
from fupin.registry import codes
from fupin.registry.models import Household, StatusEvent
from fupin.registry.services import EVENT_FROM, TYPE_FOR_STATUS
from fupin.registry.sheets import HOUSEHOLDS, STATUS_EVENTS
from fupin.registry.signals import households_changed

from ..validation import add_errors, ident, q, year_alone
from . import checks, fetch, village_history, write
from .sqltext import labels, message

if TYPE_CHECKING:
    from .run import Import


def _reasons() -> dict[str, str]:
    """The reasons a row is refused for, translated when asked (xgettext does not look inside f-strings)."""
    return {
        "blank": _("%(column)s不能为空"),
        "duplicate": _("同一户同一日期的同一事件"),
        "returned_without_date": _("填了返贫，须同时填写“%(column)s”"),
        "date_without_return": _("“%(column)s”为“否”，却填了返贫时间"),
        "no_status_before": _("该户此前没有状态变更（一般农户），不能“%(kind)s”"),
        "status_before": _("此前的状态为“%(status)s”（%(date)s %(event)s），不能“%(kind)s”"),
        "breaks_recorded": _("插入后，已登记的“%(date)s %(event)s”不能跟在它后面（%(status)s后不能“%(event)s”）"),
        "later_than_today": _("日期晚于今天"),
        "monitored_needs_category": _("纳入监测须填写监测对象类别"),
        "no_labour": _("整户无劳动能力的兜底户不标注风险消除"),
        "unknown_status": _("不是可识别的状态，可填："),
        "status_disagrees": _("填写的当前状态“%(typed)s”与状态变更记录得出的“%(derived)s”不一致"),
    }


#: on one date, the order the procedure takes (a household identified and exited on the same day: that order)
PROCEDURE_ORDER = (
    codes.EventKind.IDENTIFIED,
    codes.EventKind.EXITED,
    codes.EventKind.RETURNED,
    codes.EventKind.MONITORED,
    codes.EventKind.RISK_ELIMINATED,
    codes.EventKind.RISK_REVERSED,
    codes.EventKind.REMOVED,
    codes.EventKind.MERGED,
)
#: the household-row columns that become events: (kind, date column, category column, way column)
ROW_EVENTS = (
    (codes.EventKind.IDENTIFIED, "first_identified_on", None, None),
    (codes.EventKind.EXITED, "exited_on", None, None),
    (codes.EventKind.RETURNED, "returned_on", None, None),
    (codes.EventKind.MONITORED, "risk_identified_on", "monitoring_category", None),
    (codes.EventKind.RISK_ELIMINATED, "risk_eliminated_on", None, "risk_elimination_way"),
)
#: the household's fields that follow from its events (registry.services.apply_event)
STATUS_FIELDS = (
    "status",
    "household_type",
    "first_identified_on",
    "monitoring_category",
    "risk_identified_on",
    "risk_eliminated",
    "risk_eliminated_on",
    "risk_elimination_way",
)
#: words exports use for a household's current status (当前状态), besides the code list's own codes and labels
STATUS_WORDS = {
    codes.Status.ORDINARY: ("一般户", "一般农户", "非贫困户"),
    codes.Status.POOR: ("贫困户", "未脱贫", "未脱贫户"),
    codes.Status.EXITED: ("脱贫户", "已脱贫", "脱贫不享受政策", "脱贫享受政策"),
    codes.Status.MONITORED: ("监测户", "监测对象", "监测中"),
    codes.Status.RISK_ELIMINATED: ("风险已消除", "已消除风险"),
    codes.Status.REMOVED: ("清退", "销户", "已清退", "已销户", "已清退/销户"),
}


# ---- SQL pieces ---------------------------------------------------------------------------------------------------


def _mapping(expr: str, pairs) -> str:
    whens = " ".join(f"WHEN {q(str(a))} THEN {q(str(b))}" for a, b in pairs)
    return f"CASE {expr} {whens} END"


def status_after(kind: str) -> str:
    return _mapping(kind, codes.STATUS_AFTER.items())


def type_for(status: str) -> str:
    return _mapping(status, TYPE_FOR_STATUS.items())


def rank(kind: str) -> str:
    return _mapping(kind, ((k, i) for i, k in enumerate(PROCEDURE_ORDER))) + "::INTEGER"


def header(name: str) -> str:
    return STATUS_EVENTS.column(name).header


def _err(staged: Import, kind: str, column_header: str, query: str, params=()):
    add_errors(staged.con, staged.by_kind[kind], query, column_header, params)


# ---- staging ------------------------------------------------------------------------------------------------------


def has_history(staged: Import) -> bool:
    if "status_events" in staged.norm:
        return True
    table = staged.by_kind.get("households")
    names = {c.name for c in HOUSEHOLDS.event_columns} | {date for _, date, _, _ in ROW_EVENTS}
    return table is not None and bool(names & set(table.columns))


def _cells(staged: Import, kind: str) -> str:
    return staged.by_kind[kind].name.replace("raw_", "cells_")


def stage_events(staged: Import) -> None:
    """`file_events`: every event the file gives, from the sheet and from household rows, with where it came
    from (sheet, row, the column its date is in) and whether its date is a year's convention date."""
    parts = []
    if "status_events" in staged.norm:
        parts.append(f"""
            SELECT 'status_events' AS sheet, n._row, n.number, n.kind, n.date,
                   {year_alone("c.date")} IS NOT NULL AS approximate, n.reason, n.approver, n.monitoring_category,
                   n.risk_type, n.elimination_way, {q(header("date"))} AS date_header
            FROM {staged.norm["status_events"]} n JOIN {_cells(staged, "status_events")} c USING (_row)""")
    if "households" in staged.norm and has_history(staged):
        given = set(staged.by_kind["households"].columns)
        for kind, date, category, way in ROW_EVENTS:
            if date not in given:
                continue
            parts.append(f"""
                SELECT 'households' AS sheet, n._row, n.number, {q(kind)} AS kind, n.{date} AS date,
                       {year_alone(f"c.{date}")} IS NOT NULL AS approximate, NULL AS reason, NULL AS approver,
                       {f"n.{category}" if category else "NULL"} AS monitoring_category, NULL AS risk_type,
                       {f"n.{way}" if way else "NULL"} AS elimination_way,
                       {q(HOUSEHOLDS.column(date).header)} AS date_header
                FROM {staged.norm["households"]} n JOIN {_cells(staged, "households")} c USING (_row)
                WHERE n.{date} IS NOT NULL AND n.number IS NOT NULL""")
    empty = (
        "SELECT NULL::VARCHAR AS sheet, NULL::INTEGER AS _row, NULL::VARCHAR AS number, NULL::VARCHAR AS kind, "
        "NULL::VARCHAR AS date, false AS approximate, NULL::VARCHAR AS reason, NULL::VARCHAR AS approver, "
        "NULL::VARCHAR AS monitoring_category, NULL::VARCHAR AS risk_type, NULL::VARCHAR AS elimination_way, "
        "NULL::VARCHAR AS date_header WHERE false"
    )
    staged.con.execute(f"CREATE TABLE file_events AS {' UNION ALL '.join([empty, *parts])}")


def fetch_history(staged: Import) -> None:
    """The recorded events of the households the file names (db_events), and their status fields with the
    no-labour mark (db_status)."""
    stage_events(staged)
    numbers = "SELECT DISTINCT number AS k FROM file_events WHERE number IS NOT NULL"
    if "households" in staged.norm:
        numbers += f" UNION SELECT number FROM {staged.norm['households']} WHERE number IS NOT NULL"
    # the events of many households: one scan of the events beats a join per batch of household numbers
    named = staged.con.execute(f"SELECT count(*) FROM ({numbers})").fetchone()[0]
    fetch._fetch(
        staged,
        "db_events",
        StatusEvent.objects.all(),
        "household__number",
        numbers,
        ["id", "household__number", "kind", "date", "monitoring_category", "elimination_way"],
        scan=named * 2 > fetch.table_size(Household),
    )
    fetch._fetch(
        staged,
        "db_status",
        Household.objects.all(),
        "number",
        numbers,
        ["id", "number", "no_labour_household", *STATUS_FIELDS],
    )


# ---- checks -------------------------------------------------------------------------------------------------------


def check_history(staged: Import) -> None:
    """The rows' own checks, then each household's events in order against the transition rules."""
    reasons = _reasons()
    number = HOUSEHOLDS.column("number").header
    if "status_events" in staged.norm:
        norm = staged.norm["status_events"]
        checks._missing_household(staged, "status_events", norm, number)
        for name in ("kind", "date"):
            _err(
                staged,
                "status_events",
                header(name),
                f"SELECT _row, NULL AS value, {q(reasons['blank'] % {'column': header(name)})} AS reason "
                f"FROM {norm} WHERE {ident(name)} IS NULL",
            )
        checks._duplicates(
            staged, "status_events", norm, ["number", "kind", "date"], header("date"), reasons["duplicate"]
        )
    if "households" in staged.norm:
        _check_row_columns(staged, staged.norm["households"])
    _chain(staged)
    _check_chain(staged)
    if "households" in staged.norm and "current_status" in staged.by_kind["households"].columns:
        _check_current_status(staged, staged.norm["households"])


def _check_row_columns(staged: Import, h: str) -> None:
    reasons = _reasons()
    given = staged.by_kind["households"].columns
    returned, returned_on = HOUSEHOLDS.column("returned").header, HOUSEHOLDS.column("returned_on").header
    if "returned" in given:
        on = "returned_on" if "returned_on" in given else "NULL"
        _err(
            staged,
            "households",
            returned,
            f"SELECT _row, NULL AS value, {q(reasons['returned_without_date'] % {'column': returned_on})} "
            f"AS reason FROM {h} WHERE returned = 'true' AND {on} IS NULL",
        )
        if "returned_on" in given:
            _err(
                staged,
                "households",
                returned_on,
                f"SELECT _row, returned_on AS value, "
                f"{q(reasons['date_without_return'] % {'column': returned})} AS reason "
                f"FROM {h} WHERE returned = 'false' AND returned_on IS NOT NULL",
            )


def _chain(staged: Import) -> None:
    """`history`: the new events (the file's, once each, not already recorded) and the recorded ones of the same
    households, each with its place in the household's sequence and the status-bearing event before it."""
    con = staged.con
    con.execute(f"""
        CREATE TABLE new_events AS
        SELECT * FROM (
            SELECT f.*, {rank("f.kind")} AS rank,
                   row_number() OVER (PARTITION BY f.number, f.kind, f.date
                                      ORDER BY f.sheet = 'households', f._row) AS copy
            FROM file_events f
            WHERE f.number IS NOT NULL AND f.kind IS NOT NULL AND f.date IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM db_events d
                              WHERE d.household_number = f.number AND d.kind = f.kind AND d.date = f.date))
        WHERE copy = 1""")
    con.execute(f"""
        CREATE TABLE history AS
        WITH events AS (
            SELECT household_number AS number, kind, date, 0 AS src, {rank("kind")} AS rank, id AS ord,
                   NULL::VARCHAR AS sheet, NULL::INTEGER AS _row, NULL::VARCHAR AS date_header,
                   monitoring_category, elimination_way, false AS approximate
            FROM db_events
            UNION ALL
            SELECT number, kind, date, 1, rank, _row, sheet, _row, date_header, monitoring_category,
                   elimination_way, approximate
            FROM new_events),
        ordered AS (
            SELECT *, {status_after("kind")} AS after,
                   row_number() OVER (PARTITION BY number ORDER BY date, src, rank, ord) AS seq
            FROM events)
        SELECT *, last_value(CASE WHEN after IS NOT NULL
                                  THEN {{'kind': kind, 'date': date, 'after': after, 'src': src, 'sheet': sheet,
                                        '_row': _row, 'date_header': date_header}} END IGNORE NULLS)
                  OVER (PARTITION BY number ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
        FROM ordered""")


def _allowed(kind: str, status: str) -> str:
    """SQL: whether an event of `kind` may follow `status` (registry.services.EVENT_FROM)."""
    whens = []
    for k, allowed in EVENT_FROM.items():
        test = "true" if allowed is None else f"{status} IN ({', '.join(map(q, allowed))})"
        whens.append(f"WHEN {q(k)} THEN {test}")
    whens = " ".join(whens)
    return f"CASE {kind} {whens} ELSE false END"


def _check_chain(staged: Import) -> None:
    """Each new event against the status before it; a recorded event that a new one put out of order is the
    new one's error; a monitored household needs its category; a no-labour household is not risk-eliminated."""
    reasons = _reasons()
    before = "COALESCE(e.prev.after, 'ordinary')"
    kind_label = labels("e.kind", codes.EventKind.choices)
    reason = f"""CASE WHEN e.prev IS NULL
        THEN {message(reasons["no_status_before"], kind=kind_label)}
        ELSE {
        message(
            reasons["status_before"],
            status=labels(before, codes.Status.choices),
            date="e.prev.date",
            event=labels("e.prev.kind", codes.EventKind.choices),
            kind=kind_label,
        )
    } END"""
    wrong = f"NOT ({_allowed('e.kind', before)})"
    for kind in ("status_events", "households"):
        if kind not in staged.by_kind:
            continue
        for column_header in _date_headers(kind):
            _err(
                staged,
                kind,
                column_header,
                f"SELECT e._row, e.date AS value, {reason} AS reason FROM history e "
                f"WHERE e.src = 1 AND e.sheet = ? AND e.date_header = ? AND {wrong}",
                [kind, column_header],
            )
            # a recorded event the new one now precedes, and may no longer follow
            _err(
                staged,
                kind,
                column_header,
                f"""SELECT e.prev._row AS _row, e.prev.date AS value,
                    {
                    message(
                        reasons["breaks_recorded"],
                        date="e.date",
                        event=kind_label,
                        status=labels("e.prev.after", codes.Status.choices),
                    )
                } AS reason
                FROM history e WHERE e.src = 0 AND e.prev.src = 1 AND e.prev.sheet = ? AND e.prev.date_header = ?
                  AND {wrong}""",
                [kind, column_header],
            )
            _err(
                staged,
                kind,
                column_header,
                f"SELECT e._row, e.date AS value, {q(reasons['later_than_today'])} AS reason FROM history e "
                "WHERE e.src = 1 AND e.sheet = ? AND e.date_header = ? AND CAST(e.date AS DATE) > CAST(? AS DATE)",
                [kind, column_header, staged.today.isoformat()],
            )
    category = STATUS_EVENTS.column("monitoring_category").header
    no_labour, join = "s.no_labour_household", ""
    if "households" in staged.norm and "no_labour_household" in staged.by_kind["households"].columns:
        no_labour = "COALESCE(h.no_labour_household, s.no_labour_household)"
        join = f"LEFT JOIN {staged.norm['households']} h ON h.number = e.number"
    for kind in ("status_events", "households"):
        if kind not in staged.by_kind:
            continue
        _err(
            staged,
            kind,
            category,
            f"SELECT _row, NULL AS value, {q(reasons['monitored_needs_category'])} AS reason FROM history "
            f"WHERE src = 1 AND sheet = ? AND kind = '{codes.EventKind.MONITORED}' AND monitoring_category IS NULL",
            [kind],
        )
        _err(
            staged,
            kind,
            _date_header_of(kind, codes.EventKind.RISK_ELIMINATED),
            f"""SELECT e._row, e.date AS value, {q(reasons["no_labour"])} AS reason
                FROM history e LEFT JOIN db_status s ON s.number = e.number {join}
                WHERE e.src = 1 AND e.sheet = ? AND e.kind = '{codes.EventKind.RISK_ELIMINATED}'
                  AND {no_labour} = 'true'""",
            [kind],
        )


def _date_headers(kind: str) -> list[str]:
    if kind == "status_events":
        return [header("date")]
    return [HOUSEHOLDS.column(date).header for _, date, _, _ in ROW_EVENTS]


def _date_header_of(kind: str, event_kind) -> str:
    if kind == "status_events":
        return header("date")
    return next(HOUSEHOLDS.column(date).header for k, date, _, _ in ROW_EVENTS if k == event_kind)


def _status_words() -> list[tuple[str, str]]:
    """(word, status code) for every way a 当前状态 cell may name a status."""
    pairs = {}
    for code, label in codes.Status.choices:
        pairs[code] = code
        pairs[str(label)] = code
    for code, words in STATUS_WORDS.items():
        for word in words:
            pairs.setdefault(word, code)
    return list(pairs.items())


def _check_current_status(staged: Import, h: str) -> None:
    """A typed 当前状态 must be what the household's events give (its last event's status; with no event at all,
    the status on record): a disagreement names both."""
    reasons = _reasons()
    column = HOUSEHOLDS.column("current_status").header
    typed = _mapping("n.current_status", _status_words())
    derived = "COALESCE(e.after, s.status, 'ordinary')"
    _err(
        staged,
        "households",
        column,
        f"""SELECT n._row, n.current_status AS value, CASE WHEN {typed} IS NULL
                THEN {q(reasons["unknown_status"] + "、".join(str(label) for _, label in codes.Status.choices))}
                ELSE {
            message(
                reasons["status_disagrees"],
                typed="n.current_status",
                derived=labels(derived, codes.Status.choices),
            )
        } END AS reason
            FROM {h} n LEFT JOIN db_status s USING (number)
            LEFT JOIN (SELECT number, arg_max(after, seq) FILTER (WHERE after IS NOT NULL) AS after
                       FROM history GROUP BY number) e USING (number)
            WHERE n.current_status IS NOT NULL AND ({typed} IS NULL OR {typed} != {derived})""",
    )


# ---- plan and write -----------------------------------------------------------------------------------------------


def plan_history(staged: Import, outcome) -> None:
    """`status_plan`: for each household with new events, its status fields before and after (apply_event over
    all its events in order), and the changes; the counts of new and already recorded events."""
    con = staged.con
    h = staged.norm.get("households")
    given = set(staged.by_kind["households"].columns) if h else set()

    def typed(name, default="NULL"):
        stored = f"s.{name}"
        return f"COALESCE(n.{name}, {stored}, {default})" if name in given else f"COALESCE({stored}, {default})"

    households = f"LEFT JOIN {h} n ON n.number = t.number" if h else ""
    risk_kinds = ", ".join(
        q(k) for k in (codes.EventKind.MONITORED, codes.EventKind.RISK_ELIMINATED, codes.EventKind.RISK_REVERSED)
    )
    monitored, eliminated = q(codes.EventKind.MONITORED), q(codes.EventKind.RISK_ELIMINATED)
    con.execute(f"""
        CREATE TABLE status_plan AS
        WITH touched AS (SELECT DISTINCT number FROM new_events),
        folded AS (
            SELECT number,
                   arg_max(after, seq) FILTER (WHERE after IS NOT NULL) AS status,
                   arg_max({type_for("after")}, seq) FILTER (WHERE {type_for("after")} IS NOT NULL) AS household_type,
                   min(date) FILTER (WHERE kind = '{codes.EventKind.IDENTIFIED}') AS identified,
                   bool_or(kind = {monitored}) AS monitored,
                   arg_max_null(monitoring_category, seq) FILTER (WHERE kind = {monitored}) AS category,
                   arg_max(date, seq) FILTER (WHERE kind = {monitored}) AS monitored_on,
                   arg_max(kind, seq) FILTER (WHERE kind IN ({risk_kinds})) AS risk_kind,
                   arg_max(date, seq) FILTER (WHERE kind IN ({risk_kinds})) AS risk_on,
                   arg_max_null(elimination_way, seq) FILTER (WHERE kind IN ({risk_kinds})) AS way
            FROM history WHERE number IN (SELECT number FROM touched) GROUP BY number),
        before AS (
            SELECT t.number, COALESCE(s.status, 'ordinary') AS status,
                   {typed("household_type", q(codes.HouseholdType.ORDINARY))} AS household_type,
                   {typed("first_identified_on")} AS first_identified_on,
                   {typed("monitoring_category")} AS monitoring_category,
                   {typed("risk_identified_on")} AS risk_identified_on,
                   {typed("risk_eliminated", "'false'")} AS risk_eliminated,
                   {typed("risk_eliminated_on")} AS risk_eliminated_on,
                   {typed("risk_elimination_way")} AS risk_elimination_way
            FROM touched t LEFT JOIN db_status s ON s.number = t.number {households}),
        after AS (
            SELECT b.number, COALESCE(f.status, b.status) AS status,
                   COALESCE(f.household_type, b.household_type) AS household_type,
                   COALESCE(b.first_identified_on, f.identified) AS first_identified_on,
                   CASE WHEN f.monitored THEN f.category ELSE b.monitoring_category END AS monitoring_category,
                   CASE WHEN f.monitored THEN f.monitored_on ELSE b.risk_identified_on END AS risk_identified_on,
                   CASE WHEN f.risk_kind IS NULL THEN b.risk_eliminated
                        WHEN f.risk_kind = {eliminated} THEN 'true' ELSE 'false' END AS risk_eliminated,
                   CASE WHEN f.risk_kind IS NULL THEN b.risk_eliminated_on
                        WHEN f.risk_kind = {eliminated} THEN f.risk_on END AS risk_eliminated_on,
                   CASE WHEN f.risk_kind IS NULL THEN b.risk_elimination_way
                        WHEN f.risk_kind = {eliminated} THEN COALESCE(f.way, b.risk_elimination_way)
                   END AS risk_elimination_way
            FROM before b JOIN folded f USING (number))
        SELECT a.*, to_json(map_from_entries(list_filter([
                   {", ".join(f"{{'k': {q(n)}, 'v': [b.{n}, a.{n}]}}" for n in STATUS_FIELDS)}],
                   lambda e: e.v[1] IS DISTINCT FROM e.v[2]))) AS changes
        FROM after a JOIN before b USING (number)""")
    new = con.execute("SELECT count(*) FROM new_events").fetchone()[0]
    unchanged = con.execute("""
        SELECT count(*) FROM (SELECT DISTINCT number, kind, date FROM file_events f
                              WHERE EXISTS (SELECT 1 FROM db_events d WHERE d.household_number = f.number
                                            AND d.kind = f.kind AND d.date = f.date))""").fetchone()[0]
    if "status_events" in staged.norm or new or unchanged:
        outcome.counts["status_events"] = {"new": new, "updated": 0, "unchanged": unchanged}


def write_history(staged: Import, now) -> None:
    """The new events bulk-loaded (ids in each household's order), the households whose status fields move
    updated, one audit entry for each of both."""
    con = staged.con
    base = write._next_id(StatusEvent)
    con.execute(f"""
        CREATE TABLE new_event_rows AS
        SELECT e.*, i.id AS household_id, i.village_id,
               {base} - 1 + row_number() OVER (ORDER BY e.number, e.date, e.rank, e._row) AS new_id
        FROM new_events e JOIN household_ids i USING (number)""")
    text = {n: f"COALESCE(n.{n}, '')" for n in ("reason", "approver", "monitoring_category", "risk_type")}
    write._insert(
        staged,
        StatusEvent,
        (),
        set(),
        "new_event_rows n",
        {
            "id": "n.new_id",
            "household_id": "n.household_id",
            "kind": "n.kind",
            "date": "CAST(n.date AS DATE)",
            "approximate": "n.approximate",
            "elimination_way": "COALESCE(n.elimination_way, '')",
            **text,
        },
        {"recorded_at": now, "recorded_by_id": staged.user.pk},
    )
    origin = q(str(staged.origin))
    staged.audit_rows.append(f"""
        SELECT 'create' AS action, 'registry.statusevent' AS model, CAST(new_id AS VARCHAR) AS object_id,
               village_id AS area_code,
               CAST(to_json({{'import': {origin}, 'sheet': sheet, 'row': _row, 'event': kind, 'date': date}})
                    AS VARCHAR) AS changes
        FROM new_event_rows""")
    _update_households(staged, now)


#: households updated per statement on SQLite (UPDATE … FROM (VALUES …)): it allows 32,766 parameters, 10 a row
UPDATE_BATCH = 3000


def _update_households_postgres(result, table: str, fields, names, sets: str, stamp) -> list[int]:
    """PostgreSQL: the moved rows COPYed into a temporary table, then one UPDATE … FROM it. Statements of
    30,000 placeholders each cost psycopg 22 s of query parsing at 322,426 households, on top of the server's
    work; a COPY takes the rows as they are."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"{n} {f.db_type(connection)}" for f, n in zip(fields, names))
    ids = []
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE moved_households ({columns}, id bigint)")
        with cursor.cursor.copy(f"COPY moved_households ({', '.join([*names, 'id'])}) FROM STDIN") as copy:
            while rows := result.fetchmany(UPDATE_BATCH * 10):
                for row in rows:
                    copy.write_row(row)
                ids += [row[-1] for row in rows]
        cursor.execute("ANALYZE moved_households")  # its row count, for the join's plan
        cursor.execute(
            f"UPDATE {table} SET {sets}, {quote('updated_at')} = %s FROM moved_households v WHERE {table}.id = v.id",
            [stamp],
        )
        cursor.execute("DROP TABLE moved_households")
    return ids


def _update_households_sqlite(result, table: str, names, sets: str, stamp) -> list[int]:
    """SQLite: a batch of rows per UPDATE … FROM (VALUES …); SQLite names a VALUES list's columns column1,
    column2…, so a CTE renames them."""
    quote = connection.ops.quote_name
    columns = ", ".join([*names, "id"])
    ids = []
    with connection.cursor() as cursor:
        while rows := result.fetchmany(UPDATE_BATCH):
            values = ", ".join(["(" + ", ".join(["%s"] * (len(names) + 1)) + ")"] * len(rows))
            source = f"(WITH v ({columns}) AS (VALUES {values}) SELECT * FROM v) AS v"
            params = [stamp]
            for row in rows:
                params.extend(row)
            cursor.execute(
                f"UPDATE {table} SET {sets}, {quote('updated_at')} = %s FROM {source} WHERE {table}.id = v.id", params
            )
            ids += [row[-1] for row in rows]
    return ids


def _driver_value(f, column: str) -> str:
    """SQL over status_plan giving the value of field `f` as the driver takes it (no Python conversion per value):
    text blank rather than NULL, dates as dates (SQLite: their ISO text, what Django stores), booleans."""
    kind = f.get_internal_type()
    if kind == "DateField":
        typed = f"CAST({column} AS DATE)"
        return typed if connection.vendor == "postgresql" else f"CAST({typed} AS VARCHAR)"
    if kind == "BooleanField":
        return f"{column} = 'true'"
    if kind == "CharField":
        return f"COALESCE({column}, '')"
    raise TypeError(f"{f.name}: a {kind} is not a status field")


def _update_households(staged: Import, now) -> None:
    """The households whose status fields move, updated from a set of rows (one statement per row was most of
    the import's time), and their audit entries. DuckDB hands the values over as the driver takes them: a
    Python conversion per value was a tenth of the write at 2,000,000 events."""
    con = staged.con
    fields = [Household._meta.get_field(n) for n in STATUS_FIELDS]
    quote = connection.ops.quote_name
    names = [f"v{i}" for i in range(len(fields))]
    sets = ", ".join(f"{quote(f.column)} = v.{n}" for f, n in zip(fields, names))
    stamp = connection.ops.adapt_datetimefield_value(now)
    values = ", ".join(_driver_value(f, f"p.{f.name}") for f in fields)
    moved = f"SELECT {values}, i.id FROM status_plan p JOIN household_ids i USING (number) WHERE p.changes != '{{}}'"
    result = con.cursor().execute(moved)
    table = quote(Household._meta.db_table)
    if connection.vendor == "postgresql":
        ids = _update_households_postgres(result, table, fields, names, sets, stamp)
    else:
        ids = _update_households_sqlite(result, table, names, sets, stamp)
    staged.audit_rows.append("""
        SELECT 'update' AS action, 'registry.household' AS model, CAST(i.id AS VARCHAR) AS object_id,
               i.village_id AS area_code, CAST(p.changes AS VARCHAR) AS changes
        FROM status_plan p JOIN household_ids i USING (number) WHERE p.changes != '{}'""")
    if ids:
        households_changed.send(sender=type(staged), household_ids=ids, using=connection.alias)


# ---- the stages, as run.py calls them -----------------------------------------------------------------------------


def load(staged: Import) -> None:
    """After fetch.load_registry: the recorded events of the households and villages the file names."""
    if has_history(staged):
        fetch_history(staged)
    if "village_events" in staged.norm:
        village_history.fetch_village_events(staged)


def check(staged: Import) -> None:
    """After checks.run_checks: the history rules."""
    if has_history(staged):
        check_history(staged)
    if "village_events" in staged.norm:
        village_history.check_village_events(staged)


def plan(staged: Import, outcome) -> None:
    if has_history(staged):
        plan_history(staged, outcome)
    if "village_events" in staged.norm:
        village_history.plan_village_events(staged, outcome)


def write_all(staged: Import) -> None:
    """After write.write_rows (the households this file creates have their ids): the events, the status fields
    and their audit entries."""
    now = timezone.now()
    rows_before = len(getattr(staged, "audit_rows", []))
    staged.audit_rows = staged.audit_rows if hasattr(staged, "audit_rows") else []
    if has_history(staged):
        write_history(staged, now)
    if "village_events" in staged.norm:
        village_history.write_village_events(staged, now)
    mine = staged.audit_rows[rows_before:]
    if not mine:
        return
    staged.con.execute(f"CREATE TABLE history_audit AS {' UNION ALL '.join(mine)}")
    base = write._next_id(AuditEntry)
    computed = {
        "id": f"{base} - 1 + row_number() OVER ()",
        **{c: f"n.{c}" for c in ("action", "model", "object_id", "area_code", "changes")},
    }
    constants = {"at": now, "user_id": staged.user.pk, "username": staged.user.username, "via": "import"}
    write._insert(staged, AuditEntry, (), set(), "history_audit n", computed, constants)
