"""What an app that imports its own sheets (assistance measures, funds ledgers, projects, assets) reads back from
exchange's staging after validation: the error report's lines for the cells exchange refused and the required cells
left empty, each with its row and column ("第 n 行 header（letter 列）：reason"), and the rows typed for its service.
One place, so every import's report reads the same."""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import duckdb
from django.conf import settings
from django.utils.translation import gettext as _

from .reading.base import column_letter
from .validation import ident, q

#: how many of an import's errors its refusal quotes (all of them are in its details)
SHOWN_ERRORS = 20


@contextmanager
def scratch_connection(prefix: str):
    """A DuckDB connection for one import, spilling to a temporary folder of its own within exchange's memory
    limit; the connection and the folder are gone afterwards, whatever happened."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    con = duckdb.connect()
    try:
        con.execute(f"SET temp_directory = {q(str(folder))}; SET memory_limit = {q(settings.EXCHANGE_MEMORY_LIMIT)}")
        yield con
    finally:
        con.close()
        shutil.rmtree(folder, ignore_errors=True)


def refuse_import(errors: list[str], refuse) -> None:
    """Raise the app's refusal (`refuse`) of a whole import: the first SHOWN_ERRORS lines quoted, how many more,
    every line in its details."""
    shown = "；".join(errors[:SHOWN_ERRORS])
    more = len(errors) - SHOWN_ERRORS
    if more > 0:
        shown += _("；另有 %(n)s 处错误") % {"n": more}
    raise refuse(_("导入未完成，没有写入任何记录：%(errors)s") % {"errors": shown}, details={"errors": errors})


def letter_of(table, name: str) -> str:
    """The column letter a sheet's column was found at ("—" when the file lacks it)."""
    position = table.columns.get(name)
    return column_letter(position) if position is not None else "—"


def cell_errors(con, table, norm: str, *, refuse, name_sheet: bool = False) -> list[str]:
    """The lines of the error report for one staged table. A required column the file lacks is refused whole
    (`refuse`, the app's own refusal); `name_sheet` starts each line with the sheet's title, for books of several
    sheets."""
    for column in table.sheet.columns:
        if column.required and column.name not in table.columns:
            raise refuse(_("“%(sheet)s”缺少必需的列“%(header)s”") % {"sheet": table.title, "header": column.header})
    found = con.execute(
        "SELECT _row, header, letter, reason FROM errors WHERE sheet = ? ORDER BY _row, letter", [table.title]
    ).fetchall()
    lines = [
        _("第 %(row)s 行 %(header)s（%(letter)s 列）：%(reason)s") % dict(zip(("row", "header", "letter", "reason"), e))
        for e in found
    ]
    for column in table.sheet.columns:
        if column.required:
            empty = con.execute(f"SELECT _row FROM {norm} WHERE {ident(column.name)} IS NULL ORDER BY _row").fetchall()
            lines += [
                _("第 %(row)s 行 %(header)s（%(letter)s 列）：必填")
                % {"row": row, "header": column.header, "letter": letter_of(table, column.name)}
                for (row,) in empty
            ]
    return [f"{table.title} {line}" for line in lines] if name_sheet else lines


def staged_rows(con, table, norm: str, typed=None, *, present_only: bool = False) -> list[dict]:
    """The staged rows as dicts (column name → value, "_row" → the file's row number), each value passed through
    `typed(column, value)` when given; `present_only` reads only the columns the file has."""
    columns = [c for c in table.sheet.all_columns if not present_only or c.name in table.columns]
    if not columns:
        return []
    cursor = con.execute(f"SELECT _row, {', '.join(ident(c.name) for c in columns)} FROM {norm} ORDER BY _row")
    return [
        {"_row": values[0], **{c.name: typed(c, v) if typed else v for c, v in zip(columns, values[1:], strict=True)}}
        for values in cursor.fetchall()
    ]
