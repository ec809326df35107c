"""A project's subsidy (补助) computed from the standards (补助标准) in its county's policy pack for its year.

The standards are data (policy.pack_standards); this module holds the arithmetic, and returns every step of it
as data a page shows line by line:

- each line of the standard, in its order: whether it applies (its `when` conditions) and why not; the quantity
  (the product of its `per` facts, less `after` — 住院从第 11 天起 counts the days beyond 10 — never below 0, or 1
  for a lump sum); quantity × rate; the line's cap applied (最高给付); then, when the total cost is known, what is
  left of it (no funder pays beyond the cost of the work: the lines are paid in order and each takes at most the
  rest); the amount in the standard's money unit, exact, and in 万元 to four places (half up, as the ledgers keep);
- the total by funder, the total, and the remainder to be raised locally (cost − total: 一事一议、群众自筹).

A classed fact (a road's width) is read as the largest class not above it: 3.49 m is refused (narrower than the
narrowest standard), 3.5–4.49 m is the 3.5 m standard and 4.5 m and wider the 4.5 m one — a road earns a width's
standard only once it reaches that width. Facts are read exactly (a float by its shortest text), never below 0.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from fupin.core.errors import NotFound
from fupin.policy.pack_standards import CONDITION_OPERATORS, Condition, Standard, StandardFact, StandardLine
from fupin.policy.packs import PackNotFound
from fupin.policy.services import packs as pack_service

from .. import codes
from .common import FundsRefused

#: the project's unit, as the standard's facts write it: the planned quantity fills the fact of that unit
UNIT_LABELS = {choice.value: str(choice.label) for choice in codes.PhysicalUnit}
#: a fact at or above this is refused: no road, stay or household count comes near it, and the products stay
#: well inside Decimal's 28 digits
MAX_FACT = 10**9


@dataclass(frozen=True)
class SubsidyLine:
    """One line of the computation as the page shows it."""

    funder: str
    title: str
    applies: bool
    reason: str = ""  # why it does not apply, or what limited it
    quantity: Decimal | None = None
    quantity_text: str = ""  # e.g. "2.5 公里", "（20 − 10）天", "1 户"
    rate: Decimal | None = None
    rate_text: str = ""  # e.g. "每公里 15 万元", "每公里 25 万元以内"
    gross: Decimal | None = None  # quantity × rate, in the money unit
    limited_by: str = ""  # "cap" (the line's cap) or "cost" (what is left of the cost), or ""
    amount: Decimal = Decimal(0)  # in the money unit, exact
    amount_wan: Decimal = Decimal("0.0000")


@dataclass(frozen=True)
class SubsidyResult:
    standard: Standard
    pack_id: str
    pack_title: str
    year: int
    facts: list[tuple[str, str]]  # (label, value as read), in the standard's order
    lines: list[SubsidyLine]
    by_funder: list[tuple[str, Decimal, Decimal]]  # (funder, amount in the money unit, in 万元)
    total: Decimal
    total_wan: Decimal
    cost_wan: Decimal | None = None
    remainder_wan: Decimal | None = None  # cost − total, to be raised locally
    notes: list[str] = field(default_factory=list)

    @property
    def money_unit(self) -> str:
        return self.standard.money_unit

    def as_dict(self) -> dict:
        """The result as the API answers it: amounts as text, exact."""
        return {
            "standard": self.standard.code,
            "title": self.standard.title,
            "pack": self.pack_id,
            "year": self.year,
            "money_unit": self.money_unit,
            "source": self.standard.source,
            "confirmed": self.standard.confirmed,
            "facts": [{"label": label, "value": value} for label, value in self.facts],
            "lines": [
                {
                    "funder": line.funder,
                    "title": line.title,
                    "applies": line.applies,
                    "reason": line.reason,
                    "quantity": _text(line.quantity),
                    "quantity_text": line.quantity_text,
                    "rate": _text(line.rate),
                    "rate_text": line.rate_text,
                    "gross": _text(line.gross),
                    "limited_by": line.limited_by,
                    "amount": _text(line.amount),
                    "amount_wan": _text(line.amount_wan),
                }
                for line in self.lines
            ],
            "by_funder": [{"funder": f, "amount": _text(a), "amount_wan": _text(w)} for f, a, w in self.by_funder],
            "total": _text(self.total),
            "total_wan": _text(self.total_wan),
            "cost_wan": _text(self.cost_wan),
            "remainder_wan": _text(self.remainder_wan),
            "remainder_text": self.standard.remainder,
            "notes": self.notes,
        }


def _text(value) -> str | None:
    return None if value is None else format(value, "f")


def plain(value: Decimal) -> str:
    """A Decimal without trailing zeros (2.50 → 2.5, 15.0000 → 15)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ── the standards in force ──────────────────────────────────────────────────────────────────────────────────────


