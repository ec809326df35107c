"""Policy packs: the lines, thresholds, switches and rules of one region and year, kept as YAML files.

A pack is data a county office can read and an auditor can diff, so every figure carries its source and whether
it is confirmed, and a pack that does not validate is refused with file, line and reason before anything runs.

File format — `packs/<id>.yaml`, the file name being the pack id:

    id: national-2018
    region: national            # "national", a province code "51" or a county code "511022" — quoted text,
                                # since YAML would read 0510 as an octal number
    year: 2018
    inherits: national-2017     # optional parent pack id
    title: 全国 2018 年扶贫标准    # optional
    lines:                      # money lines, 元/人·年
      poverty_line: {value: 2995, source: "…", confirmed: false}
    params:                     # thresholds: a number, text or true/false, also with source and confirmation
      out_of_pocket_threshold: {value: 20000, source: "…", confirmed: false}
    options:                    # switches the rules read: true/false
      require_six_months: false
    rules:
      - id: exit_income_above_line
        title: 人均纯收入稳定超过扶贫标准
        kind: exit
        expression: income_per_capita > $poverty_line
        explain: 人均纯收入 {income_per_capita} 元，扶贫标准 {poverty_line} 元
        source: 厅字〔2016〕16号      # optional
      - id: an_inherited_rule
        removed: true           # drops a rule that a parent defines
    standards:                  # optional: subsidy standards (补助标准), see pack_standards

Inheritance (national → province → county, and in this repository also year → next year): the child starts
from its resolved parent; each entry of lines, params and options that the child names replaces the parent's;
rules are matched by id — a child rule with a parent's id replaces it in place, a new id is appended, and
`removed: true` drops it. A child's region must lie within its parent's, and its year may not be earlier.

Names: lines, params and options form one namespace, written `$name` in expressions and `{name}` in explain
templates (features are `{feature}` there too), so a name may not be repeated across them or be a feature's.
An option that no rule reads is refused: options only act through rules, so an unread one is a typo.

Where packs come from: the shipped files (`packs/`), the county's packs folder (settings.POLICY_PACKS_DIR) and
uploads kept in the database (policy.services.packs adds those); all are read by the same checks. A pack id is
taken once: a folder or uploaded pack with a shipped id is refused at its id line (it inherits instead).

Kinds, and how a kind's rules combine (the assessment layer applies this): exit, monitor_* and risk_elimination
hold for a household when every rule of the kind holds (each rule is one line of the explanation); data_check
rules stand alone, each one that holds flags a data problem.
"""

import hashlib
import json
import math
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core.errors import DomainError, NotFound

from . import pack_standards
from . import rules as rule_language
from .features import FEATURES

PACKS_DIRECTORY = Path(__file__).parent / "packs"

KINDS = {
    "exit": "贫困户退出（一超两不愁三保障及饮水安全）",
    "monitor_unstable": "监测对象识别：脱贫不稳定户",
    "monitor_marginal": "监测对象识别：边缘易致贫户",
    "monitor_sudden": "监测对象识别：突发严重困难户",
    "risk_elimination": "风险消除",
    "data_check": "数据质量核查（成立即为疑点）",
}

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_PACK_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_REGION = re.compile(r"(national|\d{2}|\d{6})\Z")


# ── errors with file and line ─────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.message}"

    def described(self) -> str:
        """The problem as a clerk reads it on a page: 文件 第 N 行：原因."""
        return _("%(file)s 第 %(line)s 行：%(message)s") % {
            "file": Path(self.file).name,
            "line": self.line,
            "message": self.message,
        }


class PackError(DomainError):
    """One or more packs failed validation; `problems` lists each with file and line."""

    code = "invalid_pack"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class PackNotFound(NotFound):
    code = "pack_not_found"


@dataclass(frozen=True)
class _Origin:
    """Where something was written, so that a later check can point at it."""

    file: str
    line: int

    def problem(self, message: str) -> Problem:
        return Problem(self.file, self.line, message)


# ── where a pack's text comes from ──────────────────────────────────────────────────────────────────────────────

SHIPPED = "shipped"  # a file of policy/packs/, part of the release
FOLDER = "folder"  # a file of the county's packs folder (settings.POLICY_PACKS_DIR)
UPLOAD = "upload"  # an upload kept in the database, "upload:<version>"


def upload_origin(version: int) -> str:
    return f"{UPLOAD}:{version}"


def origin_label(origin: str) -> str:
    """Where a pack came from, for pages and runs: 随系统提供, 标准包目录, 上传第 N 版."""
    kind, _sep, version = origin.partition(":")
    if kind == UPLOAD:
        return _("上传第 %(version)s 版") % {"version": version}
    if kind == FOLDER:
        return _("标准包目录")
    return _("随系统提供")


