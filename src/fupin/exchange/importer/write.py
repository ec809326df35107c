"""The write of an import, inside the transaction that holds the registry tables locked: new records bulk-loaded a
chunk at a time (registry.bulkload), changed ones updated field by field (a blank cell keeps the stored value),
one audit entry per record, and the households changed in place announced to the apps that derive data from them.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
from django.db import connection
from django.utils import timezone

from fupin.accounts.models import AuditEntry
from fupin.core.sheets import Sheet
from fupin.registry import bulkload, codes
from fupin.registry.models import Household, IncomeAccount, Member
from fupin.registry.sheets import HOUSEHOLDS, INCOMES, MEMBERS
from fupin.registry.signals import households_changed

from ..validation import ident, q
from .fetch import table_size

if TYPE_CHECKING:
    from .run import Import

WRITE_BATCH = 100_000  # rows converted and loaded at a time


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


def write_rows(staged: Import):
    staged.progress.phase("writing", 3)
    now = timezone.now()
    staged.audit_rows = []
    # household number → id and village, for members and incomes: the registry's, plus those created below
    staged.con.execute("CREATE TABLE household_ids AS SELECT number, id, village_id FROM db_households")
    if "households" in staged.present:
        _write_households(staged, now)
    staged.progress.advance("writing", 1)
    if "members" in staged.present:
        _write_members(staged, now)
    staged.progress.advance("writing", 1)
    if "incomes" in staged.present:
        _write_incomes(staged, now)
    for part in staged.parts:  # the sheets with modules of their own (run.PARTS)
        part.write_part(staged, now)
    _write_audit(staged, now)
    _announce_updates(staged)
    staged.progress.advance("writing", 1)


def _announce_updates(staged: Import) -> None:
    """Tell the apps keeping data derived from the registry (the assessment profile) which households' rows
    this import changed in place: an UPDATE sends no model signal. New rows are found by their ids."""
    changed = " UNION ".join(
        f"SELECT hi.id FROM plan_{kind} p JOIN household_ids hi USING (number) "
        f"WHERE p.db_id IS NOT NULL AND p.changes != '{{}}'"
        for kind in staged.present
    )
    ids = [row[0] for row in staged.con.execute(changed).fetchall()] if changed else []
    if ids:
        households_changed.send(sender=type(staged), household_ids=ids, using=connection.alias)


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        return cursor.fetchone()[0] + 1


def _insert(
    staged: Import, model, columns, present_names, source: str, computed: dict[str, str], constants: dict
) -> None:
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
            selects.append(
                f"CAST(round(CAST(COALESCE({v}, '0') AS DECIMAL(14, 2)) * 100) AS BIGINT) AS {ident(f.attname)}"
            )
        elif "IntegerField" in kind:
            fallback = "NULL" if default is None else str(int(default))
            selects.append(f"CAST(COALESCE(CAST({v} AS DOUBLE), {fallback}) AS DOUBLE) AS {ident(f.attname)}")
        else:
            selects.append(f"COALESCE({v}, {q(default or '')}) AS {ident(f.attname)}")
    fields = {f.attname: f for f in model._meta.concrete_fields}
    label = model._meta.label_lower
    loader = bulkload.loader_for(connection, [label])
    count = staged.con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0]
    if not count:
        return
    # a load at least as big as the table: one sorted index build at the end beats growing them row by row
    # (the checks above already guarantee what the unique indexes would)
    rebuild = count >= table_size(model)
    with loader.session():
        if rebuild:
            loader.suspend_indexes([label])
        for batch in staged.con.sql(f"SELECT {', '.join(selects)} FROM {source}").to_arrow_reader(WRITE_BATCH):
            rows = dict(fixed)
            for name, values in zip(batch.schema.names, batch.columns):
                rows[name] = _numpy(fields[name], values)
            loader.write_rows(label, rows)
        if rebuild:
            loader.restore_indexes()
        loader.finish([label])


def _update(staged: Import, model, kind, plan: str, source: str, present, db_name, now) -> None:
    """Changed records: every field the file gives (blank cells keep the stored value)."""
    names = [c.name for c in present]
    if not names:
        return
    fields = [model._meta.get_field(db_name(n)) for n in names]
    result = staged.con.execute(f"""
        SELECT {", ".join(f"n.{ident(n)}" for n in names)}, p.db_id
        FROM plan_{kind} p JOIN {source} n USING (_row) WHERE p.db_id IS NOT NULL AND p.changes != '{{}}'""")
    quote = connection.ops.quote_name
    stamp = next((f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)), None)
    sets = [f"{quote(f.column)} = COALESCE(%s, {quote(f.column)})" for f in fields]
    if stamp:
        sets.append(f"{quote(stamp.column)} = %s")
    sql = f"UPDATE {quote(model._meta.db_table)} SET {', '.join(sets)} WHERE id = %s"
    converters = [_python(f) for f in fields]
    stamped = [connection.ops.adapt_datetimefield_value(now)] if stamp else []
    with connection.cursor() as cursor:
        while rows := result.fetchmany(WRITE_BATCH):
            cursor.executemany(
                sql, [[conv(v) for conv, v in zip(converters, row[:-1])] + stamped + [row[-1]] for row in rows]
            )


def _python(f):
    """A staged value (validation's canonical text) as the driver takes it for field `f`."""
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


def _audit(staged: Import, kind, model, area_sql: str, source: str):
    """Audit rows of one sheet: an update keeps [before, after] of each changed field; a creation points at the
    file and the row it came from (the job keeps the file; the values are the record's own)."""
    opening = '{"import": ' + json.dumps(str(staged.origin)) + ', "row": '  # JSON text, then an SQL literal
    origin = f"{q(opening)} || p._row || '}}'"
    staged.audit_rows.append(f"""
        SELECT CASE WHEN p.db_id IS NULL THEN 'create' ELSE 'update' END AS action,
               {q(model._meta.label_lower)} AS model,
               CAST(COALESCE(p.db_id, s.new_id) AS VARCHAR) AS object_id, {area_sql} AS area_code,
               COALESCE(p.changes, {origin}) AS changes
        FROM plan_{kind} p JOIN {source} s USING (_row) WHERE p.db_id IS NULL OR p.changes != '{{}}'""")


def _write_households(staged: Import, now):
    norm = staged.norm.get("households") or staged.norm["roster"]
    present = staged.present["households"]
    base = _next_id(Household)
    staged.con.execute(f"""
        CREATE TABLE new_households AS
        SELECT n.*, {base} - 1 + row_number() OVER (ORDER BY n._row) AS new_id
        FROM {norm} n JOIN plan_households p USING (_row) WHERE p.db_id IS NULL""")
    staged.con.execute("INSERT INTO household_ids SELECT number, new_id, village FROM new_households")
    names = {c.name for c in present}
    _insert(
        staged,
        Household,
        HOUSEHOLDS.columns,
        names | {"number"},
        "new_households n",
        {"id": "n.new_id"},
        {"status": str(codes.Status.ORDINARY), "created_at": now, "updated_at": now},
    )
    _update(
        staged,
        Household,
        "households",
        "plan_households",
        norm,
        present,
        lambda c: "village" if c == "village" else c,
        now,
    )
    village = "n.village" if "village" in names else "NULL"
    _audit(
        staged,
        "households",
        Household,
        "COALESCE(s.new_village, s.village_id)",
        f"(SELECT n._row, {village} AS new_village, h.new_id, i.village_id FROM {norm} n "
        "LEFT JOIN new_households h USING (_row) JOIN household_ids i ON i.number = n.number)",
    )


def _write_household_part(
    staged: Import, kind: str, model, sheet: Sheet, now, *, derived: dict[str, str], stamps: dict
):
    """Members or incomes: new rows under their household (from the registry or created just now) bulk-loaded,
    changed rows updated, audit rows gathered. `derived`: fields filled from other columns when blank."""
    norm, present = staged.norm[kind], staged.present[kind]
    base = _next_id(model)
    replace = f"REPLACE ({', '.join(f'{expr} AS {name}' for name, expr in derived.items())})" if derived else ""
    staged.con.execute(f"""
        CREATE TABLE new_{kind} AS
        SELECT n.* {replace}, h.id AS household_id, {base} - 1 + row_number() OVER (ORDER BY n._row) AS new_id
        FROM {norm} n JOIN plan_{kind} p USING (_row) JOIN household_ids h ON h.number = n.number
        WHERE p.db_id IS NULL""")
    names = {c.name for c in present} | set(derived)
    _insert(
        staged,
        model,
        sheet.columns,
        names,
        f"new_{kind} n",
        {"id": "n.new_id", "household_id": "n.household_id"},
        stamps,
    )
    _update(staged, model, kind, f"plan_{kind}", norm, present, lambda c: c, now)
    _audit(
        staged,
        kind,
        model,
        "s.village_id",
        f"(SELECT n._row, m.new_id, h.village_id FROM {norm} n LEFT JOIN new_{kind} m USING (_row) "
        "JOIN household_ids h ON h.number = n.number)",
    )


def _write_members(staged: Import, now):
    _write_household_part(
        staged,
        "members",
        Member,
        MEMBERS,
        now,
        stamps={"created_at": now, "updated_at": now},
        derived={"birth_date": "COALESCE(n.birth_date, n._birth)", "sex": "COALESCE(n.sex, n._sex)"},
    )


def _write_incomes(staged: Import, now):
    _write_household_part(staged, "incomes", IncomeAccount, INCOMES, now, stamps={"recorded_at": now}, derived={})


def _write_audit(staged: Import, now):
    if not staged.audit_rows:
        return
    staged.con.execute(f"CREATE TABLE audit_rows AS {' UNION ALL '.join(staged.audit_rows)}")
    base = _next_id(AuditEntry)
    computed = {
        "id": f"{base} - 1 + row_number() OVER ()",
        **{c: f"n.{c}" for c in ("action", "model", "object_id", "area_code", "changes")},
    }
    constants = {"at": now, "user_id": staged.user.pk, "username": staged.user.username, "via": "import"}
    _insert(staged, AuditEntry, (), set(), "audit_rows n", computed, constants)
