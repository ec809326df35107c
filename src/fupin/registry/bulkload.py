"""Bulk writing of column arrays through Django's own database connection, fast on SQLite and PostgreSQL.

Why not bulk_create: it builds a model instance per row and one parameter per value, about fifty times slower
than the database can take rows in. Why Django's own connection and not a driver of its own (ADBC, a second
psycopg connection): the rows must be part of the caller's transaction, so that a failed load leaves nothing
behind and a test sees what it loaded.

A table's rows arrive as {attname: numpy array, or one constant for every row}, primary keys included: the
caller assigns ids, so that children can name their parents without a round trip. Decimal fields arrive as
integers counted in their smallest unit (fen for money), so no float rounding ever reaches the database.
Table and column names, and which columns the database generates itself (left out), come from the models.

- SQLite: `executemany` of multi-row INSERTs on the raw sqlite3 connection (numpy → Python lists, one call
  into SQLite per 50 rows).
- PostgreSQL: COPY … FROM STDIN in the binary format, built with numpy from the arrays (no text for the
  server to parse). `encode` is a pure function, so it can run in another process than `write`.

Both can set aside the secondary indexes and foreign keys of the tables being loaded and rebuild them once
at the end (`suspend_indexes` / `restore_indexes`), inside the same transaction.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

Rows = dict  # attname → numpy array (one value per row) or a constant


@dataclass(frozen=True)
class TableSpec:
    """Where and how a model's rows go; generated columns are left out (the database computes them)."""

    label: str
    table: str
    columns: tuple[str, ...]
    attnames: tuple[str, ...]
    kinds: tuple[str, ...]  # internal type of each field, e.g. "DecimalField"
    db_types: tuple[str, ...]  # column type on this database, e.g. "numeric(12, 2)"
    scales: tuple[int, ...]  # decimal places of each DecimalField (its values arrive as integers of that unit)

    @classmethod
    def of(cls, label: str, connection) -> TableSpec:
        from django.apps import apps

        model = apps.get_model(label)
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        return cls(
            label=label,
            table=model._meta.db_table,
            columns=tuple(f.column for f in fields),
            attnames=tuple(f.attname for f in fields),
            kinds=tuple(f.get_internal_type() for f in fields),
            db_types=tuple(f.db_type(connection) for f in fields),
            scales=tuple(getattr(f, "decimal_places", 0) or 0 for f in fields),
        )

    def values(self, rows: Rows) -> list[tuple]:
        """(kind, db type, scale, value) per column; refuses rows that leave a column out."""
        missing = set(self.attnames) - set(rows)
        if missing:
            raise KeyError(f"{self.label}: no values for {sorted(missing)}")
        columns = zip(self.attnames, self.kinds, self.db_types, self.scales)
        return [(kind, db_type, scale, rows[name]) for name, kind, db_type, scale in columns]


def row_count(rows: Rows) -> int:
    return max(len(v) for v in rows.values() if isinstance(v, np.ndarray))


def _plain(value):
    """A constant as the database takes it: aware datetimes in UTC, text choices as plain str."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, str):
        return str(value)
    return value


class Loader:
    """The common protocol; `loader_for` picks the vendor's."""

    def __init__(self, connection, specs: dict[str, TableSpec]):
        self.connection, self.specs = connection, specs
        self._saved: list[tuple] = []

    @staticmethod
    def encode(specs: dict[str, TableSpec], tables: dict[str, Rows]) -> dict:
        """Rows → what `write` takes; pure, so it may run in another process."""
        return tables

    def write(self, label: str, payload) -> int:
        raise NotImplementedError

    def write_rows(self, label: str, rows: Rows) -> int:
        return self.write(label, self.encode(self.specs, {label: rows})[label])

    @contextmanager
    def session(self):
        """Wrap the load, inside the transaction: settings for the load, put back however it ends."""
        self._begin()
        try:
            yield self
        finally:
            self._end()

    def _begin(self):
        pass

    def _end(self):
        pass

    def suspend_indexes(self, labels):
        """Set aside what slows the load of these tables (until `restore_indexes`)."""

    def restore_indexes(self):
        """Rebuild what `suspend_indexes` set aside."""

    def finish(self, labels):
        """Called last: what the database needs after rows were written with explicit ids."""

    def delete_all(self, tables: list[str]):
        """Empty these tables (children before parents)."""
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")