@dataclass(frozen=True)
class PackText:
    """One pack's YAML text, the name its problems are reported under, the id its file name asks for (None for
    an upload, whose file name is the clerk's), and its origin."""

    name: str
    text: str
    stem: str | None
    origin: str = SHIPPED

    @staticmethod
    def of_file(path: Path, origin: str = SHIPPED) -> "PackText":
        return PackText(str(path), path.read_text(encoding="utf-8"), path.stem, origin)


def texts_of(directory: Path, origin: str) -> list[PackText]:
    """The packs of a folder, by file name (a folder that does not exist holds none)."""
    return [PackText.of_file(path, origin) for path in sorted(Path(directory).glob("*.yaml"))]


# ── YAML read with line numbers ───────────────────────────────────────────────────────────────────────────────


class YamlMap(dict):
    """A mapping read from YAML that remembers the (1-based) line of itself, of each key and of each value."""

    def __init__(self, file: str, line: int):
        super().__init__()
        self.origin = _Origin(file, line)
        self.key_origins: dict[str, _Origin] = {}
        self.value_origins: dict[str, _Origin] = {}


class YamlList(list):
    def __init__(self, file: str, line: int):
        super().__init__()
        self.origin = _Origin(file, line)
        self.item_origins: list[_Origin] = []


def read_yaml(file: str, text: str) -> YamlMap:
    """Compose the YAML into nodes (which carry their marks) and build values that keep those lines; `file` is
    the name problems are reported under (a path, or an upload's name).

    Aliases and merge keys are refused: a pack should say everything where it is read, and aliases allow
    exponential expansion. Duplicate keys, which YAML would silently resolve to the last, are refused too.
    """
    loader = yaml.SafeLoader(text)
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken):
                raise PackError(
                    [Problem(file, token.start_mark.line + 1, _("不支持 YAML 别名（*名字）：请把内容直接写出"))]
                )
        root = loader.get_single_node()
        if root is None:
            raise PackError([Problem(file, 1, _("文件为空"))])
        value = _build(root, loader, file)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise PackError(
            [
                Problem(
                    file,
                    mark.line + 1 if mark else 1,
                    _("YAML 格式错误：%(error)s") % {"error": error.problem or error},
                )
            ]
        ) from None
    except RecursionError:
        raise PackError([Problem(file, 1, _("YAML 嵌套过深"))]) from None
    finally:
        loader.dispose()
    if not isinstance(value, YamlMap):
        raise PackError([Problem(file, root.start_mark.line + 1, _("标准包应是一个映射（键: 值）"))])
    return value


def _build(node: yaml.Node, loader: yaml.SafeLoader, file: str):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_object(node)
    if isinstance(node, yaml.SequenceNode):
        items = YamlList(file, line)
        for item in node.value:
            items.append(_build(item, loader, file))
            items.item_origins.append(_Origin(file, item.start_mark.line + 1))
        return items
    mapping = YamlMap(file, line)
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
            raise PackError([Problem(file, key_line, _("不支持 YAML 合并键（<<）或复杂键"))])
        key = loader.construct_object(key_node)
        if key in mapping:
            raise PackError([Problem(file, key_line, _("键 '%(key)s' 重复") % {"key": key})])
        mapping[key] = _build(value_node, loader, file)
        mapping.key_origins[key] = _Origin(file, key_line)
        mapping.value_origins[key] = _Origin(file, value_node.start_mark.line + 1)
    return mapping


# ── the schema ────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _FieldType:
    label: str
    accepts: Callable[[object], bool]


def _is_number(value) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


_TEXT = _FieldType(gettext_lazy("非空文本"), lambda value: isinstance(value, str) and value.strip() != "")
_INTEGER = _FieldType(gettext_lazy("整数"), lambda value: type(value) is int)
_NUMBER = _FieldType(gettext_lazy("数值"), _is_number)
_SWITCH = _FieldType(gettext_lazy("true 或 false"), lambda value: type(value) is bool)
_SCALAR = _FieldType(
    gettext_lazy("数值、文本或 true/false"), lambda value: type(value) in (bool, str) or _is_number(value)
)
_MAPPING = _FieldType(gettext_lazy("映射（键: 值）"), lambda value: isinstance(value, YamlMap))
_LIST = _FieldType(gettext_lazy("列表（以 - 开头的各项）"), lambda value: isinstance(value, YamlList))

