"""Exports of the registry in the import format: the household list with the UI list's filters, scoped, masked by
role, audited, streamed.

One workbook (.xlsx) holds three sheets laid out like the import template (template.Layout): the filtered
households, then the members and the income accounts of those households. A CSV holds one of them (kind). Either
file imports back unchanged: the household sheet has the template's columns in the template's order, followed by
read-only columns (registry.sheets.HOUSEHOLDS.readonly) that the importer ignores.

Cells, by column kind (fupin.core.sheets):
  text, id, area  text cells; xlsx: a string in a text-formatted ('@') cell, so an ID, a phone or a household
                  number never becomes a number; CSV: ID-like cells get a leading tab (below), free text the
                  formula guard
  code            the label ("因病"), which the importer accepts like the code
  bool            是 / 否
  date            xlsx: a real date formatted yyyy-mm-dd (sorts and filters in Excel; read back as a date);
                  CSV: 2021-03-05
  int             a number
  money           xlsx: a number formatted 0.00 (sums in Excel; yuan with two decimals read back exactly);
                  CSV: 1234.50
Sensitive fields (accounts.roles.SENSITIVE_FIELDS: ID numbers and the disability certificates that contain one,
phones, bank accounts, health) are written as stored only for a role that may reveal them (user.may_reveal), masked
otherwise (accounts.masking, a certificate as the ID number it holds); the audit entry names the sensitive fields
the file holds, those that left unmasked and those masked.

Scale: rows come from `.values_list(...).iterator()` (a server-side cursor on PostgreSQL, chunked reads on
SQLite), one query per sheet whatever the row count; the workbook is written with xlsxwriter's constant_memory
(rows go to temporary files as they are written), so a county of a million members exports in flat memory.

Excel and long numbers in CSV: opened from a CSV, Excel turns an 18-digit ID or a 16-digit household number into a
float and silently keeps 15 significant digits. We write such cells with a leading tab: Excel and WPS then keep
the cell as text, nothing is a formula, and the importer reads the value back unchanged because it drops
surrounding whitespace. (The alternative ="..." is a formula: it is wrong in every other CSV reader and is exactly
what the formula-injection guard below refuses.)
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import BinaryIO, NamedTuple

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.sql.constants import MULTI
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from fupin.accounts import audit
from fupin.accounts.masking import hidden_from, mask_value
from fupin.accounts.models import Action
from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.core.errors import DomainError
from fupin.core.progress import Progress
from fupin.core.sheets import Column, Sheet
from fupin.registry import codes
from fupin.registry.filters import filtered_households, filters_used
from fupin.registry.models import IncomeAccount, Member, StatusEvent
from fupin.registry.sheets import HOUSEHOLDS, SHEETS

from .sheet_xml import SheetRows, Skeleton, cell_writer
from .template import EXCEL_ROWS, NO, YES, Layout, holds_digits

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
#: the sheets of a household export (village events belong to villages, not to the listed households)
EXPORTED = tuple(sheet for sheet in SHEETS if "number" in sheet.key)
KINDS = {sheet.kind: sheet for sheet in EXPORTED}
CHUNK = 2000  # rows fetched from the database at a time
#: a generated column loses its type through a subquery (and SQLite does not quantize computed decimals)
MONEY = DecimalField(max_digits=14, decimal_places=2)
TEXT_PREFIX = "\t"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

with translation.override("zh-hans"):
    _STATUS = tuple((code, str(label)) for code, label in codes.Status.choices)
#: the read-only columns by their header (Sheet.readonly) and the value each is written from. A column's
#: name is the sensitive field it holds, if any: the household head's ID is masked like any ID number.
READONLY = {
    "行政村": (Column("village_name", "行政村", "text", max_length=60), "village__name"),
    "当前状态": (Column("status", "当前状态", "code", choices=_STATUS), "status"),
    "家庭成员数": (Column("member_count", "家庭成员数", "int"), "member_count"),
    "最近收入年度": (Column("income_year", "最近收入年度", "int"), "income_year"),
    "人均纯收入（元）": (Column("per_capita", "人均纯收入（元）", "money"), "per_capita"),
    "户主证件号码": (Column("id_number", "户主证件号码", "id"), "head_id_number"),
    "家庭纯收入": (Column("net_income", "家庭纯收入", "money"), "net_income"),
    "人均纯收入": (Column("per_capita_net_income", "人均纯收入", "money"), "per_capita_net_income"),
}


class Export(NamedTuple):
    filename: str
    content_type: str
    content: Iterator[bytes] | BinaryIO  # CSV chunks, or the finished workbook (a temporary file at position 0)


class ExportRefused(DomainError):
    code = "export_refused"
    status = 400


# ------------------------------------------------------------------------------------------------------------------
# what each sheet holds
# ------------------------------------------------------------------------------------------------------------------


def _source(sheet: Sheet, column: Column) -> str:
    """The value behind an import column: a field of the sheet's model, or of the household."""
    if column.name == "village":
        return "village_id"
    if column.name == "number" and sheet is not HOUSEHOLDS:
        return "household__number"
    return column.name


