"""Property: for random well-typed rules and random households (NULLs included), the Python evaluator gives
exactly what DuckDB, SQLite and PostgreSQL give on the compiled SQL — so explaining one household and assessing
the whole registry can never disagree. And rule text written from a tree parses back to the same tree."""

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.policy.features import FEATURES, FeatureType
from fupin.policy.rules import (
    Arith,
    Between,
    BoolOp,
    Call,
    Compare,
    Feature,
    InList,
    IsNull,
    Literal,
    Not,
    Param,
    RuleError,
    ValueType,
    compile_sql,
    evaluate,
    feature_value_type,
    parse_rule,
    to_rule_text,
)

NUMBER, BOOLEAN, TEXT = ValueType.NUMBER, ValueType.BOOLEAN, ValueType.TEXT
MAX_DEPTH = 3

# magnitudes kept where doubles neither overflow nor underflow after a few operations (PostgreSQL raises on both)
money = st.integers(-(10**8), 10**8).map(lambda cents: cents / 100)
any_double = st.builds(lambda sign, size: sign * size, st.sampled_from([-1.0, 1.0]), st.floats(1e-3, 1e6))
number_values = st.one_of(
    st.integers(-5, 5).map(float), st.sampled_from([0.1, 0.2, 0.3, 0.5, 1.5, 2995.0, 2995.01]), money, any_double
)
text_values = st.sampled_from(["poor", "exited", "1", "3", "", "it's", "a\\b", "中文", "x' OR 1=1 --"])


def _names(value_type: ValueType) -> list[str]:
    return [name for name, feature in FEATURES.items() if feature_value_type(feature.type) is value_type]


parameter_values = st.fixed_dictionaries({"p_number": number_values, "p_flag": st.booleans(), "p_text": text_values})
DECLARED_PARAMETERS = {"p_number": 0.0, "p_flag": False, "p_text": ""}


def _leaves(value_type: ValueType):
    literal = {NUMBER: number_values, BOOLEAN: st.booleans(), TEXT: text_values}[value_type]
    parameter = {NUMBER: "p_number", BOOLEAN: "p_flag", TEXT: "p_text"}[value_type]
    return st.one_of(
        literal.map(lambda value: Literal(value, value_type)),
        st.sampled_from(_names(value_type)).map(lambda name: Feature(name, value_type)),
        st.just(Param(parameter, value_type)),
    )


def _lists(strategy, low=2, high=3):
    return st.lists(strategy, min_size=low, max_size=high).map(tuple)


@cache
def trees(value_type: ValueType, depth: int):
    """Well-typed trees of `value_type`, at most `depth` operators deep."""
    if depth == 0:
        return _leaves(value_type)
    numbers, texts, booleans = (trees(t, depth - 1) for t in (NUMBER, TEXT, BOOLEAN))
    same = trees(value_type, depth - 1)
    options = [_leaves(value_type), st.builds(lambda args: Call("coalesce", args, value_type), _lists(same))]
    if value_type is NUMBER:
        options += [
            st.builds(Arith, st.sampled_from("+-*/"), numbers, numbers),
            st.builds(lambda arg: Call("abs", (arg,), NUMBER), numbers),
            st.builds(
                lambda name, args: Call(name, args, NUMBER), st.sampled_from(["least", "greatest"]), _lists(numbers)
            ),
        ]
    if value_type is BOOLEAN:
        options += [
            st.builds(Compare, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), numbers, numbers),
            st.builds(Compare, st.sampled_from(["=", "!="]), texts, texts),
            st.builds(Compare, st.sampled_from(["=", "!="]), booleans, booleans),
            st.builds(BoolOp, st.sampled_from(["and", "or"]), _lists(booleans)),
            st.builds(Not, booleans),
            st.builds(Between, numbers, numbers, numbers),
            st.builds(InList, numbers, _lists(numbers, 1)),
            st.builds(InList, texts, _lists(texts, 1)),
            st.builds(IsNull, st.one_of(numbers, texts, booleans), st.booleans()),
        ]
    return st.one_of(options)


def _feature_values(feature):
    values = {
        FeatureType.NUMBER: number_values,
        FeatureType.INTEGER: st.integers(0, 30),
        FeatureType.BOOLEAN: st.booleans(),
        FeatureType.TEXT: text_values,
    }[feature.type]
    return st.one_of(st.none(), values)


households = st.fixed_dictionaries({name: _feature_values(feature) for name, feature in FEATURES.items()})


def _check_against(table, tree, rows, parameters):
    table.load(rows)
    sql = compile_sql(tree, table.dialect, parameters)
    expected = [evaluate(tree, row, parameters) for row in rows]
    assert [row[0] for row in table.results([sql])] == expected, f"{to_rule_text(tree)}\n{sql}"


def _examples(count):
    """DuckDB spends ~3 ms a statement, so the database properties run fewer examples than the pure one."""
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_examples(200)
@given(tree=trees(BOOLEAN, MAX_DEPTH), rows=st.lists(households, min_size=1, max_size=4), parameters=parameter_values)
@pytest.mark.slow
def test_python_equals_duckdb_and_sqlite(duckdb_table, sqlite_table, tree, rows, parameters):
    _check_against(duckdb_table, tree, rows, parameters)
    _check_against(sqlite_table, tree, rows, parameters)


@_examples(100)
@given(tree=trees(BOOLEAN, MAX_DEPTH), rows=st.lists(households, min_size=1, max_size=3), parameters=parameter_values)
def test_python_equals_postgres(postgres_table, tree, rows, parameters):
    _check_against(postgres_table, tree, rows, parameters)


@_examples(300)
@given(tree=trees(BOOLEAN, MAX_DEPTH))
def test_rule_text_parses_back_to_the_same_tree(tree):
    text = to_rule_text(tree)
    try:
        parsed = parse_rule(text, DECLARED_PARAMETERS)
    except RuleError as refused:  # a text feature compared with a value outside its code list
        assert "不是" in refused.message and "的取值" in refused.message, text
        return
    assert parsed == tree, text