# field → (type, required)
_PACK_FIELDS = {
    "id": (_TEXT, True),
    "region": (_TEXT, True),
    "year": (_INTEGER, True),
    "inherits": (_TEXT, False),
    "title": (_TEXT, False),
    "lines": (_MAPPING, False),
    "params": (_MAPPING, False),
    "options": (_MAPPING, False),
    "rules": (_LIST, False),
    "standards": (_MAPPING, False),  # subsidy standards (补助标准): pack_standards reads and checks them
}
_LINE_FIELDS = {"value": (_NUMBER, True), "source": (_TEXT, True), "confirmed": (_SWITCH, True)}
_PARAM_FIELDS = {**_LINE_FIELDS, "value": (_SCALAR, True)}
_RULE_FIELDS = {
    "id": (_TEXT, True),
    "title": (_TEXT, True),
    "kind": (_TEXT, True),
    "expression": (_TEXT, True),
    "explain": (_TEXT, True),
    "source": (_TEXT, False),
}
_REMOVAL_FIELDS = {"id": (_TEXT, True), "removed": (_SWITCH, True)}


def _check_fields(mapping, fields: dict, where: str, problems: list[Problem], origin: _Origin) -> bool:
    """Unknown keys, missing required ones and wrong types, each at its line. True when all is well."""
    if not isinstance(mapping, YamlMap):
        problems.append(origin.problem(_("%(where)s应是映射（键: 值）") % {"where": where}))
        return False
    count = len(problems)
    for key in mapping:
        if key not in fields:
            allowed = ", ".join(fields)
            problems.append(
                mapping.key_origins[key].problem(
                    _("%(where)s有未知的键 '%(key)s'（可用：%(allowed)s）")
                    % {"where": where, "key": key, "allowed": allowed}
                )
            )
    for key, (field_type, required) in fields.items():
        if key not in mapping:
            if required:
                problems.append(
                    mapping.origin.problem(_("%(where)s缺少必填项 '%(key)s'") % {"where": where, "key": key})
                )
        elif not field_type.accepts(mapping[key]):
            problems.append(
                mapping.value_origins[key].problem(
                    _("%(where)s'%(key)s' 应为%(type)s，实际是 %(value)s")
                    % {"where": where, "key": key, "type": field_type.label, "value": repr(mapping[key])}
                )
            )
    return len(problems) == count


@dataclass(frozen=True)
class Figure:
    """A line or threshold with its provenance: unconfirmed figures stay marked as such wherever shown."""

    value: float | str | bool
    source: str
    confirmed: bool


@dataclass(frozen=True)
class _RuleSource:
    id: str
    origin: _Origin
    removed: bool = False
    title: str = ""
    kind: str = ""
    expression: str = ""
    explain: str = ""
    source: str = ""
    expression_origin: _Origin | None = None
    explain_origin: _Origin | None = None


@dataclass(frozen=True)
class _PackSource:
    """One file, checked on its own; inheritance is resolved later."""

    id: str
    region: str
    year: int
    inherits: str | None
    title: str
    figures: dict  # section ("lines" / "params" / "options") → {name: (value, origin)}
    rules: tuple[_RuleSource, ...]
    document: YamlMap
    origin: str  # where the text came from (PackText.origin)
    standards: tuple = ()  # what its `standards` section writes (pack_standards)


def _read_source(text: "PackText") -> _PackSource:
    document = read_yaml(text.name, text.text)
    problems: list[Problem] = []
    _check_fields(document, _PACK_FIELDS, "", problems, document.origin)  # then each well-typed part is read on
    pack_id, region = document.get("id"), document.get("region")
    if _TEXT.accepts(pack_id) and not _PACK_ID.match(pack_id):
        problems.append(
            document.value_origins["id"].problem(_("id '%(id)s' 只能含小写字母、数字和 -") % {"id": pack_id})
        )
    elif _TEXT.accepts(pack_id) and text.stem is not None and pack_id != text.stem:
        problems.append(
            document.value_origins["id"].problem(
                _("id '%(id)s' 应与文件名 %(file)s 一致") % {"id": pack_id, "file": text.stem}
            )
        )
    if _TEXT.accepts(region) and (not _REGION.match(region) or (len(region) == 6 and region.endswith("0000"))):
        problems.append(
            document.value_origins["region"].problem(
                _("region '%(region)s' 应为 national、两位省级代码（如 \"51\"）或六位县级代码") % {"region": region}
            )
        )
    figures = {
        "lines": _read_figures(document, "lines", _LINE_FIELDS, problems),
        "params": _read_figures(document, "params", _PARAM_FIELDS, problems),
        "options": _read_options(document, problems),
    }
    rules = _read_rules(document, problems)
    standards = pack_standards.read_standards(document, problems)
    if problems:
        raise PackError(problems)
    return _PackSource(
        pack_id,
        region,
        document["year"],
        document.get("inherits"),
        document.get("title", pack_id),
        figures,
        rules,
        document,
        text.origin,
        standards,
    )


