"""Budgets and allocation batches from a workbook (sheets/ledger.py, book "funds-ledger"): exchange reads and checks
the cells, then each budget row goes through services.funds.set_budget and each batch (its totals' rows and its
lines' rows, matched by 年度 and 批次) through create_batch — in one transaction, so a file with any wrong row writes
nothing, and the refusal names each wrong row and column as the registry's import does."""

from collections import defaultdict
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import Area
from fupin.core.errors import DomainError
from fupin.exchange import staging
from fupin.exchange.reading.base import display_name
from fupin.exchange.reading.file import read_file
from fupin.exchange.validation import create_error_table, normalise

from .. import codes
from ..models import FundSource
from ..sheets.ledger import BATCH_LINES, BATCH_SOURCES, BOOK, BUDGETS
from . import funds
from .common import FundsRefused, county_of, require_role

#: a service's field (the part after "sources.3." or "lines.3.") → the sheet's column
FIELD_COLUMN = {"source_id": "source_name", "to_area_code": "to_area_code", "to_department": "to_area_code"}


def _typed(column, value):
    if value is None or column.kind != "date":
        return value
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _where(table, row: dict, field: str | None) -> str:
    """ "年度预算 第 5 行 预算金额（万元）（C 列）" for a service's refusal of that field, else the row alone."""
    name = FIELD_COLUMN.get(field, field) if field else None
    if name and any(c.name == name for c in table.sheet.columns):
        column = table.sheet.column(name)
        return _("%(sheet)s 第 %(row)s 行 %(header)s（%(letter)s 列）") % {
            "sheet": table.title, "row": row["_row"], "header": column.header, "letter": staging.letter_of(table, name),
        }  # fmt: skip
    return _("%(sheet)s 第 %(row)s 行") % {"sheet": table.title, "row": row["_row"]}


def import_ledger(user, path, *, filename: str = "", via: str = "import") -> dict:
    """Record every budget and batch of the file; returns {sheet title: rows recorded}. Refuses (writing nothing)
    a user who is not the county's keeper, a file without these sheets and any wrong row, listing them."""
    require_role(user, codes.FUND_KEEPERS, _("导入预算和分配批次"))
    area = getattr(user, "area", None)
    if area is None:
        raise FundsRefused(_("请以县级用户导入：导入的预算和批次属于本人所在的县"))
    county = county_of(area)
    path, filename = Path(path), display_name(filename or Path(path).name)
    with staging.scratch_connection("funds-ledger-") as con:
        tables = read_file(path, filename, con, book=BOOK)
        if not tables:
            raise FundsRefused(_("“%(file)s”中没有年度预算、批次文件金额或批次分配明细工作表") % {"file": filename})
        create_error_table(con)
        staged, errors = {}, []
        for table in tables:
            norm = normalise(con, table, timezone.localdate())
            errors += staging.cell_errors(con, table, norm, refuse=FundsRefused, name_sheet=True)
            staged[table.sheet.kind] = (table, staging.staged_rows(con, table, norm, _typed))
        if errors:
            staging.refuse_import(errors, FundsRefused)
        return _write(user, county, staged, filename, via)


def _source_ids(county: Area, staged) -> dict[str, int]:
    return dict(FundSource.objects.filter(county=county).values_list("name", "pk"))


def _known(table, row, sources, errors) -> int | None:
    found = sources.get(str(row["source_name"]).strip())
    if found is None:
        errors.append(
            _("%(where)s：本县没有资金来源“%(name)s”，请先在“资金来源与预算”页登记")
            % {"where": _where(table, row, "source_name"), "name": row["source_name"]}
        )
    return found


