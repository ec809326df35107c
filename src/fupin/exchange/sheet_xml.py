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
import queue
import re
import shutil
import struct
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
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


def as_date(value: date | str) -> date:
    """A date as the driver gives it: a date, or ISO text (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def cell_writer(column: Column, letter: str, style: int, labels: dict | None = None) -> Callable[[object, str], str]:
    """cell(value, row) → the <c> element of one column's cell in that row ("" for a blank value). Values as the
    driver gives them (exports.raw_rows): booleans may be 0/1, dates ISO text, money floats or Decimals. `labels`:
    a code column's code → label (the importer reads either)."""
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
        return lambda value, row: f"{head}{row}{number}{excel_serial(as_date(value))}</v></c>" if value else ""
    if column.kind == "when":  # text: a year alone typed into a date cell would read back as a day of 1905
        return lambda value, row: text(as_date(value).isoformat(), row) if value else ""
    if column.kind == "int":
        return lambda value, row: "" if value is None else f"{head}{row}{number}{int(value)}</v></c>"
    if column.kind == "money":  # yuan to the fen, as the field holds them (a computed float may carry noise)
        return lambda value, row: "" if value is None else f"{head}{row}{number}{round(float(value), 2)!r}</v></c>"
    return lambda value, row: text(str(value), row) if value else ""


class Deflated:
    """One part of the zip, deflated as it is written, by a thread of its own (zlib and crc32 let go of the GIL, so
    on two cores the compression runs beside the writing of the rows); the raw deflate stream goes to a temporary
    file, with its CRC-32 and both sizes for the zip's headers."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()
        self.crc, self.size = 0, 0
        self._compress = zlib.compressobj(COMPRESSLEVEL, zlib.DEFLATED, -15)
        self._queue: queue.Queue = queue.Queue(maxsize=8)
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="xlsx-deflate", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._failed is None:
                try:
                    self.crc = zlib.crc32(data, self.crc)
                    self.size += len(data)
                    self.file.write(self._compress.compress(data))
                except BaseException as exc:  # reported to the writer at close
                    self._failed = exc

    def write(self, data: bytes) -> None:
        self._queue.put(data)

    def close(self) -> None:
        """Waits for the thread; the stream is then complete (an error in the thread is raised here)."""
        self._queue.put(None)
        self._thread.join()
        if self._failed is not None:
            raise self._failed
        self.file.write(self._compress.flush())

    def discard(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self.file.close()


class SheetRows:
    """One data sheet's XML, deflated as it is written: the part of xlsxwriter's sheet before </sheetData> (its header
    row), then the <row> elements from row 2 on; `finish` adds the rest. `count`: the rows written."""

    def __init__(self, head: str, cells: Sequence[Callable[[object, str], str]]):
        self.cells = list(enumerate(cells))
        self.part = Deflated()
        self.part.write(head.encode())
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
            self.part.write("".join(batch).encode())
            self.count += len(batch)
            if advance:
                advance(len(batch))
            batch.clear()

    def finish(self, tail: str) -> Deflated:
        self.part.write(tail.encode())
        self.part.close()
        return self.part


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

    def head(self, title: str) -> str:
        """The sheet's XML before </sheetData>, without its <dimension> (an optional hint, which would have to be
        written before the rows are known; Excel and calamine find the used range from the cells)."""
        xml = self.archive.read(self.parts[title][1]).decode()
        return re.sub(r"<dimension [^>]*/>", "", xml[: xml.index("</sheetData>")], count=1)

    def tail(self, title: str, rows: int, width: int) -> str:
        """The sheet's XML from </sheetData> on, its autofilter reaching the last of `rows` data rows."""
        xml = self.archive.read(self.parts[title][1]).decode()
        cells = f"A1:{xl_col_to_name(width - 1)}{rows + 1}"
        return re.sub(
            r'<autoFilter ref="[^"]*"', f'<autoFilter ref="{cells}"', xml[xml.index("</sheetData>") :], count=1
        )

    def assemble(self, target, sheets: dict[str, tuple[Deflated, int, int]]) -> None:
        """The workbook into `target` (a path or a binary file): every part as xlsxwriter wrote it, the data sheets
        (title → their deflated part, rows, columns) in their places, and the workbook's _xlnm._FilterDatabase
        names (Excel keeps each autofilter's range there too) reaching each sheet's last row."""
        parts = {self.parts[title][1]: part for title, (part, _rows, _width) in sheets.items()}
        workbook = self.archive.read("xl/workbook.xml").decode()
        for title, (_part, rows, width) in sheets.items():
            absolute = f"$A$1:${xl_col_to_name(width - 1)}${rows + 1}"
            workbook = re.sub(
                rf'(<definedName name="_xlnm\._FilterDatabase" localSheetId="{self.parts[title][0]}"[^>]*>[^<]*!)'
                r"[^<]*(</definedName>)",
                lambda match, absolute=absolute: match.group(1) + absolute + match.group(2),
                workbook,
                count=1,
            )
        with _Zip(target) as out:
            for info in self.archive.infolist():
                if info.filename in parts:
                    out.add_deflated(info.filename, parts[info.filename])
                elif info.filename == "xl/workbook.xml":
                    out.add(info.filename, workbook.encode())
                else:
                    out.add(info.filename, self.archive.read(info.filename))


