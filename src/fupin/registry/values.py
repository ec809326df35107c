"""What each registry field may hold: a format and a plausible range, written once, as data.

A rule is a tuple of Checks, each a test, its argument and the Chinese reason given when the test holds. The same
data is read two ways, side by side in this module, so the two cannot drift:
- `refusal(checks, value)` in Python: the models' validation (FieldRules.clean_fields, hence the services, the
  web forms, the admin and the API, which goes through the services);
- `sql_refusal(checks, expr)` as a DuckDB expression: the importer's bulk validation (exchange.validation).
Regular expressions are written in the syntax Python's re (with re.ASCII) and RE2 (DuckDB) read alike.

The rules, by kind of field:
- text: no control or invisible characters (NUL, other C0/C1 controls, zero-width and direction marks; remarks
  may keep tab and line breaks), no longer than the column;
- phones: an 11-digit mainland mobile, 1[3-9] and 9 digits (13912345678), or a landline: an area code of 0 and
  2–3 digits, an optional "-", a 7–8-digit number and an optional extension "-1" to "-123456" (010-12345678,
  0351-2345678-801, 03512345678); no spaces, no +86;
- household numbers: settings.REGISTRY_HOUSEHOLD_NUMBER_PATTERN (FUPIN_HOUSEHOLD_NUMBER_PATTERN): by default 2–24
  letters, digits or "-", beginning and ending with a letter or digit — the national system's and the demo
  county's all-digit numbers (village code + sequence) and the tests' "K0000001" or "A1-0001", never "1";
- dates of registry events (identification, risk identification and elimination, status events): not before
  settings.REGISTRY_EARLIEST_EVENT_DATE (FUPIN_EARLIEST_EVENT_DATE, default 2013-01-01, the start of 精准扶贫
  registration) and not after today; birth dates from 1900-01-01 to today;
- whole numbers: months 0–12, risk level 1–5, disability level 1–4, persons 1–99, years of accounts and surveys
  from the earliest event date's year to this year;
- amounts: not negative, at most two decimals, at most 99,999,999.99 yuan; farmland 0–10,000 mu.
Resident ID numbers have their own module (registry.idcard), used by the services and the importer alike.

What each path does before the rule: the importer trims the blanks around a cell (a form field strips them too,
the API does not), reads a masked export value ("139****5678") as blank and undoes the formula guard (a leading ')
of exported text. The models judge only values that change (a stored value filed under an older, looser rule does
not block editing the rest of the record); the importer judges every cell the file carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core import checks as system_checks
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core.errors import CONTROL_REASON, DomainError


class InvalidRecord(DomainError):
    """A record the registry refuses: the message names the field and says why, in Chinese."""

    code = "validation_error"
    status = 422


# ---- the data ---------------------------------------------------------------------------------------------------


def _today(today: date) -> date:
    return today


def _this_year(today: date) -> int:
    return today.year


@dataclass(frozen=True)
class Check:
    """The value is refused with `reason` when `test` holds for it and `arg` (a value, or a function of today).

    Tests: contains (the regex is found anywhere), longer (more than arg characters), matches (the whole value
    matches the regex), unlike (it does not), below / above (less / more than arg), finer (more than arg
    decimals). `reason` may name {arg}."""

    test: str
    arg: object
    reason: str

    def resolved(self, today: date):
        return self.arg(today) if callable(self.arg) else self.arg

    def reason_for(self, today: date) -> str:
        return self.reason.replace("{arg}", str(self.resolved(today)))


#: characters no clerk types: C0 and C1 controls (NUL…), DEL, zero-width and direction marks, BOM
_INVISIBLE = "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
CONTROL = r"[\x00-\x1f\x7f-\x9f" + _INVISIBLE + "]"
CONTROL_IN_REMARKS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _INVISIBLE + "]"  # tab and line breaks allowed
# CONTROL_REASON, why such a text is refused, is fupin.core.errors': the API's request bodies refuse NUL in the
# same words
LENGTH_REASON = "不能超过{arg}个字符"
#: what Excel makes of a long number typed into a cell that is not text
SCIENTIFIC = r"[0-9]\.[0-9]+E\+[0-9]+"
STORED_AS_NUMBER = "被Excel存成了数字（科学计数法），后几位已丢失，请把该列设为文本后重新录入原号码"

PHONE = r"1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?"
PHONE_REASON = "应为11位手机号码（如13912345678）或带区号的固定电话（如0351-2345678，分机号可写在后面：-801）"
BANK_ACCOUNT = r"[0-9]{10,32}"
BANK_ACCOUNT_REASON = "应为10至32位数字（不含空格）"
DISABILITY_CERT = r"[0-9]{17}[0-9X][1-7][1-4]([0-9]{2})?"
DISABILITY_CERT_REASON = "应为20位（18位身份证号加残疾类别1–7和残疾等级1–4）或22位残疾人证号"
DEFAULT_NUMBER_PATTERN = r"[0-9A-Za-z][0-9A-Za-z-]{0,22}[0-9A-Za-z]"
DEFAULT_NUMBER_HINT = "应为2至24位字母、数字或“-”，以字母或数字开头和结尾"

EARLIEST_BIRTH = date(1900, 1, 1)
MAX_AMOUNT = Decimal("99999999.99")
MAX_FARMLAND_MU = Decimal("10000")


def earliest_event_date() -> date:
    value = settings.REGISTRY_EARLIEST_EVENT_DATE
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def household_number_pattern() -> str:
    return settings.REGISTRY_HOUSEHOLD_NUMBER_PATTERN or DEFAULT_NUMBER_PATTERN


def household_number_hint() -> str:
    """What a clerk is told about a refused number: the setting's words, or the pattern itself if it has none."""
    if settings.REGISTRY_HOUSEHOLD_NUMBER_HINT:
        return settings.REGISTRY_HOUSEHOLD_NUMBER_HINT
    pattern = household_number_pattern()
    return DEFAULT_NUMBER_HINT if pattern == DEFAULT_NUMBER_PATTERN else f"不符合本县户编号规则（{pattern}）"


