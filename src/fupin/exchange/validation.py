"""Row-by-row validation of a staged sheet, in DuckDB: every cell normalised to its canonical text, or an error.

Canonical text is what the diff compares and the writer stores: codes as their code value, booleans as
'true'/'false', dates as YYYY-MM-DD, whole numbers in decimal, money with two decimals. NULL means the cell was
blank (for an existing record: leave the value as it is). Each column's rule is one SQL expression generated from
its Column spec, so a million rows are checked in a few vectorised passes, never a Python loop per row. ID
numbers are the exception that proves it: a numpy pass recognises the valid 18-digit ones, and only the rest go
through registry.idcard for their Chinese reason (one implementation of the rule, fast for the common case).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from fupin.registry.idcard import PROVINCE_CODES, InvalidIdNumber, parse_id_number

from .columns import Column
from .reading import Table, column_letter

BLANKS = "' ' || chr(9) || chr(10) || chr(13) || chr(12288) || chr(160)"
TRUE_WORDS = ("是", "Y", "y", "YES", "Yes", "yes", "1", "TRUE", "True", "true", "√", "有", "已")
FALSE_WORDS = ("否", "N", "n", "NO", "No", "no", "0", "FALSE", "False", "false", "×", "无", "未")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S")
EXCEL_EPOCH = "1899-12-30"  # Excel's day 0, accounting for its 1900 leap-year bug
MASKED = "含“*”，是脱敏后的值，不能用于导入，请使用未脱敏的原始数据"
FORMULA_GUARD = "=+-@"  # a leading ' that exports put before such text to keep Excel from running it


def q(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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


def rule(column: Column, v: str, today: date) -> tuple[str, str]:
    """(canonical value, error reason) as SQL expressions over the cleaned cell `v`."""
    kind = column.kind
    if kind == "text":
        value = f"CASE WHEN length({v}) > 1 AND {v}[1] = '''' AND contains({q(FORMULA_GUARD)}, {v}[2]) THEN {v}[2:] ELSE {v} END"
        checks = [f"WHEN length({value}) > {column.max_length} THEN '超过' || {column.max_length} || '个字（实际' || length({value}) || '个）'"]
        if column.name in ("phone", "bank_account"):
            checks.insert(0, f"WHEN contains({v}, '*') THEN {q(MASKED)}")
        return value, f"CASE {' '.join(checks)} END"
    if kind == "code":
        value = _code_case(column, v)
        return value, f"CASE WHEN {v} IS NOT NULL AND {value} IS NULL THEN {q('不在代码表中，可填：' + _choices_hint(column))} END"
    if kind == "bool":
        value = (
            f"CASE WHEN {v} IN ({', '.join(map(q, TRUE_WORDS))}) THEN 'true' "
            f"WHEN {v} IN ({', '.join(map(q, FALSE_WORDS))}) THEN 'false' END"
        )
        return value, f"CASE WHEN {v} IS NOT NULL AND {value} IS NULL THEN '应填“是”或“否”' END"
    if kind == "date":
        formats = "[" + ", ".join(map(q, DATE_FORMATS)) + "]"
        serial = f"CASE WHEN regexp_full_match({v}, '[0-9]{{1,5}}(\\.0+)?') THEN DATE {q(EXCEL_EPOCH)} + CAST(CAST({v} AS DOUBLE) AS INTEGER) END"
        day = f"COALESCE(CAST(try_strptime({v}, {formats}) AS DATE), {serial})"
        value = f"strftime({day}, '%Y-%m-%d')"
        reason = (
            f"CASE WHEN {v} IS NOT NULL AND {day} IS NULL THEN '不是有效日期（应写成2021-03-05或2021/3/5）' "
            f"WHEN {day} > DATE {q(today.isoformat())} THEN '日期晚于今天' "
            f"WHEN {day} < DATE '1900-01-01' THEN '日期早于1900年' END"
        )
        return value, reason
    if kind == "int":
        number = f"TRY_CAST(regexp_replace({v}, '(级|个月|月|人|年)$', '') AS DOUBLE)"
        value = f"CAST(CAST({number} AS BIGINT) AS VARCHAR)"
        bounds = []
        if column.low is not None:
            bounds.append(f"WHEN {number} < {column.low} OR {number} > {column.high} THEN '应在{column.low}到{column.high}之间'")
        reason = (
            f"CASE WHEN {v} IS NOT NULL AND ({number} IS NULL OR {number} != floor({number})) THEN '应为整数' "
            f"{' '.join(bounds)} END"
        )
        return f"CASE WHEN {number} = floor({number}) THEN {value} END", reason
    if kind == "money":
        text = f"regexp_replace({v}, '[,，元￥¥\\s]', '', 'g')"
        number = f"TRY_CAST({text} AS DECIMAL(18, 4))"
        value = f"CAST(CAST({number} AS DECIMAL(14, 2)) AS VARCHAR)"
        reason = (
            f"CASE WHEN {v} IS NOT NULL AND {number} IS NULL THEN '不是金额数字' "
            f"WHEN {number} < 0 THEN '金额不能为负数' "
            f"WHEN {number} != round({number}, 2) THEN '金额最多两位小数（到分）' "
            f"WHEN {number} >= 1e10 THEN '金额过大' END"
        )
        return value, reason
    if kind == "area":
        value = v
        return value, f"CASE WHEN {v} IS NOT NULL AND NOT regexp_full_match({v}, '[0-9]{{12}}') THEN '行政区划代码应为12位数字' END"
    if kind == "id":
        return v, "NULL"  # checked by check_ids
    raise ValueError(kind)


def normalise(con, table: Table, today: date) -> str:
    """Create `norm_<n>` (canonical values) and fill `errors`; returns the normalised table's name."""
    cells, norm = table.name.replace("raw_", "cells_"), table.name.replace("raw_", "norm_")
    con.execute(
        f"CREATE TABLE {cells} AS SELECT _row, "
        + ", ".join(f"{cleaned(position)} AS {ident(name)}" for name, position in table.columns.items())
        + f" FROM {table.name}"
    )
    values, checks = ["_row"], []
    for name, position in table.columns.items():
        column = table.sheet.column(name)
        value, reason = rule(column, ident(name), today)
        values.append(f"{value} AS {ident(name)}")
        if reason != "NULL":
            checks.append(
                f"SELECT _row, {q(table.title)}, {q(column.header)}, {q(column_letter(position))}, {ident(name)}, {reason} "
                f"FROM {cells} WHERE ({reason}) IS NOT NULL"
            )
    # absent columns are there too, as NULL (blank): rules may name any column of the sheet
    values += [f"CAST(NULL AS VARCHAR) AS {ident(c.name)}" for c in table.sheet.all_columns if c.name not in table.columns]
    con.execute(f"CREATE TABLE {norm} AS SELECT {', '.join(values)} FROM {cells}")
    if checks:
        con.execute(
            "INSERT INTO errors SELECT col1 AS sheet, col0 AS _row, col2, col3, col4, col5 FROM ("
            + " UNION ALL ".join(f"SELECT * FROM ({c}) AS t(col0, col1, col2, col3, col4, col5)" for c in checks)
            + ")"
        )
    if "id_number" in table.columns:
        check_ids(con, table, norm, today)
    return norm


