"""The registry side of an import: the rows the file names, fetched into DuckDB as validation's canonical text,
with the tables locked against other writers first.

Only the fields the file gives are fetched; the keys go in batches (LOOKUP_BATCH) or, when the file names much of
a small table, the table is scanned once. The checks and the plan then join the file's tables to these.
"""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING

import pyarrow as pa
from django.db import connection

from fupin.areas.models import Area
from fupin.areas.scoping import scope_prefix
from fupin.core.sheets import Sheet
from fupin.registry.models import Household, IncomeAccount, Member, StatusEvent, VillageEvent
from fupin.registry.sheets import HOUSEHOLDS, INCOMES, MEMBERS

from ..validation import ident

if TYPE_CHECKING:
    from .run import Import

LOOKUP_BATCH = 10_000  # keys per IN (...) lookup; SQLite allows 32,766 parameters
FETCH_BATCH = 100_000  # registry rows turned into DuckDB rows at a time
ID_FIELDS = ("id", "household_id")


def _canonical_sql(kind: str, value: str) -> str:
    """SQL turning a stored value (as SQLite or PostgreSQL hands it over) into validation's canonical text."""
    if kind == "bool":
        return f"CASE WHEN {value} IS NULL THEN NULL WHEN CAST({value} AS BOOLEAN) THEN 'true' ELSE 'false' END"
    if kind in ("date", "when"):
        return f"CAST(CAST({value} AS DATE) AS VARCHAR)"
    if kind == "money":
        return f"CAST(CAST({value} AS DECIMAL(14, 2)) AS VARCHAR)"
    if kind == "int":
        return f"CAST(CAST({value} AS BIGINT) AS VARCHAR)"
    return f"NULLIF(CAST({value} AS VARCHAR), '')"


def lock_tables(staged: Import):
    """No other writer may add a household or a member while this import checks and writes (SQLite's write
    transaction already excludes them)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(m._meta.db_table for m in (Household, Member, IncomeAccount, StatusEvent, VillageEvent))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def _keys(staged: Import, column: str, kinds) -> str:
    """SQL of the distinct values of `column` in the file's sheets of these kinds."""
    parts = [f"SELECT {column} AS k FROM {staged.norm[k]}" for k in kinds if k in staged.norm]
    if not parts:
        return "SELECT CAST(NULL AS VARCHAR) AS k WHERE false"
    return f"SELECT DISTINCT k FROM ({' UNION ALL '.join(parts)}) WHERE k IS NOT NULL"


def _key_chunks(staged: Import, keys_sql: str):
    """The keys, LOOKUP_BATCH at a time, read through a second DuckDB connection (the first keeps writing). A key
    holding NUL matches nothing stored (no database keeps one; PostgreSQL refuses it even in a lookup), so it is
    never sent: the row's own check refuses it with a reason. Here, where every caller's keys reach the database."""
    result = staged.con.cursor().execute(
        f"SELECT k FROM ({keys_sql}) AS keys(k) WHERE k IS NOT NULL AND NOT contains(CAST(k AS VARCHAR), chr(0))"
    )
    while rows := result.fetchmany(LOOKUP_BATCH):
        yield [row[0] for row in rows]


def _fetch(
    staged: Import,
    name: str,
    queryset,
    key: str,
    keys_sql: str,
    fields: list[str],
    kinds: dict | None = None,
    *,
    scan: bool | None = None,
) -> None:
    """Registry rows whose `key` is among the file's keys, as DuckDB table `name` of canonical text (ids stay
    numbers). The rows come through the driver as they are (no per-value Django conversion) and are turned into
    the canonical text of validation by SQL casts in DuckDB, by each field's kind. `scan` overrides the choice
    between one scan of the table and lookups by key."""
    count = staged.con.execute(f"SELECT count(*) FROM ({keys_sql})").fetchall()[0][0]
    # many keys against a small table: one scan of the table is cheaper than thousands of index probes
    if scan is None:  # measured: a scanned row costs about half a probe
        scan = count * 2 > table_size(queryset.model)
    batches = (
        [queryset] if scan else (queryset.filter(**{f"{key}__in": chunk}) for chunk in _key_chunks(staged, keys_sql))
    )
    names = [f.replace("__", "_") for f in fields]
    # each field's kind, for its canonical text: the three sheets', or those the caller names (`kinds`)
    kinds = kinds or {c.name: c.kind for sheet in (HOUSEHOLDS, MEMBERS, INCOMES) for c in sheet.all_columns}
    selects = [
        f"{ident(n)}"
        if n in ID_FIELDS
        else f"{_canonical_sql(kinds.get(f.split('__')[-1].removesuffix('_id'), 'text'), ident(n))} AS {ident(n)}"
        for f, n in zip(fields, names)
    ]
    created = False
    with connection.cursor() as cursor:
        for batch in chain(batches, [queryset.filter(pk=0)]):  # pk=0 matches nothing: the table exists even so
            sql, params = batch.values_list(*fields).query.sql_with_params()
            cursor.execute(sql, params)
            while True:  # a chunk at a time into DuckDB: memory does not grow with the registry
                rows = cursor.fetchmany(FETCH_BATCH)
                if not rows and created:
                    break
                columns = list(zip(*rows)) or [[] for _ in fields]
                arrow = pa.table(
                    {
                        n: pa.array(v, pa.int64() if n in ID_FIELDS else (None if v else pa.string()))
                        for n, v in zip(names, columns)
                    }
                )
                staged.con.register("fetched", arrow)
                head = f"CREATE TABLE {name} AS" if not created else f"INSERT INTO {name}"
                staged.con.execute(f"{head} SELECT {', '.join(selects)} FROM fetched")
                staged.con.unregister("fetched")
                created = True
                if not rows:
                    break


