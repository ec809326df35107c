"""The error report: the clerk's own rows, in their own columns, with 错误说明 saying what to fix and where.

Every row of the file is in it, in the original order, so the clerk corrects the cells in place and imports the
report itself again (the extra columns are ignored on import). Rows with errors come highlighted (xlsx) and their
explanation names the column letter, the header, the value and the reason, in Chinese.

The report is written into the job's folder under a name the server makes (REPORT_NAME); the name the clerk
downloads it under comes from their file's name (download_name) and goes nowhere but the Content-Disposition
header. Cells are guarded as exports guard theirs (exports.safe, exports.as_text): in the CSV a cell that Excel
would run as a formula gets a leading quote and a long digit string a leading tab; in the xlsx every cell is a
string cell, which Excel never runs.
"""

from __future__ import annotations

import re
from pathlib import Path

from .exports import FORMULA_STARTS, safe
from .reading.base import Table, display_name
from .validation import BLANKS, q

REASON_HEADER = "错误说明"
ROW_HEADER = "原行号"
LONG_NUMBER = "[0-9]{11,}[0-9Xx]?"  # cells Excel would turn into floats
REPORT_NAME = "report"  # + .csv or .xlsx, in the job's folder
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f]")  # what Excel does not allow in a sheet's name


def _explained(table: Table) -> str:
    """SQL: the staged rows with the joined reasons for each; its one parameter is the sheet's title."""
    cells = ", ".join(f"r.c{i}" for i in range(len(table.headers)))
    return f"""
        SELECT r._row, {cells}, e.reasons FROM {table.name} r LEFT JOIN (
            SELECT _row, string_agg(
                CASE WHEN letter != '' THEN letter || '列' ELSE '' END || '“' || header || '”'
                || CASE WHEN value IS NOT NULL THEN '的值“' || value || '”' ELSE '' END || '：' || reason, '；'
                ORDER BY letter, reason) AS reasons
            FROM errors WHERE sheet = ? GROUP BY _row) e USING (_row)
        ORDER BY r._row"""


def write_error_report(con, tables: list[Table], folder: Path) -> str:
    """Write the report into `folder`; returns its server-made file name (report.csv or report.xlsx)."""
    if tables[0].from_csv:
        name = f"{REPORT_NAME}.csv"
        _csv(con, tables[0], folder / name)
    else:
        name = f"{REPORT_NAME}.xlsx"
        _xlsx(con, tables, folder / name)
    return name


def download_name(filename: str, report_name: str) -> str:
    """The name a report is downloaded under: the clerk's file's name with 错误报告 (for the Content-Disposition
    header only, which Django encodes)."""
    return f"{Path(display_name(filename)).stem}-错误报告{Path(report_name).suffix}"


def guarded(expr: str) -> str:
    """SQL: a cell as exports write a CSV cell, from the cell as the importer reads it (surrounding blanks removed,
    so the report imports back to the same values): a long digit string behind a tab (exports.as_text: Excel keeps
    it as text, the importer drops the tab), else exports.safe's leading quote before what Excel would run as a
    formula, from the same FORMULA_STARTS (a test holds the two equal). The importer drops that quote again."""
    plain = f"trim({expr}, {BLANKS})"
    starts = ", ".join(q(start) for start in FORMULA_STARTS)
    return (
        f"CASE WHEN regexp_full_match({plain}, {q(LONG_NUMBER)}) THEN chr(9) || {plain} "
        f"WHEN left({plain}, 1) IN ({starts}) THEN {q(chr(39))} || {plain} ELSE {plain} END"
    )


def _csv(con, table: Table, path: Path) -> None:
    """UTF-8 with a BOM (Excel then reads the Chinese), every cell and header guarded. The target is the path the
    server made, bound as a parameter like the sheet's title."""
    cells = ", ".join(f'{guarded(f"c{i}")} AS "{i}"' for i in range(len(table.headers)))
    headers = [ROW_HEADER, *(safe(h) for h in table.headers), REASON_HEADER]
    header_line = ",".join('"' + h.replace('"', '""') + '"' for h in headers)
    body = path.with_suffix(".body")
    con.execute(
        f"""COPY (SELECT _row, {cells}, reasons FROM ({_explained(table)}))
            TO ? (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '"')""",
        [table.title, str(body)],
    )
    with path.open("wb") as out, body.open("rb") as rows:
        out.write(("\ufeff" + header_line + "\r\n").encode())
        while chunk := rows.read(1 << 20):
            out.write(chunk)
    body.unlink()


def sheet_names(tables: list[Table]) -> list[str]:
    """Each sheet's title as Excel allows a sheet's name (none of [ ] : * ? / \\, no quote at either end, at most
    31 characters), and distinct: a crafted workbook may have names Excel would not, and its report must open."""
    names, taken = [], set()
    for number, table in enumerate(tables, start=1):
        name = _NOT_IN_SHEET_NAMES.sub("_", table.title).strip("'")[:31].strip("'") or f"Sheet{number}"
        base, extra = name, 1
        while name.casefold() in taken:
            extra += 1
            name = f"{base[: 30 - len(str(extra))]}~{extra}"
        taken.add(name.casefold())
        names.append(name)
    return names


def _xlsx(con, tables: list[Table], path: Path) -> None:
    import xlsxwriter

    options = {
        "constant_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "tmpdir": str(path.parent),
    }  # its row files hold the cells (ID numbers): in the job's folder, not /tmp
    book = xlsxwriter.Workbook(str(path), options)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    flagged = book.add_format({"bg_color": "#FFE0E0"})
    reason = book.add_format({"bg_color": "#FFE0E0", "font_color": "#C00000", "text_wrap": False})
    for table, name in zip(tables, sheet_names(tables)):
        sheet = book.add_worksheet(name)
        for column, header in enumerate([ROW_HEADER, *table.headers, REASON_HEADER]):
            sheet.write_string(0, column, header, bold)
        sheet.freeze_panes(1, 0)
        sheet.set_column(len(table.headers) + 1, len(table.headers) + 1, 80)
        result = con.execute(_explained(table), [table.title])
        row = 1
        while batch := result.fetchmany(10_000):
            for values in batch:
                style = flagged if values[-1] else None
                sheet.write_number(row, 0, values[0])
                for column, value in enumerate(values[1:-1], start=1):
                    if value is not None:
                        sheet.write_string(row, column, value, style)
                    elif style:
                        sheet.write_blank(row, column, None, style)
                if values[-1]:
                    sheet.write_string(row, len(values) - 1, values[-1], reason)
                row += 1
    book.close()