def create_error_table(con) -> None:
    con.execute(
        "CREATE TABLE errors (sheet VARCHAR, _row INTEGER, header VARCHAR, letter VARCHAR, value VARCHAR, reason VARCHAR)"
    )


def add_errors(con, table: Table, query: str, header: str, params=()) -> None:
    """Rows of `query` (_row, value, reason) become errors against the column `header` of the sheet."""
    name = next((c.name for c in table.sheet.all_columns if c.header == header), None)
    position = table.columns.get(name) if name else None
    letter = column_letter(position) if position is not None else ""
    # one reason per cell: a later check (say "required") does not pile onto a cell already found wrong
    con.execute(
        f"""INSERT INTO errors SELECT ?, _row, ?, ?, CAST(value AS VARCHAR), reason FROM ({query}) AS found
            WHERE NOT EXISTS (SELECT 1 FROM errors e WHERE e.sheet = ? AND e._row = found._row AND e.header = ?)""",
        [table.title, header, letter, *params, table.title, header],
    )


# ------------------------------------------------------------------------------------------------------------------
# ID numbers
# ------------------------------------------------------------------------------------------------------------------

_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_PROVINCES = np.zeros(100, dtype=bool)
_PROVINCES[[int(p) for p in PROVINCE_CODES]] = True
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def plain_valid_ids(ids: np.ndarray, today: date) -> np.ndarray:
    """Which of these texts are well-formed 18-digit resident IDs, vectorised: digits, province, birth date and
    check character. Anything else (15/20/22 digits, spaces, Excel damage) is False and goes to parse_id_number;
    a property test holds this equal to parse_id_number on 18-digit input."""
    encoded = np.char.encode(ids.astype(str), "ascii", "replace")  # full-width digits and the like become '?'
    lengths = np.char.str_len(encoded)
    raw = encoded.astype("S18")
    grid = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(len(raw), 18)
    digits = grid[:, :17] - 48
    ok = (lengths == 18) & (digits <= 9).all(axis=1)
    ok &= (grid[:, 17] - 48 <= 9) | (grid[:, 17] == ord("X"))
    ok &= _PROVINCES[np.clip(digits[:, 0] * 10 + digits[:, 1], 0, 99)]
    year = digits[:, 6:10].astype(np.int64) @ np.array([1000, 100, 10, 1])
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    limit = np.where((month == 2) & ~leap, 28, _DAYS[np.clip(month, 0, 12)])
    ok &= month_ok & (day >= 1) & (day <= limit)
    born = year * 10000 + month * 100 + day
    ok &= (born >= 19000101) & (born <= int(today.strftime("%Y%m%d")))
    check = _CHECK[(digits.astype(np.int64) @ _WEIGHTS) % 11]
    ok &= check == grid[:, 17]
    return ok


