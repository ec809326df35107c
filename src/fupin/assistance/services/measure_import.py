"""Measures from a spreadsheet (a bank's micro-loan list, HR's post list, any office's measures): exchange reads and
checks the cells (measure_sheets), each row's household is looked up by 户编号 in the uploader's
area, and every row goes through services.measures.create_measure — in one transaction, so a file with any wrong
row writes nothing and the refusal lists each wrong row and column."""

from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import DomainError
from fupin.exchange import staging
from fupin.exchange.reading.base import display_name
from fupin.exchange.reading.file import read_file
from fupin.exchange.validation import create_error_table, normalise
from fupin.registry.models import Household

from .. import codes
from ..measure_sheets import BOOK, MEASURE_SHEETS
from .common import KEEPERS, AssistanceRefused, require_role
from .measures import create_measure

KIND_OF = {sheet.kind: kind for kind, sheet in MEASURE_SHEETS.items()}
#: how many wrong cells a refusal lists (the rest are counted)


def _typed(column, value):
    """A normalised cell as the service takes it (exchange keeps canonical text: 2024-03-01, 50000.00, 1)."""
    if value is None or column.kind not in ("date", "bool"):
        return value
    if column.kind == "bool":
        return value in (True, 1, "1", "true", "True")
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _record(user, table, row: dict, households: dict, via: str):
    household = households.get(str(row["household_number"]))
    if household is None:
        raise AssistanceRefused(_("户编号不存在或不在您的管辖范围内"), field="household_number")
    kind = KIND_OF[table.sheet.kind]
    fields = {k: v for k, v in row.items() if k not in ("_row", "household_number") and v is not None}
    category = fields.pop("category", None) or _default_category(kind)
    return create_measure(user, household, category=category, kind=kind, via=via, **fields)


def _default_category(kind) -> str:
    return codes.MEASURE_KIND_FIELDS[kind][1] or ""


def import_measures(user, path, *, filename: str = "", via: str = "import") -> dict:
    """Record every row of the file's measure sheets; returns {sheet title: rows recorded}. Refuses (writing
    nothing) a user who is not a keeper, a file without a measure sheet, and any wrong row, listing them."""
    require_role(user, KEEPERS, _("导入帮扶措施"))
    path = Path(path)
    filename = display_name(filename or path.name)
    with staging.scratch_connection("measures-") as con:
        tables = [t for t in read_file(path, filename, con, book=BOOK) if t.sheet.kind in KIND_OF]
        if not tables:
            raise AssistanceRefused(_("“%(file)s”中没有帮扶措施、小额信贷或公益性岗位工作表") % {"file": filename})
        create_error_table(con)
        staged, errors = [], []
        for table in tables:
            norm = normalise(con, table, timezone.localdate())
            errors += staging.cell_errors(con, table, norm, refuse=AssistanceRefused, name_sheet=True)
            staged.append((table, staging.staged_rows(con, table, norm, _typed)))
        if errors:
            staging.refuse_import(errors, AssistanceRefused)
        numbers = {str(row["household_number"]) for _t, rows in staged for row in rows}
        households = {h.number: h for h in Household.objects.restrict(user).filter(number__in=numbers)}
        return _write(user, staged, households, filename, via)


@transaction.atomic
def _write(user, staged, households, filename: str, via: str) -> dict:
    counts, errors = {}, []
    for table, rows in staged:
        counts[table.title] = 0
        for row in rows:
            try:
                with transaction.atomic():
                    _record(user, table, row, households, via)
            except DomainError as error:
                errors.append(
                    _("%(sheet)s 第 %(row)s 行：%(message)s")
                    % {"sheet": table.title, "row": row["_row"], "message": error.message}
                )
            else:
                counts[table.title] += 1
    if errors:
        staging.refuse_import(errors, AssistanceRefused)  # inside the transaction: all rolled back
    audit.record(user, Action.IMPORT, model="assistance.measure", area_code=getattr(user, "area_id", "") or "",
                 changes={"file": filename, "rows": counts}, via=via)  # fmt: skip
    return counts
