"""Measures (帮扶措施) of every kind: recorded, changed and ended by the keepers of the household's area.

Which fields a kind fills is data (codes.MEASURE_KIND_FIELDS, codes.KIND_SPECIFIC_FIELDS): a measure is checked
whole against it before anything is written, on create and on every update alike, so a row never holds another
kind's fields or a value out of bounds. The micro-loan's ceiling and term come from the area's pack
(micro_loan_max, micro_loan_max_term_months). `measures_in_place` is the Python twin of
hooks.MEASURES_IN_PLACE_SQL, the count the policy engine reads."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import PREFIX_LENGTH
from fupin.core.errors import NotFound
from fupin.registry.models import Household, Member

from .. import codes
from ..models import Cadre, Measure
from .common import KEEPERS, AssistanceRefused, check_parameter, require_role

K, S = codes.MeasureKind, codes.MeasureStatus
#: what a caller may set on a measure besides its household (the kind's own fields are KIND_SPECIFIC_FIELDS)
COMMON_FIELDS = ("category", "kind", "subtype", "started_on", "ended_on", "amount", "member", "cadre", "status", "note")
EDITABLE = (*COMMON_FIELDS, *codes.KIND_SPECIFIC_FIELDS, "loan_overdue")
MONEY = ("amount", "loan_amount", "loan_interest_subsidy", "loan_balance", "post_monthly_pay", "standard_monthly")
WHOLE = ("loan_term_months", "post_months")
TEXT = ("subtype", "note", "post_type", "education_stage", "standard_code", "standard_level")
CENT = Decimal("0.01")


def label(name: str) -> str:
    return str(Measure._meta.get_field(name).verbose_name)


def _refuse(message: str, name: str):
    raise AssistanceRefused(message, field=name)


def _filled(value) -> bool:
    return value is not None and value is not False and value != ""


def _money(value, name):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        _refuse(_("%(field)s“%(value)s”不是金额") % {"field": label(name), "value": value}, name)
    if not amount.is_finite() or amount != amount.quantize(CENT):
        _refuse(_("%(field)s须为精确到分的金额") % {"field": label(name)}, name)
    if abs(amount) >= Decimal("1e12"):
        _refuse(_("%(field)s过大") % {"field": label(name)}, name)
    return amount.quantize(CENT)


def _whole(value, name):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value() or abs(number) > 32767:
        _refuse(_("%(field)s须为整数") % {"field": label(name)}, name)
    return int(number)


def _day(value, name):
    if value in (None, ""):
        return None
    if not isinstance(value, date):
        _refuse(_("%(field)s不是日期") % {"field": label(name)}, name)
    return value


def _normalised(fields: dict) -> dict:
    """Typed values: amounts Decimal to the fen, counts int, dates date, texts stripped."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise AssistanceRefused(_("帮扶措施没有这些字段：%(names)s") % {"names": "、".join(unknown)})
    out = {}
    for name, value in fields.items():
        if name in MONEY:
            value = _money(value, name)
        elif name in WHOLE:
            value = _whole(value, name)
        elif name in ("started_on", "ended_on", "loan_date"):
            value = _day(value, name)
        elif name in TEXT or name in ("category", "kind", "status"):
            value = str(value or "").strip()
        elif name == "loan_overdue":
            value = bool(value)
        out[name] = value
    return out


def _member(household: Household, member):
    if member in (None, ""):
        return None
    found = Member.objects.filter(pk=getattr(member, "pk", member), household_id=household.pk).first()
    if found is None:
        _refuse(_("受益成员不是该户的成员"), "member")
    return found


def _cadre(household: Household, cadre):
    """The responsible cadre: optional, in post, registered in an area that holds the household's village."""
    if cadre in (None, ""):
        return None
    found = Cadre.objects.select_related("area").filter(pk=getattr(cadre, "pk", cadre)).first()
    if found is None or not household.village_id.startswith(found.area.prefix):
        raise NotFound(_("未找到该帮扶干部，或其不在该户所在地区"), field="cadre")
    if not found.active:
        _refuse(_("帮扶干部“%(name)s”已不在岗") % {"name": found.name}, "cadre")
    return found


def cadres_for(household: Household) -> list[Cadre]:
    """The cadres in post who may be responsible for the household's measures: registered in its village or an
    area above it (codes cut at each level's length)."""
    village = household.village_id
    areas = {village[:length].ljust(12, "0") for length in PREFIX_LENGTH.values() if length <= 12}
    return list(Cadre.objects.filter(area_id__in=areas, active=True).order_by("area_id", "name", "id"))


