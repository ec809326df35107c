"""The rule language: every operator parsed, compiled to each dialect and executed there, with the same answer
as the Python evaluator; hostile and malformed text refused with a reason that names the offending part."""

import pytest

from fupin.policy.rules import (
    DIALECTS,
    MAX_DEPTH,
    BoolOp,
    Compare,
    Feature,
    IsNull,
    Literal,
    Param,
    RuleError,
    ValueType,
    compile_sql,
    evaluate,
    features_used,
    params_used,
    parse_rule,
    to_rule_text,
)

PARAMETERS = {"poverty_line": 2995, "ratio": 0.5, "flag": True, "wanted": "poor"}

# three households: one above the line, one exactly at it, one with nothing known
ROWS = [
    {
        "income_per_capita": 3000.0,
        "members": 4,
        "members_with_labour": 2,
        "status": "poor",
        "housing_grade": "1",
        "safe_drinking_water": True,
        "anyone_uninsured": False,
        "out_of_pocket": 500.0,
        "net_income": 12000.0,
    },
    {
        "income_per_capita": 2995.0,
        "members": 1,
        "members_with_labour": 0,
        "status": "exited",
        "housing_grade": "3",
        "safe_drinking_water": False,
        "anyone_uninsured": True,
        "out_of_pocket": 25000.0,
        "net_income": 0.0,
    },
    {},
]

# rule text → expected value for each of ROWS (None: unknown)
OPERATOR_CASES = [
    ("income_per_capita > $poverty_line", [True, False, None]),
    ("income_per_capita >= $poverty_line", [True, True, None]),
    ("income_per_capita = 2995", [False, True, None]),
    ("income_per_capita != 2995", [True, False, None]),
    ("income_per_capita <> 2995", [True, False, None]),
    ("income_per_capita < 2995.5", [False, True, None]),
    ("income_per_capita <= 2995", [False, True, None]),
    ("income_per_capita > 2995 and safe_drinking_water", [True, False, None]),
    ("income_per_capita > 2995 or safe_drinking_water", [True, False, None]),
    ("false and income_per_capita > 0", [False, False, False]),  # false and unknown is false
    ("true or income_per_capita > 0", [True, True, True]),  # true or unknown is true
    ("not anyone_uninsured", [True, False, None]),
    ("members * 1000 + 5 - members_with_labour / 2 > 4000", [True, False, None]),
    ("-members < -2", [True, False, None]),
    ("out_of_pocket / net_income is null", [False, True, True]),  # division by zero is NULL
    ("out_of_pocket / net_income < 0.05", [True, None, None]),
    ("income_per_capita between 2995 and 2999.99", [False, True, None]),
    ("not income_per_capita between 2995 and 2999.99", [True, False, None]),
    ("housing_grade in ('2', '3')", [False, True, None]),
    ("housing_grade not in ('2', '3')", [True, False, None]),
    ("members in (1, 2)", [False, True, None]),
    ("coalesce(income_per_capita, 0) < 1", [False, False, True]),
    ("coalesce(safe_drinking_water, false)", [True, False, False]),
    ("abs(income_per_capita - 3000) <= 5", [True, True, None]),
    ("least(income_per_capita, 2998) = 2998", [True, False, None]),
    ("greatest(members, 3) = 3", [False, True, None]),
    ("least(members, members_with_labour) is null", [False, False, True]),
    ("income_per_capita is null", [False, False, True]),
    ("income_per_capita is not null", [True, True, False]),
    ("safe_drinking_water = not anyone_uninsured", [True, True, None]),
    ("safe_drinking_water != true", [False, True, None]),
    ("safe_drinking_water = $flag", [True, False, None]),
    ("status = $wanted", [True, False, None]),
    ("$flag or safe_drinking_water", [True, True, True]),
    ("income_per_capita <= $poverty_line * (1 + $ratio)", [True, True, None]),
    ("income_per_capita > 2995 = safe_drinking_water", [True, True, None]),
]


@pytest.mark.parametrize("text, expected", OPERATOR_CASES, ids=[case[0] for case in OPERATOR_CASES])
def test_each_operator_gives_the_same_answer_in_python_and_in_every_database(text, expected, feature_table):
    tree = parse_rule(text, PARAMETERS)
    assert [evaluate(tree, {**dict.fromkeys(features_used(tree)), **row}, PARAMETERS) for row in ROWS] == expected
    feature_table.load(ROWS)
    sql = compile_sql(tree, feature_table.dialect, PARAMETERS)
    assert [row[0] for row in feature_table.results([sql])] == expected, sql


