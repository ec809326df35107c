"""The import of one file: stage, validate, check against the registry, then write everything or nothing.

Stages, each a few set operations in DuckDB whatever the row count:
1. reading.read_file: every sheet into a DuckDB table of text cells;
2. validation.normalise: each cell to canonical text or an error (row, column, value, reason);
3. check: what the file says against itself (same ID twice, one household with two head names) and against the
   registry (household numbers, IDs registered elsewhere, villages outside the uploader's area);
4. plan: each record new, updated (which fields, old → new) or unchanged;
5. write: inside one transaction with the registry tables locked, new records bulk-loaded, changed ones updated,
   one audit entry per record. Any error anywhere — or a dry run — and the transaction is rolled back.

A blank cell never erases: for an existing record it leaves the stored value; for a new one it means the
field's default. Records are matched by household number (户编号), by ID number (证件号码) and by year (年度).
"""

from __future__ import annotations

import json
from itertools import chain
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
from django.db import connection, transaction
from django.utils import timezone

from fupin.accounts.models import AuditEntry
from fupin.accounts.scoping import scope_prefix
from fupin.areas.models import Area, Level
from fupin.registry import bulkload, codes
from fupin.registry.models import Household, IncomeAccount, Member
from fupin.registry.signals import households_changed

from .columns import HOUSEHOLDS, INCOMES, MEMBERS, Sheet
from .reading import Table
from .validation import add_errors, create_error_table, ident, normalise, q

LOOKUP_BATCH = 10_000  # keys per IN (...) lookup; SQLite allows 32,766 parameters
WRITE_BATCH = 100_000  # rows converted and loaded at a time
ID_FIELDS = ("id", "household_id")
PREVIEW = 200  # errors and changes kept on the job for the page; the full list is in the report


class Rollback(Exception):
    """Raised inside the write transaction to undo it (errors found, or a dry run)."""


@dataclass
class Outcome:
    counts: dict = field(default_factory=dict)  # sheet kind → {"new": n, "updated": n, "unchanged": n}
    error_count: int = 0
    errors: list = field(default_factory=list)
    changes: list = field(default_factory=list)


def _canonical_sql(kind: str, value: str) -> str:
    """SQL turning a stored value (as SQLite or PostgreSQL hands it over) into validation's canonical text."""
    if kind == "bool":
        return f"CASE WHEN {value} IS NULL THEN NULL WHEN CAST({value} AS BOOLEAN) THEN 'true' ELSE 'false' END"
    if kind == "date":
        return f"CAST(CAST({value} AS DATE) AS VARCHAR)"
    if kind == "money":
        return f"CAST(CAST({value} AS DECIMAL(14, 2)) AS VARCHAR)"
    if kind == "int":
        return f"CAST(CAST({value} AS BIGINT) AS VARCHAR)"
    return f"NULLIF(CAST({value} AS VARCHAR), '')"


def _constant(kind: str, default):
    """A field's default as the bulk loader takes a constant: money in fen, choices as plain text."""
    if kind == "DecimalField":
        return int(round((default or 0) * 100))
    if kind == "BooleanField":
        return bool(default)
    if default is None:
        return "" if kind == "CharField" else None
    return str(default) if kind == "CharField" else default


def _numpy(field, values: pa.Array) -> np.ndarray:
    """An Arrow column as the bulk loader takes it: dates as datetime64 with NaT, nullable whole numbers as
    floats with NaN, text as a fixed-width unicode array."""
    kind = field.get_internal_type()
    if kind == "DateField":
        return values.to_numpy(zero_copy_only=False).astype("datetime64[D]")
    if "IntegerField" in kind or kind == "BigAutoField" or kind == "ForeignKey":
        out = values.to_numpy(zero_copy_only=False)
        return out.astype(np.int64) if not field.null and out.dtype.kind == "f" else out
    if kind == "BooleanField":
        return values.to_numpy(zero_copy_only=False).astype(bool)
    if pa.types.is_string(values.type):
        return np.asarray(values.fill_null("").to_numpy(zero_copy_only=False), dtype=str)
    return values.to_numpy(zero_copy_only=False)