def _text(field: models.CharField, *, pattern: str = "", reason: str = "", remarks=False, number_like=False):
    checks = [
        Check("contains", CONTROL_IN_REMARKS if remarks else CONTROL, CONTROL_REASON),
        Check("longer", field.max_length, LENGTH_REASON),
    ]
    if number_like:
        checks.append(Check("matches", SCIENTIFIC, STORED_AS_NUMBER))
    if pattern:
        checks.append(Check("unlike", pattern, reason))
    return tuple(checks)


def _range(low, high, low_reason="不能小于{arg}", high_reason="不能大于{arg}") -> tuple[Check, ...]:
    return (Check("below", low, low_reason), Check("above", high, high_reason))


#: money in yuan, and farmland in mu: not negative, to two decimals, bounded
AMOUNT = (
    Check("below", Decimal("0"), "金额不能为负数"),
    Check("finer", 2, "金额最多两位小数（到分）"),
    Check("above", MAX_AMOUNT, "金额不能超过{arg}元"),
)
FARMLAND = (
    Check("below", Decimal("0"), "不能为负数"),
    Check("finer", 2, "最多两位小数"),
    Check("above", MAX_FARMLAND_MU, "不能大于{arg}亩"),
)


def _specific(model) -> dict[str, tuple[Check, ...]]:
    """The rules that are more than "text of the column's length"."""
    opts = model._meta
    label = opts.label_lower
    earliest = earliest_event_date()
    event_dates = (
        Check("below", earliest, "不能早于{arg}"),
        Check("above", _today, "不能晚于今天"),
    )
    years = _range(earliest.year, _this_year)
    months = _range(0, 12)
    if label == "registry.household":
        return {
            "number": _text(
                opts.get_field("number"),
                pattern=household_number_pattern(),
                reason=household_number_hint(),
                number_like=True,
            ),
            "phone": _text(opts.get_field("phone"), pattern=PHONE, reason=PHONE_REASON, number_like=True),
            "bank_account": _text(
                opts.get_field("bank_account"), pattern=BANK_ACCOUNT, reason=BANK_ACCOUNT_REASON, number_like=True
            ),
            "first_identified_on": event_dates,
            "risk_identified_on": event_dates,
            "risk_eliminated_on": event_dates,
            "risk_level": _range(1, 5),
        }
    if label == "registry.member":
        return {
            "phone": _text(opts.get_field("phone"), pattern=PHONE, reason=PHONE_REASON, number_like=True),
            "disability_cert": _text(
                opts.get_field("disability_cert"),
                pattern=DISABILITY_CERT,
                reason=DISABILITY_CERT_REASON,
                number_like=True,
            ),
            "birth_date": (Check("below", EARLIEST_BIRTH, "不能早于{arg}"), Check("above", _today, "不能晚于今天")),
            "work_months": months,
            "public_job_months": months,
            "disability_level": _range(1, 4),
        }
    if label == "registry.incomeaccount":
        money = {f.name: AMOUNT for f in opts.concrete_fields if isinstance(f, models.DecimalField) and not f.generated}
        return {"year": years, "persons": _range(1, 99), **money}
    if label == "registry.livingconditions":
        return {"year": years, "farmland_mu": FARMLAND}
    if label == "registry.statusevent":
        return {"date": event_dates, "reason": _text(opts.get_field("reason"), remarks=True)}
    if label in ("areas.areapopulation", "registry.villagefacilities"):
        found = {}
        for f in opts.concrete_fields:
            if isinstance(f, models.PositiveIntegerField):
                found[f.name] = _range(0, 9_999_999)
            if isinstance(f, models.DecimalField):
                found[f.name] = AMOUNT
        return {**found, "year": years}
    if label == "registry.memberevent":  # a birth or a death may be long before the poverty records began
        return {
            "date": (Check("below", EARLIEST_BIRTH, "不能早于{arg}"), Check("above", _today, "不能晚于今天")),
            "reason": _text(opts.get_field("reason"), remarks=True),
        }
    return {}