def _check_name(section: YamlMap, name, problems: list[Problem]) -> bool:
    if isinstance(name, str) and _NAME.match(name):
        return True
    problems.append(
        section.key_origins[name].problem(
            _("名字 '%(name)s' 只能含小写字母、数字和下划线，且以字母开头") % {"name": name}
        )
    )
    return False


def _read_figures(document: YamlMap, section: str, fields: dict, problems: list[Problem]) -> dict:
    entries = document.get(section)
    figures = {}
    if not isinstance(entries, YamlMap):
        return figures
    for name, entry in entries.items():
        where = f"{section}.{name} "
        if _check_name(entries, name, problems) and _check_fields(
            entry, fields, where, problems, entries.value_origins[name]
        ):
            figure = Figure(
                float(entry["value"]) if section == "lines" else entry["value"], entry["source"], entry["confirmed"]
            )
            figures[name] = (figure, entries.key_origins[name])
    return figures


def _read_options(document: YamlMap, problems: list[Problem]) -> dict:
    entries = document.get("options")
    options = {}
    if not isinstance(entries, YamlMap):
        return options
    for name, value in entries.items():
        if not _check_name(entries, name, problems):
            continue
        if _SWITCH.accepts(value):
            options[name] = (value, entries.key_origins[name])
        else:
            problems.append(
                entries.value_origins[name].problem(
                    _("options.%(name)s 应为 true 或 false，实际是 %(value)s") % {"name": name, "value": repr(value)}
                )
            )
    return options


def _read_rules(document: YamlMap, problems: list[Problem]) -> tuple[_RuleSource, ...]:
    entries = document.get("rules")
    rules, seen = [], set()
    if not isinstance(entries, YamlList):
        return ()
    for entry, origin in zip(entries, entries.item_origins):
        removal = isinstance(entry, YamlMap) and "removed" in entry
        label = _("规则 %(id)s ") % {"id": entry.get("id", "")} if isinstance(entry, YamlMap) else _("规则 ")
        if not _check_fields(entry, _REMOVAL_FIELDS if removal else _RULE_FIELDS, label, problems, origin):
            continue
        rule_id = entry["id"]
        if not _NAME.match(rule_id):
            problems.append(
                entry.value_origins["id"].problem(_("规则 id '%(id)s' 只能含小写字母、数字和下划线") % {"id": rule_id})
            )
        if rule_id in seen:
            problems.append(entry.value_origins["id"].problem(_("规则 id '%(id)s' 在本文件中重复") % {"id": rule_id}))
        seen.add(rule_id)
        if removal:
            if not entry["removed"]:
                problems.append(
                    entry.value_origins["removed"].problem(_("removed 只能写 true（不删除就不要写这一项）"))
                )
            rules.append(_RuleSource(rule_id, origin, removed=True))
            continue
        if entry["kind"] not in KINDS:
            problems.append(
                entry.value_origins["kind"].problem(
                    _("规则 %(id)s 的 kind '%(kind)s' 未知（可用：%(kinds)s）")
                    % {"id": rule_id, "kind": entry["kind"], "kinds": ", ".join(KINDS)}
                )
            )
        rules.append(
            _RuleSource(
                rule_id,
                origin,
                title=entry["title"],
                kind=entry["kind"],
                expression=entry["expression"],
                explain=entry["explain"],
                source=entry.get("source", ""),
                expression_origin=entry.value_origins["expression"],
                explain_origin=entry.value_origins["explain"],
            )
        )
    return tuple(rules)


# ── resolved packs ────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PackRule:
    id: str
    title: str
    kind: str
    expression: str
    explain: str
    source: str
    tree: rule_language.Node
    defined_in: str  # the pack whose file holds this rule


