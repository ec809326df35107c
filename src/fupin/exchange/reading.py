"""Reading an uploaded file into staging tables: every cell as text, with its row number, nothing interpreted yet.

What arrives is whatever a clerk's computer made: .xlsx from Excel or WPS, CSV in UTF-8, UTF-8 with a BOM or
GB18030 (what Chinese Excel writes), a title row above the headers, a file renamed from something else. Whole-file
problems are refused here with one Chinese message (FileRefused); cell problems are left to validation.

The rows go into DuckDB tables (one per sheet) in batches, so memory stays flat however long the CSV is: the
encoding is sniffed and the text transcoded to UTF-8 chunk by chunk, then DuckDB's CSV reader streams it.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

import pyarrow as pa
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from django.conf import settings

from fupin.errors import DomainError

from .columns import IGNORED_QUIETLY, SHEETS, Column, Sheet

CHUNK = 8 << 20  # bytes read, sniffed and transcoded at a time
HEADER_SEARCH_ROWS = 10  # a title or a note may sit above the header row
MAGIC = {
    b"%PDF": "PDF文件",
    b"\x89PNG": "PNG图片",
    b"\xff\xd8\xff": "JPEG图片",
    b"GIF8": "GIF图片",
    b"Rar!": "RAR压缩包",
    b"7z\xbc\xaf": "7z压缩包",
    b"\xd0\xcf\x11\xe0": "旧版Excel（.xls）或Word（.doc）文件",
}


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


# ------------------------------------------------------------------------------------------------------------------
# headers
# ------------------------------------------------------------------------------------------------------------------


def _clean_header(text) -> str:
    """Headers as typed: spaces, line breaks inside the cell, a trailing asterisk for required, full-width brackets."""
    text = re.sub(r"\s+", "", str(text or ""))
    return text.rstrip("*＊").replace("(", "（").replace(")", "）")


def _lookup() -> dict[Sheet, dict[str, Column]]:
    return {
        sheet: {_clean_header(name): column for column in sheet.all_columns for name in column.names}
        for sheet in SHEETS
    }


def guess_sheet(headers: list[str], title: str = "") -> Sheet | None:
    """Which kind of record a header row holds: by the sheet's name first, then by its key columns."""
    cleaned = {_clean_header(h) for h in headers}
    for sheet in SHEETS:
        if title.strip() == sheet.title:
            return sheet
    lookup = _lookup()
    named = {sheet: {c.name for name, c in lookup[sheet].items() if name in cleaned} for sheet in SHEETS}
    if "id_number" in named[SHEETS[1]]:
        return SHEETS[1]
    if "year" in named[SHEETS[2]]:
        return SHEETS[2]
    if named[SHEETS[0]] & {"village", "head_name"}:
        return SHEETS[0]
    return None


def _header_row(rows: list[list]) -> int | None:
    """The first of the top rows that names at least two known columns."""
    known = {name for columns in _lookup().values() for name in columns}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(_clean_header(cell) in known for cell in row) >= 2:
            return index
    return None


def map_headers(sheet: Sheet, headers: list[str], where: str) -> tuple[dict[str, int], list[str]]:
    """Column name → position; refuses a repeated column and a sheet without its key columns."""
    lookup = _lookup()[sheet]
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
                f"{where}：“{column.header}”出现了两次（{first}列和{column_letter(position)}列），请删去其中一列"
            )
        columns[column.name] = position
    missing = [sheet.column(name).header for name in sheet.key if name not in columns]
    if missing:
        raise FileRefused(
            f"{where}：缺少必需的列“{'”“'.join(missing)}”。请使用导入模板的表头（可从“下载导入模板”获取）；"
            f"文件中的表头为：{'、'.join(str(h) for h in headers if str(h).strip()) or '（空）'}"
        )
    return columns, ignored


# ------------------------------------------------------------------------------------------------------------------
# the file as a whole
# ------------------------------------------------------------------------------------------------------------------


