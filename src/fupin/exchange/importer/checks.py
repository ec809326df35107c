"""The checks of an import: what the file says against itself (the same ID twice, one household with two head
names) and against the registry (household numbers, IDs registered elsewhere, villages outside the uploader's area).

Each check is one SQL statement over the staged tables that adds its rows to the `errors` table
(validation.add_errors), with the reason a clerk reads in the report; run_checks runs them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fupin.areas.models import Level
from fupin.areas.scoping import scope_prefix
from fupin.registry import codes
from fupin.registry.sheets import HOUSEHOLDS, INCOMES, MEMBERS

from ..validation import add_errors, ident

if TYPE_CHECKING:
    from .run import Import


def _err(staged: Import, kind: str, header: str, query: str, params=()):
    add_errors(staged.con, staged.by_kind[kind], query, header, params)


def run_checks(staged: Import):
    """Every check of the staged sheets, each adding its rows to the `errors` table."""
    h = staged.norm.get("households")
    m = staged.norm.get("members")
    i = staged.norm.get("incomes")
    number = HOUSEHOLDS.column("number").header
    for kind, norm in staged.norm.items():
        table = staged.by_kind.get(kind)
        if table is not None and "number" not in table.sheet.key:
            continue  # keyed by village (village events)
        _err(
            staged,
            kind,
            number,
            f"SELECT _row, number AS value, '户编号不能为空' AS reason FROM {norm} WHERE number IS NULL",
        )
    if h:
        _check_households(staged, h, number)
    if m:
        _check_roster(staged, m)
        _check_members(staged, m, number)
    if i:
        _check_incomes(staged, i, number)


def _duplicates(staged: Import, kind, norm, keys: list[str], header: str, what: str):
    key = ", ".join(keys)
    _err(
        staged,
        kind,
        header,
        f"""
        SELECT _row, {keys[-1]} AS value,
               '与第' || list_aggregate(others, 'string_agg', '、') || '行重复（{what}）' AS reason
        FROM (SELECT _row, {key}, list(_row) OVER (PARTITION BY {key}) AS all_rows FROM {norm}
              WHERE {" AND ".join(f"{k} IS NOT NULL" for k in keys)}),
             LATERAL (SELECT list_filter(all_rows, lambda r: r != _row) AS others)
        WHERE len(others) > 0""",
    )


def _village_errors(staged: Import, kind, norm):
    header = HOUSEHOLDS.column("village").header
    _err(
        staged,
        kind,
        header,
        f"""
        SELECT n._row, n.village AS value, CASE
            WHEN a.code IS NULL THEN '行政区划代码不存在'
            WHEN a.level != {int(Level.VILLAGE)} THEN '不是行政村的代码，农户须登记到行政村'
            WHEN NOT a.in_scope THEN '该行政村不在您的管辖范围内' END AS reason
        FROM {norm} n LEFT JOIN areas a ON a.code = n.village
        WHERE n.village IS NOT NULL AND (a.code IS NULL OR a.level != {int(Level.VILLAGE)} OR NOT a.in_scope)""",
    )
    _err(
        staged,
        kind,
        header,
        f"""
        SELECT n._row, NULL AS value, '新建农户须填写行政区划代码' AS reason
        FROM {norm} n LEFT JOIN db_households d USING (number)
        WHERE n.number IS NOT NULL AND d.id IS NULL AND n.village IS NULL""",
    )


def _outside_scope(staged: Import, kind, norm, header):
    _err(
        staged,
        kind,
        header,
        f"""
        SELECT n._row, n.number AS value, '该户编号已登记在您管辖范围以外的行政村，不能修改' AS reason
        FROM {norm} n JOIN db_households d USING (number) WHERE NOT d.in_scope""",
    )


def _check_households(staged: Import, h, number):
    _duplicates(staged, "households", h, ["number"], number, "同一户只能有一行")
    _outside_scope(staged, "households", h, number)
    _village_errors(staged, "households", h)
    _require_new_household(staged, "households", h)


def _require_new_household(staged: Import, kind, norm):
    _err(
        staged,
        kind,
        HOUSEHOLDS.column("head_name").header,
        f"""
        SELECT n._row, NULL AS value, '新建农户须填写户主姓名' AS reason
        FROM {norm} n LEFT JOIN db_households d USING (number)
        WHERE n.number IS NOT NULL AND d.id IS NULL AND n.head_name IS NULL""",
    )


def _check_roster(staged: Import, m):
    """A roster row carries its household (some household columns besides 户编号): one household's rows must
    agree, and the head's name may come from the member recorded as 户主. With a households sheet in the same
    workbook, that sheet is the household; a member sheet without household columns only names households."""
    columns = staged.roster_columns()
    if "households" in staged.norm:
        staged.by_kind["members"].ignored += [MEMBERS.column(c).header for c in columns]
        return
    if not columns:
        return
    for name in columns:
        header = MEMBERS.column(name).header
        _err(
            staged,
            "members",
            header,
            f"""
            SELECT _row, {ident(name)} AS value,
                   '同一户编号的各行“{header}”不一致（本户各行：'
                   || string_agg(DISTINCT v, '、') OVER (PARTITION BY number) || '）' AS reason
            FROM (SELECT _row, number, {ident(name)}, {ident(name)} AS v,
                         count(DISTINCT {ident(name)}) OVER (PARTITION BY number) AS n
                  FROM {m} WHERE number IS NOT NULL)
            WHERE n > 1""",
        )
    head = f"max(CASE WHEN relation = '{codes.Relation.HEAD}' THEN name END)"
    values = [
        f"COALESCE(max(head_name), {head}) AS head_name"
        if c.name == "head_name"
        else f"max({ident(c.name)}) AS {ident(c.name)}"
        for c in MEMBERS.household_columns
    ]
    staged.con.execute(f"""
        CREATE TABLE roster_households AS
        SELECT number, min(_row) AS _row, {", ".join(values)} FROM {m} WHERE number IS NOT NULL GROUP BY number""")
    staged.norm["roster"] = "roster_households"
    _outside_scope(staged, "members", m, HOUSEHOLDS.column("number").header)
    _village_errors(
        staged, "members", f"(SELECT m._row, m.number, r.village FROM {m} m JOIN roster_households r USING (number))"
    )
    _require_new_household(
        staged, "members", f"(SELECT m._row, m.number, r.head_name FROM {m} m JOIN roster_households r USING (number))"
    )


def _known_households(staged: Import) -> str:
    """Household numbers that will exist after the import: the registry's in scope and the file's new ones."""
    parts = ["SELECT number FROM db_households WHERE in_scope"]
    for kind in ("households", "roster"):
        if kind in staged.norm:
            parts.append(f"SELECT number FROM {staged.norm[kind]} WHERE number IS NOT NULL")
    return " UNION ".join(parts)


def _missing_household(staged: Import, kind, norm, header):
    _err(
        staged,
        kind,
        header,
        f"""
        SELECT _row, number AS value,
               '户编号在系统和本文件中都不存在（或不在您的管辖范围内），请先导入该户' AS reason
        FROM {norm} WHERE number IS NOT NULL AND number NOT IN ({_known_households(staged)})""",
    )


def _check_members(staged: Import, m, number):
    id_header = MEMBERS.column("id_number").header
    table = staged.by_kind["members"]
    _err(
        staged,
        "members",
        id_header,
        f"SELECT _row, NULL AS value, '证件号码不能为空' AS reason FROM {m} "
        "WHERE id_number IS NULL AND _row NOT IN (SELECT _row FROM errors WHERE sheet = ? AND header = ?)",
        [table.title, id_header],
    )
    _duplicates(staged, "members", m, ["id_number"], id_header, "同一人只能登记一次")
    if "roster" not in staged.norm:
        _missing_household(staged, "members", m, number)
    prefix = scope_prefix(staged.user)
    _err(
        staged,
        "members",
        id_header,
        f"""
        SELECT n._row, n.id_number AS value,
               '该证件号码已在' || CASE WHEN starts_with(d.household_village_id, ?) THEN '户' || d.household_number
               ELSE '本辖区以外的户（请联系县级核实）' END || '登记，同一人不能重复建档' AS reason
        FROM {m} n JOIN db_members d USING (id_number) WHERE d.household_number != n.number""",
        [prefix],
    )
    for name, what in (("name", "姓名"), ("relation", "与户主关系")):
        if name in table.columns:
            _err(
                staged,
                "members",
                MEMBERS.column(name).header,
                f"""
                SELECT n._row, NULL AS value, '新增成员须填写{what}' AS reason
                FROM {m} n LEFT JOIN db_members d USING (id_number)
                WHERE d.id IS NULL AND n.{name} IS NULL AND n.id_number IS NOT NULL""",
            )
        else:
            _err(
                staged,
                "members",
                id_header,
                f"""
                SELECT n._row, n.id_number AS value, '新增成员须填写{what}（文件中没有这一列）' AS reason
                FROM {m} n LEFT JOIN db_members d USING (id_number) WHERE d.id IS NULL AND n.id_number IS NOT NULL""",
            )
    for name, derived in (("birth_date", "_birth"), ("sex", "_sex")):
        column = MEMBERS.column(name)
        if name in table.columns:
            _err(
                staged,
                "members",
                column.header,
                f"""
                SELECT _row, {name} AS value, '与证件号码中的“' || {derived} || '”不一致' AS reason
                FROM {m} WHERE {name} IS NOT NULL AND {derived} IS NOT NULL AND {name} != {derived}
                  AND COALESCE(id_type, '1') IN ('1', '2')""",
            )


def _check_incomes(staged: Import, i, number):
    year = INCOMES.column("year").header
    _err(staged, "incomes", year, f"SELECT _row, NULL AS value, '年度不能为空' AS reason FROM {i} WHERE year IS NULL")
    _duplicates(staged, "incomes", i, ["number", "year"], year, "同一户同一年度只能有一行")
    _missing_household(staged, "incomes", i, number)
    persons = INCOMES.column("persons").header
    present = "persons" in staged.by_kind["incomes"].columns
    _err(
        staged,
        "incomes",
        persons,
        f"""
        SELECT n._row, NULL AS value, '新增收入台账须填写家庭人口数' AS reason
        FROM {i} n LEFT JOIN db_incomes d ON d.household_number = n.number AND d.year = n.year
        WHERE d.id IS NULL AND {"n.persons" if present else "NULL"} IS NULL AND n.year IS NOT NULL""",
    )