def sheet_columns(sheet: Sheet) -> tuple[list[Column], list[Column], list[str]]:
    """The import columns and the read-only columns of an exported sheet, and the value each is written from."""
    readonly = [READONLY[header] for header in sheet.readonly]
    sources = [_source(sheet, column) for column in sheet.columns] + [source for _column, source in readonly]
    return list(sheet.columns), [column for column, _source in readonly], sources


def querysets_for(user, params) -> dict:
    """The filtered households in the user's scope, and the members and incomes of exactly those households;
    each ordered as the file lists them."""
    households = filtered_households(user, params)
    chosen = households.values("pk")
    head = Member.objects.filter(household=OuterRef("pk"), relation=codes.Relation.HEAD).order_by("pk")
    latest = IncomeAccount.objects.filter(household=OuterRef("pk")).order_by("-year")
    count = Member.objects.filter(household=OuterRef("pk")).order_by().values("household").annotate(n=Count("pk"))
    households = households.annotate(
        member_count=Coalesce(Subquery(count.values("n"), output_field=IntegerField()), 0),
        head_id_number=Subquery(head.values("id_number")[:1]),
        income_year=Subquery(latest.values("year")[:1]),
        per_capita=Subquery(latest.values("per_capita_net_income")[:1], output_field=MONEY),
    ).order_by("number")
    members = Member.objects.restrict(user).filter(household__in=chosen)
    incomes = IncomeAccount.objects.restrict(user).filter(household__in=chosen)
    events = StatusEvent.objects.restrict(user).filter(household__in=chosen)
    return {
        "status_events": events.order_by("household__number", "date", "pk"),
        "households": households,
        "members": members.order_by("household__number", "relation", "birth_date", "pk"),
        "incomes": incomes.order_by("household__number", "year"),
    }


def _rows(queryset, sources) -> Iterator[tuple]:
    return queryset.values_list(*sources).iterator(chunk_size=CHUNK)


def raw_rows(queryset, sources) -> Iterator[Sequence]:
    """The rows of `queryset.values_list(*sources)` as the database driver hands them, without Django's per-value
    converters (on SQLite a Decimal made from each float and quantized, a date parsed from each text: a fifth of
    a workbook's time). Dates may be ISO text, booleans 0/1, money floats: the workbook's cells take either
    (sheet_xml.cell_writer). Same SQL, same server-side cursor on PostgreSQL, in chunks."""
    compiler = queryset.values_list(*sources).query.get_compiler(using=queryset.db)
    for chunk in compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=CHUNK):  # columns in `sources` order
        yield from chunk


def _masker(user, column: Column) -> Callable | None:
    """How a sensitive value leaves for this user: masked unless the role may reveal the field; None: as stored."""
    if hidden_from(user, column.name):
        return lambda value, field=column.name: mask_value(field, value)
    return None


def _sensitive(user, columns: Iterable[Column]) -> dict[str, list[str]]:
    fields = {column.name for column in columns if column.name in SENSITIVE_FIELDS}
    return {
        "unmasked": sorted(f for f in fields if user.may_reveal(f)),
        "masked": sorted(f for f in fields if not user.may_reveal(f)),
    }


# ------------------------------------------------------------------------------------------------------------------
# cells
# ------------------------------------------------------------------------------------------------------------------