def read_file(path: Path, filename: str, con, progress=None) -> list[Table]:
    """Stage every sheet of the file in DuckDB (`con`) and return what was found; refuses unreadable files."""
    size = path.stat().st_size
    limit = settings.EXCHANGE_MAX_UPLOAD_BYTES
    if size > limit:
        raise FileRefused(f"文件大小{size / 2**20:.1f} MB，超过上限{limit / 2**20:.0f} MB，请拆分后分批导入")
    if size == 0:
        raise FileRefused("文件是空的（0字节）")
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = Path(filename).suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path, filename, con, progress)
    for magic, what in MAGIC.items():
        if head.startswith(magic):
            hint = "请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后再导入" if magic == b"\xd0\xcf\x11\xe0" else ""
            raise FileRefused(f"“{filename}”的内容是{what}，不是Excel工作簿（.xlsx）或CSV文件。{hint}")
    if suffix in (".xlsx", ".xlsm"):
        raise FileRefused(f"“{filename}”的扩展名是{suffix}，但内容不是Excel工作簿（可能是改了扩展名的其他文件）")
    return [read_csv(path, filename, con, progress)]


# ------------------------------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------------------------------


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def sniff_encoding(path: Path) -> str:
    """utf-8-sig, utf-8 or gb18030, read from the whole file in chunks; refuses mixed and unknown encodings.

    A file is UTF-8 if it decodes as UTF-8. Otherwise it should be GB18030 throughout: a line in it that is
    valid UTF-8 with Chinese in it means two files were pasted together in different encodings, and GB18030
    would read that line as nonsense, so it is refused with its line number instead of being imported garbled.
    """
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            encoding = "utf-8-sig"
        else:
            encoding = "utf-8"
        handle.seek(0)
        lines_before, utf8_line, tail = 0, None, b""
        while chunk := handle.read(CHUNK):
            data = tail + chunk
            cut = data.rfind(b"\n") + 1 if len(chunk) == CHUNK else len(data)
            data, tail = data[:cut], data[cut:]
            if encoding != "gb18030":
                try:
                    data.decode("utf-8")  # whole lines: chunks are cut after a line break
                    if utf8_line is None and not data.isascii():
                        utf8_line = lines_before + _first_non_ascii_line(data)
                except UnicodeDecodeError as exc:
                    bad_line = lines_before + _line_of(data, exc.start)
                    start = data.rfind(b"\n", 0, exc.start) + 1
                    if utf8_line is None and not data[:start].isascii():
                        utf8_line = lines_before + _first_non_ascii_line(data)
                    if utf8_line is not None or encoding == "utf-8-sig":
                        end = data.find(b"\n", exc.start)
                        _check_gb18030(data[start:end if end >= 0 else len(data)], bad_line - 1)
                        raise FileRefused(_mixed(utf8_line or 1, bad_line)) from None
                    encoding = "gb18030"
            if encoding == "gb18030":
                _check_gb18030(data, lines_before)
            lines_before += data.count(b"\n")
    return encoding


def _first_non_ascii_line(data: bytes) -> int:
    return _line_of(data, next(i for i, b in enumerate(data) if b > 127))


def _mixed(utf8_line: int, other_line: int) -> str:
    return (
        f"文件编码不一致：第{utf8_line}行是UTF-8编码，第{other_line}行却不是（可能是GB18030/GBK）。"
        "通常是把不同来源的内容拼接到了一个文件里。请在Excel中打开后“另存为”CSV（UTF-8）再导入"
    )


def _check_gb18030(data: bytes, lines_before: int) -> None:
    """Every line must be GB18030 and none valid UTF-8 with Chinese in it (see sniff_encoding)."""
    try:
        data.decode("gb18030")
        whole_chunk_decodes = True
    except UnicodeDecodeError:
        whole_chunk_decodes = False
    for number, line in enumerate(data.split(b"\n"), start=lines_before + 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            if not whole_chunk_decodes:
                try:
                    line.decode("gb18030")
                except UnicodeDecodeError:
                    raise FileRefused(
                        f"第{number}行含有无法识别的字符：文件既不是UTF-8也不是GB18030/GBK编码，请另存为CSV（UTF-8）后再导入"
                    ) from None
            continue
        raise FileRefused(_mixed(number, _first_gb_line(data, lines_before)))


def _first_gb_line(data: bytes, lines_before: int) -> int:
    for number, line in enumerate(data.split(b"\n"), start=lines_before + 1):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return lines_before + 1


def _transcode(path: Path, encoding: str, target: Path) -> Path:
    """GB18030 → UTF-8 in chunks (DuckDB reads UTF-8 only); a UTF-8 file is read in place."""
    if encoding != "gb18030":
        return path
    decoder = codecs.getincrementaldecoder("gb18030")()
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))
    return target