EXACT_SQL = {
    "income_per_capita > $poverty_line and not anyone_uninsured": {
        "duckdb": '("income_per_capita" > CAST(2995 AS DOUBLE)) AND (NOT "anyone_uninsured")',
        "sqlite": '("income_per_capita" > CAST(2995 AS REAL)) AND (NOT "anyone_uninsured")',
        "postgres": '("income_per_capita" > CAST(2995 AS DOUBLE PRECISION)) AND (NOT "anyone_uninsured")',
    },
    "housing_grade in ('2', '3') or safe_drinking_water = false": {
        "duckdb": "(\"housing_grade\" IN ('2', '3')) OR (\"safe_drinking_water\" = FALSE)",
        # SQLite: equalities joined by OR, cheaper than its IN (…) per row
        "sqlite": '(("housing_grade" = \'2\' OR "housing_grade" = \'3\')) OR ("safe_drinking_water" = 0)',
        "postgres": "(\"housing_grade\" IN ('2', '3')) OR (\"safe_drinking_water\" = FALSE)",
    },
    "out_of_pocket / net_income > $ratio": {
        "duckdb": '(CAST("out_of_pocket" AS DOUBLE) / NULLIF("net_income", 0)) > CAST(0.5 AS DOUBLE)',
        "sqlite": '(CAST("out_of_pocket" AS REAL) / NULLIF("net_income", 0)) > CAST(0.5 AS REAL)',
        "postgres": '(CAST("out_of_pocket" AS DOUBLE PRECISION) / NULLIF("net_income", 0)) > '
        "CAST(0.5 AS DOUBLE PRECISION)",
    },
    "least(income_per_capita, 3000) between 1 and 2": {
        "duckdb": 'CASE WHEN "income_per_capita" IS NULL THEN NULL ELSE LEAST("income_per_capita", '
        "CAST(3000 AS DOUBLE)) END BETWEEN CAST(1 AS DOUBLE) AND CAST(2 AS DOUBLE)",
        "sqlite": 'MIN("income_per_capita", CAST(3000 AS REAL)) BETWEEN CAST(1 AS REAL) AND CAST(2 AS REAL)',
        "postgres": 'CASE WHEN "income_per_capita" IS NULL THEN NULL ELSE LEAST("income_per_capita", '
        "CAST(3000 AS DOUBLE PRECISION)) END BETWEEN CAST(1 AS DOUBLE PRECISION) AND "
        "CAST(2 AS DOUBLE PRECISION)",
    },
    "members is not null": {dialect: '"members" IS NOT NULL' for dialect in DIALECTS},
}


@pytest.mark.parametrize("text", EXACT_SQL)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_exact_sql(text, dialect):
    assert compile_sql(parse_rule(text, PARAMETERS), dialect, PARAMETERS) == EXACT_SQL[text][dialect]


def test_the_tree_is_our_own_and_typed():
    tree = parse_rule("income_per_capita > $poverty_line and members is not null and not relocated", PARAMETERS)
    assert tree == BoolOp(
        "and",
        (
            Compare(">", Feature("income_per_capita", ValueType.NUMBER), Param("poverty_line", ValueType.NUMBER)),
            IsNull(Feature("members", ValueType.NUMBER), negated=True),
            parse_rule("not relocated"),
        ),
    )
    negative = Literal(-3.0, ValueType.NUMBER)
    assert parse_rule("members > -3") == Compare(">", Feature("members", ValueType.NUMBER), negative)
    assert features_used(tree) == ["income_per_capita", "members", "relocated"]
    assert params_used(tree) == ["poverty_line"]


def test_rule_text_round_trips():
    text = "(coalesce(out_of_pocket, 0) > 20000) or (income_change_ratio <= (0 - $ratio))"
    tree = parse_rule("coalesce(out_of_pocket, 0) > 20000 or income_change_ratio <= -$ratio", PARAMETERS)
    assert to_rule_text(tree) == text
    assert parse_rule(text, PARAMETERS) == tree


def test_a_text_parameter_is_quoted_so_it_cannot_change_the_query(duckdb_table, sqlite_table):
    hostile = {"wanted": "poor' OR 1=1 --"}
    sql = compile_sql(parse_rule("status = $wanted", hostile), "sqlite", hostile)
    assert sql == "\"status\" = 'poor'' OR 1=1 --'"
    for table in (duckdb_table, sqlite_table):
        table.load(ROWS)
        assert table.results([compile_sql(parse_rule("status = $wanted", hostile), table.dialect, hostile)]) == [
            [False],
            [False],
            [None],
        ]