def _choice(value, choices, name):
    if value and value not in choices.values:
        _refuse(_("%(field)s“%(value)s”不在代码表中") % {"field": label(name), "value": value}, name)


def _check_kind(m: Measure) -> None:
    """The category and kind, the kind's required fields filled, no other kind's field filled."""
    _choice(m.category, codes.MeasureCategory, "category")
    if not m.category:
        _refuse(_("请选择措施类别"), "category")
    _choice(m.kind, codes.MeasureKind, "kind")
    if not m.kind:
        _refuse(_("请选择措施种类"), "kind")
    _choice(m.status, codes.MeasureStatus, "status")
    required, category = codes.MEASURE_KIND_FIELDS[codes.MeasureKind(m.kind)]
    if category is not None and m.category != category:
        _refuse(
            _("%(kind)s的措施类别须为“%(category)s”")
            % {"kind": codes.MeasureKind(m.kind).label, "category": codes.MeasureCategory(category).label},
            "category",
        )
    foreign = [name for name in codes.KIND_SPECIFIC_FIELDS if name not in required and _filled(getattr(m, name))]
    if m.loan_overdue and m.kind != K.MICRO_LOAN:
        foreign.append("loan_overdue")
    if foreign:
        _refuse(
            _("%(kind)s不填写这些字段：%(names)s")
            % {"kind": codes.MeasureKind(m.kind).label, "names": "、".join(label(name) for name in foreign)},
            foreign[0],
        )
    missing = [name for name in required if not _filled(getattr(m, name))]
    if missing:
        _refuse(
            _("%(kind)s须填写：%(names)s")
            % {"kind": codes.MeasureKind(m.kind).label, "names": "、".join(label(name) for name in missing)},
            missing[0],
        )


def _check_dates(m: Measure, today: date) -> None:
    if m.started_on is None:
        _refuse(_("请填写开始日期"), "started_on")
    if m.ended_on is not None and m.ended_on < m.started_on:
        _refuse(_("结束日期%(end)s早于开始日期%(start)s") % {"end": m.ended_on, "start": m.started_on}, "ended_on")
    if m.status == S.ENDED:
        if m.ended_on is None:
            _refuse(_("已结束的措施须填写结束日期"), "ended_on")
        if m.ended_on > today:
            _refuse(_("结束日期%(end)s晚于今天（%(today)s）") % {"end": m.ended_on, "today": today}, "ended_on")
    if m.status != S.PLANNED and m.started_on > today:
        _refuse(
            _("开始日期%(start)s晚于今天（%(today)s），措施尚未落实，请标为“计划中”")
            % {"start": m.started_on, "today": today},
            "started_on",
        )


def _at_least(m: Measure, name: str, low: Decimal, *, strict=False) -> None:
    value = getattr(m, name)
    if value is not None and (value <= low if strict else value < low):
        message = _("%(field)s须大于 %(low)s") if strict else _("%(field)s不能小于 %(low)s")
        _refuse(message % {"field": label(name), "low": low}, name)


def _loan_parameter(area_code: str, day: date, name: str) -> int:
    """The pack's loan bound for the loan's year; a loan older than the packs that carry it reads today's."""
    try:
        return check_parameter(area_code, day, name)
    except AssistanceRefused:
        return check_parameter(area_code, timezone.localdate(), name)


def _check_loan(m: Measure, area_code: str) -> None:
    ceiling, term = (
        _loan_parameter(area_code, m.loan_date, "micro_loan_max"),
        _loan_parameter(area_code, m.loan_date, "micro_loan_max_term_months"),
    )
    if not Decimal(0) < m.loan_amount <= ceiling:
        _refuse(
            _("贷款金额（元）须大于 0 且不超过 %(max)s 元（标准包 micro_loan_max）") % {"max": ceiling}, "loan_amount"
        )
    if not 1 <= m.loan_term_months <= term:
        _refuse(
            _("贷款期限（月）须在 1 至 %(max)s 个月之间（标准包 micro_loan_max_term_months）") % {"max": term},
            "loan_term_months",
        )
    _at_least(m, "loan_interest_subsidy", Decimal(0))
    if not Decimal(0) <= m.loan_balance <= m.loan_amount:
        _refuse(_("贷款余额（元）须在 0 至贷款金额 %(amount)s 元之间") % {"amount": m.loan_amount}, "loan_balance")
    if m.loan_date < m.started_on:
        _refuse(_("放款日期%(loan)s早于开始日期%(start)s") % {"loan": m.loan_date, "start": m.started_on}, "loan_date")