def _first_records(path: Path, encoding: str, count: int) -> tuple[list[list[str]], str]:
    """The first records, parsed with Python's csv module, and the delimiter (comma, tab or semicolon)."""
    with path.open("r", encoding=encoding, newline="") as handle:
        sample = handle.read(64 * 1024)
    first = sample.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    records = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:count]
    return records, delimiter


def read_csv(path: Path, filename: str, con, progress=None) -> Table:
    if progress:
        progress("reading", 0, 1)
    encoding = sniff_encoding(path)
    utf8 = _transcode(path, encoding, path.with_name(path.name + ".utf8.csv"))
    encoding = "utf-8-sig" if encoding == "utf-8-sig" else "utf-8"
    records, delimiter = _first_records(utf8, encoding, HEADER_SEARCH_ROWS)
    if not any(cell.strip() for record in records for cell in record):
        raise FileRefused(f"“{filename}”里没有任何内容")
    header_index = _header_row(records)
    if header_index is None:
        raise FileRefused(_no_header(filename, records))
    headers = [h.strip().lstrip("\ufeff") for h in records[header_index]]
    sheet = guess_sheet(headers)
    if sheet is None:
        raise FileRefused(_no_header(filename, records))
    columns, ignored = map_headers(sheet, headers, f"“{filename}”")
    table = Table(sheet, "raw_0", Path(filename).name, headers, columns, header_index + 1, ignored=ignored, from_csv=True)
    names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(headers)))
    try:
        con.execute(
            f"""CREATE TABLE raw_0 AS
                SELECT CAST(row_number() OVER () + {header_index + 1} AS INTEGER) AS _row, *
                FROM read_csv(?, header = false, skip = {header_index + 1}, delim = ?, quote = '"', escape = '"',
                              columns = {{{names}}}, null_padding = true, strict_mode = true,
                              auto_detect = false, encoding = 'utf-8', max_line_size = 1048576)""",
            [str(utf8), delimiter],
        )
    except Exception as exc:  # duckdb.Error: its message names the line
        raise FileRefused(_csv_error(str(exc), filename)) from None
    con.execute(f"DELETE FROM raw_0 WHERE {' AND '.join(f'coalesce(trim(c{i}), {chr(39) * 2}) = {chr(39) * 2}' for i in range(len(headers)))}")
    table.rows = con.execute("SELECT count(*) FROM raw_0").fetchone()[0]
    if table.rows == 0:
        raise FileRefused(f"“{filename}”只有表头，没有数据行")
    if progress:
        progress("reading", 1, 1)
    return table


def _csv_error(message: str, filename: str) -> str:
    line = re.search(r"Line: (\d+)", message)
    original = re.search(r"Original Line: (.*)", message)
    where = f"第{line.group(1)}行" if line else "文件中"
    if original:
        where += f"（{original.group(1)[:80]}）"
    if "Expected Number of Columns" in message or "columns" in message.lower():
        return f"“{filename}”{where}的列数比表头多（可能是内容中有未加引号的逗号），请检查该行"
    if "quote" in message.lower():
        return f"“{filename}”{where}的引号不成对，请检查该行"
    return f"“{filename}”{where}无法按CSV读取：{message.splitlines()[0]}"


def _no_header(filename: str, rows: list[list]) -> str:
    shown = "、".join(str(c).strip() for c in (rows[0] if rows else []) if str(c).strip())[:200]
    return (
        f"“{filename}”的前{HEADER_SEARCH_ROWS}行中找不到表头（如“户编号”“行政区划代码”“姓名”“证件号码”“年度”）。"
        f"请使用导入模板的表头。第一行为：{shown or '（空）'}"
    )


# ------------------------------------------------------------------------------------------------------------------
# XLSX
# ------------------------------------------------------------------------------------------------------------------

_FORMULA = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f[ >/]')
_MERGED = re.compile(rb'<mergeCell ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_VALUED_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>/]*>')  # a cell element with content (not `<c …/>`)
_LONG_NUMBER = re.compile(rb'<c r="([A-Z]+)([0-9]+)"(?:\s+(?:s="[0-9]+"|t="n"))*\s*><v>([0-9][0-9.]{10,}(?:E\+?[0-9]+)?|[0-9.]+E\+?[0-9]+)</v>')
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