@transaction.atomic
def _write(user, county, staged, filename: str, via: str) -> dict:
    sources, counts, errors = _source_ids(county, staged), {}, []
    if BUDGETS.kind in staged:
        table, rows = staged[BUDGETS.kind]
        counts[table.title] = 0
        for row in rows:
            source = _known(table, row, sources, errors)
            if source is None:
                continue
            try:
                with transaction.atomic():
                    funds.set_budget(
                        user, source=source, year=row["year"], amount=row["amount"], document_no=row["document_no"],
                        document_date=row["document_date"], via=via,
                    )  # fmt: skip
            except DomainError as error:
                errors.append(f"{_where(table, row, error.field)}：{error.message}")
            else:
                counts[table.title] += 1
    _batches(user, county, staged, sources, counts, errors, via)
    if errors:
        staging.refuse_import(errors, FundsRefused)  # inside the transaction: every row written above is rolled back
    audit.record(user, Action.IMPORT, model="funds.ledger", area_code=county.code,
                 changes={"file": filename, "rows": counts}, via=via)  # fmt: skip
    return counts


def _batches(user, county, staged, sources, counts, errors, via) -> None:
    """Each (年度, 批次) of the totals' sheet is one batch, with the lines' rows of the same 年度 and 批次."""
    if BATCH_SOURCES.kind not in staged:
        if BATCH_LINES.kind in staged:
            errors.append(_("有“批次分配明细”而没有“批次文件金额”工作表：每个批次须有其文件金额"))
        return
    head_table, head_rows = staged[BATCH_SOURCES.kind]
    line_table, line_rows = staged.get(BATCH_LINES.kind, (None, []))
    heads, lines = defaultdict(list), defaultdict(list)
    for row in head_rows:
        heads[(row["year"], row["number"])].append(row)
    for row in line_rows:
        lines[(row["year"], row["number"])].append(row)
    for key in sorted(set(lines) - set(heads)):
        errors.append(
            _("%(where)s：“批次文件金额”中没有%(year)s年第%(n)s批")
            % {"where": _where(line_table, lines[key][0], None), "year": key[0], "n": key[1]}
        )
    counts[head_table.title], counts[line_table.title if line_table else BATCH_LINES.title] = 0, 0
    for key, rows in heads.items():
        first = rows[0]
        for row in rows[1:]:
            for name in ("title", "document_date", "document_no"):
                if row[name] != first[name]:
                    errors.append(
                        _("%(where)s：同一批次各行的%(header)s应相同（第 %(first)s 行为“%(value)s”）")
                        % {
                            "where": _where(head_table, row, name),
                            "header": head_table.sheet.column(name).header,
                            "first": first["_row"],
                            "value": first[name] or "",
                        }  # fmt: skip
                    )
        items = [(r, _known(head_table, r, sources, errors)) for r in rows]
        line_items = [(r, _known(line_table, r, sources, errors)) for r in lines.get(key, [])]
        if any(s is None for _r, s in items + line_items):
            continue
        try:
            with transaction.atomic():
                funds.create_batch(
                    user, county_code=county.code, year=key[0], number=key[1], title=first["title"],
                    document_no=first["document_no"] or "", document_date=first["document_date"],
                    sources=[{"source": s, "declared": r["declared"], "advanced": r["advanced"] or 0,
                              "advanced_year": r["advanced_year"]} for r, s in items],
                    lines=[{"source": s, "category": r["category"], "to_area_code": r["to_area_code"],
                            "to_department": r["to_department"] or "", "amount": r["amount"]} for r, s in line_items],
                    via=via,
                )  # fmt: skip
        except DomainError as error:
            errors.append(_batch_error(error, head_table, rows, line_table, lines.get(key, [])))
        else:
            counts[head_table.title] += len(rows)
            counts[line_table.title if line_table else BATCH_LINES.title] += len(line_items)


def _batch_error(error, head_table, rows, line_table, line_rows) -> str:
    """A create_batch refusal placed at its row: "sources.2.declared" is the batch's 2nd totals row, "lines.5.amount"
    its 5th line; a refusal of the batch as a whole (its number, its budget) at its first row."""
    parts = (error.field or "").split(".")
    if len(parts) == 3 and parts[1].isdigit():
        index, field = int(parts[1]) - 1, parts[2]
        table, found = (head_table, rows) if parts[0] == "sources" else (line_table, line_rows)
        if 0 <= index < len(found):
            return f"{_where(table, found[index], field)}：{error.message}"
    field = error.field if error.field in ("number", "title", "document_date", "document_no", "year") else None
    return f"{_where(head_table, rows[0], field)}：{error.message}"