class Import:
    """One file's import, staged in the DuckDB connection `con`."""

    def __init__(self, con, user, tables: list[Table], *, origin: str = "", today: date | None = None, progress=None):
        self.con, self.user, self.tables, self.origin = con, user, tables, origin
        self.today = today or timezone.localdate()
        self.progress = progress or (lambda *a: None)
        self.norm: dict[str, str] = {}  # sheet kind → normalised table
        self.by_kind = {t.sheet.kind: t for t in tables}
        create_error_table(con)

    # -------------------------------------------------------------------------------------------------------------
    def validate(self) -> None:
        self.progress("validating", 0, len(self.tables))
        for done, table in enumerate(self.tables, start=1):
            self.norm[table.sheet.kind] = normalise(self.con, table, self.today)
            self.progress("validating", done, len(self.tables))

    def run(self, *, dry_run: bool) -> Outcome:
        """Validate, check, plan and (unless there are errors or it is a dry run) write; returns the outcome."""
        self.validate()
        outcome = Outcome()
        try:
            with transaction.atomic():
                self._lock()
                self.progress("checking", 0, 1)
                self._load_registry()
                self._check()
                self.progress("checking", 1, 1)
                outcome.error_count = self.con.execute("SELECT count(*) FROM errors").fetchone()[0]
                if outcome.error_count:
                    raise Rollback
                self._plan(outcome)
                if dry_run:
                    raise Rollback
                self._write()
        except Rollback:
            pass
        outcome.errors = [
            {"sheet": s, "row": r, "column": h, "letter": letter, "value": v, "reason": why}
            for s, r, h, letter, v, why in self.con.execute(
                f"SELECT * FROM errors ORDER BY sheet, _row, letter LIMIT {PREVIEW}"
            ).fetchall()
        ]
        return outcome

    # -------------------------------------------------------------------------------------------------------------
    # the registry side
    # -------------------------------------------------------------------------------------------------------------
    def _lock(self):
        """No other writer may add a household or a member while this import checks and writes (SQLite's write
        transaction already excludes them)."""
        if connection.vendor == "postgresql":
            tables = ", ".join(m._meta.db_table for m in (Household, Member, IncomeAccount))
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")

    def _keys(self, column: str, kinds) -> str:
        """SQL of the distinct values of `column` in the file's sheets of these kinds."""
        parts = [f"SELECT {column} AS k FROM {self.norm[k]}" for k in kinds if k in self.norm]
        if not parts:
            return "SELECT CAST(NULL AS VARCHAR) AS k WHERE false"
        return f"SELECT DISTINCT k FROM ({' UNION ALL '.join(parts)}) WHERE k IS NOT NULL"

    def _key_chunks(self, keys_sql: str):
        """The keys, LOOKUP_BATCH at a time, read through a second DuckDB connection (the first keeps writing)."""
        result = self.con.cursor().execute(keys_sql)
        while rows := result.fetchmany(LOOKUP_BATCH):
            yield [row[0] for row in rows]

    def _fetch(self, name: str, queryset, key: str, keys_sql: str, fields: list[str]) -> None:
        """Registry rows whose `key` is among the file's keys, as DuckDB table `name` of canonical text (ids stay
        numbers). The rows come through the driver as they are (no per-value Django conversion) and are turned into
        the canonical text of validation by SQL casts in DuckDB, by each field's kind."""
        count = self.con.execute(f"SELECT count(*) FROM ({keys_sql})").fetchall()[0][0]
        # many keys against a small table: one scan of the table is cheaper than thousands of index probes
        scan = count * 2 > self._table_size(queryset.model)  # measured: a scanned row costs about half a probe
        batches = [queryset] if scan else (queryset.filter(**{f"{key}__in": chunk}) for chunk in self._key_chunks(keys_sql))
        names = [f.replace("__", "_") for f in fields]
        kinds = {c.name: c.kind for sheet in (HOUSEHOLDS, MEMBERS, INCOMES) for c in sheet.all_columns}
        selects = [f"{ident(n)}" if n in ID_FIELDS else f"{_canonical_sql(kinds.get(f.split('__')[-1].removesuffix('_id'), 'text'), ident(n))} AS {ident(n)}"
                   for f, n in zip(fields, names)]  # fmt: skip
        created = False
        with connection.cursor() as cursor:
            for batch in chain(batches, [queryset.filter(pk=0)]):  # pk=0 matches nothing: the table exists even so
                sql, params = batch.values_list(*fields).query.sql_with_params()
                cursor.execute(sql, params)
                while True:  # a chunk at a time into DuckDB: memory does not grow with the registry
                    rows = cursor.fetchmany(WRITE_BATCH)
                    if not rows and created:
                        break
                    columns = list(zip(*rows)) or [[] for _ in fields]
                    arrow = pa.table({n: pa.array(v, pa.int64() if n in ID_FIELDS else (None if v else pa.string()))
                                      for n, v in zip(names, columns)})  # fmt: skip
                    self.con.register("fetched", arrow)
                    head = f"CREATE TABLE {name} AS" if not created else f"INSERT INTO {name}"
                    self.con.execute(f"{head} SELECT {', '.join(selects)} FROM fetched")
                    self.con.unregister("fetched")
                    created = True
                    if not rows:
                        break

    def _present(self, sheet: Sheet, kind: str) -> list[str]:
        """Fields of the sheet that the file gives: only those are compared and fetched."""
        table = self.by_kind.get(kind)
        given = set(table.columns) if table else set()
        if kind == "members" and table and "households" not in self.by_kind:
            given |= set(self._roster_columns()) | ({"head_name"} if self._roster_columns() else set())
        return [c.name for c in sheet.columns if c.name in given and c.name != "number"]

    def _load_registry(self):
        numbers = self._keys("number", ("households", "members", "incomes"))
        household_fields = {*self._present(HOUSEHOLDS, "households"), *self._present(HOUSEHOLDS, "members"), "village"}
        household_fields = [("village_id" if c.name == "village" else c.name) for c in HOUSEHOLDS.columns if c.name in household_fields]
        self._fetch("db_households", Household.objects.all(), "number", numbers, ["id", "number", *household_fields])
        prefix = scope_prefix(self.user)
        self.con.execute("ALTER TABLE db_households ADD COLUMN in_scope BOOLEAN DEFAULT false")
        self.con.execute("UPDATE db_households SET in_scope = starts_with(village_id, ?)", [prefix])
        villages = [row[0] for row in self.con.execute(self._keys("village", ("households", "members"))).fetchall()]
        areas = list(Area.objects.filter(code__in=villages).values_list("code", "level"))
        arrow = pa.table({"code": pa.array([a for a, _ in areas], pa.string()),
                          "level": pa.array([int(b) for _, b in areas], pa.int32())})  # fmt: skip
        self.con.register("fetched", arrow)
        self.con.execute("CREATE TABLE areas AS SELECT *, starts_with(code, ?) AS in_scope FROM fetched", [prefix])
        self.con.unregister("fetched")
        if "members" in self.norm:
            ids = self._keys("id_number", ("members",))
            member_fields = self._present(MEMBERS, "members")
            member_fields = [f for f in member_fields if f in {c.name for c in MEMBERS.columns}]
            self._fetch("db_members", Member.objects.all(), "id_number", ids,
                        ["id", "household_id", "household__number", "household__village_id", "id_number",
                         *(f for f in member_fields if f != "id_number")])  # fmt: skip
        if "incomes" in self.norm:
            income_fields = self._present(INCOMES, "incomes")
            self._fetch("db_incomes", IncomeAccount.objects.all(), "household__number", numbers,
                        ["id", "household_id", "household__number", "year", *(f for f in income_fields if f != "year")])  # fmt: skip

    # -------------------------------------------------------------------------------------------------------------
    # checks
    # -------------------------------------------------------------------------------------------------------------
    def _err(self, kind: str, header: str, query: str, params=()):
        add_errors(self.con, self.by_kind[kind], query, header, params)

    def _check(self):
        h = self.norm.get("households")
        m = self.norm.get("members")
        i = self.norm.get("incomes")
        number = HOUSEHOLDS.column("number").header
        for kind, norm in self.norm.items():
            self._err(kind, number, f"SELECT _row, number AS value, '户编号不能为空' AS reason FROM {norm} WHERE number IS NULL")
        if h:
            self._check_households(h, number)
        if m:
            self._check_roster(m)
            self._check_members(m, number)
        if i:
            self._check_incomes(i, number)

    def _duplicates(self, kind, norm, keys: list[str], header: str, what: str):
        key = ", ".join(keys)
        self._err(kind, header, f"""
            SELECT _row, {keys[-1]} AS value, '与第' || list_aggregate(others, 'string_agg', '、') || '行重复（{what}）' AS reason
            FROM (SELECT _row, {key}, list(_row) OVER (PARTITION BY {key}) AS all_rows FROM {norm}
                  WHERE {' AND '.join(f'{k} IS NOT NULL' for k in keys)}),
                 LATERAL (SELECT list_filter(all_rows, lambda r: r != _row) AS others)
            WHERE len(others) > 0""")

    def _village_errors(self, kind, norm):
        header = HOUSEHOLDS.column("village").header
        self._err(kind, header, f"""
            SELECT n._row, n.village AS value, CASE
                WHEN a.code IS NULL THEN '行政区划代码不存在'
                WHEN a.level != {int(Level.VILLAGE)} THEN '不是行政村的代码，农户须登记到行政村'
                WHEN NOT a.in_scope THEN '该行政村不在您的管辖范围内' END AS reason
            FROM {norm} n LEFT JOIN areas a ON a.code = n.village
            WHERE n.village IS NOT NULL AND (a.code IS NULL OR a.level != {int(Level.VILLAGE)} OR NOT a.in_scope)""")
        self._err(kind, header, f"""
            SELECT n._row, NULL AS value, '新建农户须填写行政区划代码' AS reason
            FROM {norm} n LEFT JOIN db_households d USING (number)
            WHERE n.number IS NOT NULL AND d.id IS NULL AND n.village IS NULL""")

    def _outside_scope(self, kind, norm, header):
        self._err(kind, header, f"""
            SELECT n._row, n.number AS value, '该户编号已登记在您管辖范围以外的行政村，不能修改' AS reason
            FROM {norm} n JOIN db_households d USING (number) WHERE NOT d.in_scope""")

    def _check_households(self, h, number):
        self._duplicates("households", h, ["number"], number, "同一户只能有一行")
        self._outside_scope("households", h, number)
        self._village_errors("households", h)
        self._require_new_household("households", h)

    def _require_new_household(self, kind, norm):
        self._err(kind, HOUSEHOLDS.column("head_name").header, f"""
            SELECT n._row, NULL AS value, '新建农户须填写户主姓名' AS reason
            FROM {norm} n LEFT JOIN db_households d USING (number)
            WHERE n.number IS NOT NULL AND d.id IS NULL AND n.head_name IS NULL""")

    def _roster_columns(self) -> list[str]:
        table = self.by_kind["members"]
        return [c.name for c in MEMBERS.household_columns if c.name in table.columns]

    def _check_roster(self, m):
        """A roster row carries its household (some household columns besides 户编号): one household's rows must
        agree, and the head's name may come from the member recorded as 户主. With a households sheet in the same
        workbook, that sheet is the household; a member sheet without household columns only names households."""
        columns = self._roster_columns()
        if "households" in self.norm:
            self.by_kind["members"].ignored += [MEMBERS.column(c).header for c in columns]
            return
        if not columns:
            return
        for name in columns:
            header = MEMBERS.column(name).header
            self._err("members", header, f"""
                SELECT _row, {ident(name)} AS value, '同一户编号的各行“{header}”不一致（本户各行：' || string_agg(DISTINCT v, '、') OVER (PARTITION BY number) || '）' AS reason
                FROM (SELECT _row, number, {ident(name)}, {ident(name)} AS v,
                             count(DISTINCT {ident(name)}) OVER (PARTITION BY number) AS n FROM {m} WHERE number IS NOT NULL)
                WHERE n > 1""")
        head = f"max(CASE WHEN relation = '{codes.Relation.HEAD}' THEN name END)"
        values = [
            f"COALESCE(max(head_name), {head}) AS head_name" if c.name == "head_name" else f"max({ident(c.name)}) AS {ident(c.name)}"
            for c in MEMBERS.household_columns
        ]  # fmt: skip
        self.con.execute(f"""
            CREATE TABLE roster_households AS
            SELECT number, min(_row) AS _row, {', '.join(values)} FROM {m} WHERE number IS NOT NULL GROUP BY number""")
        self.norm["roster"] = "roster_households"
        self._outside_scope("members", m, HOUSEHOLDS.column("number").header)
        self._village_errors("members", f"(SELECT m._row, m.number, r.village FROM {m} m JOIN roster_households r USING (number))")
        self._require_new_household("members", f"(SELECT m._row, m.number, r.head_name FROM {m} m JOIN roster_households r USING (number))")

    def _known_households(self) -> str:
        """Household numbers that will exist after the import: the registry's in scope and the file's new ones."""
        parts = ["SELECT number FROM db_households WHERE in_scope"]
        for kind in ("households", "roster"):
            if kind in self.norm:
                parts.append(f"SELECT number FROM {self.norm[kind]} WHERE number IS NOT NULL")
        return " UNION ".join(parts)

    def _missing_household(self, kind, norm, header):
        self._err(kind, header, f"""
            SELECT _row, number AS value,
                   '户编号在系统和本文件中都不存在（或不在您的管辖范围内），请先导入该户' AS reason
            FROM {norm} WHERE number IS NOT NULL AND number NOT IN ({self._known_households()})""")

    def _check_members(self, m, number):
        id_header = MEMBERS.column("id_number").header
        table = self.by_kind["members"]
        self._err("members", id_header, f"SELECT _row, NULL AS value, '证件号码不能为空' AS reason FROM {m} WHERE id_number IS NULL AND _row NOT IN (SELECT _row FROM errors WHERE sheet = ? AND header = ?)",
                  [table.title, id_header])  # fmt: skip
        self._duplicates("members", m, ["id_number"], id_header, "同一人只能登记一次")
        if "roster" not in self.norm:
            self._missing_household("members", m, number)
        prefix = scope_prefix(self.user)
        self._err("members", id_header, f"""
            SELECT n._row, n.id_number AS value,
                   '该证件号码已在' || CASE WHEN starts_with(d.household_village_id, ?) THEN '户' || d.household_number
                   ELSE '本辖区以外的户（请联系县级核实）' END || '登记，同一人不能重复建档' AS reason
            FROM {m} n JOIN db_members d USING (id_number) WHERE d.household_number != n.number""", [prefix])
        for name, what in (("name", "姓名"), ("relation", "与户主关系")):
            if name in table.columns:
                self._err("members", MEMBERS.column(name).header, f"""
                    SELECT n._row, NULL AS value, '新增成员须填写{what}' AS reason
                    FROM {m} n LEFT JOIN db_members d USING (id_number) WHERE d.id IS NULL AND n.{name} IS NULL AND n.id_number IS NOT NULL""")
            else:
                self._err("members", id_header, f"""
                    SELECT n._row, n.id_number AS value, '新增成员须填写{what}（文件中没有这一列）' AS reason
                    FROM {m} n LEFT JOIN db_members d USING (id_number) WHERE d.id IS NULL AND n.id_number IS NOT NULL""")
        for name, derived in (("birth_date", "_birth"), ("sex", "_sex")):
            column = MEMBERS.column(name)
            if name in table.columns:
                self._err("members", column.header, f"""
                    SELECT _row, {name} AS value, '与证件号码中的“' || {derived} || '”不一致' AS reason
                    FROM {m} WHERE {name} IS NOT NULL AND {derived} IS NOT NULL AND {name} != {derived}
                      AND COALESCE(id_type, '1') IN ('1', '2')""")

    def _check_incomes(self, i, number):
        year = INCOMES.column("year").header
        self._err("incomes", year, f"SELECT _row, NULL AS value, '年度不能为空' AS reason FROM {i} WHERE year IS NULL")
        self._duplicates("incomes", i, ["number", "year"], year, "同一户同一年度只能有一行")
        self._missing_household("incomes", i, number)
        persons = INCOMES.column("persons").header
        present = "persons" in self.by_kind["incomes"].columns
        self._err("incomes", persons, f"""
            SELECT n._row, NULL AS value, '新增收入台账须填写家庭人口数' AS reason
            FROM {i} n LEFT JOIN db_incomes d ON d.household_number = n.number AND d.year = n.year
            WHERE d.id IS NULL AND {'n.persons' if present else 'NULL'} IS NULL AND n.year IS NOT NULL""")

    # -------------------------------------------------------------------------------------------------------------
    # plan and write
    # -------------------------------------------------------------------------------------------------------------
    def _plan(self, outcome: Outcome):
        """Per sheet: each row new, updated or unchanged, with the audit JSON of what changes."""
        specs = []
        if "households" in self.norm or "roster" in self.norm:
            if "households" in self.norm:
                norm, given = self.norm["households"], set(self.by_kind["households"].columns)
            else:
                norm, given = self.norm["roster"], {*self._roster_columns(), "head_name"}
            present = [c for c in HOUSEHOLDS.columns if c.name != "number" and c.name in given]
            specs.append(("households", norm, "db_households", "d.number = n.number", present, lambda c: "village_id" if c == "village" else c))
        for kind, sheet, join in (("members", MEMBERS, "d.id_number = n.id_number"),
                                  ("incomes", INCOMES, "d.household_number = n.number AND d.year = n.year")):  # fmt: skip
            if kind in self.norm:
                given = self.by_kind[kind].columns
                present = [c for c in sheet.columns if c.name != "number" and c.name in given]
                specs.append((kind, self.norm[kind], f"db_{kind}", join, present, lambda c: c))
        for kind, norm, db, join, present, db_name in specs:
            pairs = ", ".join(
                f"{{'k': {q(c.name)}, 'v': [d.{ident(db_name(c.name))}, n.{ident(c.name)}]}}" for c in present
            )
            self.con.execute(f"""
                CREATE TABLE plan_{kind} AS
                SELECT n._row, d.id AS db_id, n.number,
                       CASE WHEN d.id IS NOT NULL THEN
                       to_json(map_from_entries(list_filter([{pairs}], lambda e: e.v[2] IS NOT NULL AND e.v[1] IS DISTINCT FROM e.v[2])))
                   END AS changes
                FROM {norm} n LEFT JOIN {db} d ON {join}""")
            new, updated, unchanged = self.con.execute(f"""
                SELECT count(*) FILTER (WHERE db_id IS NULL), count(*) FILTER (WHERE db_id IS NOT NULL AND changes != '{{}}'),
                       count(*) FILTER (WHERE db_id IS NOT NULL AND changes = '{{}}') FROM plan_{kind}""").fetchone()
            outcome.counts[kind] = {"new": new, "updated": updated, "unchanged": unchanged}
            for row, number, changes in self.con.execute(
                f"SELECT _row, number, changes FROM plan_{kind} WHERE db_id IS NOT NULL AND changes != '{{}}' ORDER BY _row LIMIT {PREVIEW}"
            ).fetchall():
                sheet = {"households": HOUSEHOLDS, "members": MEMBERS, "incomes": INCOMES}[kind]
                named = {sheet.column(name).header: pair for name, pair in json.loads(changes).items()}
                outcome.changes.append({"sheet": kind, "row": row, "number": number, "changes": named})
        self.present = {kind: present for kind, _, _, _, present, _ in specs}

    def _write(self):
        self.progress("writing", 0, 3)
        now = timezone.now()
        self.audit_rows = []
        # household number → id and village, for members and incomes: the registry's, plus those created below
        self.con.execute("CREATE TABLE household_ids AS SELECT number, id, village_id FROM db_households")
        if "households" in self.present:
            self._write_households(now)
        self.progress("writing", 1, 3)
        if "members" in self.present:
            self._write_members(now)
        self.progress("writing", 2, 3)
        if "incomes" in self.present:
            self._write_incomes(now)
        self._write_audit(now)
        self._announce_updates()
        self.progress("writing", 3, 3)

    def _announce_updates(self) -> None:
        """Tell the apps keeping data derived from the registry (the assessment profile) which households' rows
        this import changed in place: an UPDATE sends no model signal. New rows are found by their ids."""
        changed = " UNION ".join(
            f"SELECT hi.id FROM plan_{kind} p JOIN household_ids hi USING (number) "
            f"WHERE p.db_id IS NOT NULL AND p.changes != '{{}}'"
            for kind in self.present
        )
        ids = [row[0] for row in self.con.execute(changed).fetchall()] if changed else []
        if ids:
            households_changed.send(sender=type(self), household_ids=ids, using=connection.alias)

    @staticmethod
    def _table_size(model) -> int:
        """About how many rows the table has, from its id range (no count over millions of rows)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id) - MIN(id) + 1, 0) FROM {model._meta.db_table}")
            return cursor.fetchone()[0]

    def _next_id(self, model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
            return cursor.fetchone()[0] + 1

    def _insert(self, model, columns, present_names, source: str, computed: dict[str, str], constants: dict) -> None:
        """Bulk-load the rows of `source` as new records of `model`, a chunk at a time (memory stays flat).

        Each concrete column is one of: `computed` (SQL over the source), a field the file gives (its canonical
        text cast to the column's type, the default where blank), or a constant for every row (the default of a
        field the file does not have, timestamps) which the loader writes once instead of per row."""
        selects, fixed = [], dict(constants)
        for f in model._meta.concrete_fields:
            if f.generated or f.attname in fixed:
                continue
            if f.attname in computed:
                selects.append(f"{computed[f.attname]} AS {ident(f.attname)}")
                continue
            column = next((c for c in columns if c.name == f.name), None)
            default = column.default if column is not None and column.default is not None else None
            if default is None and f.has_default() and not callable(f.default):
                default = f.default
            kind = f.get_internal_type()
            if f.name not in present_names:
                fixed[f.attname] = _constant(kind, default)
                continue
            v = f"n.{ident(f.name)}"
            if kind == "BooleanField":
                selects.append(f"COALESCE({v}, {q('true' if default else 'false')}) = 'true' AS {ident(f.attname)}")
            elif kind == "DateField":
                selects.append(f"CAST({v} AS DATE) AS {ident(f.attname)}")
            elif kind == "DecimalField":
                selects.append(f"CAST(round(CAST(COALESCE({v}, '0') AS DECIMAL(14, 2)) * 100) AS BIGINT) AS {ident(f.attname)}")
            elif "IntegerField" in kind:
                fallback = "NULL" if default is None else str(int(default))
                selects.append(f"CAST(COALESCE(CAST({v} AS DOUBLE), {fallback}) AS DOUBLE) AS {ident(f.attname)}")
            else:
                selects.append(f"COALESCE({v}, {q(default or '')}) AS {ident(f.attname)}")
        fields = {f.attname: f for f in model._meta.concrete_fields}
        label = model._meta.label_lower
        loader = bulkload.loader_for(connection, [label])
        count = self.con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0]
        if not count:
            return
        # a load at least as big as the table: one sorted index build at the end beats growing them row by row
        # (the checks above already guarantee what the unique indexes would)
        rebuild = count >= self._table_size(model)
        with loader.session():
            if rebuild:
                loader.suspend_indexes([label])
            for batch in self.con.sql(f"SELECT {', '.join(selects)} FROM {source}").to_arrow_reader(WRITE_BATCH):
                rows = dict(fixed)
                for name, values in zip(batch.schema.names, batch.columns):
                    rows[name] = _numpy(fields[name], values)
                loader.write_rows(label, rows)
            if rebuild:
                loader.restore_indexes()
            loader.finish([label])

    def _update(self, model, kind, plan: str, source: str, present, db_name, now) -> None:
        """Changed records: every field the file gives (blank cells keep the stored value)."""
        names = [c.name for c in present]
        if not names:
            return
        fields = [model._meta.get_field(db_name(n)) for n in names]
        result = self.con.execute(f"""
            SELECT {', '.join(f'n.{ident(n)}' for n in names)}, p.db_id
            FROM plan_{kind} p JOIN {source} n USING (_row) WHERE p.db_id IS NOT NULL AND p.changes != '{{}}'""")
        quote = connection.ops.quote_name
        stamp = next((f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)), None)
        sets = [f"{quote(f.column)} = COALESCE(%s, {quote(f.column)})" for f in fields]
        if stamp:
            sets.append(f"{quote(stamp.column)} = %s")
        sql = f"UPDATE {quote(model._meta.db_table)} SET {', '.join(sets)} WHERE id = %s"
        converters = [self._python(f) for f in fields]
        stamped = [connection.ops.adapt_datetimefield_value(now)] if stamp else []
        with connection.cursor() as cursor:
            while rows := result.fetchmany(WRITE_BATCH):
                cursor.executemany(sql, [[conv(v) for conv, v in zip(converters, row[:-1])] + stamped + [row[-1]] for row in rows])

    @staticmethod
    def _python(f):
        kind = f.get_internal_type()
        if kind == "BooleanField":
            return lambda v: None if v is None else v == "true"
        if kind == "DateField":
            return lambda v: None if v is None else connection.ops.adapt_datefield_value(date.fromisoformat(v))
        if kind == "DecimalField":
            return lambda v: None if v is None else Decimal(v)
        if "Integer" in kind:
            return lambda v: None if v is None else int(v)
        return lambda v: v

    def _audit(self, kind, model, area_sql: str, source: str):
        """Audit rows of one sheet: an update keeps [before, after] of each changed field; a creation points at the
        file and the row it came from (the job keeps the file; the values are the record's own)."""
        opening = '{"import": ' + json.dumps(str(self.origin)) + ', "row": '  # JSON text, then an SQL literal
        origin = f"{q(opening)} || p._row || '}}'"
        self.audit_rows.append(f"""
            SELECT CASE WHEN p.db_id IS NULL THEN 'create' ELSE 'update' END AS action, {q(model._meta.label_lower)} AS model,
                   CAST(COALESCE(p.db_id, s.new_id) AS VARCHAR) AS object_id, {area_sql} AS area_code,
                   COALESCE(p.changes, {origin}) AS changes
            FROM plan_{kind} p JOIN {source} s USING (_row) WHERE p.db_id IS NULL OR p.changes != '{{}}'""")

    def _write_households(self, now):
        norm = self.norm.get("households") or self.norm["roster"]
        present = self.present["households"]
        base = self._next_id(Household)
        self.con.execute(f"""
            CREATE TABLE new_households AS
            SELECT n.*, {base} - 1 + row_number() OVER (ORDER BY n._row) AS new_id
            FROM {norm} n JOIN plan_households p USING (_row) WHERE p.db_id IS NULL""")
        self.con.execute("INSERT INTO household_ids SELECT number, new_id, village FROM new_households")
        names = {c.name for c in present}
        self._insert(Household, HOUSEHOLDS.columns, names | {"number"}, "new_households n", {"id": "n.new_id"},
                     {"status": str(codes.Status.ORDINARY), "created_at": now, "updated_at": now})  # fmt: skip
        self._update(Household, "households", "plan_households", norm, present,
                     lambda c: "village" if c == "village" else c, now)  # fmt: skip
        village = "n.village" if "village" in names else "NULL"
        self._audit("households", Household, "COALESCE(s.new_village, s.village_id)",
                    f"(SELECT n._row, {village} AS new_village, h.new_id, i.village_id FROM {norm} n LEFT JOIN new_households h USING (_row) JOIN household_ids i ON i.number = n.number)")  # fmt: skip

    def _write_household_part(self, kind: str, model, sheet: Sheet, now, *, derived: dict[str, str], stamps: dict):
        """Members or incomes: new rows under their household (from the registry or created just now) bulk-loaded,
        changed rows updated, audit rows gathered. `derived`: fields filled from other columns when blank."""
        norm, present = self.norm[kind], self.present[kind]
        base = self._next_id(model)
        replace = f"REPLACE ({', '.join(f'{expr} AS {name}' for name, expr in derived.items())})" if derived else ""
        self.con.execute(f"""
            CREATE TABLE new_{kind} AS
            SELECT n.* {replace}, h.id AS household_id, {base} - 1 + row_number() OVER (ORDER BY n._row) AS new_id
            FROM {norm} n JOIN plan_{kind} p USING (_row) JOIN household_ids h ON h.number = n.number WHERE p.db_id IS NULL""")
        names = {c.name for c in present} | set(derived)
        self._insert(model, sheet.columns, names, f"new_{kind} n", {"id": "n.new_id", "household_id": "n.household_id"}, stamps)
        self._update(model, kind, f"plan_{kind}", norm, present, lambda c: c, now)
        self._audit(kind, model, "s.village_id",
                    f"(SELECT n._row, m.new_id, h.village_id FROM {norm} n LEFT JOIN new_{kind} m USING (_row) JOIN household_ids h ON h.number = n.number)")  # fmt: skip

    def _write_members(self, now):
        self._write_household_part("members", Member, MEMBERS, now, stamps={"created_at": now, "updated_at": now},
                                   derived={"birth_date": "COALESCE(n.birth_date, n._birth)", "sex": "COALESCE(n.sex, n._sex)"})  # fmt: skip

    def _write_incomes(self, now):
        self._write_household_part("incomes", IncomeAccount, INCOMES, now, stamps={"recorded_at": now}, derived={})

    def _write_audit(self, now):
        if not self.audit_rows:
            return
        self.con.execute(f"CREATE TABLE audit_rows AS {' UNION ALL '.join(self.audit_rows)}")
        base = self._next_id(AuditEntry)
        computed = {"id": f"{base} - 1 + row_number() OVER ()", **{c: f"n.{c}" for c in ("action", "model", "object_id", "area_code", "changes")}}
        constants = {"at": now, "user_id": self.user.pk, "username": self.user.username, "via": "import"}
        self._insert(AuditEntry, (), set(), "audit_rows n", computed, constants)