class SqliteLoader(Loader):
    ROWS_PER_STATEMENT = 50  # measured at 1M persons: a third faster than one row per INSERT

    @staticmethod
    def _column(kind: str, scale: int, values: np.ndarray) -> list:
        if kind == "DecimalField":
            return (values / 10**scale).tolist()  # what Django stores too: NUMERIC affinity keeps a REAL
        if kind == "DateField":
            text = np.datetime_as_string(values, unit="D").astype(object)
            text[np.isnat(values)] = None
            return text.tolist()
        if kind == "BooleanField":
            return values.astype(np.int8).tolist()
        if values.dtype.kind == "f":  # nullable integers arrive as floats with NaN for NULL
            missing = np.isnan(values)
            out = np.where(missing, 0, values).astype(np.int64).astype(object)
            out[missing] = None
            return out.tolist()
        return values.tolist()

    @staticmethod
    def _literal(value) -> str:
        """A constant column is written into the statement once instead of being bound on every row."""
        value = _plain(value)
        if value is None:
            return "NULL"
        if isinstance(value, datetime):
            value = str(value.replace(tzinfo=None))  # Django's SQLite format for USE_TZ: naive UTC
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return str(int(value))

    def write(self, label: str, rows: Rows) -> int:
        spec = self.specs[label]
        n = row_count(rows)
        columns, placeholders = [], []
        for kind, _, scale, value in spec.values(rows):
            if isinstance(value, np.ndarray):
                columns.append(self._column(kind, scale, value))
                placeholders.append("?")
            else:
                placeholders.append(self._literal(value))
        quote = self.connection.ops.quote_name
        head = f"INSERT INTO {quote(spec.table)} ({', '.join(quote(c) for c in spec.columns)}) VALUES "
        one = "(" + ", ".join(placeholders) + ")"
        raw = self.connection.connection
        limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # Django assumes 999; SQLite ≥ 3.32 allows 32766
        per = max(1, min(self.ROWS_PER_STATEMENT, limit // max(1, len(columns))))
        full = n - n % per
        if full:
            grid = np.empty((full, len(columns)), dtype=object)
            for j, column in enumerate(columns):
                grid[:, j] = column[:full]
            raw.executemany(head + ", ".join([one] * per), grid.reshape(full // per, per * len(columns)).tolist())
        if n > full:
            raw.executemany(head + one, list(zip(*(column[full:] for column in columns))))
        return n

    def _begin(self):
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            self._cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB while loading

    def _end(self):
        with self.connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")

    def suspend_indexes(self, labels):
        """Drop the explicit secondary indexes: SQLite builds an index from sorted data faster than it grows one by
        random inserts (measured at 1M persons: about as fast overall, and never slower). UNIQUE constraints
        live in the table definition and stay; foreign keys cost a parent lookup per row and stay too."""
        tables = [self.specs[label].table for label in labels]
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join('%s' for _ in tables)})",
                tables,
            )
            self._saved = cursor.fetchall()
            for name, _ in self._saved:
                cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(name)}")

    def restore_indexes(self):
        with self.connection.cursor() as cursor:
            for _, sql in self._saved:
                cursor.execute(sql)
        self._saved = []

    def finish(self, labels):
        """Nothing to do: explicit ids move SQLite's AUTOINCREMENT counters by themselves."""


