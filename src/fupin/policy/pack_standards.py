"""The `standards` section of a policy pack (补助标准): named subsidy standards as data, read and checked with the
pack (every problem at its file and line, naming the field), inherited like the rest of it.

    standards:
      road_hardening:                    # the standard's code: lowercase letters, digits and _
        title: 通村通社公路硬化补助
        subject: 项目                     # what one computation is about: 项目, 户, 人…
        money_unit: 万元                  # the unit of every rate and cap: 万元 or 元
        source: seeds/004…「縣交通局補助標準為3.5米寬每公里15萬元…」
        confirmed: true
        facts:                           # what a computation is given
          length_km: {label: 建设里程, unit: 公里}                       # a number (≥ 0)
          width_m: {label: 路面宽度, unit: 米, classes: [3.5, 4.5]}      # a number read as its class
          road_class: {label: 道路类别, choices: {village: 通村路, group: 通组路}}
          cost_wan: {label: 工程总投资, unit: 万元, required: false}
        cost: cost_wan                   # optional: the fact that holds the total cost (the remainder needs it)
        remainder: 差额由村委会通过“一事一议”或整合其它项目及农户筹集解决     # optional: who raises the rest
        lines:                           # one line a funder and case, in the order they are paid
          - funder: 县交通局
            when: {width_m: 3.5}          # a class, a choice code, or {at_least|above|at_most|below: n}
            rate: 15                      # per unit of `per` (a lump sum without `per`)
            per: length_km               # or a list, multiplied: [persons, months]
            after: 0                      # optional: only the quantity beyond this counts (from the 11th day: 10)
            cap: 500                      # optional: the most this line pays
            up_to: true                   # optional: the rate is a ceiling (“…以内”)
            source: …                     # optional
      an_inherited_standard:
        removed: true                    # drops a standard that a parent defines

A child pack's standard replaces its parent's of the same code whole (a standard's lines only make sense
together); `removed: true` drops one. A classed fact (`classes`) is read as the largest class not above it: a road
of 4.49 m is a 3.5 m road, one of 5 m a 4.5 m road; a value below the smallest class is refused, because the
standard does not cover it. The arithmetic is funds.services.subsidies'; this module only holds the data.

The objects handed in are packs' YAML values (packs.YamlMap / YamlList): they carry their lines, and this module
reads them by duck typing so that packs.py can call it without an import cycle.
"""

import math
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext as _

MONEY_UNITS = ("万元", "元")
CONDITION_OPERATORS = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}

_CODE = re.compile(r"[a-z][a-z0-9_]*\Z")
_STANDARD_FIELDS = {
    "title": True,
    "subject": True,
    "money_unit": True,
    "source": True,
    "confirmed": True,
    "facts": True,
    "lines": True,
    "cost": False,
    "remainder": False,
}
_FACT_FIELDS = {"label": True, "unit": False, "classes": False, "choices": False, "required": False}
_LINE_FIELDS = {
    "funder": True,
    "rate": True,
    "title": False,
    "when": False,
    "per": False,
    "after": False,
    "cap": False,
    "up_to": False,
    "source": False,
}


@dataclass(frozen=True)
class StandardFact:
    name: str
    label: str
    unit: str = ""
    classes: tuple[Decimal, ...] = ()  # ascending: the value is read as the largest class not above it
    choices: tuple[tuple[str, str], ...] = ()  # (code, label)
    required: bool = True

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    def choice_label(self, code: str) -> str:
        return dict(self.choices).get(code, code)


@dataclass(frozen=True)
class Condition:
    fact: str
    operator: str  # "is" (a choice or a class) or one of CONDITION_OPERATORS
    value: object  # a choice code (str) or a Decimal


@dataclass(frozen=True)
class StandardLine:
    funder: str
    rate: Decimal
    title: str = ""
    when: tuple[Condition, ...] = ()
    per: tuple[str, ...] = ()  # the facts whose product is the quantity; none for a lump sum
    after: Decimal = Decimal(0)
    cap: Decimal | None = None
    up_to: bool = False
    source: str = ""


