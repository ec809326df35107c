"""Import: one file's staged tables, and its stages in order — validate, then, inside one transaction, lock and
fetch (fetch.py), check (checks.py), plan (plan.py) and write (write.py). Any error, or a dry run, rolls it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from fupin.core.progress import Progress
from fupin.registry.sheets import MEMBERS

from ..reading.base import Table
from ..validation import create_error_table, normalise
from . import checks, fetch, history, members_history, plan, write, yearly
from .plan import PREVIEW

#: sheets whose stages live in modules of their own: each has check(staged), plan(staged, outcome) and
#: write_part(staged, now), run after the registry's own households, members and incomes
PARTS = (members_history, yearly)


class Rollback(Exception):
    """Raised inside the write transaction to undo it (errors found, or a dry run)."""


@dataclass
class Outcome:
    counts: dict = field(default_factory=dict)  # sheet kind → {"new": n, "updated": n, "unchanged": n}
    error_count: int = 0
    errors: list = field(default_factory=list)
    changes: list = field(default_factory=list)


class Import:
    """One file's import, staged in the DuckDB connection `con`: the uploader, each sheet's table (by_kind) and its
    normalised table (norm); plan and write leave what they found for the next stage (present, audit_rows)."""

    def __init__(
        self,
        con,
        user,
        tables: list[Table],
        *,
        origin: str = "",
        today: date | None = None,
        progress: Progress | None = None,
    ):
        self.con, self.user, self.tables, self.origin = con, user, tables, origin
        self.today = today or timezone.localdate()
        self.progress = progress or Progress()
        self.norm: dict[str, str] = {}  # sheet kind → normalised table
        self.by_kind = {t.sheet.kind: t for t in tables}
        self.parts = PARTS
        create_error_table(con)

    # -------------------------------------------------------------------------------------------------------------
    def validate(self) -> None:
        self.progress.phase("validating", len(self.tables))
        for table in self.tables:
            self.norm[table.sheet.kind] = normalise(self.con, table, self.today)
            self.progress.advance("validating", 1)

    def run(self, *, dry_run: bool) -> Outcome:
        """Validate, check, plan and (unless there are errors or it is a dry run) write; returns the outcome."""
        self.validate()
        outcome = Outcome()
        try:
            with transaction.atomic():
                fetch.lock_tables(self)
                self.progress.phase("checking", 1)
                fetch.load_registry(self)
                history.load(self)
                checks.run_checks(self)
                for part in PARTS:
                    part.check(self)
                history.check(self)
                self.progress.advance("checking", 1)
                outcome.error_count = self.con.execute("SELECT count(*) FROM errors").fetchone()[0]
                if outcome.error_count:
                    raise Rollback
                plan.plan_rows(self, outcome)
                for part in PARTS:
                    part.plan(self, outcome)
                history.plan(self, outcome)
                if dry_run:
                    raise Rollback
                write.write_rows(self)
                history.write_all(self)
        except Rollback:
            pass
        outcome.errors = [
            {"sheet": s, "row": r, "column": h, "letter": letter, "value": v, "reason": why}
            for s, r, h, letter, v, why in self.con.execute(
                f"SELECT * FROM errors ORDER BY sheet, _row, letter LIMIT {PREVIEW}"
            ).fetchall()
        ]
        return outcome

    def roster_columns(self) -> list[str]:
        """The household columns a member sheet carries besides 户编号: a roster, one row a member with its
        household."""
        table = self.by_kind["members"]
        return [c.name for c in MEMBERS.household_columns if c.name in table.columns]