class PostgresLoader(Loader):
    @staticmethod
    def encode(specs, tables):
        """COPY's binary format: the server parses no text (numbers, dates, numerics), measured a quarter faster
        than CSV for the income accounts; the rows are built with numpy alone."""
        return {label: (row_count(rows), pg_binary(specs[label], rows)) for label, rows in tables.items()}

    def write(self, label: str, payload: tuple[int, bytes]) -> int:
        spec = self.specs[label]
        n, data = payload
        quote = self.connection.ops.quote_name
        sql = f"COPY {quote(spec.table)} ({', '.join(quote(c) for c in spec.columns)}) FROM STDIN (FORMAT binary)"
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(data)
        return n

    def _begin(self):
        """Check pending deferred constraints now: a table with pending trigger events can be neither altered nor
        truncated (an outer transaction, e.g. a test's, may have some). Both settings end with the transaction."""
        with self.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory

    def suspend_indexes(self, labels):
        """Drop the foreign keys, unique constraints and secondary indexes (all but the primary keys), remembering
        their definitions. Measured at 1M persons: with them in place the load took 45 s, keeping only the indexes
        led by ever-growing columns (ids, household numbers) 36 s, without any 30 s — per-row foreign-key checks
        and index inserts, each WAL-logged, cost more than one sorted build at the end."""
        tables = [self.specs[label].table for label in labels]
        with self.connection.cursor() as cursor:
            cursor.execute(
                """SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
                     FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')
                   UNION ALL
                   SELECT 'index', indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid), ''
                     FROM pg_index i WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                [tables, tables],
            )
            self._saved = cursor.fetchall()
            for what, table, name, _, _contype in sorted(self._saved, key=lambda row: row[4] != "f"):
                if what == "constraint":
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                else:
                    cursor.execute(f"DROP INDEX {name}")

    def restore_indexes(self):
        with self.connection.cursor() as cursor:
            # unique constraints and indexes first: the foreign keys are then checked against complete indexes
            for what, table, name, definition, _contype in sorted(self._saved, key=lambda row: row[4] == "f"):
                if what == "constraint":
                    cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                else:
                    cursor.execute(definition)
        self._saved = []

    def finish(self, labels):
        """Move the id sequences past the explicit ids, give every constraint its declared timing back for the rest
        of the transaction, and gather planner statistics (without them the first queries plan badly)."""
        from django.apps import apps
        from django.core.management.color import no_style

        models = [apps.get_model(label) for label in labels]
        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            cursor.execute(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname) FROM pg_constraint c "
                "JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.condeferred AND n.nspname = current_schema()"
            )
            deferred = [row[0] for row in cursor.fetchall()]
            if deferred:
                cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} DEFERRED")
            quote = self.connection.ops.quote_name
            cursor.execute(f"ANALYZE {', '.join(quote(self.specs[label].table) for label in labels)}")

    def delete_all(self, tables: list[str]):
        """TRUNCATE, all in one statement (so references among them need no order)."""
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(quote(table) for table in tables)}")


def loader_for(connection, labels) -> Loader:
    specs = {label: TableSpec.of(label, connection) for label in labels}
    loaders = {"sqlite": SqliteLoader, "postgresql": PostgresLoader}
    if connection.vendor not in loaders:
        raise NotImplementedError(f"no bulk loader for {connection.vendor}")
    return loaders[connection.vendor](connection, specs)


class fast_sqlite_commit:
    """SQLite: no fsync while a regenerable load runs, set before the transaction as SQLite requires, and
    restored after. Inside an outer transaction (a test's) nothing changes."""

    def __init__(self, connection):
        self.connection = connection
        self.restore = None

    def __enter__(self):
        if self.connection.vendor == "sqlite" and not self.connection.in_atomic_block:
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous")
                self.restore = cursor.fetchone()[0]
                cursor.execute("PRAGMA synchronous = OFF")

    def __exit__(self, *exc):
        if self.restore is not None:
            with self.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {int(self.restore)}")


# --------------------------------------------------------------------------------------------------------------
# PostgreSQL's binary COPY format, from numpy arrays
# --------------------------------------------------------------------------------------------------------------

_PG_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension length
_PG_TRAILER = b"\xff\xff"
_PG_EPOCH_DAY = np.datetime64("2000-01-01", "D")
_PG_EPOCH_MICROSECOND = np.datetime64("2000-01-01", "us")


def _big_endian(values, dtype: str) -> np.ndarray:
    """(n, itemsize) bytes of each value in network byte order."""
    values = np.ascontiguousarray(values, dtype=dtype)
    return values.view(np.uint8).reshape(len(values), -1)


def _utf8(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A fixed-width unicode array as (n, 4·width) UTF-8 bytes and the mask of the bytes that count, computed
    from the code points without a loop over the strings."""
    n, width = len(text), text.dtype.itemsize // 4
    points = np.ascontiguousarray(text).view(np.uint32).reshape(n, width)
    if width == 0 or points.max() < 0x80:
        return points.astype(np.uint8), points != 0
    size = (points != 0).astype(np.uint8) + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)
    two, three, four = size == 2, size == 3, size == 4
    low6 = lambda shift: 0x80 | (points >> shift) & 0x3F  # noqa: E731 - a continuation byte
    utf8 = np.zeros((n, width, 4), np.uint8)
    utf8[..., 0] = np.select([two, three, four], [0xC0 | points >> 6, 0xE0 | points >> 12, 0xF0 | points >> 18], points)
    utf8[..., 1] = np.select([two, three, four], [low6(0), low6(6), low6(12)], 0)
    utf8[..., 2] = np.select([three, four], [low6(0), low6(6)], 0)
    utf8[..., 3] = np.where(four, low6(0), 0)
    return utf8.reshape(n, 4 * width), (np.arange(4) < size[..., None]).reshape(n, 4 * width)


def _numeric(scaled: np.ndarray, scale: int) -> np.ndarray:
    """PostgreSQL's binary numeric (base-10000 digits) of integers counted in units of 10^-scale, at a fixed
    width per column: leading zero digits are allowed, the server strips them."""
    n = len(scaled)
    magnitude = np.abs(scaled.astype(np.int64))
    whole, fraction = magnitude // 10**scale, magnitude % 10**scale * 10 ** (4 - scale)
    groups = max(1, -(-len(str(int(whole.max(initial=0)))) // 4))
    header = [np.full(n, groups + 1), np.full(n, groups - 1), np.where(scaled < 0, 0x4000, 0), np.full(n, scale)]
    digits = [whole // 10000 ** (groups - 1 - g) % 10000 for g in range(groups)] + [fraction]
    return np.stack(header + digits, axis=1).astype(">i2").view(np.uint8).reshape(n, -1)


def _pg_field(db_type: str, scale: int, value, n: int):
    """One column as (n, w) bytes, the mask of the bytes that count (None: all) and the NULL rows (None: none)."""
    if not isinstance(value, np.ndarray):
        value = _plain(value)
        if isinstance(value, datetime):
            value = np.datetime64(value.replace(tzinfo=None), "us")
        value = np.full(n, value, dtype=object if value is None else None)
    text = db_type.startswith(("varchar", "text", "char", "jsonb"))
    null = None
    if value.dtype == object:
        null = np.equal(value, None)
        value = np.where(null, "", value).astype(str) if text else np.where(null, 0, value).astype(np.int64)
    elif value.dtype.kind == "f":
        null = np.isnan(value)
        value = np.where(null, 0, value).astype(np.int64)
    elif value.dtype.kind == "M":
        null = np.isnat(value)
    valid = None
    if db_type == "bigint":
        data = _big_endian(value, ">i8")
    elif db_type == "integer":
        data = _big_endian(value, ">i4")
    elif db_type == "smallint":
        data = _big_endian(value, ">i2")
    elif db_type == "boolean":
        data = value.astype(np.uint8).reshape(n, 1)
    elif db_type == "date":
        data = _big_endian((value.astype("M8[D]") - _PG_EPOCH_DAY).astype(np.int64), ">i4")
    elif db_type == "timestamp with time zone":
        data = _big_endian((value.astype("M8[us]") - _PG_EPOCH_MICROSECOND).astype(np.int64), ">i8")
    elif db_type.startswith("numeric"):
        data = _numeric(value, scale)
    elif db_type == "jsonb":  # binary jsonb: a version byte, then the JSON text
        data, valid = _utf8(value.astype(str))
        data = np.hstack([np.ones((n, 1), np.uint8), data])
        valid = np.hstack([np.ones((n, 1), bool), valid])
    elif text:
        data, valid = _utf8(value.astype(str))
    else:
        raise NotImplementedError(f"no binary COPY encoding for {db_type}")
    if null is not None and null.any():
        valid = np.ones(data.shape, bool) if valid is None else valid
        valid[null] = False
    else:
        null = None
    return data, valid, null


def pg_binary(spec: TableSpec, rows: Rows) -> bytes:
    """Rows in COPY's binary format: a field count, then per field a length (-1 for NULL) and the bytes. Every
    field is laid out at its widest with a mask of the bytes that count; compressing the row-major matrix by the
    mask gives the variable-length rows in one step."""
    n = row_count(rows)
    values = spec.values(rows)
    matrices, masks = [_big_endian(np.full(n, len(values)), ">i2")], [None]
    for _, db_type, scale, value in values:
        data, valid, null = _pg_field(db_type, scale, value, n)
        length = np.full(n, data.shape[1]) if valid is None else valid.sum(axis=1)
        if null is not None:
            length[null] = -1
        matrices += [_big_endian(length, ">i4"), data]
        masks += [None, valid]
    grid = np.hstack(matrices)
    if all(mask is None for mask in masks):
        return _PG_SIGNATURE + grid.tobytes() + _PG_TRAILER
    keep = np.hstack([np.ones(m.shape, bool) if v is None else v for m, v in zip(matrices, masks)])
    return _PG_SIGNATURE + grid[keep].tobytes() + _PG_TRAILER