@dataclass(frozen=True)
class Pack:
    id: str
    region: str
    year: int
    title: str
    lineage: tuple[str, ...]  # this pack, its parent, …, the root
    lines: Mapping[str, Figure]
    params: Mapping[str, Figure]
    options: Mapping[str, bool]
    rules: tuple[PackRule, ...]
    version: str  # a digest of the resolved content: decisions store it with the pack id
    origin: str = SHIPPED  # where its file came from (PackText.origin): shipped, the packs folder, an upload

    @property
    def origin_label(self) -> str:
        return origin_label(self.origin)

    @property
    def parameters(self) -> dict[str, object]:
        """The `$name` namespace of this pack's rules."""
        return {
            **{name: figure.value for name, figure in self.lines.items()},
            **{name: figure.value for name, figure in self.params.items()},
            **self.options,
        }

    def rules_of(self, kind: str) -> tuple[PackRule, ...]:
        return tuple(rule for rule in self.rules if rule.kind == kind)

    def compile(self, dialect: str, parameters: Mapping[str, object] | None = None) -> dict[str, str]:
        """SQL per rule id; `parameters` overrides some of the pack's values (a what-if on a line)."""
        values = {**self.parameters, **(parameters or {})}
        return {rule.id: rule_language.compile_sql(rule.tree, dialect, values) for rule in self.rules}

    def with_values(self, values: Mapping[str, object]) -> "Pack":
        """This pack with some lines, params or options replaced (a what-if: "raise the monitoring line to 7100").
        Each name must exist and keep its type; the result has its own version, and its id says what changed."""
        figures = {"lines": dict(self.lines), "params": dict(self.params)}
        options = dict(self.options)
        for name, value in values.items():
            current = self.parameters.get(name)
            if name not in self.parameters:
                raise rule_language.RuleError(
                    _("标准包 %(pack)s 没有名为 %(name)s 的线、参数或选项") % {"pack": self.id, "name": name}
                )
            if rule_language.value_type_of(value) is not rule_language.value_type_of(current):
                raise rule_language.RuleError(
                    _("%(name)s 应为%(type)s，实际是 %(value)s")
                    % {"name": name, "type": rule_language.value_type_of(current).label, "value": repr(value)}
                )
            if name in options:
                options[name] = value
                continue
            section = "lines" if name in figures["lines"] else "params"
            value = float(value) if section == "lines" else value
            figures[section][name] = Figure(value, "假设值（测算用），不是已公布的标准", confirmed=False)
        changed = ",".join(f"{name}={display_value(value)}" for name, value in values.items())
        pack = replace(
            self,
            id=f"{self.id}+{changed}" if changed else self.id,
            lines=figures["lines"],
            params=figures["params"],
            options=options,
        )
        return _with_version(pack)

    def snapshot(self) -> dict:
        """Everything a decision was judged with, as JSON: stored with each assessment run, so the run can be
        explained and re-judged after the pack files have changed."""
        return {
            "id": self.id,
            "region": self.region,
            "year": self.year,
            "title": self.title,
            "lineage": list(self.lineage),
            "lines": {name: vars(figure) for name, figure in self.lines.items()},
            "params": {name: vars(figure) for name, figure in self.params.items()},
            "options": dict(self.options),
            "rules": [[r.id, r.title, r.kind, r.expression, r.explain, r.source, r.defined_in] for r in self.rules],
            "version": self.version,
            "origin": self.origin,
        }


def display_value(value) -> str:
    """A pack's figure or a household's value as Chinese text shows it: 是/否, whole numbers without decimals,
    others to the fen (half away from zero, as the income account rounds) without trailing zeros. A value the fen
    would round onto a whole yuan is shown to four places: the exact per-capita income 9,654.01 ÷ 3 reads
    3218.0033, never "3218" beside a 3218 line it exceeds (docs/domain.md)."""
    if value is None:
        return "（无数据）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return value
    number = float(value)
    if number.is_integer():
        return rule_language.format_number(number)
    for places in ("0.01", "0.0001"):
        text = str(Decimal(repr(number)).quantize(Decimal(places), ROUND_HALF_UP)).rstrip("0").rstrip(".")
        if "." in text:
            return text
    return text


def _template_problem(template: str, known: set[str]) -> str | None:
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        return _("花括号不配对（%(error)s）；字面的花括号写成 {{ 或 }}") % {"error": error}
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if spec or conversion or not _NAME.match(field):
            return _("占位符 {%(field)s} 只能是一个名字，不能带格式或运算") % {"field": field}
        if field not in known:
            return _("占位符 {%(field)s} 不是特征，也不是本标准包的线、参数或选项") % {"field": field}
    return None


@dataclass(frozen=True)
class _Resolved:
    """A pack after inheritance, with where each figure and rule was written (for the checks of children)."""

    pack: Pack
    figures: dict  # section → {name: (value, origin)}
    rules: dict  # id → _RuleSource, in order