def standards_for(region_code: str, year: int) -> tuple[object, dict[str, Standard]]:
    """(the pack, its standards by code) for an area and year: the county's pack, else its province's or the
    national one (which hold none so far)."""
    library = pack_service.library()
    pack = library.for_region(str(region_code), int(year))
    return pack, library.standards_of(pack.id)


def standard_for(region_code: str, year: int, code: str) -> tuple[object, Standard]:
    try:
        pack, standards = standards_for(region_code, year)
    except PackNotFound as error:
        raise NotFound(error.message, field="year") from None
    if code not in standards:
        known = "、".join(f"{c}（{s.title}）" for c, s in standards.items()) or _("无")
        raise NotFound(
            _("%(year)s 年标准包 %(pack)s 中没有补助标准“%(code)s”；可用：%(known)s")
            % {"year": year, "pack": pack.id, "code": code, "known": known},
            field="standard",
        )
    return pack, standards[code]


# ── reading the facts ───────────────────────────────────────────────────────────────────────────────────────────


def _read_number(fact: StandardFact, raw) -> Decimal:
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise FundsRefused(
            _("%(label)s应为数值，实际是“%(value)s”") % {"label": fact.label, "value": raw}, field=fact.name
        )
    if value < 0:
        raise FundsRefused(_("%(label)s不能为负数") % {"label": fact.label}, field=fact.name)
    if value >= MAX_FACT:
        raise FundsRefused(
            _("%(label)s %(value)s 过大（应小于 %(max)s）") % {"label": fact.label, "value": raw, "max": MAX_FACT},
            field=fact.name,
        )
    if value.as_tuple().exponent < -6:
        raise FundsRefused(_("%(label)s最多保留六位小数") % {"label": fact.label}, field=fact.name)
    return value


def read_facts(standard: Standard, given: dict) -> dict:
    """The standard's facts from `given` (text or numbers, as a form or a project's standard_facts hold them):
    numbers exact, choices by code, a classed value with its class; a missing required fact is refused."""
    facts = {}
    for fact in standard.facts:
        raw = given.get(fact.name)
        if raw is None or str(raw).strip() == "":
            if fact.required:
                raise FundsRefused(_("请填写%(label)s") % {"label": fact.label}, field=fact.name)
            continue
        if fact.is_choice:
            code = str(raw).strip()
            if code not in dict(fact.choices):
                options = "、".join(label for _code, label in fact.choices)
                raise FundsRefused(
                    _("%(label)s应为%(options)s之一，实际是“%(value)s”")
                    % {"label": fact.label, "options": options, "value": raw},
                    field=fact.name,
                )
            facts[fact.name] = code
            continue
        value = _read_number(fact, raw)
        if fact.classes and value < fact.classes[0]:
            raise FundsRefused(
                _("%(label)s %(value)s%(unit)s 低于本标准最低的 %(lowest)s%(unit)s，不适用“%(title)s”")
                % {
                    "label": fact.label,
                    "value": plain(value),
                    "unit": fact.unit,
                    "lowest": plain(fact.classes[0]),
                    "title": standard.title,
                },
                field=fact.name,
            )
        facts[fact.name] = value
    return facts


def width_class(fact: StandardFact, value: Decimal) -> Decimal:
    """The class a value falls into: the largest class not above it (read_facts refused one below them all)."""
    return max(c for c in fact.classes if c <= value)


