"""The rule language: rule text → checked, typed tree → SQL for each dialect, or a Python answer for one household.

A rule is a boolean expression over the features of `features.FEATURES` and the parameters of a policy pack:

    income_per_capita > $poverty_line and not anyone_uninsured
    housing_grade in ('2', '3') or coalesce(out_of_pocket, 0) > $out_of_pocket_threshold
    income_change_ratio <= -$income_drop_ratio

Syntax: numbers, 'text' (a quote inside is doubled: 'it''s'), true/false; features by bare name; pack parameters
(lines, params, options) as `$name` — one sigil that cannot be mistaken for a feature or a qualified column;
= != (or <>) < <= > >=; and, or, not; + - * /; parentheses; `x between a and b`; `x in ('1', '2')`;
`x is null`, `x is not null`; the functions coalesce, abs, least, greatest. Nothing else: no comments, no
quoted or qualified names, no queries, no other functions, no casts.

Why sqlglot and then our own tree: sqlglot gives a real SQL expression parser, but its tree can hold the whole of
SQL. We convert it node by node into the few dataclasses below, refusing every node type, argument, function and
name that is not whitelisted, so the SQL we later emit is written by us from that tree alone — the rule text
itself never reaches a database.

Types: number, boolean, text. Ordering (< <= > >= between, least, greatest) is for numbers only; text and
booleans compare with = and != (text ordering would depend on each database's collation).

Semantics, identical in SQL and in `evaluate` (a property test holds them together):
- SQL NULL and three-valued logic: a comparison with NULL is unknown (None); `false and unknown` is false,
  `true or unknown` is true; `not unknown` is unknown. Only `is null`, `is not null` and coalesce look at NULL.
- Numbers are IEEE doubles everywhere: literals and parameters are emitted as CAST(… AS DOUBLE), number features
  are DOUBLE columns (see SQL_COLUMN_TYPES), so 0.1 + 0.2 means the same in DuckDB (which would otherwise use
  exact decimals), SQLite and PostgreSQL.
- Division by zero gives NULL (PostgreSQL would raise, DuckDB gives infinity, SQLite NULL).
- least/greatest give NULL when any argument is NULL (PostgreSQL and DuckDB would skip NULLs; we chose the strict
  reading so that unknown input never silently becomes a known threshold — write coalesce to skip a NULL).

Parameters are inlined into the SQL as literals (numbers formatted by us, text quoted by sqlglot), not bound:
the compiled SQL of a pack is self-contained, cacheable text that DuckDB can fold, and the tree is parsed once and
can be compiled again with other values (a what-if on the monitoring line). Parameter values are type-checked
against the types the rule was parsed with.

In SQLite a boolean feature is stored as 0/1 (as Django stores BooleanField) and true/false are written 1/0, so
boolean comparisons `a = b` mean the same there as in DuckDB and PostgreSQL.
"""

import difflib
import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import Enum
from typing import ClassVar, get_args

import sqlglot
from django.utils.translation import gettext as _
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from fupin.core.errors import DomainError

from .features import FEATURES, FeatureType

MAX_RULE_LENGTH = 2000
MAX_TOKENS = 400
MAX_DEPTH = 32
#: least/greatest are emitted with their arguments twice in DuckDB/PostgreSQL (the NULL check), so their nesting
#: is bounded to keep the compiled SQL at most 2**3 times the rule
MAX_LEAST_GREATEST_NESTING = 3

DIALECTS = ("duckdb", "sqlite", "postgres")

#: the column types of the feature table a compiled rule runs against
SQL_COLUMN_TYPES = {
    "duckdb": {
        FeatureType.NUMBER: "DOUBLE",
        FeatureType.INTEGER: "BIGINT",
        FeatureType.BOOLEAN: "BOOLEAN",
        FeatureType.TEXT: "VARCHAR",
    },
    "sqlite": {
        FeatureType.NUMBER: "REAL",
        FeatureType.INTEGER: "INTEGER",
        FeatureType.BOOLEAN: "INTEGER",
        FeatureType.TEXT: "TEXT",
    },
    "postgres": {
        FeatureType.NUMBER: "DOUBLE PRECISION",
        FeatureType.INTEGER: "BIGINT",
        FeatureType.BOOLEAN: "BOOLEAN",
        FeatureType.TEXT: "TEXT",
    },
}

