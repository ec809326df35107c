"""Row-by-row validation of a staged sheet, in DuckDB: every cell normalised to its canonical text, or an error.

Canonical text is what the diff compares and the writer stores: codes as their code value, booleans as
'true'/'false', dates as YYYY-MM-DD, whole numbers in decimal, money with two decimals. NULL means the cell was
blank (for an existing record: leave the value as it is). Each column's rule is one SQL expression generated from
its Column spec and the field's rule (registry.values: the same data the models check in Python, so a value is
refused with the same reason here as in a form or the API), so a million rows are checked in a few vectorised
passes, never a Python loop per row. ID numbers are the exception that proves it: a numpy pass recognises the
valid 18-digit ones, and only the rest go through registry.idcard for their Chinese reason (one implementation of
the rule, fast for the common case).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext as _

from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.core.sheets import YEAR_ALONE, Column
from fupin.registry.idcard import PROVINCE_CODES, InvalidIdNumber, check_codes, parse_id_number
from fupin.registry.values import sql_refusal

from .reading.base import Table, column_letter

BLANKS = "' ' || chr(9) || chr(10) || chr(13) || chr(12288) || chr(160)"
TRUE_WORDS = ("是", "Y", "y", "YES", "Yes", "yes", "1", "TRUE", "True", "true", "√", "有", "已")
FALSE_WORDS = ("否", "N", "n", "NO", "No", "no", "0", "FALSE", "False", "false", "×", "无", "未")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S")
EXCEL_EPOCH = "1899-12-30"  # Excel's day 0, accounting for its 1900 leap-year bug
FORMULA_GUARD = "=+-@"  # a leading ' that exports put before such text to keep Excel from running it
#: long numbers kept as text; Excel turns them into floats with 15 significant digits
NUMBER_LIKE = ("number", "phone", "bank_account", "disability_cert")
STORED_AS_NUMBER = "被Excel存成了数字（科学计数法），后几位已丢失，请把该列设为文本后重新录入原号码"


def q(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: control characters and the Unicode pictures that stand for them (␀ for NUL…)
_CONTROLS = " || ".join(f"chr({i})" for i in (*range(32), 127))
_PICTURES = "".join(chr(0x2400 + i) for i in range(32)) + "\u2421"


def visible(expr: str) -> str:
    """A refused value as the clerk is shown it: a NUL or another control character as its picture (␀), which the
    page can show and a PostgreSQL JSON column can hold (it refuses \\u0000)."""
    return f"translate({expr}, {_CONTROLS}, {q(_PICTURES)})"


def cleaned(position: int) -> str:
    """The cell with surrounding blanks (also the tab exports put before long numbers) removed; '' → NULL."""
    return f"NULLIF(trim(c{position}, {BLANKS}), '')"


def _code_case(column: Column, v: str) -> str:
    whens = []
    for code, label in column.choices:
        forms = {code, label, f"{code}{label}", f"{code} {label}", f"{code}-{label}"}
        if code.isdigit() and code.lstrip("0") and code.lstrip("0") != code:
            short = code.lstrip("0")
            if all(short != other for other, _ in column.choices):
                forms.add(short)
        whens += [f"WHEN {q(form)} THEN {q(code)}" for form in sorted(forms)]
    return f"CASE {v} {' '.join(whens)} END"


def _choices_hint(column: Column) -> str:
    shown = "、".join(f"{code} {label}" for code, label in column.choices[:12])
    return shown + ("等" if len(column.choices) > 12 else "")


def _field_rule(column: Column, typed: str, today: date) -> str:
    """The reason the field's rule (registry.values, the one the models apply) gives for the value `typed`."""
    checks = column.rule
    return sql_refusal(checks, typed, today) if checks else "NULL"


def year_alone(v: str) -> str:
    """SQL: the year of a cell that gives a year alone ("2016", "2016年", "2016年度"), else NULL."""
    return f"CASE WHEN regexp_full_match({v}, '(19|20)[0-9]{{2}}(年度?)?') THEN CAST({v}[1:4] AS INTEGER) END"


def _when(column: Column, v: str, today: date) -> tuple[str, str]:
    """A date, or a year alone read as its convention date (core.sheets.YEAR_ALONE); never an Excel serial for
    a four-digit year (2016 as a serial would be 1905-07-08)."""
    month, day_of_month = YEAR_ALONE
    date_value, date_reason = rule(replace(column, kind="date"), v, today)
    year = year_alone(v)
    convention = f"make_date({year}, {month}, {day_of_month})"
    value = f"CASE WHEN {year} IS NOT NULL THEN strftime({convention}, '%Y-%m-%d') ELSE {date_value} END"
    later = q(
        _("只填了年度，按约定记为该年%(month)s月%(day)s日，晚于今天；请填写具体日期")
        % {"month": month, "day": day_of_month}
    )
    reason = (
        f"CASE WHEN {year} IS NOT NULL THEN (CASE WHEN {convention} > DATE {q(today.isoformat())} THEN {later} "
        f"ELSE {_field_rule(column, convention, today)} END) ELSE {date_reason} END"
    )
    return value, reason


