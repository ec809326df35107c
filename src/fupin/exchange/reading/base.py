"""What the readers share: the staged Table, the FileRefused error, finding and mapping the header row, and the
names a clerk sees (the file's name as kept, Excel's column letters).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from fupin.core.errors import DomainError
from fupin.core.sheets import Column, Sheet

from ..sheets import IGNORED_QUIETLY, sheets

CHUNK = 8 << 20  # bytes read, sniffed and transcoded at a time
HEADER_SEARCH_ROWS = 10  # a title or a note may sit above the header row
#: the book an upload is read as unless the job names another (an app that imports files of its own — monitoring's
#: department data — passes its book down from read_file)
BOOK = "registry"


class FileRefused(DomainError):
    """The file as a whole cannot be read; nothing was written."""

    code = "file_refused"
    status = 422


@dataclass
class Table:
    """One sheet staged in DuckDB: `_row` is the row number the clerk sees in Excel, c0… the cells as text."""

    sheet: Sheet
    name: str  # the DuckDB table
    title: str  # sheet name (or file name for a CSV)
    headers: list[str]
    columns: dict[str, int]  # column name → position among the headers
    header_row: int
    rows: int = 0
    ignored: list[str] = field(default_factory=list)  # headers that name no column of the sheet
    from_csv: bool = False  # read from a CSV file (its error report is a CSV too)


def display_name(filename: str) -> str:
    """An uploaded file's name as it is kept and shown: the last part of a path a browser or a crafted request may
    send (either separator), control characters (a NUL, a line break) dropped, at most 255 characters with its
    extension kept. It is data only: no path on the server is ever made from it."""
    name = re.split(r"[/\\]", str(filename or ""))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp")).strip()
    if name in ("", ".", ".."):
        return "upload"
    suffix = Path(name).suffix if len(Path(name).suffix) <= 16 else ""
    return name[: 255 - len(suffix)].rstrip() + suffix if len(name) > 255 else name


def column_letter(position: int) -> str:
    """0 → A, 26 → AA: how Excel names the column a clerk has to look at."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """A → 0, AA → 26: the inverse of column_letter."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def _clean_header(text) -> str:
    """Headers as typed: spaces, line breaks inside the cell, a trailing asterisk for required, full-width brackets."""
    text = re.sub(r"\s+", "", str(text or ""))
    return text.rstrip("*＊").replace("(", "（").replace(")", "）")


def _lookup(book: str = BOOK) -> dict[Sheet, dict[str, Column]]:
    return {
        sheet: {_clean_header(name): column for column in sheet.all_columns for name in column.names}
        for sheet in sheets(book)
    }


def guess_sheet(headers: list[str], title: str = "", book: str = BOOK) -> Sheet | None:
    """Which kind of record a header row holds: by the sheet's name first, then by the columns that identify
    a sheet (Sheet.identified_by; of several, one with all its key columns, then the highest precedence, then the
    first registered)."""
    cleaned = {_clean_header(h) for h in headers}
    for sheet in sheets(book):
        if title.strip() == sheet.title:
            return sheet
    given = {
        sheet: {c.name for name, c in columns.items() if name in cleaned} for sheet, columns in _lookup(book).items()
    }
    found = [sheet for sheet, names in given.items() if names & set(sheet.identified_by)]
    # a sheet whose key columns are all there first (a village events sheet has 事件 and no 户编号)
    return max(found, key=lambda sheet: (set(sheet.key) <= given[sheet], sheet.precedence), default=None)


def find_header_row(rows: list[list], book: str = BOOK) -> int | None:
    """The first of the top rows that names at least two known columns of the book's sheets."""
    known = {name for columns in _lookup(book).values() for name in columns}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(_clean_header(cell) in known for cell in row) >= 2:
            return index
    return None


def map_headers(sheet: Sheet, headers: list[str], where: str) -> tuple[dict[str, int], list[str]]:
    """Column name → position; refuses a repeated column and a sheet without its key columns."""
    lookup = _lookup(sheet.book)[sheet]
    columns, ignored = {}, []
    for position, raw in enumerate(headers):
        name = _clean_header(raw)
        if not name:
            continue
        column = lookup.get(name)
        if column is None:
            if name not in IGNORED_QUIETLY and name not in sheet.readonly:  # fupin's own read-only columns
                ignored.append(str(raw).strip())
            continue
        if column.name in columns:
            first = column_letter(columns[column.name])
            raise FileRefused(
                _("%(where)s：“%(column)s”出现了两次（%(first)s列和%(second)s列），请删去其中一列")
                % {"where": where, "column": column.header, "first": first, "second": column_letter(position)}
            )
        columns[column.name] = position
    missing = [sheet.column(name).header for name in sheet.key if name not in columns]
    if missing:
        raise FileRefused(
            _(
                "%(where)s：缺少必需的列“%(missing)s”。请使用导入模板的表头（可从“下载导入模板”获取）；"
                "文件中的表头为：%(headers)s"
            )
            % {
                "where": where,
                "missing": "”“".join(missing),
                "headers": "、".join(str(h) for h in headers if str(h).strip()) or _("（空）"),
            }
        )
    return columns, ignored
