"""Yearly records that come in like incomes: a household's living conditions (生产生活条件, by 户编号 + 年度), an area's
rural registered population (农村户籍人口, by 区划代码 of any level + 年度, into areas.AreaPopulation) and a village's
facilities (村基础设施, by 行政区划代码 of a village + 年度, into registry.VillageFacilities).

Each row is new, updated (the fields the file gives; a blank cell keeps the stored value) or unchanged; the area
sheets are scope-checked by the area code itself (a township may not write the county's or another township's
figures). The stages are those of every import (run.py): check, plan, write, each one SQL pass in DuckDB.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.db import connection

from fupin.areas.models import Area, AreaPopulation, Level
from fupin.areas.scoping import scope_prefix
from fupin.core.sheets import Sheet
from fupin.registry.models import LivingConditions, VillageFacilities
from fupin.registry.sheets import CONDITIONS, FACILITIES, POPULATIONS

from ..validation import ident, q
from . import checks, fetch, write
from .plan import PREVIEW

if TYPE_CHECKING:
    from .run import Import, Outcome

#: area sheets: (sheet, model, its key column, the model's area field, must the area be a village)
AREA_SHEETS = ((POPULATIONS, AreaPopulation, "area", False), (FACILITIES, VillageFacilities, "village", True))


def lock(staged: Import) -> None:
    if connection.vendor == "postgresql":
        tables = ", ".join(m._meta.db_table for m in (LivingConditions, AreaPopulation, VillageFacilities))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def _kinds(sheet: Sheet) -> dict[str, str]:
    return {c.name: c.kind for c in sheet.columns}


def _given(staged: Import, sheet: Sheet, keys=()) -> list[str]:
    """The sheet's columns the file gives, keys left out."""
    table = staged.by_kind[sheet.kind]
    return [c.name for c in sheet.columns if c.name in table.columns and c.name not in ("number", *keys)]


def _required(staged: Import, sheet: Sheet, norm: str, db: str, join: str, name: str) -> None:
    """A new record needs this column filled (or the file lacks the column altogether)."""
    column = sheet.column(name)
    given = name in staged.by_kind[sheet.kind].columns
    checks._err(
        staged,
        sheet.kind,
        column.header,
        f"""
        SELECT n._row, NULL AS value, '新建记录须填写{column.header}' AS reason
        FROM {norm} n LEFT JOIN {db} d ON {join}
        WHERE d.id IS NULL AND {"n." + ident(name) if given else "NULL"} IS NULL""",
    )


# ---- check ---------------------------------------------------------------------------------------------------------


def check(staged: Import) -> None:
    """Fetch the stored records the file names and add each refusal to `errors`."""
    if not any(s.kind in staged.norm for s in (CONDITIONS, POPULATIONS, FACILITIES)):
        return
    lock(staged)
    if "conditions" in staged.norm:
        _check_conditions(staged, staged.norm["conditions"])
    for sheet, model, key, village_only in AREA_SHEETS:
        if sheet.kind in staged.norm:
            _check_area_sheet(staged, sheet, model, key, village_only)


def _check_conditions(staged: Import, norm: str) -> None:
    numbers = fetch._keys(staged, "number", ("conditions",))
    fields = ["id", "household_id", "household__number", "year", *(f for f in _given(staged, CONDITIONS, ["year"]))]
    fetch._fetch(
        staged,
        "db_conditions",
        LivingConditions.objects.all(),
        "household__number",
        numbers,
        fields,
        kinds={**_kinds(CONDITIONS), "household__number": "text"},
    )
    year = CONDITIONS.column("year").header
    checks._err(
        staged,
        "conditions",
        year,
        f"SELECT _row, NULL AS value, '年度不能为空' AS reason FROM {norm} WHERE year IS NULL",
    )
    checks._duplicates(staged, "conditions", norm, ["number", "year"], year, "同一户同一年度只能有一行")
    checks._missing_household(staged, "conditions", norm, CONDITIONS.column("number").header)


def _check_area_sheet(staged: Import, sheet: Sheet, model, key: str, village_only: bool) -> None:
    norm, kind, header = staged.norm[sheet.kind], sheet.kind, sheet.column(key).header
    codes = [row[0] for row in staged.con.execute(fetch._keys(staged, key, (kind,))).fetchall()]
    found = list(Area.objects.filter(code__in=codes).values_list("code", "level"))
    staged.con.execute(f"CREATE TABLE areas_{kind} (code VARCHAR, level INTEGER, in_scope BOOLEAN)")
    if found:
        staged.con.executemany(
            f"INSERT INTO areas_{kind} VALUES (?, ?, ?)",
            [(code, int(level), code.startswith(scope_prefix(staged.user))) for code, level in found],
        )
    fields = ["id", f"{key}_id", "year", *_given(staged, sheet, [key, "year"])]
    fetch._fetch(
        staged,
        f"db_{kind}",
        model.objects.all(),
        f"{key}_id",
        fetch._keys(staged, key, (kind,)),
        fields,
        kinds={**_kinds(sheet), f"{key}_id": "text"},
    )
    checks._err(
        staged,
        kind,
        header,
        f"SELECT _row, NULL AS value, '{header}不能为空' AS reason FROM {norm} WHERE {key} IS NULL",
    )
    village = (
        f"WHEN a.level != {int(Level.VILLAGE)} THEN '不是行政村的代码，村基础设施须按行政村填写'"
        if village_only
        else ""
    )
    checks._err(
        staged,
        kind,
        header,
        f"""
        SELECT * FROM (
            SELECT n._row, n.{key} AS value, CASE
                WHEN a.code IS NULL THEN '行政区划代码不存在'
                WHEN NOT a.in_scope THEN '该区划不在您的管辖范围内，不能填报它的数据'
                {village} END AS reason
            FROM {norm} n LEFT JOIN areas_{kind} a ON a.code = n.{key} WHERE n.{key} IS NOT NULL)
        WHERE reason IS NOT NULL""",
    )
    year = sheet.column("year").header
    checks._err(
        staged, kind, year, f"SELECT _row, NULL AS value, '年度不能为空' AS reason FROM {norm} WHERE year IS NULL"
    )
    checks._duplicates(staged, kind, norm, [key, "year"], year, "同一区划同一年度只能有一行")
    for column in sheet.columns:
        if column.required and column.name not in (key, "year"):
            _required(staged, sheet, norm, f"db_{kind}", f"d.{key}_id = n.{key} AND d.year = n.year", column.name)