class _Zip:
    """A zip written entry by entry from parts already deflated (zipfile compresses only what it is handed itself).
    Plain zip, no zip64: a part past 4 GiB is refused (an Excel sheet stops at 1,048,576 rows long before)."""

    LOCAL = struct.Struct("<IHHHHHIIIHH")
    CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
    END = struct.Struct("<IHHHHIIH")
    LIMIT = 0xFFFFFFFF

    def __init__(self, target):
        self.own = isinstance(target, (str, Path))
        self.file = open(target, "wb") if self.own else target
        self.start = self.file.tell()
        self.entries: list[tuple[bytes, int, int, int, int]] = []  # name, crc, compressed, size, offset
        now = datetime.now()
        self.time = (now.hour << 11) | (now.minute << 5) | (now.second // 2)
        self.date = ((now.year - 1980) << 9) | (now.month << 5) | now.day

    def __enter__(self):
        return self

    def __exit__(self, kind, *_details):
        if kind is None:
            self._finish()
        if self.own:
            self.file.close()

    def _header(self, name: bytes, crc: int, compressed: int, size: int) -> None:
        offset = self.file.tell() - self.start
        if max(compressed, size, offset) > self.LIMIT:
            raise ValueError(f"{name.decode()}: larger than a zip without zip64 holds")
        self.entries.append((name, crc, compressed, size, offset))
        self.file.write(
            self.LOCAL.pack(0x04034B50, 20, 0, 8, self.time, self.date, crc, compressed, size, len(name), 0)
        )
        self.file.write(name)

    def add(self, name: str, data: bytes) -> None:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = packer.compress(data) + packer.flush()
        self._header(name.encode(), zlib.crc32(data), len(deflated), len(data))
        self.file.write(deflated)

    def add_deflated(self, name: str, part: Deflated) -> None:
        compressed = part.file.seek(0, io.SEEK_END)
        self._header(name.encode(), part.crc, compressed, part.size)
        part.file.seek(0)
        shutil.copyfileobj(part.file, self.file, 1 << 20)

    def _finish(self) -> None:
        directory = self.file.tell() - self.start
        for name, crc, compressed, size, offset in self.entries:
            self.file.write(
                self.CENTRAL.pack(
                    0x02014B50,
                    20,
                    20,
                    0,
                    8,
                    self.time,
                    self.date,
                    crc,
                    compressed,
                    size,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
            )
            self.file.write(name)
        length = self.file.tell() - self.start - directory
        self.file.write(self.END.pack(0x06054B50, 0, 0, len(self.entries), len(self.entries), length, directory, 0))