INFLATE_IN, INFLATE_OUT = 64 << 10, 1 << 20  # compressed bytes read, inflated bytes made at a time
#: what precedes entity expansion (billion laughs) and external entities; Excel and WPS never write either
_DTD = (b"<!DOCTYPE", b"<!ENTITY")


def _open_zip(path: Path, filename: str) -> zipfile.ZipFile:
    """Refuses what is not a workbook, a workbook with a part missing, and zip bombs.

    The sizes an archive declares are only claims: every member is inflated once here, before anything else reads
    it, counting the bytes that actually come out, and the file is refused as soon as they pass the limit, or when
    a member inflates to another size than it declares (the readers would trust the declaration). XML parts with a
    DTD are refused on the way (see _DTD)."""
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(f"“{filename}”已损坏，无法作为Excel工作簿打开") from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        if any(name.startswith("xl/") for name in names):
            raise FileRefused(f"“{filename}”不完整：缺少工作簿的目录（xl/workbook.xml），文件可能已损坏。请在Excel或WPS中打开并重新保存后再导入")
        what = "Word文档" if "word/document.xml" in names else "压缩包"
        raise FileRefused(f"“{filename}”是{what}，不是Excel工作簿（.xlsx）")
    limit = settings.EXCHANGE_MAX_UNPACKED_BYTES
    declared = sum(info.file_size for info in infos)
    worst = max((info.file_size / max(info.compress_size, 1) for info in infos if info.file_size > 1 << 20), default=1)
    if declared > limit or worst > 200:
        raise FileRefused(_bomb(filename, declared, worst, limit))
    inflated = 0
    with path.open("rb") as raw:
        for info in infos:
            try:
                size = _inflate(raw, info, filename, limit - inflated)
            except _Inflated as big:
                if big.size <= limit - inflated:  # stopped by its ratio, long before the limit
                    raise FileRefused(
                        f"“{filename}”中的“{info.filename}”解压到{big.size // 2**20} MB时压缩比已达{big.ratio:.0f}倍，"
                        "疑似“压缩炸弹”，已拒绝。请只复制有数据的区域到新工作簿后再导入"
                    ) from None
                raise FileRefused(
                    f"“{filename}”实际解压后超过上限{limit / 2**20:.0f} MB（压缩包中记录的只有{declared / 2**20:.1f} MB），"
                    "疑似“压缩炸弹”，已拒绝。请只复制有数据的区域到新工作簿后再导入"
                ) from None
            if size != info.file_size:
                raise FileRefused(
                    f"“{filename}”中的“{info.filename}”解压后为{size}字节，与压缩包中记录的{info.file_size}字节不符。"
                    "文件已损坏或是被人为构造的，已拒绝"
                )
            inflated += size
    return archive


def _bomb(filename: str, unpacked: int, ratio: float, limit: int) -> str:
    return (
        f"“{filename}”解压后达{unpacked / 2**20:.0f} MB（压缩比{ratio:.0f}倍），超过上限{limit / 2**20:.0f} MB，"
        "疑似“压缩炸弹”或含有大量空白格式，已拒绝。请只复制有数据的区域到新工作簿后再导入"
    )


class _Inflated(Exception):
    """A member inflated past what is allowed (size: bytes so far; ratio: to the compressed bytes read so far)."""

    def __init__(self, size: int, ratio: float):
        self.size, self.ratio = size, ratio


