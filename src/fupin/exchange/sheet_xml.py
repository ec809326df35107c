"""Writing an export's rows straight into a workbook's sheet XML, around a header-only workbook from xlsxwriter.

Why: xlsxwriter writes a cell through several Python calls (dimension checks, a cell tuple, attribute escaping,
the cell reference), 10 s for a 50,000-person county where the CSV of the same rows takes under 2 s. Here each
cell is one f-string of its column's kind, and a row is one join (docs/decisions/0005-xlsx-export.md has the
measurements). xlsxwriter still lays out everything else exactly as for the import template (template.Layout):
headers, comments, drop-down lists, column formats, the hidden code list.

How: `Skeleton` closes the header-only workbook in memory and reads, from the OOXML it wrote, each data sheet's
part and each column's default style (its <col style>, which is the style xlsxwriter gives a cell written without a
format of its own). The rows go, as <row> elements, to one temporary file per sheet; `Skeleton.assemble` then copies
the workbook's parts into the target zip, splicing each sheet's rows in before </sheetData> and setting the sheet's
dimension and autofilter (and the workbook's _xlnm._FilterDatabase name) to the rows written.

Cells are what xlsxwriter wrote before (tests/exchange/test_exports.py): text as inline strings in the column's
text style, numbers, dates as Excel serial numbers (1900 system, with its leap-year bug, as xlsxwriter counts them);
a blank value leaves no cell.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from xml.etree import ElementTree

from xlsxwriter.utility import xl_col_to_name

from fupin.core.sheets import Column

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: zlib level of the parts: 1 compresses sheet XML to about a fifth of its size at several times level 6's speed
COMPRESSLEVEL = 1
#: rows joined before one write to the sheet's file
BATCH = 1000

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = date(1899, 12, 31).toordinal()


def xml_text(value: str) -> str:
    """A string as the text of an inline-string cell: XML-escaped, control characters as Excel's _xHHHH_."""
    if _SPECIAL.search(value):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        value = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", value)
    return value


def excel_serial(value: date) -> int | float:
    """A date (or datetime) as Excel's serial number, counted as xlsxwriter counts it (1900 system: day 60 is the
    29 February 1900 that never was)."""
    days = value.toordinal() - _EPOCH
    if days > 59:
        days += 1
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return days + seconds / 86400
    return days


def cell_writer(column: Column, letter: str, style: int, labels: dict | None = None) -> Callable[[object, str], str]:
    """cell(value, row) → the <c> element of one column's cell in that row ("" for a blank value). `labels`: a
    code column's code → label (the importer reads either)."""
    s = f' s="{style}"' if style else ""
    head = f'<c r="{letter}'
    string = f'"{s} t="inlineStr"><is><t>'
    preserve = f'"{s} t="inlineStr"><is><t xml:space="preserve">'
    end = "</t></is></c>"

    def text(value: str, row: str) -> str:
        value = xml_text(value)
        if value[0].isspace() or value[-1].isspace():
            return f"{head}{row}{preserve}{value}{end}"
        return f"{head}{row}{string}{value}{end}"

    number = f'"{s}><v>'
    if column.kind == "code":
        labels = labels or {}
        return lambda value, row: text(labels.get(value, value), row) if value else ""
    if column.kind == "bool":
        yes, no = f"{head}{{}}{string}是{end}", f"{head}{{}}{string}否{end}"
        return lambda value, row: "" if value is None else (yes if value else no).format(row)
    if column.kind == "date":
        return lambda value, row: f"{head}{row}{number}{excel_serial(value)}</v></c>" if value else ""
    if column.kind == "int":
        return lambda value, row: "" if value is None else f"{head}{row}{number}{int(value)}</v></c>"
    if column.kind == "money":
        return lambda value, row: "" if value is None else f"{head}{row}{number}{float(value)!r}</v></c>"
    return lambda value, row: text(str(value), row) if value else ""


class SheetRows:
    """The <row> elements of one data sheet, from row 2 on, into a temporary file; `count` rows written."""

    def __init__(self, cells: Sequence[Callable[[object, str], str]]):
        self.cells = list(enumerate(cells))
        self.file = tempfile.TemporaryFile()
        self.count = 0

    def write(self, rows: Iterable[Sequence], advance: Callable[[int], None] | None = None) -> None:
        cells, batch, number = self.cells, [], self.count + 1
        for row in rows:
            number += 1
            r = str(number)
            batch.append(f'<row r="{r}">{"".join([cell(row[i], r) for i, cell in cells])}</row>')
            if len(batch) == BATCH:
                self._flush(batch, advance)
        self._flush(batch, advance)

    def _flush(self, batch: list[str], advance) -> None:
        if batch:
            self.file.write("".join(batch).encode())
            self.count += len(batch)
            if advance:
                advance(len(batch))
            batch.clear()

    def size(self) -> int:
        return self.file.seek(0, io.SEEK_END)


