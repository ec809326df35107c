"""The household batch over two database connections: each judges part of the households, by id range.

A second connection (a thread, _Helper) roughly halves the wall time of a large scope on a 2-core machine. It is
used only when it can see what the first sees (no transaction around us, not an in-memory SQLite) and the scope
is large enough (POLICY_PARALLEL_MIN_HOUSEHOLDS). PostgreSQL: the helper writes the run's own table, attached
afterwards; SQLite (one writer): a scratch database file that the first connection copies in.
"""

import os
import tempfile
import threading
from datetime import date

from django.conf import settings
from django.db import connections, transaction

from .. import compute
from ..evaluation import DECISION_TABLE, Plan, attach_run_table, create_run_table, insert_decisions, prepare, tally
from ..models import HOUSEHOLD_ID_BITS, AssessmentRun
from .records import finish_household_run
from .scope import Scope, features_source

#: the share of the households the connection holding the transaction judges itself. SQLite: it also copies the
#: other connection's rows in, so it takes the smaller part; PostgreSQL: both write their own rows
OWN_SHARE = {"sqlite": 0.45, "postgresql": 0.5}


def judge_households(plan: Plan, run: AssessmentRun, scope: Scope, as_of: date, progress, using) -> None:
    """One decision per household of the scope into the started run — the part above the split by a helper
    connection, where _split_point gives one — then the run's counts and its end."""
    connection = connections[using]
    scope_sql, scope_params, key = compute.batch_scope(scope.prefix)
    split = _split_point(scope_sql, scope_params, key, connection)
    params = {**scope_params, "split": split}
    own_table = separate = None
    if split and connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            own_table = separate = create_run_table(run.pk, using)
    helper = (
        _Helper(plan, run.pk, scope, as_of, f"{scope_sql} AND {key} >= %(split)s", params, separate, using)
        if split
        else None
    )
    progress.phase("评估", 2 if helper else 1)
    try:
        with transaction.atomic(using=using):
            if helper:  # started inside our write transaction (SQLite: IMMEDIATE): it reads what we read
                helper.start()
            own = f"{scope_sql} AND {key} < %(split)s" if helper else scope_sql
            households = (0, split or 2**HOUSEHOLD_ID_BITS)
            counts = _judge_part(
                plan, run.pk, scope.prefix, as_of, own, params, households, own_table or DECISION_TABLE, using
            )
        progress.advance("评估", 1)
        if helper:
            counts += helper.finish(connection)
            progress.advance("评估", 1)
        with transaction.atomic(using=using):
            if separate:
                attach_run_table(run.pk, using)
            finish_household_run(run, using, counts)
    finally:
        if helper:
            helper.clean_up(connection)


def _judge_part(
    plan: Plan,
    run_id: int,
    prefix: str,
    as_of: date,
    where: str,
    params: dict,
    households: tuple,
    table: str,
    using: str,
):
    """One connection's part: its source (the as-of events table is per connection), the combinations, the rows,
    and their counts (households: the id range of the part)."""
    source = features_source(as_of, plan.pack.year, prefix, using)
    prepare(plan, using)
    insert_decisions(
        plan,
        run_id,
        source,
        where,
        {**compute.parameters(as_of, plan.pack.year), **params},
        using,
        table=table,
        scoped=bool(prefix),
    )
    compute.drop_as_of_events(using)
    return tally(run_id, *households, using=using, table=table)


