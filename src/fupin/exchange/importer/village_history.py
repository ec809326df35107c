"""The village events of an import (贫困村 sheet): each village's events merged with those on record, in date
order, checked against registry.codes.VILLAGE_EVENT_FROM (the table the one-event service uses too), then written
with one audit entry each. An event already recorded (village, kind, date) is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from fupin.areas.models import Level
from fupin.registry import codes
from fupin.registry.models import VillageEvent
from fupin.registry.sheets import VILLAGE_EVENTS

from ..validation import add_errors, ident, q, year_alone
from . import checks, fetch, write
from .sqltext import labels, message

if TYPE_CHECKING:
    from .run import Import


def _reasons() -> dict[str, str]:
    """The reasons a row is refused for, translated when asked (xgettext does not look inside f-strings)."""
    return {
        "blank": _("%(column)s不能为空"),
        "no_such_area": _("行政区划代码不存在"),
        "not_a_village": _("不是行政村的代码，贫困村事件须登记到行政村"),
        "outside_scope": _("该行政村不在您的管辖范围内"),
        "duplicate": _("同一村同一日期的同一事件"),
        "twice": _("该村已有“%(kind)s”（%(date)s），同一事件不能登记两次"),
        "no_standing_before": _("该村此前没有贫困村记录，不能“%(kind)s”"),
        "standing_before": _("该村此前为“%(event)s”（%(date)s），不能“%(kind)s”"),
        "later_than_today": _("日期晚于今天"),
    }


KIND = "village_events"
#: on one date: identified poor, listed deep, tasked, then exited
PROCEDURE_ORDER = (
    codes.VillageEventKind.POOR,
    codes.VillageEventKind.DEEP,
    codes.VillageEventKind.TASKED,
    codes.VillageEventKind.EXITED,
)


def _header(name: str) -> str:
    return VILLAGE_EVENTS.column(name).header


def _err(staged: Import, column_header: str, query: str, params=()):
    add_errors(staged.con, staged.by_kind[KIND], query, column_header, params)


def fetch_village_events(staged: Import) -> None:
    villages = f"SELECT DISTINCT village AS k FROM {staged.norm[KIND]} WHERE village IS NOT NULL"
    fetch._fetch(
        staged,
        "db_village_events",
        VillageEvent.objects.all(),
        "village_id",
        villages,
        ["id", "village_id", "kind", "date"],
    )


def check_village_events(staged: Import) -> None:
    reasons = _reasons()
    v = staged.norm[KIND]
    village = _header("village")
    for name in ("village", "kind", "date"):
        _err(
            staged,
            _header(name),
            f"SELECT _row, NULL AS value, {q(reasons['blank'] % {'column': _header(name)})} AS reason "
            f"FROM {v} WHERE {ident(name)} IS NULL",
        )
    _err(
        staged,
        village,
        f"""
        SELECT n._row, n.village AS value, CASE
            WHEN a.code IS NULL THEN {q(reasons["no_such_area"])}
            WHEN a.level != {int(Level.VILLAGE)} THEN {q(reasons["not_a_village"])}
            WHEN NOT a.in_scope THEN {q(reasons["outside_scope"])} END AS reason
        FROM {v} n LEFT JOIN areas a ON a.code = n.village
        WHERE n.village IS NOT NULL AND (a.code IS NULL OR a.level != {int(Level.VILLAGE)} OR NOT a.in_scope)""",
    )
    checks._duplicates(staged, KIND, v, ["village", "kind", "date"], _header("date"), reasons["duplicate"])
    order = " ".join(f"WHEN {q(k)} THEN {i}" for i, k in enumerate(PROCEDURE_ORDER))
    staged.con.execute(f"""
        CREATE TABLE new_village_events AS
        SELECT * FROM (
            SELECT n._row, n.village, n.kind, n.date, {year_alone("c.date")} IS NOT NULL AS approximate,
                   n.document, n.reason,
                   row_number() OVER (PARTITION BY n.village, n.kind, n.date ORDER BY n._row) AS copy
            FROM {v} n JOIN {staged.by_kind[KIND].name.replace("raw_", "cells_")} c USING (_row)
            WHERE n.village IS NOT NULL AND n.kind IS NOT NULL AND n.date IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM db_village_events d
                              WHERE d.village_id = n.village AND d.kind = n.kind AND d.date = n.date))
        WHERE copy = 1""")
    standing = ", ".join(q(k) for k in codes.VILLAGE_STANDING_KINDS)
    staged.con.execute(f"""
        CREATE TABLE village_history AS
        WITH events AS (
            SELECT village_id AS village, kind, date, 0 AS src, id AS ord, NULL::INTEGER AS _row
            FROM db_village_events
            UNION ALL SELECT village, kind, date, 1, _row, _row FROM new_village_events),
        ordered AS (
            SELECT *, CASE kind {order} END AS rank,
                   list({{'kind': kind, 'date': date}}) OVER (PARTITION BY village, kind) AS same_kind
            FROM events)
        SELECT *, last_value(CASE WHEN kind IN ({standing}) THEN {{'kind': kind, 'date': date}} END IGNORE NULLS)
                  OVER (PARTITION BY village ORDER BY date, src, rank, ord
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
        FROM ordered""")
    allowed = " ".join(
        f"WHEN {q(kind)} THEN "
        + " OR ".join("e.prev IS NULL" if s is None else f"e.prev.kind = {q(s)}" for s in sorted(froms, key=str))
        for kind, froms in codes.VILLAGE_EVENT_FROM.items()
    )
    kind_label = labels("e.kind", codes.VillageEventKind.choices)
    date = _header("date")
    others = "list_filter(e.same_kind, lambda x: x.date != e.date)"
    first_other = f"list_sort({others})[1].date"
    _err(
        staged,
        date,
        f"""SELECT e._row, e.date AS value,
                {message(reasons["twice"], kind=kind_label, date=first_other)} AS reason
            FROM village_history e WHERE e.src = 1 AND len({others}) > 0""",
    )
    _err(
        staged,
        date,
        f"""SELECT e._row, e.date AS value, CASE WHEN e.prev IS NULL
                THEN {message(reasons["no_standing_before"], kind=kind_label)}
                ELSE {
            message(
                reasons["standing_before"],
                event=labels("e.prev.kind", codes.VillageEventKind.choices),
                date="e.prev.date",
                kind=kind_label,
            )
        } END AS reason
            FROM village_history e WHERE e.src = 1 AND NOT COALESCE(CASE e.kind {allowed} END, false)""",
    )
    _err(
        staged,
        date,
        f"SELECT _row, date AS value, {q(reasons['later_than_today'])} AS reason FROM new_village_events "
        "WHERE CAST(date AS DATE) > CAST(? AS DATE)",
        [staged.today.isoformat()],
    )


def plan_village_events(staged: Import, outcome) -> None:
    new = staged.con.execute("SELECT count(*) FROM new_village_events").fetchone()[0]
    unchanged = staged.con.execute(f"""
        SELECT count(*) FROM (SELECT DISTINCT village, kind, date FROM {staged.norm[KIND]} n
                              WHERE EXISTS (SELECT 1 FROM db_village_events d WHERE d.village_id = n.village
                                            AND d.kind = n.kind AND d.date = n.date))""").fetchone()[0]
    outcome.counts[KIND] = {"new": new, "updated": 0, "unchanged": unchanged}


def write_village_events(staged: Import, now) -> None:
    base = write._next_id(VillageEvent)
    staged.con.execute(f"""
        CREATE TABLE new_village_event_rows AS
        SELECT *, {base} - 1 + row_number() OVER (ORDER BY village, date, _row) AS new_id FROM new_village_events""")
    write._insert(
        staged,
        VillageEvent,
        (),
        set(),
        "new_village_event_rows n",
        {
            "id": "n.new_id",
            "village_id": "n.village",
            "kind": "n.kind",
            "date": "CAST(n.date AS DATE)",
            "approximate": "n.approximate",
            "document": "COALESCE(n.document, '')",
            "reason": "COALESCE(n.reason, '')",
        },
        {"recorded_at": now, "recorded_by_id": staged.user.pk},
    )
    origin = q(str(staged.origin))
    staged.audit_rows.append(f"""
        SELECT 'create' AS action, 'registry.villageevent' AS model, CAST(new_id AS VARCHAR) AS object_id,
               village AS area_code,
               CAST(to_json({{'import': {origin}, 'row': _row, 'event': kind, 'date': date}}) AS VARCHAR) AS changes
        FROM new_village_event_rows""")
