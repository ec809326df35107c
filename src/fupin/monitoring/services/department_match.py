"""The bulk part of a department upload, in DuckDB: every row's resident ID, its match among the registry's members,
the warning it gives by the pack's thresholds, and the fingerprint that keeps a warning from being raised twice.

Nothing here loops over rows in Python except the rare legacy 15-digit numbers (upgraded by registry.idcard, one
implementation of the rule). The staged file comes from exchange's reader and validation (`norm`, `errors`); the
members from exchange's fetch (a scan of the table or lookups by key, whichever is cheaper). SQL text is built only
from our own names; every value from outside is a parameter.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from fupin.areas.scoping import scope_prefix
from fupin.exchange.importer.fetch import fetch_into, table_size
from fupin.exchange.reading.base import Table, column_letter
from fupin.exchange.validation import add_errors, ident, q
from fupin.registry.idcard import InvalidIdNumber, upgrade_15_to_18
from fupin.registry.models import Household, Member

from .. import codes

#: household statuses whose members count as low-income people for the medical threshold (脱贫人口、监测对象)
LOW_INCOME_STATUSES = ("poor", "exited", "monitored", "risk_eliminated")
MEMBER_FIELDS = ["household_id", "household__village_id", "household__status", "id_number", "dibao", "tekun",
                 "labour_capacity"]  # fmt: skip
#: above this many members, a file naming most of them is matched by reading the two tables whole through ADBC
#: (Arrow, no Python object per value): through the driver a 10,000,000-person registry took 150 s, this way 10 s
ADBC_SCAN_FROM = 1_000_000
#: … when the file names more than one member in ADBC_SHARE (a whole read costs less than a tenth of a lookup)
ADBC_SHARE = 10


def check_required(con, table: Table, norm: str) -> None:
    """Blank required cells and whole numbers outside their column's limits become errors with row and column."""
    for column in table.sheet.columns:
        if column.name not in table.columns or column.name == "id_number":
            continue
        if column.required:
            add_errors(
                con,
                table,
                f"SELECT _row, '' AS value, {q(_('必填，不能为空'))} AS reason FROM {norm} "
                f"WHERE {ident(column.name)} IS NULL",
                column.header,
            )
        if column.kind == "int" and column.low is not None and column.high is not None:
            reason = _("应在%(low)s到%(high)s之间") % {"low": column.low, "high": column.high}
            add_errors(
                con,
                table,
                f"SELECT _row, {ident(column.name)} AS value, {q(reason)} AS reason FROM {norm} "
                f"WHERE CAST({ident(column.name)} AS BIGINT) NOT BETWEEN {int(column.low)} AND {int(column.high)}",
                column.header,
            )
    blank_ids = (
        f"SELECT _row, '' AS value, {q(_('证件号码为空'))} AS reason FROM {table.name.replace('raw_', 'cells_')} "
        "WHERE id_number IS NULL"
    )
    add_errors(con, table, blank_ids, table.sheet.column("id_number").header)


def stage_resident_ids(con, norm: str) -> None:
    """Table `ids`: each valid row's 18-digit resident ID — the number itself, the first 18 digits of a 20/22-digit
    disability certificate, a legacy 15-digit number upgraded."""
    legacy = [
        row[0] for row in con.execute(f"SELECT DISTINCT id_number FROM {norm} WHERE strlen(id_number) = 15").fetchall()
    ]
    upgraded = []
    for number in legacy:
        try:
            upgraded.append(upgrade_15_to_18(number))
        except InvalidIdNumber:  # validation already refused it; the row is invalid
            upgraded.append(None)
    con.register("legacy_ids", pa.table({"old": pa.array(legacy, pa.string()), "new": pa.array(upgraded, pa.string())}))
    con.execute(
        f"""CREATE TABLE ids AS
            SELECT n._row, CASE WHEN strlen(n.id_number) = 15 THEN l.new ELSE n.id_number[1:18] END AS id18
            FROM {norm} n LEFT JOIN legacy_ids l ON l.old = n.id_number
            WHERE n.id_number IS NOT NULL AND n._row NOT IN (SELECT _row FROM errors)"""
    )
    con.unregister("legacy_ids")