def rules(model) -> dict[str, tuple[Check, ...]]:
    """Field name → its checks, for every field of `model` that holds a value typed in (not codes, flags or keys:
    their code lists are their rule). Built from the settings each time, so a changed setting applies at once."""
    specific = _specific(model)
    found = {}
    for f in model._meta.concrete_fields:
        if f.name in specific:
            found[f.name] = specific[f.name]
        elif isinstance(f, models.CharField) and not f.choices and not f.is_relation:
            found[f.name] = _text(f)
    return found


def rule(model, name: str) -> tuple[Check, ...] | None:
    return rules(model).get(name)


# ---- the two readings of the data ------------------------------------------------------------------------------


def _finer(value, places: int) -> bool:
    """More than `places` decimals. A value too large to round (1E+30) is not "finer": the bound after says why."""
    try:
        return value != round(value, places)
    except ArithmeticError:  # decimal.InvalidOperation: the rounded value would not fit the context's precision
        return False


PYTHON_TESTS = {
    "contains": lambda v, a: re.search(a, v, re.ASCII) is not None,
    "longer": lambda v, a: len(v) > a,
    "matches": lambda v, a: re.fullmatch(a, v, re.ASCII) is not None,
    "unlike": lambda v, a: re.fullmatch(a, v, re.ASCII) is None,
    "below": lambda v, a: v < a,
    "above": lambda v, a: v > a,
    "finer": _finer,
}
SQL_TESTS = {
    "contains": "regexp_matches({v}, {a})",
    "longer": "length({v}) > {a}",
    "matches": "regexp_full_match({v}, {a})",
    "unlike": "NOT regexp_full_match({v}, {a})",
    "below": "{v} < {a}",
    "above": "{v} > {a}",
    "finer": "{v} != round({v}, {a})",
}


def refusal(checks, value, today: date | None = None) -> str | None:
    """The reason the first failed check gives for `value` (a str, date, int or Decimal), or None if it passes."""
    today = today or timezone.localdate()
    for check in checks:
        if PYTHON_TESTS[check.test](value, check.resolved(today)):
            return check.reason_for(today)
    return None