def facts_of_project(project, standard: Standard) -> dict:
    """A project's facts for its standard: its standard_facts, the cost fact from its 投资估算 and the quantity fact
    of its unit (公里…) from its planned quantity, where standard_facts does not give them."""
    given = dict(project.standard_facts or {})
    if standard.cost and standard.cost not in given and project.cost is not None:
        given[standard.cost] = project.cost
    unit = UNIT_LABELS.get(project.unit)
    for fact in standard.facts:
        if fact.name not in given and not fact.is_choice and not fact.classes and unit and fact.unit == unit:
            given[fact.name] = project.planned_quantity
    return given


# ── the computation ─────────────────────────────────────────────────────────────────────────────────────────────


def _fails(standard: Standard, condition: Condition, facts: dict) -> str:
    """Why a condition does not hold ("" when it does)."""
    fact = standard.fact(condition.fact)
    if condition.fact not in facts:
        return _("未填写%(label)s") % {"label": fact.label}
    value = facts[condition.fact]
    if fact.is_choice:
        if value == condition.value:
            return ""
        return _("%(label)s为%(value)s，本项仅适用于%(wanted)s") % {
            "label": fact.label,
            "value": fact.choice_label(value),
            "wanted": fact.choice_label(condition.value),
        }
    if fact.classes:
        klass = width_class(fact, value)
        if klass == condition.value:
            return ""
        return _("%(label)s %(value)s%(unit)s 属于 %(klass)s%(unit)s 档，本项为 %(wanted)s%(unit)s 档") % {
            "label": fact.label,
            "value": plain(value),
            "unit": fact.unit,
            "klass": plain(klass),
            "wanted": plain(condition.value),
        }
    holds = {
        "at_least": value >= condition.value,
        "above": value > condition.value,
        "at_most": value <= condition.value,
        "below": value < condition.value,
    }[condition.operator]
    if holds:
        return ""
    return _("%(label)s %(value)s%(unit)s，本项要求 %(op)s %(wanted)s%(unit)s") % {
        "label": fact.label,
        "value": plain(value),
        "unit": fact.unit,
        "op": CONDITION_OPERATORS[condition.operator],
        "wanted": plain(condition.value),
    }


def _quantity(standard: Standard, line: StandardLine, facts: dict) -> tuple[Decimal, str]:
    if not line.per:
        return Decimal(1), _("1 %(subject)s（一次性）") % {"subject": standard.subject}
    quantity, parts = Decimal(1), []
    for name in line.per:
        fact = standard.fact(name)
        if name not in facts:
            raise FundsRefused(_("请填写%(label)s") % {"label": fact.label}, field=name)
        quantity *= facts[name]
        parts.append(f"{plain(facts[name])} {fact.unit}".strip())
    text = " × ".join(parts)
    if line.after:
        text = _("（%(text)s − %(after)s）") % {"text": text, "after": plain(line.after)}
        quantity = max(quantity - line.after, Decimal(0))
    return quantity, text


def rate_text(standard: Standard, line: StandardLine) -> str:
    units = "·".join(standard.fact(name).unit for name in line.per) if line.per else standard.subject
    text = _("每%(unit)s %(rate)s %(money)s") % {"unit": units, "rate": plain(line.rate), "money": standard.money_unit}
    if line.up_to:
        text += _("以内")
    if line.cap is not None:
        text += _("，最高 %(cap)s %(money)s") % {"cap": plain(line.cap), "money": standard.money_unit}
    return text


def to_wan(amount: Decimal, money_unit: str) -> Decimal:
    if money_unit == "元":
        amount = amount / codes.YUAN_PER_WAN
    return amount.quantize(codes.WAN_QUANTUM, ROUND_HALF_UP)