def stage_members(con, user) -> None:
    """Table `db_members`: the current members (not moved out) of the user's area whose ID the file names.

    Scoped in DuckDB, as exchange's importer does (in_scope): given the area's range as well, SQLite's planner
    walks the area's households instead of looking the IDs up (minutes instead of seconds for a county)."""
    keys = "SELECT DISTINCT id18 AS k FROM ids WHERE id18 IS NOT NULL"
    size = table_size(Member)
    wanted = con.execute(f"SELECT count(*) FROM ({keys})").fetchall()[0][0]
    if size >= ADBC_SCAN_FROM and wanted * ADBC_SHARE > size and not connection.in_atomic_block:
        _scan_members(con)  # committed rows only: outside any transaction of this connection
    else:
        queryset = Member.objects.filter(left_on__isnull=True).order_by()
        fetch_into(con, "fetched_members", queryset, "id_number", keys, MEMBER_FIELDS)
    con.execute(
        f"""CREATE TABLE db_members AS SELECT * FROM fetched_members
            WHERE starts_with(household_village_id, ?) AND id_number IN ({keys})""",
        [scope_prefix(user)],
    )


def _adbc():
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc

        return adbc.connect(str(database["NAME"]))
    import adbc_driver_postgresql.dbapi as adbc

    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return adbc.connect(f"postgresql://{user}{password}@{database.get('HOST') or 'localhost'}{port}/{database['NAME']}")


def _scan_members(con) -> None:
    """fetched_members from a read of the members and households tables whole, joined in DuckDB."""
    members, households = Member._meta.db_table, Household._meta.db_table
    with _adbc() as adbc, adbc.cursor() as cursor:
        cursor.execute(
            f"SELECT household_id, id_number, dibao, tekun, labour_capacity FROM {members} WHERE left_on IS NULL"
        )
        con.register("scanned_members", cursor.fetch_arrow_table())
        cursor.execute(f"SELECT id, village_id, status FROM {households}")
        con.register("scanned_households", cursor.fetch_arrow_table())
    con.execute(
        """CREATE TABLE fetched_members AS
           SELECT m.household_id, h.village_id AS household_village_id, h.status AS household_status, m.id_number,
                  CASE WHEN CAST(m.dibao AS BOOLEAN) THEN 'true' ELSE 'false' END AS dibao,
                  CASE WHEN CAST(m.tekun AS BOOLEAN) THEN 'true' ELSE 'false' END AS tekun, m.labour_capacity
           FROM scanned_members m JOIN scanned_households h ON h.id = m.household_id"""
    )
    con.unregister("scanned_members")
    con.unregister("scanned_households")


def _number(value, name: str):
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(name)
    return Decimal(str(value))


def _fires(indicator: codes.Indicator, params: dict) -> str:
    """SQL: whether the matched row `r` gives this warning (its value in column r.v_<column>)."""
    value = f"r.{ident('v_' + indicator.column)}"
    if indicator.test == "above":
        low = q(str(_number(params[indicator.param], indicator.param)))
        general = q(str(_number(params[indicator.param_general or indicator.param], indicator.param)))
        limit = f"CAST(CASE WHEN r.low_income THEN {low} ELSE {general} END AS DECIMAL(14, 2))"
        test = f"CAST({value} AS DECIMAL(14, 2)) > {limit}"
    elif indicator.test in ("at_least", "at_most"):
        limit = q(str(_number(params[indicator.param], indicator.param)))
        sign = ">=" if indicator.test == "at_least" else "<="
        test = f"CAST({value} AS DECIMAL(18, 2)) {sign} CAST({limit} AS DECIMAL(18, 2))"
    elif indicator.test == "one_of":
        test = f"{value} IN ({', '.join(map(q, indicator.values))})"
    else:  # given
        test = f"{value} IS NOT NULL"
    if indicator.labour_only:
        test += f" AND r.labour_capacity IN ({', '.join(map(q, codes.WORKING_CAPACITIES))})"
    return f"({test})"


