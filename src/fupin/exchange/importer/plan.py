"""The plan of an import: each row new, updated (which fields, old → new) or unchanged, counted per sheet, with the
first changes kept for the preview. A blank cell never counts as a change: it keeps the stored value.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fupin.registry.sheets import HOUSEHOLDS, INCOMES, MEMBERS

from ..validation import ident, q

if TYPE_CHECKING:
    from .run import Import, Outcome

PREVIEW = 200  # errors and changes kept on the job for the page; the full list is in the report


def plan_rows(staged: Import, outcome: Outcome):
    """Per sheet: each row new, updated or unchanged, with the audit JSON of what changes."""
    specs = []
    if "households" in staged.norm or "roster" in staged.norm:
        if "households" in staged.norm:
            norm, given = staged.norm["households"], set(staged.by_kind["households"].columns)
        else:
            norm, given = staged.norm["roster"], {*staged.roster_columns(), "head_name"}
        present = [c for c in HOUSEHOLDS.columns if c.name != "number" and c.name in given]
        specs.append(
            (
                "households",
                norm,
                "db_households",
                "d.number = n.number",
                present,
                lambda c: "village_id" if c == "village" else c,
            )
        )
    for kind, sheet, join in (
        ("members", MEMBERS, "d.id_number = n.id_number"),
        ("incomes", INCOMES, "d.household_number = n.number AND d.year = n.year"),
    ):
        if kind in staged.norm:
            given = staged.by_kind[kind].columns
            present = [c for c in sheet.columns if c.name != "number" and c.name in given]
            specs.append((kind, staged.norm[kind], f"db_{kind}", join, present, lambda c: c))
    for kind, norm, db, join, present, db_name in specs:
        pairs = ", ".join(
            f"{{'k': {q(c.name)}, 'v': [d.{ident(db_name(c.name))}, n.{ident(c.name)}]}}" for c in present
        )
        staged.con.execute(f"""
            CREATE TABLE plan_{kind} AS
            SELECT n._row, d.id AS db_id, n.number,
                   CASE WHEN d.id IS NOT NULL THEN
                   to_json(map_from_entries(list_filter([{pairs}],
                       lambda e: e.v[2] IS NOT NULL AND e.v[1] IS DISTINCT FROM e.v[2])))
               END AS changes
            FROM {norm} n LEFT JOIN {db} d ON {join}""")
        new, updated, unchanged = staged.con.execute(f"""
            SELECT count(*) FILTER (WHERE db_id IS NULL),
                   count(*) FILTER (WHERE db_id IS NOT NULL AND changes != '{{}}'),
                   count(*) FILTER (WHERE db_id IS NOT NULL AND changes = '{{}}') FROM plan_{kind}""").fetchone()
        outcome.counts[kind] = {"new": new, "updated": updated, "unchanged": unchanged}
        for row, number, changes in staged.con.execute(
            f"SELECT _row, number, changes FROM plan_{kind} WHERE db_id IS NOT NULL AND changes != '{{}}' "
            f"ORDER BY _row LIMIT {PREVIEW}"
        ).fetchall():
            sheet = {"households": HOUSEHOLDS, "members": MEMBERS, "incomes": INCOMES}[kind]
            named = {sheet.column(name).header: pair for name, pair in json.loads(changes).items()}
            outcome.changes.append({"sheet": kind, "row": row, "number": number, "changes": named})
    staged.present = {kind: present for kind, _, _, _, present, _ in specs}