def compute_standard(standard: Standard, given: dict, *, pack_id: str = "", pack_title: str = "", year: int = 0):
    """The subsidy of one case of `standard` from the facts `given` (see the module's docstring for the rule)."""
    facts = read_facts(standard, given)
    cost = facts.get(standard.cost) if standard.cost else None
    cost_in_unit = None if cost is None else (cost * codes.YUAN_PER_WAN if standard.money_unit == "元" else cost)
    paid, lines, by_funder = Decimal(0), [], {}
    for line in standard.lines:
        title = line.title or line.funder
        reasons = [reason for reason in (_fails(standard, c, facts) for c in line.when) if reason]
        if reasons:
            lines.append(
                SubsidyLine(line.funder, title, False, "；".join(reasons), rate_text=rate_text(standard, line))
            )
            continue
        quantity, quantity_text = _quantity(standard, line, facts)
        gross = quantity * line.rate
        amount, limited_by, reason = gross, "", ""
        if line.cap is not None and amount > line.cap:
            amount, limited_by = line.cap, "cap"
            reason = _("超过最高 %(cap)s %(money)s，按最高计") % {"cap": plain(line.cap), "money": standard.money_unit}
        if cost_in_unit is not None and amount > cost_in_unit - paid:
            amount, limited_by = max(cost_in_unit - paid, Decimal(0)), "cost"
            reason = _("以总投资扣除前面各项后的余额为限")
        paid += amount
        by_funder[line.funder] = by_funder.get(line.funder, Decimal(0)) + amount
        lines.append(
            SubsidyLine(
                line.funder,
                title,
                True,
                reason,
                quantity,
                quantity_text,
                line.rate,
                rate_text(standard, line),
                gross,
                limited_by,
                amount,
                to_wan(amount, standard.money_unit),
            )
        )
    shown = []
    for fact in standard.facts:
        if fact.name not in facts:
            continue
        value = facts[fact.name]
        if fact.is_choice:
            shown.append((fact.label, fact.choice_label(value)))
        elif fact.classes:
            klass = plain(width_class(fact, value))
            shown.append((fact.label, _("%(value)s %(unit)s（按 %(klass)s %(unit)s 档）") % {
                "value": plain(value), "unit": fact.unit, "klass": klass}))  # fmt: skip
        else:
            shown.append((fact.label, f"{plain(value)} {fact.unit}".strip()))
    total_wan = to_wan(paid, standard.money_unit)
    notes = [] if standard.confirmed else [_("本标准尚未核实（confirmed: false），测算结果仅供参考")]
    if standard.cost and cost is None:
        notes.append(_("未填写%(label)s：各项按标准上限计，不计算差额") % {"label": standard.fact(standard.cost).label})
    return SubsidyResult(
        standard=standard,
        pack_id=pack_id,
        pack_title=pack_title,
        year=year,
        facts=shown,
        lines=lines,
        by_funder=[(f, a, to_wan(a, standard.money_unit)) for f, a in by_funder.items()],
        total=paid,
        total_wan=total_wan,
        cost_wan=None if cost is None else cost.quantize(codes.WAN_QUANTUM, ROUND_HALF_UP),
        remainder_wan=None if cost is None else (cost - total_wan).quantize(codes.WAN_QUANTUM, ROUND_HALF_UP),
        notes=notes,
    )


def compute_for(region_code: str, year: int, code: str, given: dict) -> SubsidyResult:
    """The subsidy from the standard `code` of the pack in force for an area and year."""
    pack, standard = standard_for(region_code, year, code)
    return compute_standard(standard, given, pack_id=pack.id, pack_title=pack.title, year=int(year))


def compute_project(project, standard_code: str | None = None, facts: dict | None = None) -> SubsidyResult:
    """A project's subsidy: its standard (standard_code) of its county's pack for its year, read with its facts."""
    code = standard_code or project.standard_code
    if not code:
        raise FundsRefused(_("项目“%(name)s”未选择补助标准") % {"name": project.name}, field="standard_code")
    pack, standard = standard_for(project.county_id, project.year, code)
    given = facts if facts is not None else facts_of_project(project, standard)
    return compute_standard(standard, given, pack_id=pack.id, pack_title=pack.title, year=project.year)


def compute(subject, standard_code: str | None = None, *, region_code: str = "", year: int | None = None):
    """A project's subsidy (`subject` a Project: its own standard, county and year unless given), or that of
    plain facts (`subject` a dict) under the standard `standard_code` of the pack for `region_code` and `year`."""
    if isinstance(subject, dict):
        if not (standard_code and region_code and year):
            raise FundsRefused(_("请选择补助标准、县和年度"), field="standard")
        return compute_for(region_code, year, standard_code, subject)
    return compute_project(subject, standard_code)