FUNCTIONS = ("abs", "coalesce", "greatest", "least")
_WORDS_BEFORE_PAREN = {*FUNCTIONS, "in", "not", "and", "or", "between"}
_QUERY_TOKENS = {TokenType.SELECT, TokenType.WITH, TokenType.FROM}


class RuleError(DomainError):
    """Rule text (or a parameter value) that the language refuses, with the reason in Chinese."""

    code = "invalid_rule"


class ValueType(str, Enum):
    NUMBER = "number"
    BOOLEAN = "boolean"
    TEXT = "text"

    @property
    def label(self) -> str:
        return {"number": _("数值"), "boolean": _("真假值"), "text": _("文本")}[self.value]


NUMBER, BOOLEAN, TEXT = ValueType.NUMBER, ValueType.BOOLEAN, ValueType.TEXT


def feature_value_type(feature_type: FeatureType) -> ValueType:
    """Integers are numbers to the language; the distinction only matters for storage."""
    return {FeatureType.BOOLEAN: BOOLEAN, FeatureType.TEXT: TEXT}.get(feature_type, NUMBER)


def value_type_of(value) -> ValueType:
    """The language type of a parameter value (bool is checked first: in Python it is also an int)."""
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, (int, float, Decimal)) and math.isfinite(value):
        return NUMBER
    if isinstance(value, str):
        if "\x00" in value:
            raise RuleError(_("参数值 %(value)s 含有空字符（\\x00）") % {"value": repr(value)})
        return TEXT
    raise RuleError(_("参数值 %(value)s 不是数值、文本或 true/false") % {"value": repr(value)})


# ── the typed tree ───────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Literal:
    value: float | str | bool
    type: ValueType


@dataclass(frozen=True)
class Feature:
    name: str
    type: ValueType


@dataclass(frozen=True)
class Param:
    name: str
    type: ValueType


@dataclass(frozen=True)
class Compare:
    op: str  # = != < <= > >=
    left: "Node"
    right: "Node"
    type: ClassVar[ValueType] = BOOLEAN


@dataclass(frozen=True)
class BoolOp:
    op: str  # and, or
    operands: tuple["Node", ...]
    type: ClassVar[ValueType] = BOOLEAN


@dataclass(frozen=True)
class Not:
    operand: "Node"
    type: ClassVar[ValueType] = BOOLEAN


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: "Node"
    right: "Node"
    type: ClassVar[ValueType] = NUMBER


@dataclass(frozen=True)
class Between:
    operand: "Node"
    low: "Node"
    high: "Node"
    type: ClassVar[ValueType] = BOOLEAN


@dataclass(frozen=True)
class InList:
    operand: "Node"
    items: tuple["Node", ...]
    type: ClassVar[ValueType] = BOOLEAN


@dataclass(frozen=True)
class Call:
    function: str  # one of FUNCTIONS
    args: tuple["Node", ...]
    type: ValueType


@dataclass(frozen=True)
class IsNull:
    operand: "Node"
    negated: bool = False
    type: ClassVar[ValueType] = BOOLEAN


Node = Literal | Feature | Param | Compare | BoolOp | Not | Arith | Between | InList | Call | IsNull
_NODE_TYPES = get_args(Node)
_LEAVES = (Literal, Feature, Param)


def children(node: Node) -> list[Node]:
    found = []
    for field in fields(node):
        value = getattr(node, field.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, _NODE_TYPES):
                found.append(item)
    return found