def rule(column: Column, v: str, today: date) -> tuple[str, str]:
    """(canonical value, error reason) as SQL expressions over the cleaned cell `v`: first whether the cell reads
    as the column's kind at all, then the field's rule (registry.values) on what was read.

    A masked value (an export for a role that may not see the field: "139****5678", "***") stands for "not
    shown", so it reads as blank: the stored value stays as it is."""
    kind = column.kind
    if column.name in SENSITIVE_FIELDS and kind != "id":
        v = f"(CASE WHEN contains({v}, '*') THEN NULL ELSE {v} END)"
    if kind == "text":
        value = v
        if column.name not in NUMBER_LIKE:
            value = (
                f"CASE WHEN length({v}) > 1 AND {v}[1] = '''' AND contains({q(FORMULA_GUARD)}, {v}[2]) "
                f"THEN {v}[2:] ELSE {v} END"
            )
        if column.rule is None:  # a column of no registry field
            return (
                value,
                f"CASE WHEN length({value}) > {int(column.max_length)} "
                f"THEN {q(f'不能超过{column.max_length}个字符')} END",
            )
        return value, _field_rule(column, value, today)
    if kind == "code":
        value = _code_case(column, v)
        return (
            value,
            f"CASE WHEN {v} IS NOT NULL AND {value} IS NULL "
            f"THEN {q('不在代码表中，可填：' + _choices_hint(column))} END",
        )
    if kind == "bool":
        value = (
            f"CASE WHEN {v} IN ({', '.join(map(q, TRUE_WORDS))}) THEN 'true' "
            f"WHEN {v} IN ({', '.join(map(q, FALSE_WORDS))}) THEN 'false' END"
        )
        return value, f"CASE WHEN {v} IS NOT NULL AND {value} IS NULL THEN '应填“是”或“否”' END"
    if kind == "when":
        return _when(column, v, today)
    if kind == "date":
        formats = "[" + ", ".join(map(q, DATE_FORMATS)) + "]"
        serial = (
            f"CASE WHEN regexp_full_match({v}, '[0-9]{{1,5}}(\\.0+)?') "
            f"THEN DATE {q(EXCEL_EPOCH)} + CAST(CAST({v} AS DOUBLE) AS INTEGER) END"
        )
        day = f"COALESCE(CAST(try_strptime({v}, {formats}) AS DATE), {serial})"
        value = f"strftime({day}, '%Y-%m-%d')"
        reason = (
            f"CASE WHEN {v} IS NOT NULL AND {day} IS NULL THEN '不是有效日期（应写成2021-03-05或2021/3/5）' "
            f"ELSE {_field_rule(column, day, today)} END"
        )
        return value, reason
    if kind == "int":
        number = f"TRY_CAST(regexp_replace({v}, '(级|个月|月|人|年)$', '') AS DOUBLE)"
        value = f"CAST(TRY_CAST({number} AS BIGINT) AS VARCHAR)"  # TRY: a 1e30 is refused by the rule, not a crash
        reason = (
            f"CASE WHEN {v} IS NOT NULL AND ({number} IS NULL OR {number} != floor({number})) THEN '应为整数' "
            f"ELSE {_field_rule(column, number, today)} END"
        )
        return f"CASE WHEN {number} = floor({number}) THEN {value} END", reason
    if kind == "money":
        text = f"regexp_replace({v}, '[,，元￥¥\\s]', '', 'g')"
        number = f"TRY_CAST({text} AS DECIMAL(38, 12))"  # fine enough that "0.001" is seen to have three decimals
        value = f"CAST(TRY_CAST({number} AS DECIMAL(14, 2)) AS VARCHAR)"
        reason = (
            f"CASE WHEN {v} IS NOT NULL AND {number} IS NULL THEN '不是金额数字' "
            f"ELSE {_field_rule(column, number, today)} END"
        )
        return value, reason
    if kind == "area":
        value = v
        return (
            value,
            f"CASE WHEN {v} IS NOT NULL AND NOT regexp_full_match({v}, '[0-9]{{12}}') "
            "THEN '行政区划代码应为12位数字' END",
        )
    if kind == "id":
        return v, "NULL"  # checked by check_ids
    raise ValueError(kind)