def _check_post(m: Measure) -> None:
    if not 1 <= m.post_months <= 12:
        _refuse(_("在岗月数须在 1 至 12 之间（按年度计）"), "post_months")
    _at_least(m, "post_monthly_pay", Decimal(0), strict=True)
    expected = (m.post_monthly_pay * m.post_months).quantize(CENT)
    if m.amount is None:
        m.amount = expected
    elif m.amount != expected:
        _refuse(
            _("金额（元）%(amount)s 不等于在岗月数 × 月工资（%(months)s × %(pay)s = %(expected)s）")
            % {"amount": m.amount, "months": m.post_months, "pay": m.post_monthly_pay, "expected": expected},
            "amount",
        )


def check_measure(m: Measure, household: Household) -> None:
    """Every rule of a measure, on the unsaved row; raises AssistanceRefused naming the field."""
    today = timezone.localdate()
    if m.kind == K.MICRO_LOAN and m.started_on is None:
        m.started_on = m.loan_date  # the loan's date is its start
    _check_kind(m)
    _check_dates(m, today)
    _at_least(m, "amount", Decimal(0))
    _choice(m.post_type, codes.PostType, "post_type")
    _choice(m.education_stage, codes.EducationStage, "education_stage")
    if m.kind == K.MICRO_LOAN:
        _check_loan(m, household.village_id)
        if m.amount is None:
            m.amount = m.loan_amount  # the measure's amount is the loan's, for the totals by category
    elif m.kind == K.PUBLIC_POST:
        _check_post(m)
    elif m.kind == K.STANDARD_SUBSIDY:
        _at_least(m, "standard_monthly", Decimal(0), strict=True)


def _household(user, household) -> Household:
    found = Household.objects.restrict(user).filter(pk=getattr(household, "pk", household)).first()
    if found is None:
        raise NotFound(_("未找到该农户，或其不在您的管辖范围内"), field="household")
    return found


def _apply(m: Measure, household: Household, fields: dict) -> None:
    for name, value in fields.items():
        if name == "member":
            m.member = _member(household, value)
        elif name == "cadre":
            m.cadre = _cadre(household, value)
        else:
            setattr(m, name, "" if value is None and name in TEXT else value)


@transaction.atomic
def create_measure(user, household, *, category, kind=K.GENERAL, started_on=None, via="ui", **fields) -> Measure:
    """A new measure of the household; `fields` are the common ones (subtype, ended_on, amount, member, cadre,
    status, note) and its kind's own (codes.MEASURE_KIND_FIELDS)."""
    require_role(user, KEEPERS, _("录入帮扶措施"))
    household = _household(user, household)
    fields = _normalised({"category": category, "kind": kind, "started_on": started_on, **fields})
    measure = Measure(household=household, village_id=household.village_id, status=S.PLANNED)
    _apply(measure, household, fields)
    check_measure(measure, household)
    measure.recorded_by = user if getattr(user, "pk", None) else None
    measure.save()
    audit.record(user, Action.CREATE, measure, changes=audit.snapshot(measure), via=via)
    return measure


def _locked(user, measure) -> Measure:
    found = Measure.objects.restrict(user).select_for_update().filter(pk=getattr(measure, "pk", measure)).first()
    if found is None:
        raise NotFound(_("未找到该帮扶措施，或其不在您的管辖范围内"))
    return found


@transaction.atomic
def update_measure(user, measure, *, via="ui", **fields) -> Measure:
    """Change a measure; it is checked whole again. A public post's amount follows its months and pay unless
    the change sets the amount itself."""
    require_role(user, KEEPERS, _("修改帮扶措施"))
    measure = _locked(user, measure)
    household = measure.household
    fields = _normalised(fields)
    if fields.get("kind", measure.kind) != measure.kind:
        # a new kind: the old kind's fields go unless the change fills them again
        for name in codes.KIND_SPECIFIC_FIELDS:
            fields.setdefault(name, None)
        fields.setdefault("loan_overdue", False)
    post_changed = {"post_months", "post_monthly_pay"} & set(fields)
    if post_changed and "amount" not in fields:
        fields["amount"] = None
    if "loan_amount" in fields and "amount" not in fields and measure.amount == measure.loan_amount:
        fields["amount"] = None  # it followed the loan: it follows the new one
    before = audit.snapshot(measure)
    _apply(measure, household, fields)
    check_measure(measure, household)
    measure.save()
    audit.record(user, Action.UPDATE, measure, changes=audit.diff(before, audit.snapshot(measure)), via=via)
    return measure