class PackLibrary:
    """The packs of one directory (the shipped ones, or a test's) and any others handed in (`extra`: the county's
    packs folder, its uploads): each text checked on reading, inheritance resolved and checked on demand.

    An extra pack may inherit from any pack but may not take the id of another one: a county's pack is its own
    (`inherits: national-2019` and its region), never a silent replacement of a shipped pack — the clash is
    refused at the extra pack's id. Two packs for the same region and year are refused too."""

    def __init__(self, directory: Path | str = PACKS_DIRECTORY, extra: Iterable[PackText] = ()):
        self.directory = Path(directory)
        self._sources = self._read_all([*texts_of(self.directory, SHIPPED), *extra])
        self._by_region_year = {(source.region, source.year): source.id for source in self._sources.values()}
        self._resolved: dict[str, _Resolved] = {}

    def _read_all(self, texts: list[PackText]) -> dict[str, _PackSource]:
        sources, problems = {}, []
        for text in texts:
            try:
                source = _read_source(text)
            except PackError as error:
                problems.extend(error.problems)
                continue
            other = sources.get(source.id)
            if other is not None:
                problems.append(_id_taken(source, other))
                continue
            sources[source.id] = source
        places: dict[tuple[str, int], _PackSource] = {}
        for source in sources.values():
            other = places.setdefault((source.region, source.year), source)
            if other is not source:
                problems.append(
                    source.document.origin.problem(
                        _("地区 %(region)s 的 %(year)s 年已有标准包 %(other)s（%(file)s）")
                        % {
                            "region": source.region,
                            "year": source.year,
                            "other": other.id,
                            "file": other.document.origin.file,
                        }
                    )
                )
        if problems:
            raise PackError(problems)
        return sources

    def origin_of(self, pack_id: str) -> str:
        source = self._sources.get(pack_id)
        return source.origin if source else SHIPPED

    def available(self) -> list[str]:
        """Pack ids, national first, then by region code and year."""
        order = sorted(self._sources.values(), key=lambda s: (s.region != "national", s.region, s.year))
        return [source.id for source in order]

    def load(self, pack_id: str) -> Pack:
        return self._resolve(pack_id, ()).pack

    def for_region(self, region_code: str, year: int) -> Pack:
        """The most specific pack for an area code (any level down to a village) and year: county, province,
        national."""
        code = str(region_code).strip()
        if code != "national" and not (code.isdigit() and len(code) >= 2):
            raise PackNotFound(_("地区代码 '%(region)s' 应为 national 或数字代码") % {"region": region_code})
        if code == "national":
            candidates = ["national"]
        else:
            candidates = [code[:6]] if len(code) >= 6 else []
            candidates += [code[:2], "national"]
        for region in candidates:
            if (region, year) in self._by_region_year:
                return self.load(self._by_region_year[(region, year)])
        nearest = self.nearest(candidates, year)
        message = _("没有适用于地区 %(region)s 的 %(year)s 年标准包") % {"region": code, "year": year}
        if nearest:
            listed = "、".join(
                _("%(pack)s（%(year)s 年）") % {"pack": pack_id, "year": pack_year} for pack_id, pack_year in nearest
            )
            message += _("；最近的有 %(packs)s") % {"packs": listed}
        raise PackNotFound(
            message, details={"region": code, "year": year, "nearest": [pack_id for pack_id, _year in nearest]}
        )

    def nearest(self, regions, year: int, count: int = 3) -> list[tuple[str, int]]:
        """The packs of these regions closest in year to `year` (the earlier first on a tie), as (id, year)."""
        found = [(source.id, source.year) for source in self._sources.values() if source.region in regions]
        return sorted(found, key=lambda item: (abs(item[1] - year), item[1]))[:count]

    def standards_of(self, pack_id: str) -> dict:
        """The subsidy standards in force in a pack, by code: each pack of its lineage over its parent's."""
        lineage = self.load(pack_id).lineage
        found, problems = pack_standards.resolve([(pid, self._sources[pid].standards) for pid in reversed(lineage)])
        if problems:
            raise PackError(problems)
        return found

    def validate_all(self) -> list[Pack]:
        """Resolve every pack; all problems of all packs in one PackError."""
        packs, problems = [], []
        for pack_id in self.available():
            try:
                packs.append(self.load(pack_id))
                self.standards_of(pack_id)
            except PackError as error:
                problems.extend(problem for problem in error.problems if problem not in problems)
        if problems:
            raise PackError(problems)
        return packs

    # resolution

    def _resolve(self, pack_id: str, descendants: tuple[str, ...]) -> _Resolved:
        if pack_id in self._resolved:
            return self._resolved[pack_id]
        source = self._sources.get(pack_id)
        if source is None:
            raise PackNotFound(_("没有标准包 %(pack)s") % {"pack": pack_id}, details={"pack": pack_id})
        parent = self._parent(source, descendants)
        resolved = _merge(source, parent)
        self._resolved[pack_id] = resolved
        return resolved

    def _parent(self, source: _PackSource, descendants: tuple[str, ...]) -> _Resolved | None:
        if source.inherits is None:
            return None
        at = source.document.value_origins["inherits"]
        if source.inherits in (*descendants, source.id):
            cycle = " → ".join((*descendants, source.id, source.inherits))
            raise PackError([at.problem(_("继承形成循环：%(cycle)s") % {"cycle": cycle})])
        if source.inherits not in self._sources:
            raise PackError([at.problem(_("未知的父标准包 '%(parent)s'") % {"parent": source.inherits})])
        parent = self._resolve(source.inherits, (*descendants, source.id))
        problems = []
        if not _within(source.region, parent.pack.region):
            problems.append(
                source.document.value_origins["region"].problem(
                    _("地区 %(region)s 不在父标准包 %(parent)s 的地区 %(parent_region)s 之内")
                    % {"region": source.region, "parent": parent.pack.id, "parent_region": parent.pack.region}
                )
            )
        if source.year < parent.pack.year:
            problems.append(
                source.document.value_origins["year"].problem(
                    _("年份 %(year)s 早于父标准包 %(parent)s 的 %(parent_year)s 年")
                    % {"year": source.year, "parent": parent.pack.id, "parent_year": parent.pack.year}
                )
            )
        if problems:
            raise PackError(problems)
        return parent