def _present(staged: Import, sheet: Sheet, kind: str) -> list[str]:
    """Fields of the sheet that the file gives: only those are compared and fetched."""
    table = staged.by_kind.get(kind)
    given = set(table.columns) if table else set()
    if kind == "members" and table and "households" not in staged.by_kind:
        given |= set(staged.roster_columns()) | ({"head_name"} if staged.roster_columns() else set())
    return [c.name for c in sheet.columns if c.name in given and c.name != "number"]


def load_registry(staged: Import):
    """The registry rows the file names, as DuckDB tables db_households (with in_scope), db_members, db_incomes,
    and the areas its village codes name."""
    # every sheet keyed by household number names households (members, incomes, member events, conditions…)
    numbers = _keys(staged, "number", tuple(k for k, t in staged.by_kind.items() if "number" in t.sheet.key))
    household_fields = {
        *_present(staged, HOUSEHOLDS, "households"),
        *_present(staged, HOUSEHOLDS, "members"),
        "village",
    }
    household_fields = [
        ("village_id" if c.name == "village" else c.name) for c in HOUSEHOLDS.columns if c.name in household_fields
    ]
    _fetch(staged, "db_households", Household.objects.all(), "number", numbers, ["id", "number", *household_fields])
    prefix = scope_prefix(staged.user)
    staged.con.execute("ALTER TABLE db_households ADD COLUMN in_scope BOOLEAN DEFAULT false")
    staged.con.execute("UPDATE db_households SET in_scope = starts_with(village_id, ?)", [prefix])
    villages = _keys(staged, "village", ("households", "members", "village_events"))
    villages = [row[0] for row in staged.con.execute(villages).fetchall()]
    areas = list(Area.objects.filter(code__in=villages).values_list("code", "level"))
    arrow = pa.table(
        {
            "code": pa.array([a for a, _ in areas], pa.string()),
            "level": pa.array([int(b) for _, b in areas], pa.int32()),
        }
    )
    staged.con.register("fetched", arrow)
    staged.con.execute("CREATE TABLE areas AS SELECT *, starts_with(code, ?) AS in_scope FROM fetched", [prefix])
    staged.con.unregister("fetched")
    if "members" in staged.norm:
        ids = _keys(staged, "id_number", ("members",))
        member_fields = _present(staged, MEMBERS, "members")
        member_fields = [f for f in member_fields if f in {c.name for c in MEMBERS.columns}]
        _fetch(
            staged,
            "db_members",
            Member.objects.all(),
            "id_number",
            ids,
            [
                "id",
                "household_id",
                "household__number",
                "household__village_id",
                "id_number",
                *(f for f in member_fields if f != "id_number"),
            ],
        )
    if "incomes" in staged.norm:
        income_fields = _present(staged, INCOMES, "incomes")
        _fetch(
            staged,
            "db_incomes",
            IncomeAccount.objects.all(),
            "household__number",
            numbers,
            ["id", "household_id", "household__number", "year", *(f for f in income_fields if f != "year")],
        )


def table_size(model) -> int:
    """About how many rows the table has, from its id range (no count over millions of rows)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id) - MIN(id) + 1, 0) FROM {model._meta.db_table}")
        return cursor.fetchone()[0]


class _Staging:
    """What _fetch needs of an Import: its DuckDB connection."""

    def __init__(self, con):
        self.con = con


def fetch_into(con, name: str, queryset, key: str, keys_sql: str, fields: list[str], *, scan: bool | None = None):
    """_fetch for an app above exchange that stages its own file (monitoring's department data): the rows of
    `queryset` whose `key` is among the values `keys_sql` gives, as DuckDB table `name` of canonical text."""
    _fetch(_Staging(con), name, queryset, key, keys_sql, fields, scan=scan)
