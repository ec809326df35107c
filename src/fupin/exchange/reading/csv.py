"""CSV: the encoding sniffed over the whole file (UTF-8, UTF-8 with a BOM, or GB18030 throughout; mixed files are
refused with the line), GB18030 transcoded to UTF-8 chunk by chunk, then DuckDB's CSV reader streams the rows into
a staging table, so memory stays flat however long the file is.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from django.utils.translation import gettext as _

from fupin.core.progress import Progress

from .base import BOOK, CHUNK, HEADER_SEARCH_ROWS, FileRefused, Table, find_header_row, guess_sheet, map_headers


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
                        _check_gb18030(data[start : end if end >= 0 else len(data)], bad_line - 1)
                        raise FileRefused(_mixed(utf8_line or 1, bad_line)) from None
                    encoding = "gb18030"
            if encoding == "gb18030":
                _check_gb18030(data, lines_before)
            lines_before += data.count(b"\n")
    return encoding


def _first_non_ascii_line(data: bytes) -> int:
    return _line_of(data, next(i for i, b in enumerate(data) if b > 127))


def _mixed(utf8_line: int, other_line: int) -> str:
    return _(
        "文件编码不一致：第%(utf8_line)s行是UTF-8编码，第%(other_line)s行却不是（可能是GB18030/GBK）。"
        "通常是把不同来源的内容拼接到了一个文件里。请在Excel中打开后“另存为”CSV（UTF-8）再导入"
    ) % {"utf8_line": utf8_line, "other_line": other_line}


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
                        _(
                            "第%(line)s行含有无法识别的字符：文件既不是UTF-8也不是GB18030/GBK编码，"
                            "请另存为CSV（UTF-8）后再导入"
                        )
                        % {"line": number}
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


def read_csv(path: Path, filename: str, con, progress: Progress, book: str = BOOK) -> Table:
    progress.phase("reading", 1)
    encoding = sniff_encoding(path)
    utf8 = _transcode(path, encoding, path.with_name(path.name + ".utf8.csv"))
    encoding = "utf-8-sig" if encoding == "utf-8-sig" else "utf-8"
    records, delimiter = _first_records(utf8, encoding, HEADER_SEARCH_ROWS)
    if not any(cell.strip() for record in records for cell in record):
        raise FileRefused(_("“%(file)s”里没有任何内容") % {"file": filename})
    header_index = find_header_row(records, book)
    if header_index is None:
        raise FileRefused(_no_header(filename, records))
    headers = [h.strip().lstrip("\ufeff") for h in records[header_index]]
    sheet = guess_sheet(headers, book=book)
    if sheet is None:
        raise FileRefused(_no_header(filename, records))
    columns, ignored = map_headers(sheet, headers, f"“{filename}”")
    table = Table(
        sheet, "raw_0", Path(filename).name, headers, columns, header_index + 1, ignored=ignored, from_csv=True
    )
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
    con.execute(
        "DELETE FROM raw_0 WHERE "
        f"{' AND '.join(f'coalesce(trim(c{i}), {chr(39) * 2}) = {chr(39) * 2}' for i in range(len(headers)))}"
    )
    table.rows = con.execute("SELECT count(*) FROM raw_0").fetchone()[0]
    if table.rows == 0:
        raise FileRefused(_("“%(file)s”只有表头，没有数据行") % {"file": filename})
    progress.advance("reading", 1)
    return table


def _csv_error(message: str, filename: str) -> str:
    line = re.search(r"Line: (\d+)", message)
    original = re.search(r"Original Line: (.*)", message)
    where = _("第%(line)s行") % {"line": line.group(1)} if line else _("文件中")
    if original:
        where += _("（%(text)s）") % {"text": original.group(1)[:80]}
    if "Expected Number of Columns" in message or "columns" in message.lower():
        return _("“%(file)s”%(where)s的列数比表头多（可能是内容中有未加引号的逗号），请检查该行") % {
            "file": filename,
            "where": where,
        }
    if "quote" in message.lower():
        return _("“%(file)s”%(where)s的引号不成对，请检查该行") % {"file": filename, "where": where}
    return _("“%(file)s”%(where)s无法按CSV读取：%(error)s") % {
        "file": filename,
        "where": where,
        "error": message.splitlines()[0],
    }


def _no_header(filename: str, rows: list[list]) -> str:
    shown = "、".join(str(c).strip() for c in (rows[0] if rows else []) if str(c).strip())[:200]
    return _(
        "“%(file)s”的前%(rows)s行中找不到表头（如“户编号”“行政区划代码”“姓名”“证件号码”“年度”）。"
        "请使用导入模板的表头。第一行为：%(first)s"
    ) % {"file": filename, "rows": HEADER_SEARCH_ROWS, "first": shown or _("（空）")}