def test_parameter_values_are_checked_when_compiling_and_evaluating():
    tree = parse_rule("income_per_capita > $poverty_line", PARAMETERS)
    with pytest.raises(RuleError, match="应为数值"):
        compile_sql(tree, "duckdb", {"poverty_line": "3000"})
    with pytest.raises(RuleError, match="缺少参数"):
        evaluate(tree, {"income_per_capita": 1}, {})
    with pytest.raises(RuleError, match="缺少特征"):
        evaluate(tree, {}, PARAMETERS)
    with pytest.raises(RuleError, match="方言"):
        compile_sql(tree, "mysql", PARAMETERS)
    assert compile_sql(tree, "duckdb", {"poverty_line": 3300}) == '"income_per_capita" > CAST(3300 AS DOUBLE)'


HOSTILE = [
    ("1; DROP TABLE x", "分号"),
    ("income_per_capita > 1; DROP TABLE households", "分号"),
    ("(select 1)", "不允许查询"),
    ("income_per_capita > (select max(x) from t)", "不允许查询"),
    ("members in (select 1)", "不允许查询"),
    ("exists(select 1)", "不允许查询"),
    ("pg_sleep(10)", "未知函数 'pg_sleep'"),
    ("income_per_capita > 0 and pg_sleep(10) is null", "未知函数 'pg_sleep'"),
    ("ifnull(members, 0) > 1", "未知函数 'ifnull'"),
    ("current_date > 1", "不支持的写法：「CURRENT_DATE」"),
    ("members > 1 or members between symmetric 2 and 1", "不支持的写法"),
    ("members in ()", "不能为空"),
    ("MEMBERS > 1", "是否想写 members"),
    ("cast(members as int) > 1", "未知函数 'cast'"),
    ("members::int > 1", "不支持的写法"),
    ('"income_per_capita" > 1', "名字不要加引号"),
    ("a.b > 1", "带限定的名字「a.b」"),
    ("households.income_per_capita > 1", "带限定的名字"),
    ("incme_per_capita > 1", "未知特征 'incme_per_capita'（是否想写 income_per_capita？）"),
    ("poverty_line > 1", "参数要写成 $poverty_line"),
    ("members > $nope", "未知参数 '$nope'"),
    ("income_per_capita > 'abc'", "类型不一致"),
    ("members + true > 1", "「true」是真假值"),
    ("members + 1", "规则必须是真假判断"),
    ("$poverty_line", "规则必须是真假判断"),
    ("housing_grade > '1'", "只能比较数值"),
    ("housing_grade = '7'", "'7' 不是 housing_grade 的取值"),
    ("members > null", "不能直接写 null"),
    ("members is true", "is null"),
    ("status like 'a%'", "不支持的写法"),
    ("members % 2 = 1", "不支持的写法"),
    ("members > ?", "不支持的写法"),
    ("members > 0x10", "多余的词"),
    ("members > 1 -- comment", "注释"),
    ("members > 1 /* comment */", "注释"),
    ("/* x */ members > 1", "注释"),
    ("-- members > 1", "注释"),
    ("members > 1e400", "超出范围"),
    ("coalesce(members) > 1", "至少需要两个参数"),
    ("least(least(least(least(members, 1), 2), 3), 4) > 1", "最多嵌套"),
    ("members >", "无法解析"),
    ("members > 'unterminated", "无法"),
    ("", "为空"),
    ("   ", "为空"),
    ("members > 1\x00", "空字符"),
    ("(" * 10_000 + "relocated" + ")" * 10_000, "过长"),
    ("(" * (MAX_DEPTH + 1) + "relocated" + ")" * (MAX_DEPTH + 1), "括号嵌套"),
    ("not " * 390 + "relocated", "嵌套"),
    ("- " * 390 + "1 > 0", "嵌套"),
    ("members" + " + members" * 100 + " > 1", "嵌套"),
    ("relocated or " * 300 + "relocated", "过长"),
    ("members > 1 " + "x" * 5000, "过长"),
]


@pytest.mark.parametrize("text, reason", HOSTILE, ids=[repr(text[:40]) for text, _ in HOSTILE])
def test_hostile_and_malformed_rules_are_refused_with_a_reason(text, reason):
    with pytest.raises(RuleError) as refused:
        parse_rule(text, PARAMETERS)
    assert reason in refused.value.message


def test_long_chains_of_and_stay_shallow():
    """`a and b and …` is one node, so a rule listing many conditions is not "too deeply nested"."""
    tree = parse_rule(" and ".join(["relocated"] * 100))
    assert isinstance(tree, BoolOp) and len(tree.operands) == 100