def check_ids(con, table: Table, norm: str, today: date) -> None:
    """Replace the ID column of `norm` with the checked number; add `_birth` and `_sex` derived from it."""
    cells = table.name.replace("raw_", "cells_")
    rows = con.sql(f"SELECT _row, id_number AS v FROM {cells} ORDER BY _row").to_arrow_table()
    row_numbers = rows.column("_row").to_numpy()
    values = rows.column("v").to_numpy(zero_copy_only=False)
    present = np.not_equal(values, None)
    text = np.where(present, values, "").astype(str)
    valid = present & plain_valid_ids(text, today)
    number = np.where(valid, text, None).astype(object)
    births = np.full(len(text), None, dtype=object)  # from parse_id_number; SQL derives the plain ones'
    sexes = np.full(len(text), None, dtype=object)
    reasons = np.full(len(text), None, dtype=object)
    for i in np.flatnonzero(present & ~valid):
        try:
            info = parse_id_number(values[i], today=today)
        except InvalidIdNumber as exc:
            reasons[i] = exc.reason
            continue
        number[i], births[i], sexes[i] = info.number, info.birth_date.isoformat(), info.sex
    checked = pa.table({
        "_row": row_numbers, "number": pa.array(number, pa.string()), "birth": pa.array(births, pa.string()),
        "sex": pa.array(sexes, pa.string()), "reason": pa.array(reasons, pa.string()), "raw": values,
    })  # fmt: skip
    con.register("checked_ids", checked)
    con.execute(f"CREATE TABLE ids_{norm} AS SELECT * FROM checked_ids")
    con.unregister("checked_ids")
    con.execute(
        f"""CREATE OR REPLACE TABLE {norm} AS
            SELECT n.* REPLACE (i.number AS id_number),
                   COALESCE(i.birth, substr(i.number, 7, 4) || '-' || substr(i.number, 11, 2) || '-' || substr(i.number, 13, 2)) AS _birth,
                   COALESCE(i.sex, CASE WHEN i.number IS NULL THEN NULL WHEN CAST(substr(i.number, 17, 1) AS INTEGER) % 2 = 1 THEN '1' ELSE '2' END) AS _sex
            FROM {norm} n JOIN ids_{norm} i USING (_row)"""
    )
    header = table.sheet.column("id_number").header
    add_errors(con, table, f"SELECT _row, raw AS value, reason FROM ids_{norm} WHERE reason IS NOT NULL", header)