def normalise(con, table: Table, today: date) -> str:
    """Create `norm_<n>` (canonical values) and fill `errors`; returns the normalised table's name.

    One pass computes every column's value and reason; the errors are then read column by column from the
    reason columns (cheap: DuckDB stores columns apart)."""
    cells, norm = table.name.replace("raw_", "cells_"), table.name.replace("raw_", "norm_")
    con.execute(
        f"CREATE VIEW {cells} AS SELECT _row, "
        + ", ".join(f"{cleaned(position)} AS {ident(name)}" for name, position in table.columns.items())
        + f" FROM {table.name}"
    )
    values, checked = ["_row"], []
    for name, position in table.columns.items():
        column = table.sheet.column(name)
        value, reason = rule(column, ident(name), today)
        values.append(f"{value} AS {ident(name)}")
        if reason != "NULL":
            values.append(f"{reason} AS {ident('!' + name)}")
            checked.append((name, column, position))
    # absent columns are there too, as NULL (blank): rules may name any column of the sheet
    values += [
        f"CAST(NULL AS VARCHAR) AS {ident(c.name)}" for c in table.sheet.all_columns if c.name not in table.columns
    ]
    con.execute(f"CREATE TABLE {norm} AS SELECT {', '.join(values)} FROM {cells}")
    # which columns have any error at all, in one scan: a clean file costs no join per column
    flagged = (
        con.execute(
            "SELECT "
            + ", ".join(f"bool_or({ident('!' + name)} IS NOT NULL)" for name, _, _ in checked)
            + f" FROM {norm}"
        ).fetchall()[0]
        if checked
        else ()
    )
    for (name, column, position), any_error in zip(checked, flagged):
        if not any_error:
            continue
        con.execute(
            f"""INSERT INTO errors SELECT ?, n._row, ?, ?, {visible(f"c.{ident(name)}")}, n.{ident("!" + name)}
                FROM {norm} n JOIN {cells} c USING (_row) WHERE n.{ident("!" + name)} IS NOT NULL""",
            [table.title, column.header, column_letter(position)],
        )
    if "id_number" in table.columns:
        check_ids(con, table, norm, today)
    return norm


def create_error_table(con) -> None:
    con.execute(
        "CREATE TABLE errors (sheet VARCHAR, _row INTEGER, header VARCHAR, letter VARCHAR, "
        "value VARCHAR, reason VARCHAR)"
    )


def add_errors(con, table: Table, query: str, header: str, params=()) -> None:
    """Rows of `query` (_row, value, reason) become errors against the column `header` of the sheet."""
    name = next((c.name for c in table.sheet.all_columns if c.header == header), None)
    position = table.columns.get(name) if name else None
    letter = column_letter(position) if position is not None else ""
    # one reason per cell: a later check (say "required") does not pile onto a cell already found wrong
    con.execute(
        f"""INSERT INTO errors SELECT ?, _row, ?, ?, {visible("CAST(value AS VARCHAR)")}, reason FROM ({query}) AS found
            WHERE NOT EXISTS (SELECT 1 FROM errors e WHERE e.sheet = ? AND e._row = found._row AND e.header = ?)""",
        [table.title, header, letter, *params, table.title, header],
    )


# ------------------------------------------------------------------------------------------------------------------
# ID numbers
# ------------------------------------------------------------------------------------------------------------------

_PROVINCES = np.zeros(100, dtype=bool)
_PROVINCES[[int(p) for p in PROVINCE_CODES]] = True
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def plain_valid_ids(ids: np.ndarray, today: date) -> np.ndarray:
    """Which of these texts are well-formed 18-digit resident IDs (see valid_id_grid)."""
    encoded = np.char.encode(ids.astype(str), "ascii", "replace")  # full-width digits and the like become '?'
    plain = np.char.str_len(encoded) == 18
    grid = np.frombuffer(encoded.astype("S18").tobytes(), dtype=np.uint8).reshape(len(ids), 18)
    return plain & valid_id_grid(grid, today)


