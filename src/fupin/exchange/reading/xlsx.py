"""xlsx: every sheet that holds one of our record kinds, read by fastexcel (calamine, straight to Arrow, every cell
as text) plus one streaming pass over the sheet's XML for what the values do not tell — where the data start,
merged cells, formulas, long numbers typed into number cells (SheetFacts) — then staged in DuckDB.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from django.utils.translation import gettext as _

from fupin.core.progress import Progress

from ..sheets import sheets
from .archive import open_zip, sheet_parts
from .base import (
    BOOK,
    CHUNK,
    HEADER_SEARCH_ROWS,
    FileRefused,
    Table,
    column_letter,
    column_number,
    find_header_row,
    guess_sheet,
    map_headers,
)

_FORMULA = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f[ >/]')
_MERGED = re.compile(rb'<mergeCell ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_VALUED_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>/]*>')  # a cell element with content (not `<c …/>`)
_LONG_NUMBER = re.compile(
    rb'<c r="([A-Z]+)([0-9]+)"(?:\s+(?:s="[0-9]+"|t="n"))*\s*>'
    rb"<v>([0-9][0-9.]{10,}(?:E\+?[0-9]+)?|[0-9.]+E\+?[0-9]+)</v>"
)


@dataclass
class SheetFacts:
    """What the sheet's XML says that the values alone do not: where the data start, merged ranges, formulas,
    and the long numbers (an ID typed into a number cell). Gathered in one streaming pass over the XML."""

    first_row: int = 0  # 1-based row of the first cell with content
    first_column: int | None = None  # 0-based column of the leftmost cell with content
    formulas: list = field(default_factory=list)
    merged: list = field(default_factory=list)  # (top row, left col, bottom row, right col), 1-based rows, 0-based cols
    long_numbers: dict = field(default_factory=dict)  # (row, col) → the number as stored


def sheet_facts(archive: zipfile.ZipFile, part: str) -> SheetFacts:
    facts, tail = SheetFacts(), b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            data = tail + chunk
            if not facts.first_row and (first := _VALUED_CELL.search(data)):
                facts.first_row = int(first.group(2))
            # the leftmost column: only letters left of the best so far need a search (usually A, found at once)
            best = facts.first_column if facts.first_column is not None else 26
            for position in range(best):
                if re.search(rb'<c r="' + column_letter(position).encode() + rb'[0-9]+"[^>/]*>', data):
                    facts.first_column = position
                    break
            if len(facts.formulas) < 5 and (b"<f>" in data or b"<f " in data or b"<f/>" in data):
                facts.formulas += [m.group(1).decode() for m in _FORMULA.finditer(data)]
                facts.formulas = list(dict.fromkeys(facts.formulas))
            if b"<mergeCell " in data:
                facts.merged += [
                    (
                        int(m.group(2)),
                        column_number(m.group(1).decode()),
                        int(m.group(4)),
                        column_number(m.group(3).decode()),
                    )
                    for m in _MERGED.finditer(data)
                ]
            for m in _LONG_NUMBER.finditer(data):
                facts.long_numbers[(int(m.group(2)), column_number(m.group(1).decode()))] = m.group(3).decode()
            tail = data[-256:] if len(data) > 256 else b""
    facts.merged = list(dict.fromkeys(facts.merged))
    return facts


def read_xlsx(path: Path, filename: str, con, progress: Progress, book: str = BOOK) -> list[Table]:
    """Every sheet that holds one of our record kinds, through fastexcel (calamine in Rust, straight to Arrow, every
    cell as text) plus one pass over the sheet's XML for what the values do not tell (sheet_facts)."""
    import fastexcel

    progress.phase("reading", 1)
    archive = open_zip(path, filename)
    parts = sheet_parts(archive, filename)
    try:
        workbook = fastexcel.read_excel(str(path))
        names = workbook.sheet_names
    except Exception as exc:  # fastexcel raises its own errors for broken parts
        raise FileRefused(
            _("“%(file)s”已损坏，无法读取（%(error)s）") % {"file": filename, "error": _first_line(exc)}
        ) from None
    by_name = dict(parts)
    tables, skipped = [], []
    for index, title in enumerate(names):
        try:  # by position: a name is whatever the file says (brackets, quotes, the same name twice)
            data = workbook.load_sheet(index, header_row=None, dtypes="string").to_arrow()
        except Exception as exc:
            raise FileRefused(
                _("工作表“%(sheet)s”已损坏，无法读取（%(error)s）") % {"sheet": title, "error": _first_line(exc)}
            ) from None
        top = data.slice(0, HEADER_SEARCH_ROWS).to_pylist()
        top = [[cell if cell is not None else "" for cell in row.values()] for row in top]
        header_index = find_header_row(top, book)
        kind = guess_sheet([str(c) for c in top[header_index]], title, book) if header_index is not None else None
        if kind is None:
            if any(str(c).strip() for row in top for c in row):
                skipped.append(title)
            continue
        where = _("工作表“%(sheet)s”") % {"sheet": title}
        part = parts[index][1] if len(parts) == len(names) else by_name.get(title)
        facts = sheet_facts(archive, part) if part else SheetFacts()
        header_row = (facts.first_row or 1) + header_index
        _refuse_merged(facts, where, header_row)
        if facts.formulas:
            raise FileRefused(
                _(
                    "%(where)s的单元格%(cells)s是公式。导入只接受数值，不猜测公式结果："
                    "请选中数据区域，复制后“选择性粘贴→数值”，保存后再导入"
                )
                % {"where": where, "cells": "、".join(facts.formulas[:5])}
            )
        offset = facts.first_column or 0
        headers = [""] * offset + [str(c).strip() for c in top[header_index]]
        columns, ignored = map_headers(kind, headers, where)
        table = Table(kind, f"raw_{index}", title, headers, columns, header_row, ignored=ignored)
        _stage_table(con, table, data.slice(header_index + 1), offset, facts)
        if table.rows:
            tables.append(table)
    if not tables and book != BOOK:
        raise FileRefused(
            _("“%(file)s”中没有可导入的数据（工作表：%(sheets)s）：表头应为%(titles)s的列，见导入模板")
            % {
                "file": filename,
                "sheets": "、".join(skipped or names),
                "titles": "或".join(f"“{sheet.title}”" for sheet in sheets(book)),
            }
        )
    if not tables:
        raise FileRefused(
            _(
                "“%(file)s”中没有可导入的数据（工作表：%(sheets)s）："
                "应有“农户”“家庭成员”或“收入台账”工作表，表头见导入模板"
            )
            % {"file": filename, "sheets": "、".join(skipped or names)}
        )
    if sum(t.sheet.kind == "members" for t in tables) > 1 or len({t.sheet.kind for t in tables}) < len(tables):
        kinds = "、".join(f"“{t.title}”" for t in tables)
        raise FileRefused(_("工作簿中有多个同类工作表（%(sheets)s），请合并为一个后再导入") % {"sheets": kinds})
    progress.advance("reading", 1)
    return tables