class Skeleton:
    """A header-only workbook written by xlsxwriter into memory, read back as its parts."""

    def __init__(self, content: bytes):
        """`content`: the workbook, its data sheets with their header rows and nothing below."""
        self.archive = zipfile.ZipFile(io.BytesIO(content))
        workbook = ElementTree.fromstring(self.archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(self.archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{{{RELS}}}Relationship")}
        #: sheet name → (its index among the workbook's sheets, its part's name in the zip)
        self.parts = {
            sheet.get("name"): (
                index,
                "xl/" + targets[sheet.get(f"{{{OFFICE_RELS}}}id")].lstrip("/").removeprefix("xl/"),
            )
            for index, sheet in enumerate(workbook.iter(f"{{{MAIN}}}sheet"))
        }

    def column_styles(self, title: str, count: int) -> list[int]:
        """The default style of each of the sheet's first `count` columns (0: none)."""
        styles = [0] * count
        sheet = ElementTree.fromstring(self.archive.read(self.parts[title][1]))
        for col in sheet.iter(f"{{{MAIN}}}col"):
            for index in range(int(col.get("min")) - 1, min(int(col.get("max")), count)):
                styles[index] = int(col.get("style", "0"))
        return styles

    def assemble(self, target, rows: dict[str, SheetRows], widths: dict[str, int]) -> None:
        """The workbook into `target` (a path or a binary file): every part as xlsxwriter wrote it, with each
        sheet of `rows` holding its rows and its dimension and autofilter reaching the last one (`widths`: the
        sheet's column count)."""
        parts = {self.parts[title][1]: title for title in rows}
        ranges = {}
        for title, sheet_rows in rows.items():
            last = xl_col_to_name(widths[title] - 1)
            ranges[title] = (f"A1:{last}{sheet_rows.count + 1}", f"$A$1:${last}${sheet_rows.count + 1}")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as out:
            for info in self.archive.infolist():
                data = self.archive.read(info.filename)
                if info.filename == "xl/workbook.xml":
                    data = self._filter_names(data.decode(), ranges).encode()
                if info.filename not in parts:
                    out.writestr(self._info(info, len(data)), data)
                    continue
                title = parts[info.filename]
                head, tail = self._split(data.decode(), ranges[title][0])
                sheet_rows = rows[title]
                info = self._info(info, len(head) + sheet_rows.size() + len(tail))
                with out.open(info, "w") as entry:
                    entry.write(head)
                    sheet_rows.file.seek(0)
                    shutil.copyfileobj(sheet_rows.file, entry, 1 << 20)
                    entry.write(tail)

    @staticmethod
    def _info(info: zipfile.ZipInfo, size: int) -> zipfile.ZipInfo:
        fresh = zipfile.ZipInfo(info.filename, info.date_time)
        fresh.compress_type, fresh.file_size = zipfile.ZIP_DEFLATED, size  # the size decides on zip64 up front
        return fresh

    @staticmethod
    def _split(xml: str, cells: str) -> tuple[bytes, bytes]:
        """The sheet's XML before and from </sheetData>, its dimension and autofilter set to `cells`."""
        at = xml.index("</sheetData>")
        head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{cells}"/>', xml[:at], count=1)
        tail = re.sub(r'<autoFilter ref="[^"]*"', f'<autoFilter ref="{cells}"', xml[at:], count=1)
        return head.encode(), tail.encode()

    def _filter_names(self, xml: str, ranges: dict[str, tuple[str, str]]) -> str:
        """The hidden _xlnm._FilterDatabase name of each sheet, reaching its last row (Excel keeps the autofilter's
        range there too)."""
        for title, (_cells, absolute) in ranges.items():
            index = self.parts[title][0]
            xml = re.sub(
                rf'(<definedName name="_xlnm\._FilterDatabase" localSheetId="{index}"[^>]*>[^<]*!)'
                r"[^<]*(</definedName>)",
                lambda match, absolute=absolute: match.group(1) + absolute + match.group(2),
                xml,
                count=1,
            )
        return xml