def _id_taken(source: _PackSource, other: _PackSource) -> Problem:
    message = _("标准包 id %(id)s 已被%(origin)s的标准包使用（%(file)s）：请另取一个 id，可用 inherits 继承它")
    values = {"id": source.id, "origin": origin_label(other.origin), "file": other.document.origin.file}
    return source.document.value_origins["id"].problem(message % values)


def _within(region: str, parent_region: str) -> bool:
    return parent_region == "national" or region.startswith(parent_region)


def _merge(source: _PackSource, parent: _Resolved | None) -> _Resolved:
    """The child over its parent, then every check that needs the whole: names, rule texts, templates."""
    problems: list[Problem] = []
    figures = {
        section: {**(parent.figures[section] if parent else {}), **entries}
        for section, entries in source.figures.items()
    }
    rules = dict(parent.rules) if parent else {}
    for rule in source.rules:
        if rule.removed:
            if rules.pop(rule.id, None) is None:
                problems.append(rule.origin.problem(_("要删除的规则 %(id)s 在父标准包中不存在") % {"id": rule.id}))
        else:
            rules[rule.id] = rule
    _check_names(source, figures, problems)
    parameters = {
        name: value.value if isinstance(value, Figure) else value
        for entries in figures.values()
        for name, (value, _origin) in entries.items()
    }
    trees = _parse_rules(source, rules, parameters, problems)
    used = {name for tree in trees.values() for name in rule_language.params_used(tree)}
    for name, (_value, origin) in source.figures["options"].items():  # inherited ones were checked in the parent
        if name not in used:
            problems.append(
                origin.problem(_("选项 %(name)s 没有任何规则使用（拼写错误？规则中写 $%(name)s）") % {"name": name})
            )
    if problems:
        raise PackError(problems)
    lineage = (source.id, *(parent.pack.lineage if parent else ()))
    pack_rules = tuple(
        PackRule(
            rule.id,
            rule.title,
            rule.kind,
            rule.expression,
            rule.explain,
            rule.source,
            trees[rule.id],
            defined_in=Path(rule.origin.file).stem,
        )
        for rule in rules.values()
    )
    pack = Pack(
        id=source.id,
        region=source.region,
        year=source.year,
        title=source.title,
        lineage=lineage,
        lines={name: figure for name, (figure, _origin) in figures["lines"].items()},
        params={name: figure for name, (figure, _origin) in figures["params"].items()},
        options={name: value for name, (value, _origin) in figures["options"].items()},
        rules=pack_rules,
        version="",
        origin=source.origin,
    )
    return _Resolved(_with_version(pack), figures, rules)


def _check_names(source: _PackSource, figures: dict, problems: list[Problem]) -> None:
    """One namespace for lines, params and options, apart from the features; reported where this pack last
    writes the name (or at its id when only inherited names collide)."""
    sections_of: dict[str, list[str]] = {}
    for section, entries in figures.items():
        for name in entries:
            sections_of.setdefault(name, []).append(section)
    for name, sections in sections_of.items():
        if len(sections) < 2 and name not in FEATURES:
            continue
        written_here = next((source.figures[s][name][1] for s in reversed(sections) if name in source.figures[s]), None)
        at = written_here or source.document.value_origins["id"]
        reason = (
            _("是特征名") if name in FEATURES else _("同时出现在 %(sections)s 中") % {"sections": " 与 ".join(sections)}
        )
        problems.append(
            at.problem(
                _("名字 %(name)s %(reason)s：线、参数、选项与特征的名字不能重复") % {"name": name, "reason": reason}
            )
        )