@transaction.atomic
def end_measure(user, measure, *, on, via="ui") -> Measure:
    """End a measure on `on` (not before its start, not after today); an ended one is not ended twice."""
    require_role(user, KEEPERS, _("结束帮扶措施"))
    measure = _locked(user, measure)
    if measure.status == S.ENDED:
        _refuse(_("该措施已于 %(date)s 结束") % {"date": measure.ended_on}, "ended_on")
    before = audit.snapshot(measure)
    measure.status, measure.ended_on = S.ENDED, _day(on, "ended_on")
    if on is None:
        _refuse(_("请填写结束日期"), "ended_on")
    check_measure(measure, measure.household)
    measure.save()
    audit.record(user, Action.UPDATE, measure, changes=audit.diff(before, audit.snapshot(measure)), via=via)
    return measure


def in_place_filter(on: date) -> Q:
    """The rule of hooks.MEASURES_IN_PLACE_SQL as a queryset filter."""
    return ~Q(status=S.PLANNED) & Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def measures_in_place(household, on: date) -> int:
    """How many of the household's measures are in place on `on` (the policy engine's measures_in_place)."""
    return Measure.objects.filter(in_place_filter(on), household_id=getattr(household, "pk", household)).count()


def household_measures(user, household) -> dict:
    """A household's measures for its page and panel: in place today, planned, ended (newest first)."""
    household = _household(user, household)
    rows = list(
        Measure.objects.filter(household=household).select_related("member", "cadre").order_by("-started_on", "-id")
    )
    today = timezone.localdate()
    in_place = [m for m in rows if m.in_place_on(today)]
    planned = [m for m in rows if m.status == S.PLANNED]
    ended = [m for m in rows if m not in in_place and m not in planned]
    return {"household": household, "in_place": in_place, "planned": planned, "ended": ended, "all": rows}


def totals_by_category(queryset) -> list[dict]:
    """Count and amount of the measures by category, in the code list's order, with a total row last."""
    found = {
        row["category"]: row
        for row in queryset.order_by().values("category").annotate(count=Count("id"), amount=Sum("amount"))
    }
    rows = [
        {"category": code, "label": text, "count": found[code]["count"], "amount": yuan(found[code]["amount"])}
        for code, text in codes.MeasureCategory.choices
        if code in found
    ]
    rows.append(
        {
            "category": "",
            "label": _("合计"),
            "count": sum(r["count"] for r in rows),
            "amount": sum((r["amount"] for r in rows), Decimal("0.00")),
        }
    )
    return rows


def yuan(amount) -> Decimal:
    """A sum in yuan to the fen (SQLite's SUM of decimals carries float digits)."""
    return Decimal(str(amount or 0)).quantize(CENT)


def wan(amount) -> Decimal:
    """Yuan in 万元 to two decimals (seed 004 reports 4,141.02 万元)."""
    return (yuan(amount) / Decimal(10000)).quantize(CENT)


def micro_loan_figures(queryset) -> dict:
    """Micro-loans among `queryset`: issued (count, amount), outstanding balance, overdue (count, balance)."""
    loans = queryset.filter(kind=K.MICRO_LOAN).order_by()
    issued = loans.aggregate(count=Count("id"), amount=Sum("loan_amount"), balance=Sum("loan_balance"))
    overdue = loans.filter(loan_overdue=True).aggregate(count=Count("id"), balance=Sum("loan_balance"))
    outstanding = loans.filter(loan_balance__gt=0).count()
    return {
        "count": issued["count"],
        "amount": yuan(issued["amount"]),
        "amount_wan": wan(issued["amount"]),
        "balance": yuan(issued["balance"]),
        "balance_wan": wan(issued["balance"]),
        "outstanding_count": outstanding,
        "overdue_count": overdue["count"],
        "overdue_balance": yuan(overdue["balance"]),
        "overdue_balance_wan": wan(overdue["balance"]),
    }