def walk(node: Node):
    """Every node of the tree, parents before children."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(reversed(children(current)))


def features_used(tree: Node) -> list[str]:
    """The feature columns a rule reads, in order of first use (the batch layer computes only these)."""
    return list(dict.fromkeys(node.name for node in walk(tree) if isinstance(node, Feature)))


def params_used(tree: Node) -> list[str]:
    return list(dict.fromkeys(node.name for node in walk(tree) if isinstance(node, Param)))


# ── parsing: text → sqlglot → our tree ──────────────────────────────────────────────────────────────────────

_GENERIC_SQL = sqlglot.Dialect.get_or_raise(None)  # the generic dialect reads `$name` as a plain name


def parse_rule(text: str, parameters: Mapping[str, object] | None = None) -> Node:
    """Parse and type-check rule text; `parameters` (name → value) declares the `$names` and their types.

    Raises RuleError for anything outside the language; the result is a boolean tree.
    """
    param_types = {name: value_type_of(value) for name, value in (parameters or {}).items()}
    tokens = _tokenize(text)
    statement = _parse_single(tokens, text)
    tree = _Converter(param_types).convert(statement, depth=0)
    if tree.type is not BOOLEAN:
        example = "income_per_capita > $poverty_line"
        raise RuleError(
            _("规则必须是真假判断（如 %(example)s），「%(rule)s」是%(type)s")
            % {"example": example, "rule": to_rule_text(tree), "type": tree.type.label}
        )
    return tree


def _tokenize(text: str):
    """Refuse, before parsing, what is best named at the level of characters and tokens."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError(_("规则表达式为空"))
    if len(text) > MAX_RULE_LENGTH:
        raise RuleError(
            _("规则表达式过长（%(length)s 个字符，最多 %(most)s）") % {"length": len(text), "most": MAX_RULE_LENGTH}
        )
    if "\x00" in text:
        raise RuleError(_("规则表达式含有空字符（\\x00）"))
    try:
        tokens = _GENERIC_SQL.tokenize(text)
    except TokenError as error:
        raise RuleError(_("无法识别规则中的字符：%(error)s") % {"error": error}) from None
    if not tokens:
        raise RuleError(_("规则中没有表达式，只有注释（规则中不允许注释）"))
    if len(tokens) > MAX_TOKENS:
        raise RuleError(
            _("规则表达式过长（%(length)s 个词，最多 %(most)s）") % {"length": len(tokens), "most": MAX_TOKENS}
        )
    query_word = next((token.text for token in tokens if token.token_type in _QUERY_TOKENS), None)
    if query_word:
        raise RuleError(_("规则中不允许查询（SELECT/子查询）：「%(word)s」") % {"word": query_word})
    depth = 0
    for index, token in enumerate(tokens):
        if token.comments:
            raise RuleError(_("规则中不允许注释（-- 或 /* */）；说明请写在规则的 title 与 explain 中"))
        if token.token_type is TokenType.SEMICOLON:
            raise RuleError(_("规则只能是一个表达式，不允许分号 ';'"))
        if token.token_type is TokenType.L_PAREN:
            depth += 1
            if depth > MAX_DEPTH:
                raise RuleError(_("括号嵌套超过 %(most)s 层") % {"most": MAX_DEPTH})
        elif token.token_type is TokenType.R_PAREN:
            depth -= 1
        followed_by_paren = index + 1 < len(tokens) and tokens[index + 1].token_type is TokenType.L_PAREN
        if followed_by_paren and token.text[:1].isalpha() and token.text.lower() not in _WORDS_BEFORE_PAREN:
            raise RuleError(
                _("未知函数 '%(name)s'（可用的函数：%(functions)s）")
                % {"name": token.text, "functions": ", ".join(FUNCTIONS)}
            )
    return tokens


def _parse_single(tokens, text: str) -> exp.Expr:
    try:
        statements = _GENERIC_SQL.parser().parse(tokens, text)
    except ParseError as error:
        detail = error.errors[0] if error.errors else {}
        near = detail.get("highlight") or ""
        raise RuleError(
            _("无法解析规则：第 %(column)s 个字符附近的 '%(near)s'（%(description)s）")
            % {"column": detail.get("col", "?"), "near": near, "description": detail.get("description", error)}
        ) from None
    except RecursionError:
        raise RuleError(_("表达式嵌套过深（最多 %(most)s 层）") % {"most": MAX_DEPTH}) from None
    if len(statements) != 1 or statements[0] is None:
        raise RuleError(_("规则只能是一个表达式"))
    for node in statements[0].walk():
        if isinstance(node, (exp.Query, exp.Subquery, exp.Exists)):
            raise RuleError(_("规则中不允许查询（SELECT/子查询）：「%(word)s」") % {"word": _sql_snippet(node)})
    return statements[0]


def _sql_snippet(node: exp.Expr) -> str:
    try:
        text = node.sql()
    except RecursionError:
        return type(node).__name__
    return text if len(text) <= 60 else text[:57] + "…"


