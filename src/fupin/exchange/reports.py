"""The error report: the clerk's own rows, in their own columns, with 错误说明 saying what to fix and where.

Every row of the file is in it, in the original order, so the clerk corrects the cells in place and imports the
report itself again (the extra columns are ignored on import). Rows with errors come highlighted (xlsx) and their
explanation names the column letter, the header, the value and the reason, in Chinese.
"""

from __future__ import annotations

from pathlib import Path

from .reading import Table

REASON_HEADER = "错误说明"
ROW_HEADER = "原行号"
LONG_NUMBER = "[0-9]{11,}[0-9Xx]?"  # cells Excel would turn into floats


def _explained(table: Table) -> str:
    """SQL: the staged rows with the joined reasons for each."""
    cells = ", ".join(f"r.c{i}" for i in range(len(table.headers)))
    return f"""
        SELECT r._row, {cells}, e.reasons FROM {table.name} r LEFT JOIN (
            SELECT _row, string_agg(
                CASE WHEN letter != '' THEN letter || '列' ELSE '' END || '“' || header || '”'
                || CASE WHEN value IS NOT NULL THEN '的值“' || value || '”' ELSE '' END || '：' || reason, '；'
                ORDER BY letter, reason) AS reasons
            FROM errors WHERE sheet = '{table.title.replace("'", "''")}' GROUP BY _row) e USING (_row)
        ORDER BY r._row"""


def write_error_report(con, tables: list[Table], folder: Path, filename: str) -> str:
    stem = Path(filename).stem
    if Path(filename).suffix.lower() == ".csv" or len(tables) == 1 and tables[0].title == Path(filename).name:
        name = f"{stem}-错误报告.csv"
        _csv(con, tables[0], folder / name)
    else:
        name = f"{stem}-错误报告.xlsx"
        _xlsx(con, tables, folder / name)
    return name


def _csv(con, table: Table, path: Path) -> None:
    """UTF-8 with a BOM (Excel then reads the Chinese), long digit strings kept as text with a leading tab."""
    guarded = ", ".join(
        f"CASE WHEN regexp_full_match(c{i}, '{LONG_NUMBER}') THEN chr(9) || c{i} ELSE c{i} END AS \"{i}\""
        for i in range(len(table.headers))
    )
    headers = [ROW_HEADER, *table.headers, REASON_HEADER]
    header_line = ",".join('"' + h.replace('"', '""') + '"' for h in headers)
    body = path.with_suffix(".body")
    con.execute(
        f"COPY (SELECT _row, {guarded}, reasons FROM ({_explained(table)})) TO '{body}' (HEADER false, DELIMITER ',', QUOTE '\"')"
    )
    with path.open("wb") as out, body.open("rb") as rows:
        out.write(("\ufeff" + header_line + "\r\n").encode())
        while chunk := rows.read(1 << 20):
            out.write(chunk)
    body.unlink()


def _xlsx(con, tables: list[Table], path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    flagged = book.add_format({"bg_color": "#FFE0E0"})
    reason = book.add_format({"bg_color": "#FFE0E0", "font_color": "#C00000", "text_wrap": False})
    for table in tables:
        sheet = book.add_worksheet(table.title[:31])
        sheet.write_row(0, 0, [ROW_HEADER, *table.headers, REASON_HEADER], bold)
        sheet.freeze_panes(1, 0)
        sheet.set_column(len(table.headers) + 1, len(table.headers) + 1, 80)
        result = con.execute(_explained(table))
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