def _inflate(raw, info: zipfile.ZipInfo, filename: str, allowed: int) -> int:
    """Inflate one member from the archive's bytes (not through zipfile, which stops at the declared size), at most
    `allowed` bytes of output, scanning XML for a DTD; returns the size it really has."""
    broken = FileRefused(f"“{filename}”已损坏（“{info.filename}”无法解压），无法作为Excel工作簿打开")
    if info.flag_bits & 0x1:
        raise FileRefused(f"“{filename}”中的内容已加密，请在Excel中取消密码保护后再导入")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise FileRefused(f"“{filename}”使用了Excel不会使用的压缩方式，请在Excel或WPS中打开并重新保存后再导入")
    raw.seek(info.header_offset)
    local = raw.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise broken
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    raw.seek(info.header_offset + 30 + name_length + extra_length)
    xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, size, tail = info.compress_size, 0, b""
    while inflater is None or not inflater.eof:
        if inflater is not None and inflater.unconsumed_tail:
            chunk = inflater.unconsumed_tail
        else:
            chunk = raw.read(min(left, INFLATE_IN))
            left -= len(chunk)
        if inflater is None:
            data = chunk
        else:
            try:  # an empty chunk still returns what the inflater holds back (a copy cut short by the output limit)
                data = inflater.decompress(chunk, INFLATE_OUT)
            except zlib.error:
                raise broken from None
        if not data:
            if not chunk:
                break
            continue
        size += len(data)
        consumed = info.compress_size - left - (len(inflater.unconsumed_tail) if inflater is not None else 0)
        ratio = size / max(consumed, 1)  # so far: a bomb shows itself in its first megabytes
        if size > allowed or (size > 1 << 20 and ratio > 200):
            raise _Inflated(size, ratio)
        if xml:
            if any(marker in data or marker in tail + data[:16] for marker in _DTD):
                raise _refuse_dtd(filename, info.filename)
            tail = data[-16:]
    if inflater is not None and not inflater.eof:
        raise broken
    return size


def _refuse_dtd(filename: str, part: str) -> FileRefused:
    return FileRefused(
        f"“{filename}”中的“{part}”含有文档类型定义（DTD）或实体声明。Excel和WPS不会写出这种内容，"
        "这类文件可用于攻击服务器，已拒绝"
    )


def _xml(archive: zipfile.ZipFile, part: str, filename: str):
    """One XML part of the workbook, parsed without a DTD, entities or anything read from elsewhere (defusedxml)."""
    try:
        return parse_xml(archive.read(part), forbid_dtd=True)
    except KeyError:
        raise FileRefused(f"“{filename}”不完整：缺少“{part}”，文件可能已损坏。请在Excel或WPS中打开并重新保存后再导入") from None
    except DefusedXmlException:
        raise _refuse_dtd(filename, part) from None
    except (ParseError, zipfile.BadZipFile, ValueError):
        raise FileRefused(f"“{filename}”已损坏（“{part}”无法读取），无法作为Excel工作簿打开") from None


def _part(target: str) -> str:
    """A relationship's target as the archive names it: relative to xl/ unless it starts with /."""
    return posixpath.normpath(target.lstrip("/") if target.startswith("/") else "xl/" + target)


def _sheet_parts(archive: zipfile.ZipFile, filename: str) -> list[tuple[str, str]]:
    """(sheet name, its XML part) in the workbook's order, from the workbook and its relationships; refuses a
    workbook that names a sheet its archive does not hold."""
    workbook = _xml(archive, "xl/workbook.xml", filename)
    rels = _xml(archive, "xl/_rels/workbook.xml.rels", filename)
    relations = rels.findall("rel:Relationship", _NS)
    targets = {rel.get("Id"): _part(rel.get("Target") or "") for rel in relations}
    names = set(archive.namelist())
    for rel in relations:  # the parts the reader needs besides the sheets
        if (rel.get("Type") or "").endswith(("/sharedStrings", "/styles")) and targets[rel.get("Id")] not in names:
            raise FileRefused(
                f"“{filename}”不完整：缺少“{targets[rel.get('Id')]}”，文件可能已损坏。请在Excel或WPS中打开并重新保存后再导入"
            )
    parts = []
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        part = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        title = sheet.get("name") or ""
        if part not in names:
            raise FileRefused(
                f"“{filename}”不完整：目录中列出的工作表“{title}”在文件中不存在，文件可能已损坏。"
                "请在Excel或WPS中打开并重新保存后再导入"
            )
        parts.append((title, part))
    if not parts:
        raise FileRefused(f"“{filename}”中没有任何工作表")
    return parts