# ---- plan ----------------------------------------------------------------------------------------------------------


def plan_sheet(staged: Import, outcome: Outcome, sheet: Sheet, norm: str, db: str, join: str, label: str, present):
    """plan_<kind>: each row's stored record (db_id) and the audit JSON of what it changes; the counts and the
    first changes for the preview. `label`: the SQL that names the record in the preview (户编号, 区划代码)."""
    kind = sheet.kind
    pairs = ", ".join(f"{{'k': {q(name)}, 'v': [d.{ident(db_name)}, n.{ident(name)}]}}" for name, db_name in present)
    changes = (
        f"to_json(map_from_entries(list_filter([{pairs}], lambda e: e.v[2] IS NOT NULL "
        "AND e.v[1] IS DISTINCT FROM e.v[2])))"
        if pairs
        else "'{}'"
    )
    staged.con.execute(f"""
        CREATE TABLE plan_{kind} AS
        SELECT n._row, d.id AS db_id, {label} AS number,
               CASE WHEN d.id IS NOT NULL THEN CAST({changes} AS VARCHAR) END AS changes
        FROM {norm} n LEFT JOIN {db} d ON {join}""")
    new, updated, unchanged = staged.con.execute(f"""
        SELECT count(*) FILTER (WHERE db_id IS NULL), count(*) FILTER (WHERE db_id IS NOT NULL AND changes != '{{}}'),
               count(*) FILTER (WHERE db_id IS NOT NULL AND changes = '{{}}') FROM plan_{kind}""").fetchone()
    outcome.counts[kind] = {"new": new, "updated": updated, "unchanged": unchanged}
    for row, number, changed in staged.con.execute(
        f"SELECT _row, number, changes FROM plan_{kind} WHERE db_id IS NOT NULL AND changes != '{{}}' "
        f"ORDER BY _row LIMIT {PREVIEW}"
    ).fetchall():
        named = {sheet.column(name).header: pair for name, pair in json.loads(changed).items()}
        outcome.changes.append({"sheet": kind, "row": row, "number": number, "changes": named})


def plan(staged: Import, outcome: Outcome) -> None:
    if "conditions" in staged.norm:
        present = [c for c in CONDITIONS.columns if c.name in _given(staged, CONDITIONS)]
        plan_sheet(
            staged,
            outcome,
            CONDITIONS,
            staged.norm["conditions"],
            "db_conditions",
            "d.household_number = n.number AND d.year = n.year",
            "n.number",
            [(c.name, c.name) for c in present],
        )
        staged.present["conditions"] = present  # announced like incomes when changed in place
    for sheet, _model, key, _village in AREA_SHEETS:
        if sheet.kind in staged.norm:
            given = _given(staged, sheet, [key, "year"])
            plan_sheet(
                staged,
                outcome,
                sheet,
                staged.norm[sheet.kind],
                f"db_{sheet.kind}",
                f"d.{key}_id = n.{key} AND d.year = n.year",
                f"n.{key}",
                [(name, name) for name in given],
            )
            staged.area_present = {**getattr(staged, "area_present", {}), sheet.kind: given}


# ---- write ---------------------------------------------------------------------------------------------------------


def write_part(staged: Import, now) -> None:
    """New records bulk-loaded, changed ones updated, one audit entry each (gathered for write._write_audit)."""
    if "conditions" in staged.norm:
        write._write_household_part(staged, "conditions", LivingConditions, CONDITIONS, now, stamps={}, derived={})
    for sheet, model, key, _village in AREA_SHEETS:
        if sheet.kind not in staged.norm:
            continue
        kind, norm = sheet.kind, staged.norm[sheet.kind]
        given = staged.area_present[kind]
        base = write._next_id(model)
        staged.con.execute(f"""
            CREATE TABLE new_{kind} AS
            SELECT n.*, {base} - 1 + row_number() OVER (ORDER BY n._row) AS new_id
            FROM {norm} n JOIN plan_{kind} p USING (_row) WHERE p.db_id IS NULL""")
        write._insert(
            staged,
            model,
            sheet.columns,
            {key, "year", *given},
            f"new_{kind} n",
            {"id": "n.new_id", f"{key}_id": f"n.{key}"},
            {"updated_at": now},
        )
        present = [sheet.column(name) for name in given]
        write._update(staged, model, kind, f"plan_{kind}", norm, present, lambda c: c, now)
        write._audit(
            staged,
            kind,
            model,
            "s.code",
            f"(SELECT n._row, m.new_id, n.{key} AS code FROM {norm} n LEFT JOIN new_{kind} m USING (_row))",
        )