def sql_literal(value) -> str:
    """A DuckDB literal: strings quoted by doubling ' (DuckDB reads no backslash escapes), dates typed, numbers
    only as numbers — nothing else reaches the SQL text."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("NUL in a SQL literal")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal):
        return str(Decimal(value))
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def sql_refusal(checks, expr: str, today: date) -> str:
    """A DuckDB expression: the reason the first failed check gives for the value of `expr` (typed as the field:
    VARCHAR, DATE, a number), NULL if it passes or is NULL."""
    whens = [
        f"WHEN {SQL_TESTS[c.test].format(v=expr, a=sql_literal(c.resolved(today)))} "
        f"THEN {sql_literal(c.reason_for(today))}"
        for c in checks
    ]
    return f"(CASE {' '.join(whens)} END)" if whens else "NULL"


def check(model, name: str, value, today: date | None = None) -> None:
    """Refuse `value` for field `name` of `model` with the project's DomainError ("字段：原因", field=name)."""
    checks = rule(model, name)
    reason = refusal(checks, value, today) if checks and value not in (None, "") else None
    if reason:
        label = model._meta.get_field(name).verbose_name
        raise InvalidRecord(
            _("%(label)s：%(message)s") % {"label": label, "message": reason}, field=name, details={name: [reason]}
        )


# ---- in the models -------------------------------------------------------------------------------------------------


class FieldRules:
    """Mixin of the registry models: full_clean() applies the field rules before Django's own field checks, so a
    form, the admin and every service refuse a value with the rule's reason. A value read from the database and
    not changed is not judged again (a rule made stricter later does not block editing the other fields)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_values = dict(zip(field_names, values))
        return instance

    def rule_refusals(self, exclude=()) -> dict[str, str]:
        """Field name → reason, for each field whose value breaks its rule."""
        stored = None if self._state.adding else getattr(self, "_stored_values", None)
        today = timezone.localdate()
        refused = {}
        for name, field_checks in rules(type(self)).items():
            field = self._meta.get_field(name)
            if name in exclude:
                continue
            raw = getattr(self, field.attname)
            if stored is not None and field.attname in stored and stored[field.attname] == raw:
                continue
            try:
                value = field.to_python(raw)
            except ValidationError:
                continue  # not even of the field's type: Django's own check says so
            if value in (None, ""):
                continue
            reason = refusal(field_checks, value, today)
            if reason:
                refused[name] = reason
        return refused

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        refused = self.rule_refusals(exclude)
        errors = {}
        try:
            super().clean_fields(exclude=exclude | refused.keys())
        except ValidationError as exc:
            errors = exc.error_dict
        if refused or errors:
            order = {f.name: i for i, f in enumerate(self._meta.fields)}
            names = sorted(refused.keys() | errors.keys(), key=lambda n: order.get(n, len(order)))
            raise ValidationError(
                {n: [ValidationError(refused[n], code="rule")] if n in refused else errors[n] for n in names}
            )


# ---- settings -------------------------------------------------------------------------------------------------------


@system_checks.register()
def check_settings(app_configs=None, **kwargs):
    """The household-number pattern must be one that Python and DuckDB read alike; the earliest date a date."""
    problems = []
    pattern = household_number_pattern()
    try:
        re.compile(pattern, re.ASCII)
        import duckdb

        duckdb.connect().execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
        if "\x00" in pattern or re.fullmatch(pattern, "1", re.ASCII):
            raise ValueError("接受了“1”")
    except Exception as exc:  # noqa: BLE001 - any failure is the same misconfiguration
        problems.append(
            system_checks.Error(
                f"FUPIN_HOUSEHOLD_NUMBER_PATTERN “{pattern}” 不可用：{exc}",
                id="registry.E001",
                hint="写一个Python与DuckDB（RE2）都能读的正则表达式，匹配整个户编号，且不接受“1”这样的编号",
            )
        )
    try:
        earliest = earliest_event_date()
        if earliest > date.today():
            raise ValueError("晚于今天")
    except Exception as exc:  # noqa: BLE001
        problems.append(
            system_checks.Error(
                f"FUPIN_EARLIEST_EVENT_DATE 不可用：{exc}", id="registry.E002", hint="写成YYYY-MM-DD，如2013-01-01"
            )
        )
    return problems