def column_number(letters: str) -> int:
    """A → 0, AA → 26: the inverse of column_letter."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


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
                facts.merged += [(int(m.group(2)), column_number(m.group(1).decode()), int(m.group(4)),
                                  column_number(m.group(3).decode())) for m in _MERGED.finditer(data)]  # fmt: skip
            for m in _LONG_NUMBER.finditer(data):
                facts.long_numbers[(int(m.group(2)), column_number(m.group(1).decode()))] = m.group(3).decode()
            tail = data[-256:] if len(data) > 256 else b""
    facts.merged = list(dict.fromkeys(facts.merged))
    return facts


def read_xlsx(path: Path, filename: str, con, progress=None) -> list[Table]:
    """Every sheet that holds one of our record kinds, through fastexcel (calamine in Rust, straight to Arrow, every
    cell as text) plus one pass over the sheet's XML for what the values do not tell (sheet_facts)."""
    import fastexcel

    archive = _open_zip(path, filename)
    parts = _sheet_parts(archive, filename)
    try:
        workbook = fastexcel.read_excel(str(path))
        names = workbook.sheet_names
    except Exception as exc:  # fastexcel raises its own errors for broken parts
        raise FileRefused(f"“{filename}”已损坏，无法读取（{_first_line(exc)}）") from None
    by_name = dict(parts)
    tables, skipped = [], []
    for index, title in enumerate(names):
        try:  # by position: a name is whatever the file says (brackets, quotes, the same name twice)
            data = workbook.load_sheet(index, header_row=None, dtypes="string").to_arrow()
        except Exception as exc:
            raise FileRefused(f"工作表“{title}”已损坏，无法读取（{_first_line(exc)}）") from None
        top = data.slice(0, HEADER_SEARCH_ROWS).to_pylist()
        top = [[cell if cell is not None else "" for cell in row.values()] for row in top]
        header_index = _header_row(top)
        kind = guess_sheet([str(c) for c in top[header_index]], title) if header_index is not None else None
        if kind is None:
            if any(str(c).strip() for row in top for c in row):
                skipped.append(title)
            continue
        where = f"工作表“{title}”"
        part = parts[index][1] if len(parts) == len(names) else by_name.get(title)
        facts = sheet_facts(archive, part) if part else SheetFacts()
        header_row = (facts.first_row or 1) + header_index
        _refuse_merged(facts, where, header_row)
        if facts.formulas:
            raise FileRefused(
                f"{where}的单元格{'、'.join(facts.formulas[:5])}是公式。导入只接受数值，不猜测公式结果："
                "请选中数据区域，复制后“选择性粘贴→数值”，保存后再导入"
            )
        offset = facts.first_column or 0
        headers = [""] * offset + [str(c).strip() for c in top[header_index]]
        columns, ignored = map_headers(kind, headers, where)
        table = Table(kind, f"raw_{index}", title, headers, columns, header_row, ignored=ignored)
        _stage_table(con, table, data.slice(header_index + 1), offset, facts, progress)
        if table.rows:
            tables.append(table)
    if not tables:
        found = f"（工作表：{'、'.join(skipped or names)}）"
        raise FileRefused(
            f"“{filename}”中没有可导入的数据{found}：应有“农户”“家庭成员”或“收入台账”工作表，表头见导入模板"
        )
    if sum(t.sheet.kind == "members" for t in tables) > 1 or len({t.sheet.kind for t in tables}) < len(tables):
        kinds = "、".join(f"“{t.title}”" for t in tables)
        raise FileRefused(f"工作簿中有多个同类工作表（{kinds}），请合并为一个后再导入")
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
        shown = "、".join(f"{column_letter(left)}{top}:{column_letter(right)}{bottom}" for top, left, bottom, right in merged[:5])
        raise FileRefused(
            f"{where}有合并单元格（{shown}）。合并后只有左上角的格子有值，其余会被读成空白："
            "请取消合并并在每一行填上完整的值后再导入"
        )


def _digits(number: str) -> int:
    """Significant digits Excel stored: "6.22202020011223E+18" → 15, "1234567890123456" → 16."""
    mantissa = number.upper().split("E")[0].replace(".", "").lstrip("0")
    return len(mantissa) if "E" in number.upper() else len(number.split(".")[0].lstrip("0"))


def _stage_table(con, table: Table, data: pa.Table, offset: int, facts: SheetFacts, progress) -> None:
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
            numbers = {row: value for (row, col), value in facts.long_numbers.items()
                       if col == position and (position == id_position or _digits(value) > 15)}  # fmt: skip
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
    if progress:
        progress("reading", 1, 1)