def _first_line(exc: Exception) -> str:
    """A reader's error, short: its first line ("Worksheet … not found"), without the stack of context."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _refuse_merged(facts: SheetFacts, where: str, header_row: int) -> None:
    """Merged cells at or below the header: a merged value belongs to one cell only, the rest would read as
    blank (a household number merged over its members' rows would lose them their household). A title merged
    above the header is harmless."""
    merged = [m for m in facts.merged if m[2] >= header_row]
    if merged:
        shown = "、".join(
            f"{column_letter(left)}{top}:{column_letter(right)}{bottom}" for top, left, bottom, right in merged[:5]
        )
        raise FileRefused(
            _(
                "%(where)s有合并单元格（%(cells)s）。合并后只有左上角的格子有值，其余会被读成空白："
                "请取消合并并在每一行填上完整的值后再导入"
            )
            % {"where": where, "cells": shown}
        )


def _digits(number: str) -> int:
    """Significant digits Excel stored: "6.22202020011223E+18" → 15, "1234567890123456" → 16."""
    mantissa = number.upper().split("E")[0].replace(".", "").lstrip("0")
    return len(mantissa) if "E" in number.upper() else len(number.split(".")[0].lstrip("0"))


def _stage_table(con, table: Table, data: pa.Table, offset: int, facts: SheetFacts) -> None:
    """The rows below the header into DuckDB in one step; rows with nothing in them are dropped. An ID typed into
    a number cell is put back the way Excel shows it ("1.10105E+17") so the ID check refuses it: as a number it
    may already have lost digits, and fastexcel would hand over a plausible-looking 18-digit text."""
    width = len(table.headers)
    first = table.header_row + 1
    arrays = [pa.array(range(first, first + data.num_rows), pa.int32())]
    id_position = table.columns.get("id_number")
    for position in range(width):
        source = position - offset
        column = data.column(source) if 0 <= source < data.num_columns else pa.nulls(data.num_rows, pa.string())
        if facts.long_numbers:
            # any number-typed ID; elsewhere numbers beyond float precision (a 19-digit bank account, say)
            numbers = {
                row: value
                for (row, col), value in facts.long_numbers.items()
                if col == position and (position == id_position or _digits(value) > 15)
            }
            if numbers:
                cells = column.to_pylist()
                for row, value in numbers.items():
                    if 0 <= row - first < len(cells):
                        cells[row - first] = f"{float(value):.5E}"
                column = pa.array(cells, pa.string())
        arrays.append(column.cast(pa.string()))
    names = [f"c{i}" for i in range(width)]
    not_blank = " OR ".join(f"coalesce(trim({n}), '') != ''" for n in names)
    con.register("sheet_rows", pa.table(arrays, names=["_row", *names]))
    con.execute(f"CREATE TABLE {table.name} AS SELECT * FROM sheet_rows WHERE {not_blank}")
    con.unregister("sheet_rows")
    table.rows = con.execute(f"SELECT count(*) FROM {table.name}").fetchall()[0][0]