def _suggestion(name: str, candidates) -> str:
    close = difflib.get_close_matches(name.lower(), list(candidates), n=1)
    return _("（是否想写 %(name)s？）") % {"name": close[0]} if close else ""


_COMPARISONS = {exp.EQ: "=", exp.NEQ: "!=", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">="}
_ARITHMETIC = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}
_BOOLEAN_OPERATORS = {exp.And: "and", exp.Or: "or"}
_VARIADIC_FUNCTIONS = {exp.Coalesce: "coalesce", exp.Least: "least", exp.Greatest: "greatest"}
#: an argument sqlglot sets by itself on least/greatest; our NULL semantics are our own (see the module docstring)
_IGNORED_ARGS = {"ignore_nulls"}


class _Converter:
    """sqlglot tree → typed tree, refusing every node type, argument and name not whitelisted here."""

    def __init__(self, param_types: Mapping[str, ValueType]):
        self.param_types = param_types
        self.least_greatest_nesting = 0
        self.handlers = {
            exp.Literal: self._literal,
            exp.Boolean: self._boolean,
            exp.Column: self._column,
            exp.Neg: self._negate,
            exp.Not: self._not,
            exp.Is: self._is,
            exp.Between: self._between,
            exp.In: self._in,
            exp.Abs: self._abs,
            exp.Null: self._null,
        }

    def convert(self, node: exp.Expr, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise RuleError(_("表达式嵌套超过 %(most)s 层") % {"most": MAX_DEPTH})
        kind = type(node)
        if kind is exp.Paren:
            self._only_args(node, "this")
            return self.convert(node.this, depth + 1)
        if kind in _COMPARISONS:
            return self._compare(_COMPARISONS[kind], node, depth)
        if kind in _BOOLEAN_OPERATORS:
            return self._bool_op(node, depth)
        if kind in _ARITHMETIC:
            self._only_args(node, "this", "expression")
            left, right = self.convert(node.this, depth + 1), self.convert(node.expression, depth + 1)
            self._expect(NUMBER, _("'%(op)s' 的两边") % {"op": _ARITHMETIC[kind]}, left, right)
            return Arith(_ARITHMETIC[kind], left, right)
        if kind in _VARIADIC_FUNCTIONS:
            return self._variadic(_VARIADIC_FUNCTIONS[kind], node, depth)
        handler = self.handlers.get(kind)
        if handler is None:
            raise self._unsupported(node)
        return handler(node, depth)

    # checks shared by the handlers

    def _only_args(self, node: exp.Expr, *allowed: str) -> None:
        for key, value in node.args.items():
            if key not in allowed and key not in _IGNORED_ARGS and value not in (None, False, [], ""):
                raise self._unsupported(node)

    @staticmethod
    def _unsupported(node: exp.Expr) -> RuleError:
        if isinstance(node, exp.Alias):
            return RuleError(_("多余的词 '%(word)s'（缺少运算符，或写了不支持的数字格式？）") % {"word": node.alias})
        if isinstance(node, exp.Anonymous):
            return RuleError(
                _("未知函数 '%(name)s'（可用的函数：%(functions)s）")
                % {"name": node.name, "functions": ", ".join(FUNCTIONS)}
            )
        return RuleError(_("不支持的写法：「%(text)s」") % {"text": _sql_snippet(node)})

    @staticmethod
    def _expect(expected: ValueType, where: str, *operands: Node) -> None:
        for operand in operands:
            if operand.type is not expected:
                raise RuleError(
                    _("%(where)s必须是%(expected)s，而「%(operand)s」是%(type)s")
                    % {
                        "where": where,
                        "expected": expected.label,
                        "operand": to_rule_text(operand),
                        "type": operand.type.label,
                    }
                )

    @staticmethod
    def _same_type(where: str, first: Node, *others: Node) -> None:
        for other in others:
            if other.type is not first.type:
                raise RuleError(
                    _("%(where)s类型不一致：「%(first)s」是%(first_type)s，「%(other)s」是%(other_type)s")
                    % {
                        "where": where,
                        "first": to_rule_text(first),
                        "first_type": first.type.label,
                        "other": to_rule_text(other),
                        "other_type": other.type.label,
                    }
                )

    @staticmethod
    def _check_codes(subject: Node, values: tuple[Node, ...]) -> None:
        """A text feature with a code list may only be compared with codes from that list."""
        if not isinstance(subject, Feature):
            return
        choices = FEATURES[subject.name].choices
        for value in values:
            if choices and isinstance(value, Literal) and value.value not in choices:
                raise RuleError(
                    _("'%(value)s' 不是 %(name)s 的取值（可取：%(choices)s）")
                    % {"value": value.value, "name": subject.name, "choices": ", ".join(choices)}
                )

    # leaves

    def _literal(self, node: exp.Literal, depth: int) -> Literal:
        self._only_args(node, "this", "is_string")
        if node.is_string:
            return Literal(node.this, TEXT)
        try:
            value = float(node.this)
        except ValueError:
            raise RuleError(_("无法识别的数字 '%(number)s'") % {"number": node.this}) from None
        if not math.isfinite(value):
            raise RuleError(_("数字超出范围：'%(number)s'") % {"number": node.this})
        return Literal(value, NUMBER)

    def _boolean(self, node: exp.Boolean, depth: int) -> Literal:
        return Literal(bool(node.this), BOOLEAN)

    def _null(self, node: exp.Null, depth: int):
        raise RuleError(_("不能直接写 null：判断缺失请用 x is null / x is not null，取缺省值请用 coalesce(x, 0)"))

    def _column(self, node: exp.Column, depth: int) -> Feature | Param:
        if node.args.get("table") or node.args.get("db") or node.args.get("catalog"):
            raise RuleError(
                _("不支持带限定的名字「%(text)s」：特征直接写名字，参数写 $名字") % {"text": _sql_snippet(node)}
            )
        self._only_args(node, "this")
        identifier = node.this
        if not isinstance(identifier, exp.Identifier):
            raise self._unsupported(node)
        if identifier.quoted:
            raise RuleError(
                _("名字不要加引号：「%(text)s」（直接写 %(name)s）")
                % {"text": _sql_snippet(node), "name": identifier.this}
            )
        name = identifier.this
        if name.startswith("$"):
            name = name[1:]
            if name not in self.param_types:
                raise RuleError(
                    _("未知参数 '$%(name)s'%(hint)s") % {"name": name, "hint": _suggestion(name, self.param_types)}
                )
            return Param(name, self.param_types[name])
        feature = FEATURES.get(name)
        if feature is None:
            hint = (
                _("（参数要写成 $%(name)s）") % {"name": name}
                if name in self.param_types
                else _suggestion(name, FEATURES)
            )
            raise RuleError(_("未知特征 '%(name)s'%(hint)s") % {"name": name, "hint": hint})
        return Feature(name, feature_value_type(feature.type))

    # operators

    def _negate(self, node: exp.Neg, depth: int) -> Node:
        operand = self.convert(node.this, depth + 1)
        self._expect(NUMBER, _("负号后面"), operand)
        if isinstance(operand, Literal):
            return Literal(-operand.value, NUMBER)
        return Arith("-", Literal(0.0, NUMBER), operand)

    def _compare(self, op: str, node: exp.Expr, depth: int) -> Compare:
        self._only_args(node, "this", "expression")
        left, right = self.convert(node.this, depth + 1), self.convert(node.expression, depth + 1)
        self._same_type(_("比较 '%(op)s' 的两边") % {"op": op}, left, right)
        if op not in ("=", "!=") and left.type is not NUMBER:
            raise RuleError(_("'%(op)s' 只能比较数值；%(type)s只能用 = 或 !=") % {"op": op, "type": left.type.label})
        self._check_codes(left, (right,))
        self._check_codes(right, (left,))
        return Compare(op, left, right)

    def _bool_op(self, node: exp.Expr, depth: int) -> BoolOp:
        """A chain `a and b and c` becomes one node with three operands (and is not three levels deep)."""
        op = _BOOLEAN_OPERATORS[type(node)]
        operands, pending = [], [node]
        while pending:
            current = pending.pop()
            if type(current) is type(node):
                self._only_args(current, "this", "expression")
                pending.extend([current.expression, current.this])
            else:
                operands.append(self.convert(current, depth + 1))
        self._expect(BOOLEAN, _("'%(op)s' 的两边") % {"op": op}, *operands)
        return BoolOp(op, tuple(operands))

    def _not(self, node: exp.Not, depth: int) -> Node:
        self._only_args(node, "this")
        operand = self.convert(node.this, depth + 1)
        if type(node.this) is exp.Is:  # `x is not null` arrives as not(x is null)
            return IsNull(operand.operand, not operand.negated)
        self._expect(BOOLEAN, _("not 后面"), operand)
        return Not(operand)

    def _is(self, node: exp.Is, depth: int) -> IsNull:
        self._only_args(node, "this", "expression", "negate")
        if type(node.expression) is not exp.Null:
            raise RuleError(_("is 只能用于 is null / is not null：「%(text)s」") % {"text": _sql_snippet(node)})
        return IsNull(self.convert(node.this, depth + 1), bool(node.args.get("negate")))

    def _between(self, node: exp.Between, depth: int) -> Between:
        self._only_args(node, "this", "low", "high")
        operand, low, high = (self.convert(node.args[key], depth + 1) for key in ("this", "low", "high"))
        self._expect(NUMBER, _("between 的各项"), operand, low, high)
        return Between(operand, low, high)

    def _in(self, node: exp.In, depth: int) -> InList:
        self._only_args(node, "this", "expressions")
        operand = self.convert(node.this, depth + 1)
        items = tuple(self.convert(item, depth + 1) for item in node.expressions)
        if not items:
            raise RuleError(_("in 后面的列表不能为空"))
        self._same_type(_("in 的各项"), operand, *items)
        self._check_codes(operand, items)
        return InList(operand, items)

    def _abs(self, node: exp.Abs, depth: int) -> Call:
        self._only_args(node, "this")
        argument = self.convert(node.this, depth + 1)
        self._expect(NUMBER, _("abs 的参数"), argument)
        return Call("abs", (argument,), NUMBER)

    def _variadic(self, function: str, node: exp.Expr, depth: int) -> Call:
        self._only_args(node, "this", "expressions")
        is_least_greatest = function != "coalesce"
        self.least_greatest_nesting += is_least_greatest
        try:
            if self.least_greatest_nesting > MAX_LEAST_GREATEST_NESTING:
                raise RuleError(_("least/greatest 最多嵌套 %(most)s 层") % {"most": MAX_LEAST_GREATEST_NESTING})
            args = tuple(self.convert(arg, depth + 1) for arg in [node.this, *node.expressions])
        finally:
            self.least_greatest_nesting -= is_least_greatest
        if len(args) < 2:
            raise RuleError(_("%(function)s 至少需要两个参数") % {"function": function})
        if is_least_greatest:
            self._expect(NUMBER, _("%(function)s 的参数") % {"function": function}, *args)
        self._same_type(_("%(function)s 的参数") % {"function": function}, *args)
        return Call(function, args, args[0].type)


# ── writing a tree back out: as rule text, or as SQL of a dialect ────────────────────────────────────────────


def format_number(value: float) -> str:
    """Integral values without a decimal point, others in Python's shortest round-trip form."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


class _Writer:
    """Structure shared by rule text and SQL: every compound operand is parenthesised, so no precedence rule of
    any dialect can regroup it. Subclasses say how leaves, keywords, division and functions look."""

    def write(self, node: Node) -> str:
        return getattr(self, "_" + type(node).__name__.lower())(node)

    def _operand(self, node: Node) -> str:
        text = self.write(node)
        return text if isinstance(node, (*_LEAVES, Call)) else f"({text})"

    def _compare(self, node: Compare) -> str:
        return f"{self._operand(node.left)} {self.comparison(node.op)} {self._operand(node.right)}"

    def _boolop(self, node: BoolOp) -> str:
        return f" {self.keyword(node.op)} ".join(self._operand(operand) for operand in node.operands)

    def _not(self, node: Not) -> str:
        return f"{self.keyword('not')} {self._operand(node.operand)}"

    def _arith(self, node: Arith) -> str:
        left, right = self._operand(node.left), self._operand(node.right)
        return self.divide(left, right) if node.op == "/" else f"{left} {node.op} {right}"

    def _between(self, node: Between) -> str:
        operand, low, high = (self._operand(part) for part in (node.operand, node.low, node.high))
        return f"{operand} {self.keyword('between')} {low} {self.keyword('and')} {high}"

    def _inlist(self, node: InList) -> str:
        return f"{self._operand(node.operand)} {self.keyword('in')} ({', '.join(self.write(i) for i in node.items)})"

    def _isnull(self, node: IsNull) -> str:
        words = "is not null" if node.negated else "is null"
        return f"{self._operand(node.operand)} {self.keyword(words)}"

    def _call(self, node: Call) -> str:
        return self.function(node, [self.write(arg) for arg in node.args])

    def _literal(self, node: Literal) -> str:
        return self.value(node.value, node.type)

    # hooks

    def keyword(self, word: str) -> str:
        return word

    def comparison(self, op: str) -> str:
        return op

    def divide(self, left: str, right: str) -> str:
        return f"{left} / {right}"

    def function(self, node: Call, args: list[str]) -> str:
        return f"{node.function}({', '.join(args)})"

    def value(self, value, value_type: ValueType) -> str:
        raise NotImplementedError

    def _feature(self, node: Feature) -> str:
        raise NotImplementedError

    def _param(self, node: Param) -> str:
        raise NotImplementedError


class _RuleTextWriter(_Writer):
    def value(self, value, value_type: ValueType) -> str:
        if value_type is BOOLEAN:
            return "true" if value else "false"
        if value_type is TEXT:
            return exp.Literal.string(value).sql()
        text = format_number(value)
        return f"({text})" if text.startswith("-") else text

    def _feature(self, node: Feature) -> str:
        return node.name

    def _param(self, node: Param) -> str:
        return "$" + node.name


class _SqlWriter(_Writer):
    def __init__(self, dialect: str, parameters: Mapping[str, object], columns: Mapping[str, str] | None = None):
        if dialect not in DIALECTS:
            raise RuleError(
                _("不支持的数据库方言 '%(dialect)s'（可用：%(dialects)s）")
                % {"dialect": dialect, "dialects": ", ".join(DIALECTS)}
            )
        self.dialect = dialect
        self.parameters = parameters
        self.columns = columns
        self.double = SQL_COLUMN_TYPES[dialect][FeatureType.NUMBER]

    def keyword(self, word: str) -> str:
        return word.upper()

    def comparison(self, op: str) -> str:
        return "<>" if op == "!=" else op

    def divide(self, left: str, right: str) -> str:
        return f"CAST({left} AS {self.double}) / NULLIF({right}, 0)"

    def function(self, node: Call, args: list[str]) -> str:
        name, listed = node.function, ", ".join(args)
        if name not in ("least", "greatest"):
            return f"{name.upper()}({listed})"
        if self.dialect == "sqlite":  # SQLite's scalar min/max already give NULL when an argument is NULL
            return f"{'MIN' if name == 'least' else 'MAX'}({listed})"
        # DuckDB and PostgreSQL skip NULL arguments: test the ones that can be NULL (literals and parameters cannot)
        nullable = [text for arg, text in zip(node.args, args) if not isinstance(arg, (Literal, Param))]
        if not nullable:
            return f"{name.upper()}({listed})"
        any_null = " OR ".join(f"{text} IS NULL" for text in nullable)
        return f"CASE WHEN {any_null} THEN NULL ELSE {name.upper()}({listed}) END"

    def value(self, value, value_type: ValueType) -> str:
        if value_type is BOOLEAN:
            if self.dialect == "sqlite":
                return "1" if value else "0"
            return "TRUE" if value else "FALSE"
        if value_type is TEXT:
            return exp.Literal.string(value).sql(dialect=self.dialect)
        return f"CAST({format_number(value)} AS {self.double})"

    def _inlist(self, node: InList) -> str:
        """SQLite evaluates IN (…) with a probe of a temporary index per row; equalities joined by OR are cheaper
        (measured: 8 % of a whole assessment) and equally NULL when the operand is (the items never are)."""
        if self.dialect != "sqlite" or len(node.items) > 8:
            return super()._inlist(node)
        operand = self._operand(node.operand)
        return "(" + " OR ".join(f"{operand} = {self.write(item)}" for item in node.items) + ")"

    def _feature(self, node: Feature) -> str:
        if self.columns is not None:
            return f"({self.columns[node.name]})"
        return f'"{node.name}"'  # names come from the catalogue: plain lower-case identifiers

    def _param(self, node: Param) -> str:
        return self.value(_parameter_value(self.parameters, node), node.type)


def _parameter_value(parameters: Mapping[str, object], node: Param):
    if node.name not in parameters:
        raise RuleError(_("缺少参数 $%(name)s 的值") % {"name": node.name})
    value = parameters[node.name]
    if value_type_of(value) is not node.type:
        raise RuleError(
            _("参数 $%(name)s 应为%(type)s，实际是 %(value)s")
            % {"name": node.name, "type": node.type.label, "value": repr(value)}
        )
    return value


def to_rule_text(tree: Node) -> str:
    """The tree as rule text that parses back to the same tree (used in messages and explanations)."""
    return _RuleTextWriter().write(tree)


def compile_sql(
    tree: Node, dialect: str, parameters: Mapping[str, object] | None = None, columns: Mapping[str, str] | None = None
) -> str:
    """SQL text of the rule for `dialect`, parameters inlined as literals, reading each feature from the column of
    its name, or from its SQL expression in `columns` (expressions we generate, never user text)."""
    return _SqlWriter(dialect, parameters or {}, columns).write(tree)


# ── the Python evaluator (one household, explanations, tests) ────────────────────────────────────────────────


def _and3(values) -> bool | None:
    values = list(values)
    if False in values:
        return False
    return None if None in values else True


def _or3(values) -> bool | None:
    values = list(values)
    if True in values:
        return True
    return None if None in values else False


def _normalise(value, value_type: ValueType):
    """Values as the databases see them: numbers as doubles, SQLite's 0/1 as booleans."""
    if value is None:
        return None
    if value_type is NUMBER:
        return float(value)
    if value_type is BOOLEAN:
        return bool(value)
    return str(value)


_OPERATORS = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}