def valid_id_grid(grid: np.ndarray, today: date) -> np.ndarray:
    """Rows of an (n, 18) byte matrix that are valid resident IDs, vectorised: digits, province, birth date and
    check character. Anything else (15/20/22 digits, spaces, Excel damage) goes to parse_id_number for its
    reason; a property test holds this equal to parse_id_number on 18-character input."""
    digits = grid[:, :17].astype(np.int64) - 48
    ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
    ok &= ((grid[:, 17] >= 48) & (grid[:, 17] <= 57)) | (grid[:, 17] == ord("X"))
    digits = np.clip(digits, 0, 9)
    ok &= _PROVINCES[digits[:, 0] * 10 + digits[:, 1]]
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    limit = np.where((month == 2) & ~leap, 28, _DAYS[np.clip(month, 0, 12)])
    ok &= month_ok & (day >= 1) & (day <= limit)
    born = year * 10000 + month * 100 + day
    ok &= (born >= 19000101) & (born <= int(today.strftime("%Y%m%d")))
    ok &= check_codes(digits) == grid[:, 17]
    return ok


ID_BATCH = 200_000


def _check_id_batch(con, norm: str, rows: pa.RecordBatch, today: date) -> None:
    row_numbers = rows.column("_row").to_numpy()
    plain_mask = rows.column("plain").to_numpy(zero_copy_only=False)
    plain = pc.filter(rows.column("v"), rows.column("plain"))
    ok = np.zeros(len(row_numbers), dtype=bool)
    if len(plain):
        offsets = np.frombuffer(plain.buffers()[1], dtype=np.int32)[plain.offset : plain.offset + len(plain) + 1]
        data = np.frombuffer(plain.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
        ok[plain_mask] = valid_id_grid(data.reshape(len(plain), 18), today)
    con.register("ok_ids", pa.table({"_row": row_numbers, "ok": ok}))
    con.execute(f"INSERT INTO ok_{norm} SELECT * FROM ok_ids")
    con.unregister("ok_ids")
    others = np.flatnonzero(~ok)
    if not len(others):
        return
    raw = rows.column("v").take(pa.array(others)).to_pylist()
    fixed = {"_row": row_numbers[others], "id_fixed": [], "birth": [], "sex": [], "reason": [], "raw": raw}
    for value in raw:
        try:
            info = parse_id_number(value, today=today)
            found = (info.number, info.birth_date.isoformat(), info.sex, None)
        except InvalidIdNumber as exc:
            found = (None, None, None, exc.reason)
        for key, item in zip(("id_fixed", "birth", "sex", "reason"), found):
            fixed[key].append(item)
    con.register(
        "fixed_ids", pa.table({k: pa.array(v, pa.int32() if k == "_row" else pa.string()) for k, v in fixed.items()})
    )
    con.execute(f"INSERT INTO fixed_{norm} SELECT * FROM fixed_ids")
    con.unregister("fixed_ids")


def check_ids(con, table: Table, norm: str, today: date) -> None:
    """Replace the ID column of `norm` with the checked number; add `_birth` and `_sex` derived from it.

    The plain 18-byte values are checked straight from Arrow's buffer as an (n, 18) byte matrix; only the others
    (and the invalid ones) pass through parse_id_number, one by one, for a normalised number or a reason."""
    cells = table.name.replace("raw_", "cells_")
    con.execute(f"CREATE TABLE ok_{norm} (_row INTEGER, ok BOOLEAN)")
    con.execute(
        f"CREATE TABLE fixed_{norm} (_row INTEGER, id_fixed VARCHAR, birth VARCHAR, sex VARCHAR, "
        "reason VARCHAR, raw VARCHAR)"
    )
    reader = (
        con.cursor()
        .sql(  # a second connection reads while the first writes
            f"SELECT _row, id_number AS v, strlen(id_number) = 18 AS plain FROM {cells} WHERE id_number IS NOT NULL"
        )
        .to_arrow_reader(ID_BATCH)
    )
    for rows in reader:  # a batch at a time: memory stays flat
        _check_id_batch(con, norm, rows, today)
    con.execute(
        f"""CREATE OR REPLACE TABLE {norm} AS
            SELECT n.* REPLACE (id_checked AS id_number),
                   COALESCE(x.birth, substr(id_checked, 7, 4) || '-' || substr(id_checked, 11, 2)
                                     || '-' || substr(id_checked, 13, 2)) AS _birth,
                   COALESCE(x.sex, CASE WHEN id_checked IS NULL THEN NULL
                                        WHEN CAST(substr(id_checked, 17, 1) AS INTEGER) % 2 = 1 THEN '1'
                                        ELSE '2' END) AS _sex
            FROM {norm} n LEFT JOIN ok_{norm} o USING (_row) LEFT JOIN fixed_{norm} x USING (_row),
                 LATERAL (SELECT CASE WHEN o.ok THEN n.id_number ELSE x.id_fixed END AS id_checked)"""
    )
    header = table.sheet.column("id_number").header
    add_errors(con, table, f"SELECT _row, raw AS value, reason FROM fixed_{norm} WHERE reason IS NOT NULL", header)