def thresholds(department: str, params: dict) -> dict:
    """The pack's figures the department's warnings compare with, for the clue's description."""
    found = {}
    for indicator in codes.INDICATORS[department]:
        for name in (indicator.param, indicator.param_general):
            if name:
                found[name] = _number(params.get(name), name)
    return found


def match_rows(con, table: Table, norm: str, *, department: str, period: str, params: dict) -> None:
    """Table `matched`: per row, its outcome (invalid / unmatched / ambiguous / matched), the member and household
    when unique, the warning fired (first indicator of the department that fires) and its fingerprint."""
    sheet_columns = [c.name for c in table.sheet.columns if c.name not in ("id_number", "name")]
    values = ", ".join(f"n.{ident(name)} AS {ident('v_' + name)}" for name in sheet_columns)
    indicators = codes.INDICATORS[department]
    fired = " ".join(f"WHEN {_fires(i, params)} THEN {q(i.name)}" for i in indicators)
    statuses = ", ".join(map(q, LOW_INCOME_STATUSES))
    con.execute(
        """CREATE TABLE member_ids AS
           SELECT id_number, count(*) AS n, min(household_id) AS household_id,
                  min(household_village_id) AS village_id, min(household_status) AS status,
                  bool_or(dibao = 'true' OR tekun = 'true') AS assisted, min(labour_capacity) AS labour_capacity
           FROM db_members GROUP BY id_number"""
    )
    con.execute(
        f"""CREATE TABLE rows_in AS
            SELECT n._row, c.id_number AS id_given, n.name, i.id18, {values},
                   e._row IS NOT NULL AS invalid,
                   m.n AS members, m.household_id, m.village_id, m.labour_capacity,
                   (m.status IN ({statuses}) OR m.assisted) AS low_income
            FROM {norm} n JOIN {table.name.replace("raw_", "cells_")} c USING (_row)
                 LEFT JOIN ids i USING (_row) LEFT JOIN member_ids m ON m.id_number = i.id18
                 LEFT JOIN (SELECT DISTINCT _row FROM errors) e ON e._row = n._row"""
    )
    fingerprint = (
        f"'dept:' || {q(department)} || ':' || "
        f"sha256({q(department)} || '|' || r.id18 || '|' || f.indicator || '|' || {q(period)})[1:48]"
    )
    # a plain subquery, not a LATERAL join (which DuckDB decorrelates into a join of its own)
    con.execute(
        f"""CREATE TABLE matched AS
            SELECT f.*, CASE WHEN f.indicator IS NOT NULL THEN {fingerprint.replace("r.id18", "f.id18")} END
                   AS fingerprint
            FROM (SELECT r.*, CASE WHEN r.invalid THEN 'invalid' WHEN r.members IS NULL THEN 'unmatched'
                                   WHEN r.members > 1 THEN 'ambiguous' ELSE 'matched' END AS outcome,
                         CASE WHEN NOT r.invalid AND r.members = 1 THEN (CASE {fired} END) END AS indicator
                  FROM rows_in r) f"""
    )
    # the same person's same warning twice in one file: the first row raises it, the others are "already raised"
    con.execute(
        """CREATE TABLE firsts AS SELECT fingerprint, min(_row) AS first_row FROM matched
           WHERE fingerprint IS NOT NULL GROUP BY fingerprint"""
    )


def error_reasons(con) -> None:
    """Table `reasons`: each invalid row's errors as one text, column letter and header with each reason."""
    con.execute(
        """CREATE TABLE reasons AS
           SELECT _row, string_agg(letter || '列“' || header || '”：' || reason, '；' ORDER BY letter) AS reason
           FROM errors GROUP BY _row"""
    )


def letter_of(table: Table, name: str) -> str:
    position = table.columns.get(name)
    return column_letter(position) if position is not None else ""