class _Evaluator:
    def __init__(self, features: Mapping[str, object], parameters: Mapping[str, object]):
        self.features = features
        self.parameters = parameters

    def value(self, node: Node):
        return getattr(self, "_" + type(node).__name__.lower())(node)

    def _literal(self, node: Literal):
        return node.value

    def _feature(self, node: Feature):
        if node.name not in self.features:
            raise RuleError(_("缺少特征 %(name)s 的值") % {"name": node.name})
        return _normalise(self.features[node.name], node.type)

    def _param(self, node: Param):
        return _normalise(_parameter_value(self.parameters, node), node.type)

    def _compare(self, node: Compare):
        left, right = self.value(node.left), self.value(node.right)
        return None if left is None or right is None else _OPERATORS[node.op](left, right)

    def _boolop(self, node: BoolOp):
        values = (self.value(operand) for operand in node.operands)
        return _and3(values) if node.op == "and" else _or3(values)

    def _not(self, node: Not):
        value = self.value(node.operand)
        return None if value is None else not value

    def _arith(self, node: Arith):
        left, right = self.value(node.left), self.value(node.right)
        if left is None or right is None or (node.op == "/" and right == 0):
            return None
        return left / right if node.op == "/" else _OPERATORS[node.op](left, right)

    def _between(self, node: Between):
        operand, low, high = self.value(node.operand), self.value(node.low), self.value(node.high)
        above = None if operand is None or low is None else operand >= low
        below = None if operand is None or high is None else operand <= high
        return _and3((above, below))

    def _inlist(self, node: InList):
        operand = self.value(node.operand)
        items = [self.value(item) for item in node.items]
        return _or3(None if operand is None or item is None else operand == item for item in items)

    def _isnull(self, node: IsNull):
        return (self.value(node.operand) is None) != node.negated

    def _call(self, node: Call):
        args = [self.value(arg) for arg in node.args]
        if node.function == "coalesce":
            return next((arg for arg in args if arg is not None), None)
        if None in args:
            return None
        return {"abs": lambda: abs(args[0]), "least": lambda: min(args), "greatest": lambda: max(args)}[node.function]()


def evaluate(tree: Node, features: Mapping[str, object], parameters: Mapping[str, object] | None = None):
    """The rule's value for one household: True, False, or None (unknown), exactly as the compiled SQL gives it."""
    return _Evaluator(features, parameters or {}).value(tree)