def as_text(value) -> str:
    """A CSV cell Excel must keep as text (IDs, household numbers, phones, area codes)."""
    return f"{TEXT_PREFIX}{value}" if value else ""


def safe(value) -> str:
    """Free text typed by users, for CSV: a leading quote stops Excel from running "=HYPERLINK(...)" as a formula.
    (In xlsx a string cell is never a formula, so the workbook keeps the text as typed.)"""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(column: Column) -> Callable[[object], str]:
    if holds_digits(column):
        return as_text
    if column.kind == "code":
        labels = dict(column.choices)
        return lambda value: labels.get(value, value) if value else ""
    if column.kind == "bool":
        return lambda value: "" if value is None else (YES if value else NO)
    if column.kind in ("date", "when"):
        return lambda value: value.isoformat() if value else ""
    if column.kind == "int":
        return lambda value: "" if value is None else str(value)
    if column.kind == "money":
        return lambda value: "" if value is None else f"{value:.2f}"
    return safe


def _masked_rows(rows: Iterable[tuple], maskers: list[Callable | None]) -> Iterator[tuple]:
    masked = [(position, mask) for position, mask in enumerate(maskers) if mask]
    if not masked:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for position, mask in masked:
            row[position] = mask(row[position])
        yield row


# ------------------------------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------------------------------


class _Line:
    """csv.writer wants a file; this one hands back each written line."""

    def write(self, text):
        return text


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, which is how Excel recognises UTF-8 (without it Chinese is garbled)."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode()
    for row in rows:
        yield writer.writerow(row).encode()


def csv_rows(user, sheet: Sheet, queryset, progress: Progress | None = None, total: int = 0) -> Iterator[list[str]]:
    """Header, then one row of text per record; `progress` hears phase `sheet.kind` advance every CHUNK rows."""
    columns, readonly, sources = sheet_columns(sheet)
    every = columns + readonly
    cells = [_csv_cell(column) for column in every]
    progress = progress or Progress()
    progress.phase(sheet.kind, total)
    yield [column.header for column in every]
    for number, row in enumerate(
        _masked_rows(_rows(queryset, sources), [_masker(user, column) for column in every]), 1
    ):
        yield [cell(value) for cell, value in zip(cells, row)]
        if number % CHUNK == 0:
            progress.advance(sheet.kind, CHUNK)


def write_workbook(
    user, querysets: dict, target, progress: Progress | None = None, totals: dict[str, int] | None = None
) -> None:
    """The household sheets (EXPORTED) into `target` (a path or a binary file): xlsxwriter lays out the headers
    (template.Layout), the rows go straight into each sheet's XML (sheet_xml), in flat memory. `progress` hears one
    phase per sheet, named by its kind, its total from `totals` (the rows counted for the audit entry), advanced by
    the rows written."""
    progress = progress or Progress()
    header_only = io.BytesIO()
    layout = Layout(header_only)
    shapes = {}
    for sheet in EXPORTED:
        columns, readonly, sources = sheet_columns(sheet)
        worksheet = layout.data_sheet(sheet, columns, readonly)
        every = columns + readonly
        worksheet.autofilter(0, 0, 0, len(every) - 1)  # reaches the last row once the rows are in (assemble)
        shapes[sheet] = (every, sources)
    layout.close()
    widths = {sheet.title: len(every) for sheet, (every, _sources) in shapes.items()}
    skeleton = Skeleton(header_only.getvalue())
    written: dict[str, SheetRows] = {}
    try:
        for sheet, (every, sources) in shapes.items():
            styles = skeleton.column_styles(sheet.title, len(every))
            cells = [
                cell_writer(column, xl_col_to_name(position), styles[position], dict(column.choices or ()))
                for position, column in enumerate(every)
            ]
            written[sheet.title] = sheet_rows = SheetRows(skeleton.head(sheet.title), cells)
            progress.phase(sheet.kind, (totals or {}).get(sheet.kind, 0))
            masked = _masked_rows(raw_rows(querysets[sheet.kind], sources), [_masker(user, column) for column in every])
            sheet_rows.write(masked, lambda amount, kind=sheet.kind: progress.advance(kind, amount))
        sheets = {
            title: (rows.finish(skeleton.tail(title, rows.count, widths[title])), rows.count, widths[title])
            for title, rows in written.items()
        }
        skeleton.assemble(target, sheets)
    finally:
        for sheet_rows in written.values():
            sheet_rows.part.discard()