def _split_point(scope_sql: str, params: dict, key: str, connection) -> int | None:
    """The household id dividing the scope between two connections, or None to judge it with one: a small scope,
    a transaction already open around us (a second connection would not see its rows), or an in-memory SQLite."""
    if connection.in_atomic_block or (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        return None
    with connection.cursor() as cursor:
        if key == "h.id":
            cursor.execute(f"SELECT MIN(h.id), MAX(h.id) FROM {compute.HOUSEHOLD} h WHERE {scope_sql}", params)
            low, high = cursor.fetchone()
        else:  # the whole profile: both ends of its primary key, no scan (SQLite: one end per query)
            cursor.execute(f"SELECT MIN(id) FROM {compute.PROFILE}")
            low = cursor.fetchone()[0]
            cursor.execute(f"SELECT MAX(id) FROM {compute.PROFILE}")
            high = cursor.fetchone()[0]
    if low is None or high - low + 1 < max(settings.POLICY_PARALLEL_MIN_HOUSEHOLDS, 2):
        return None
    return low + int((high - low + 1) * OWN_SHARE[connection.vendor])


SCRATCH = "policy_scratch"


def scratch_table_ddl(cursor, name: str) -> str:
    """SQLite: the decision table's own CREATE statement under another name — same columns, types, key and checks,
    which `INSERT INTO decisions SELECT * FROM name` needs to copy records whole (measured: 0.21 s against 0.34 s
    per 320k rows with a column list)."""
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [DECISION_TABLE])
    ddl = cursor.fetchone()[0]
    quoted = f'"{DECISION_TABLE}"'
    if not ddl.startswith(f"CREATE TABLE {quoted}"):
        raise RuntimeError(f"unexpected definition of {DECISION_TABLE}: {ddl[:80]}")
    return ddl.replace(quoted, name, 1)


class _Helper:
    """The second connection: a thread with its own database connection judging the households from `split` on.
    PostgreSQL: into the run's own table (evaluation.create_run_table), in its own transaction. SQLite (one writer
    per database): into a scratch database file, which the first connection then attaches and copies in (an
    attached file is locked by every write transaction of the connection, so it is attached only once the helper
    is done)."""

    def __init__(self, plan, run_id, scope, as_of, where, params, table, using):
        self.arguments = (plan, run_id, scope.prefix, as_of, where, params, (params["split"], 2**HOUSEHOLD_ID_BITS))
        self.counts = []
        self.table = table or DECISION_TABLE
        self.using = using
        self.error: BaseException | None = None
        self.scratch = None
        if connections[using].vendor == "sqlite":
            handle, self.scratch = tempfile.mkstemp(prefix="fupin-assess-", suffix=".sqlite3")
            os.close(handle)
        self.attached = False
        self.thread = threading.Thread(target=self._run, name=f"assess-{run_id}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        connection = connections[self.using]
        try:
            if self.scratch:
                with connection.cursor() as cursor:
                    cursor.execute(f"ATTACH DATABASE %s AS {SCRATCH}", [self.scratch])
                    cursor.execute(f"PRAGMA {SCRATCH}.journal_mode = OFF")
                    cursor.execute(f"PRAGMA {SCRATCH}.synchronous = OFF")
                    cursor.execute(scratch_table_ddl(cursor, f"{SCRATCH}.decisions"))
                self.counts = _judge_part(*self.arguments, f"{SCRATCH}.decisions", self.using)
            else:
                with transaction.atomic(using=self.using):
                    self.counts = _judge_part(*self.arguments, self.table, self.using)
        except BaseException as error:  # noqa: BLE001 - handed to the first connection, which raises it
            self.error = error
        finally:
            connection.close()

    def finish(self, connection) -> list:
        """Wait for the helper and raise what it raised; on SQLite copy its rows in. Returns its counts."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        if self.scratch:
            with connection.cursor() as cursor:
                cursor.execute(f"ATTACH DATABASE %s AS {SCRATCH}", [self.scratch])
                self.attached = True
            with transaction.atomic(using=self.using), connection.cursor() as cursor:
                # exactly this form (no column list, SELECT *, same DDL) lets SQLite copy each record as it is
                # (its transfer optimisation) instead of decoding and re-encoding every column
                cursor.execute(f"INSERT INTO {DECISION_TABLE} SELECT * FROM {SCRATCH}.decisions")
        return self.counts

    def clean_up(self, connection) -> None:
        if self.thread.ident is not None:  # started
            self.thread.join()
        if self.attached:
            with connection.cursor() as cursor:
                cursor.execute(f"DETACH DATABASE {SCRATCH}")
        if self.scratch:
            os.unlink(self.scratch)