@dataclass(frozen=True)
class Standard:
    code: str
    title: str
    subject: str
    money_unit: str
    source: str
    confirmed: bool
    facts: tuple[StandardFact, ...]
    lines: tuple[StandardLine, ...]
    cost: str = ""
    remainder: str = ""
    defined_in: str = ""  # the pack whose file holds it

    def fact(self, name: str) -> StandardFact | None:
        return next((fact for fact in self.facts if fact.name == name), None)

    @property
    def funders(self) -> list[str]:
        return list(dict.fromkeys(line.funder for line in self.lines))


@dataclass(frozen=True)
class Removal:
    code: str
    origin: object = None  # where it is written (packs._Origin), for the problem of removing what is not there


# ── reading, with every problem at its line ─────────────────────────────────────────────────────────────────────


def _number(value) -> Decimal | None:
    """A YAML number as an exact Decimal (a float by its shortest text); None for anything else."""
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return Decimal(repr(value))
    return None


def _is_map(value) -> bool:
    return isinstance(value, dict) and hasattr(value, "key_origins")


def _is_list(value) -> bool:
    return isinstance(value, list) and hasattr(value, "item_origins")


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


class _Reader:
    """Checks one pack's standards section, collecting problems (packs.Problem) in `problems`."""

    def __init__(self, problems: list):
        self.problems = problems

    def at(self, origin, message: str):
        self.problems.append(origin.problem(message))

    def keys(self, mapping, fields: dict, where: str) -> bool:
        count = len(self.problems)
        for key in mapping:
            if key not in fields:
                allowed = ", ".join(fields)
                self.at(
                    mapping.key_origins[key],
                    _("%(where)s 有未知的键 '%(key)s'（可用：%(allowed)s）")
                    % {"where": where, "key": key, "allowed": allowed},
                )
        for key, required in fields.items():
            if required and key not in mapping:
                self.at(mapping.origin, _("%(where)s 缺少必填项 '%(key)s'") % {"where": where, "key": key})
        return len(self.problems) == count

    def wrong(self, mapping, key: str, where: str, expected: str):
        self.at(
            mapping.value_origins[key],
            _("%(where)s.%(key)s 应为%(expected)s，实际是 %(value)s")
            % {"where": where, "key": key, "expected": expected, "value": repr(mapping[key])},
        )

    def section(self, document) -> tuple:
        entries = document.get("standards")
        if entries is None:
            return ()
        if not _is_map(entries):  # packs' field check reports it
            return ()
        found = []
        for code, entry in entries.items():
            where = f"standards.{code}"
            if not (isinstance(code, str) and _CODE.match(code)):
                self.at(
                    entries.key_origins[code],
                    _("补助标准代码 '%(code)s' 只能含小写字母、数字和下划线，且以字母开头") % {"code": code},
                )
                continue
            if not _is_map(entry):
                self.at(entries.value_origins[code], _("%(where)s 应是映射（键: 值）") % {"where": where})
                continue
            if "removed" in entry:
                if entry.get("removed") is not True or len(entry) != 1:
                    self.at(entry.origin, _("%(where)s：删除时只写 removed: true") % {"where": where})
                else:
                    found.append(Removal(code, entries.key_origins[code]))
                continue
            standard = self.standard(code, entry, where)
            if standard is not None:
                found.append(standard)
        return tuple(found)

    def standard(self, code: str, entry, where: str) -> Standard | None:
        count = len(self.problems)
        if not self.keys(entry, _STANDARD_FIELDS, where):
            return None
        for key in ("title", "subject", "source") + (("remainder",) if "remainder" in entry else ()):
            if not _text(entry[key]):
                self.wrong(entry, key, where, _("非空文本"))
        if entry["money_unit"] not in MONEY_UNITS:
            self.wrong(entry, "money_unit", where, " 或 ".join(MONEY_UNITS))
        if type(entry["confirmed"]) is not bool:
            self.wrong(entry, "confirmed", where, _("true 或 false"))
        facts = self.facts(entry, where)
        names = {fact.name: fact for fact in facts}
        cost = entry.get("cost", "")
        if cost and (cost not in names or names[cost].is_choice or names[cost].classes):
            self.at(
                entry.value_origins["cost"],
                _("%(where)s.cost '%(cost)s' 应是 facts 中的一个数值（总投资）") % {"where": where, "cost": cost},
            )
        lines = self.lines(entry, where, names)
        if len(self.problems) != count:
            return None
        return Standard(
            code,
            entry["title"],
            entry["subject"],
            entry["money_unit"],
            entry["source"],
            entry["confirmed"],
            facts,
            lines,
            cost=cost or "",
            remainder=entry.get("remainder", ""),
        )

    def facts(self, entry, where: str) -> tuple[StandardFact, ...]:
        section = entry["facts"]
        if not _is_map(section) or not section:
            self.wrong(entry, "facts", where, _("非空映射（参数名: 说明）"))
            return ()
        facts = []
        for name, fact in section.items():
            at = f"{where}.facts.{name}"
            if not (isinstance(name, str) and _CODE.match(name)):
                self.at(section.key_origins[name], _("参数名 '%(name)s' 只能含小写字母、数字和下划线") % {"name": name})
                continue
            if not _is_map(fact):
                self.at(section.value_origins[name], _("%(where)s 应是映射（键: 值）") % {"where": at})
                continue
            if not self.keys(fact, _FACT_FIELDS, at):
                continue
            if not _text(fact["label"]):
                self.wrong(fact, "label", at, _("非空文本"))
            if "unit" in fact and not _text(fact["unit"]):
                self.wrong(fact, "unit", at, _("非空文本"))
            if "required" in fact and type(fact["required"]) is not bool:
                self.wrong(fact, "required", at, _("true 或 false"))
            classes = self.classes(fact, at)
            choices = self.choices(fact, at)
            if classes and choices:
                self.at(fact.origin, _("%(where)s 不能同时有 classes 与 choices") % {"where": at})
            facts.append(
                StandardFact(
                    name,
                    str(fact["label"]),
                    str(fact.get("unit", "")),
                    classes,
                    choices,
                    fact.get("required", True) is not False,
                )
            )
        return tuple(facts)

    def classes(self, fact, at: str) -> tuple[Decimal, ...]:
        if "classes" not in fact:
            return ()
        values = [_number(value) for value in fact["classes"]] if _is_list(fact["classes"]) else [None]
        if not values or None in values or any(value <= 0 for value in values) or values != sorted(set(values)):
            self.wrong(fact, "classes", at, _("由小到大、不重复的正数列表"))
            return ()
        return tuple(values)

    def choices(self, fact, at: str) -> tuple[tuple[str, str], ...]:
        if "choices" not in fact:
            return ()
        choices = fact["choices"]
        if not _is_map(choices) or not choices:
            self.wrong(fact, "choices", at, _("非空映射（代码: 名称）"))
            return ()
        if not all(isinstance(c, str) and _CODE.match(c) and _text(label) for c, label in choices.items()):
            self.wrong(fact, "choices", at, _("代码（小写字母、数字、下划线）到名称的映射"))
            return ()
        return tuple(choices.items())

    def lines(self, entry, where: str, facts: dict) -> tuple[StandardLine, ...]:
        section = entry["lines"]
        if not _is_list(section) or not section:
            self.wrong(entry, "lines", where, _("非空列表（以 - 开头的各项）"))
            return ()
        lines = []
        for number, (line, origin) in enumerate(zip(section, section.item_origins), start=1):
            at = _("%(where)s.lines 第 %(n)s 项") % {"where": where, "n": number}
            if not _is_map(line):
                self.at(origin, _("%(where)s 应是映射（键: 值）") % {"where": at})
                continue
            if not self.keys(line, _LINE_FIELDS, at):
                continue
            read = self.line(line, at, facts)
            if read is not None:
                lines.append(read)
        return tuple(lines)

    def line(self, line, at: str, facts: dict) -> StandardLine | None:
        count = len(self.problems)
        for key in ("funder", "title", "source"):
            if key in line and not _text(line[key]):
                self.wrong(line, key, at, _("非空文本"))
        rate, cap, after = _number(line["rate"]), _number(line.get("cap", 1)), _number(line.get("after", 0))
        if rate is None or rate <= 0:
            self.wrong(line, "rate", at, _("大于 0 的数值"))
        if cap is None or cap <= 0:
            self.wrong(line, "cap", at, _("大于 0 的数值"))
        if after is None or after < 0:
            self.wrong(line, "after", at, _("不小于 0 的数值"))
        if "up_to" in line and type(line["up_to"]) is not bool:
            self.wrong(line, "up_to", at, _("true 或 false"))
        per = line.get("per", ())
        per = (per,) if isinstance(per, str) else tuple(per) if _is_list(per) or per == () else (None,)
        if any(not isinstance(name, str) or name not in facts or facts[name].is_choice or facts[name].classes
               for name in per):  # fmt: skip
            self.wrong(line, "per", at, _("facts 中的数值参数（数量），或其列表（相乘）"))
        if after and not per:
            self.at(line.value_origins["after"], _("%(where)s：after 需要同时写 per") % {"where": at})
        when = self.when(line, at, facts) if "when" in line else ()
        if len(self.problems) != count:
            return None
        return StandardLine(
            line["funder"],
            rate,
            title=line.get("title", ""),
            when=when,
            per=per,
            after=after,
            cap=cap if "cap" in line else None,
            up_to=line.get("up_to", False),
            source=line.get("source", ""),
        )

    def when(self, line, at: str, facts: dict) -> tuple[Condition, ...]:
        section = line["when"]
        if not _is_map(section) or not section:
            self.wrong(line, "when", at, _("非空映射（参数名: 条件）"))
            return ()
        conditions = []
        for name, test in section.items():
            fact = facts.get(name)
            origin = section.value_origins[name]
            if fact is None:
                self.at(
                    section.key_origins[name],
                    _("%(where)s.when 的 '%(name)s' 不在 facts 中") % {"where": at, "name": name},
                )
            elif fact.is_choice:
                if test not in dict(fact.choices):
                    options = ", ".join(dict(fact.choices))
                    self.at(
                        origin,
                        _("%(where)s.when.%(name)s 应是 %(options)s 之一")
                        % {"where": at, "name": name, "options": options},
                    )
                else:
                    conditions.append(Condition(name, "is", test))
            elif fact.classes:
                if _number(test) not in fact.classes:
                    options = ", ".join(str(value) for value in fact.classes)
                    self.at(
                        origin,
                        _("%(where)s.when.%(name)s 应是档次 %(options)s 之一")
                        % {"where": at, "name": name, "options": options},
                    )
                else:
                    conditions.append(Condition(name, "is", _number(test)))
            elif _is_map(test) and len(test) == 1 and next(iter(test)) in CONDITION_OPERATORS:
                operator, value = next(iter(test.items()))
                if _number(value) is None:
                    self.at(
                        origin,
                        _("%(where)s.when.%(name)s.%(op)s 应为数值") % {"where": at, "name": name, "op": operator},
                    )
                else:
                    conditions.append(Condition(name, operator, _number(value)))
            else:
                operators = ", ".join(CONDITION_OPERATORS)
                self.at(
                    origin,
                    _("%(where)s.when.%(name)s 应写成 {%(ops)s 之一: 数值}")
                    % {"where": at, "name": name, "ops": operators},
                )
        return tuple(conditions)


def read_standards(document, problems: list) -> tuple:
    """The standards (and removals) one pack file writes, in order; its problems are appended to `problems`."""
    return _Reader(problems).section(document)


def resolve(written: list[tuple[str, tuple]]) -> tuple[dict[str, Standard], list]:
    """(the standards in force after inheritance, the problems), given (pack id, what it writes) from the root
    pack down; removing a standard that no parent defines is a problem (a typo would otherwise keep it)."""
    standards: dict[str, Standard] = {}
    problems = []
    for pack_id, entries in written:
        for entry in entries:
            if isinstance(entry, Removal):
                if standards.pop(entry.code, None) is None:
                    problems.append(
                        entry.origin.problem(_("要删除的补助标准 %(code)s 在父标准包中不存在") % {"code": entry.code})
                    )
            else:
                standards[entry.code] = replace(entry, defined_in=pack_id)
    return standards, problems