def export_filename(fmt: str, kind: str = "households") -> str:
    parts = [_("农户名册")]
    if fmt == "csv" and kind != "households":
        parts.append(KINDS[kind].title)
    return f"{'-'.join(parts)}-{timezone.localdate():%Y%m%d}.{fmt}"


class Plan(NamedTuple):
    """An export checked and counted, not yet written (plan_export)."""

    user: object
    params: object
    fmt: str
    kind: str
    querysets: dict
    rows: dict[str, int]  # the row count of each sheet the file holds

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def plan_export(user, params, fmt: str = "xlsx", kind: str = "households") -> Plan:
    """Check an export and count its rows. Refuses (ExportRefused) an unknown format or kind and a sheet longer
    than Excel allows."""
    if fmt not in FORMATS:
        raise ExportRefused(_("不支持的导出格式“%(format)s”，应为 xlsx 或 csv") % {"format": fmt}, field="format")
    if kind not in KINDS:
        raise ExportRefused(
            _("不支持的导出内容“%(kind)s”，应为 households、members 或 incomes") % {"kind": kind}, field="kind"
        )
    querysets = querysets_for(user, params)
    kinds = [sheet.kind for sheet in EXPORTED] if fmt == "xlsx" else [kind]
    rows = {name: querysets[name].count() for name in kinds}
    if fmt == "xlsx" and max(rows.values()) >= EXCEL_ROWS:
        raise ExportRefused(
            _("%(sheet)s共%(count)s行，超过Excel单个工作表的上限（%(limit)s行）。请缩小范围分批导出，或导出CSV。")
            % {"sheet": KINDS[max(rows, key=rows.get)].title, "count": max(rows.values()), "limit": EXCEL_ROWS - 1}
        )
    return Plan(user, params, fmt, kind, querysets, rows)


def export_planned(plan: Plan, *, via: str = "ui", progress: Progress | None = None, into=None) -> Export:
    """Write a planned export, after its audit entry (action EXPORT: the filters, the format, the row count of
    each sheet and the sensitive fields written unmasked and masked). CSV is returned as chunks written as they
    are read; a workbook is written whole, into `into` (a binary file) or a temporary file. `progress` hears one
    phase per sheet (its kind), advanced by the rows written."""
    user, fmt, kind = plan.user, plan.fmt, plan.kind
    kinds = list(plan.rows)
    columns = [column for name in kinds for part in sheet_columns(KINDS[name])[:2] for column in part]
    audit.record(
        user,
        Action.EXPORT,
        model="registry.household",
        area_code=getattr(user, "area_id", "") or "",
        changes={
            "filters": filters_used(user, plan.params),
            "format": fmt,
            "rows": plan.rows,
            **_sensitive(user, columns),
        },
        via=via,
    )
    if fmt == "csv":
        content = csv_chunks(csv_rows(user, KINDS[kind], plan.querysets[kind], progress, plan.rows[kind]))
        return Export(export_filename(fmt, kind), FORMATS[fmt], content)
    workbook = into if into is not None else tempfile.TemporaryFile()
    try:
        write_workbook(user, plan.querysets, workbook, progress, plan.rows)
    except BaseException:
        if into is None:
            workbook.close()
        raise
    workbook.seek(0)
    return Export(export_filename(fmt), FORMATS[fmt], workbook)


def export_registry(user, params, fmt: str = "xlsx", kind: str = "households", *, via: str = "ui") -> Export:
    """The user's filtered household list in the import format, written to the audit log, at once (the API, and
    the pages' small exports; exchange.export_jobs writes large ones in the background).

    `params`: the household list's filters (registry.filters.HouseholdFilterSet; a QueryDict or a dict). `fmt`:
    "xlsx" (households, members and incomes in one workbook) or "csv" (the sheet named by `kind`: households,
    members or incomes). Refusals: plan_export; the audit entry: export_planned.
    """
    return export_planned(plan_export(user, params, fmt, kind), via=via)