def _parse_rules(source: _PackSource, rules: dict, parameters: dict, problems: list[Problem]) -> dict:
    known = set(FEATURES) | set(parameters)
    trees = {}
    for rule in rules.values():
        context = (
            ""
            if rule.origin.file == source.document.origin.file
            else _("（在标准包 %(pack)s 中）") % {"pack": source.id}
        )
        try:
            trees[rule.id] = rule_language.parse_rule(rule.expression, parameters)
        except rule_language.RuleError as error:
            problems.append(
                rule.expression_origin.problem(
                    _("规则 %(id)s 的 expression 无效%(context)s：%(error)s")
                    % {"id": rule.id, "context": context, "error": error.message}
                )
            )
        template_problem = _template_problem(rule.explain, known)
        if template_problem:
            problems.append(
                rule.explain_origin.problem(
                    _("规则 %(id)s 的 explain %(problem)s%(context)s")
                    % {"id": rule.id, "problem": template_problem, "context": context}
                )
            )
    return trees


def _with_version(pack: Pack) -> Pack:
    content = {
        "id": pack.id,
        "region": pack.region,
        "year": pack.year,
        "title": pack.title,
        "lineage": pack.lineage,
        "lines": {name: vars(figure) for name, figure in pack.lines.items()},
        "params": {name: vars(figure) for name, figure in pack.params.items()},
        "options": dict(pack.options),
        "rules": [[rule.id, rule.title, rule.kind, rule.expression, rule.explain, rule.source] for rule in pack.rules],
    }
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
    return replace(pack, version=digest)


def pack_from_snapshot(snapshot: Mapping) -> Pack:
    """The pack a run was judged with, rebuilt from `Pack.snapshot()` (rules parsed again, with the same checks)."""
    lines = {name: Figure(**figure) for name, figure in snapshot["lines"].items()}
    params = {name: Figure(**figure) for name, figure in snapshot["params"].items()}
    options = dict(snapshot["options"])
    parameters = {**{n: f.value for n, f in lines.items()}, **{n: f.value for n, f in params.items()}, **options}
    rules = tuple(
        PackRule(
            rule_id,
            title,
            kind,
            expression,
            explain,
            source,
            rule_language.parse_rule(expression, parameters),
            defined_in,
        )
        for rule_id, title, kind, expression, explain, source, defined_in in snapshot["rules"]
    )
    return Pack(
        id=snapshot["id"],
        region=snapshot["region"],
        year=snapshot["year"],
        title=snapshot["title"],
        lineage=tuple(snapshot["lineage"]),
        lines=lines,
        params=params,
        options=options,
        rules=rules,
        version=snapshot["version"],
        origin=snapshot.get("origin", SHIPPED),  # runs stored before packs had an origin used shipped ones
    )


# ── the packs in files: shipped, and the county's folder ────────────────────────────────────────────────────


def folder_texts() -> list[PackText]:
    """The county's own pack files (settings.POLICY_PACKS_DIR; none when it is unset)."""
    from django.conf import settings

    folder = settings.POLICY_PACKS_DIR
    return texts_of(folder, FOLDER) if folder else []


def folder_signature() -> tuple:
    """What tells that the packs folder changed (a file added, removed or rewritten): names, sizes and times."""
    from django.conf import settings

    folder = settings.POLICY_PACKS_DIR
    if not folder:
        return ()
    return (str(folder), *((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.yaml"))))


@lru_cache(maxsize=4)
def _file_library(signature: tuple) -> PackLibrary:
    return PackLibrary(PACKS_DIRECTORY, folder_texts())


def default_library() -> PackLibrary:
    """The shipped packs and the packs folder's, read again when a file of the folder changes (a running server
    sees a pack the county drops in without a restart). Uploads are added by policy.services.packs."""
    return _file_library(folder_signature())


def load_pack(pack_id: str) -> Pack:
    """The resolved (inherited and checked) pack with this id, among the files."""
    return default_library().load(pack_id)


def available_packs() -> list[str]:
    return default_library().available()


def pack_for(region_code: str, year: int) -> Pack:
    """The pack that applies to an area in a year: the county's if it has one, else the province's, else national."""
    return default_library().for_region(region_code, year)
