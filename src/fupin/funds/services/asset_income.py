"""An operating asset's income and its distribution (收益分配): a plan of a year records the income, the village
collective's part and the households' part with its rule; distributing it writes each household's share into its
property income (财产性收入（含资产收益分红）) of that year THROUGH the registry's income service
(registry.services.save_income: the registry's scope, rules and audit), so the policy engine reads it like any
other income.

Shares are in yuan to the fen. Rounding, stated: each household's exact share (the households' part × its weight ÷
the weights' total) is cut down to the fen; the fen left over go one each to the households with the largest
parts cut off, ties to the lower household number; so the shares add up to the households' part exactly."""

from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.registry.models import IncomeAccount
from fupin.registry.services import members_present_on, save_income

from .. import codes
from ..models import IncomePlan, IncomeShare
from .assets import household_in_scope, locked
from .common import FundsRefused, check_date, require_role

R = codes.ShareRule
FEN = Decimal("0.01")
MAX_YUAN = Decimal("1e12")


def yuan(value, *, field: str, label: str) -> Decimal:
    """An amount in yuan to the fen, not negative; a third decimal is refused, not rounded."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise FundsRefused(
            _("%(what)s应为金额（元），实际是“%(value)s”") % {"what": label, "value": value}, field=field
        )
    if amount.as_tuple().exponent < -2:
        raise FundsRefused(_("%(what)s须精确到分（最多两位小数）") % {"what": label}, field=field)
    if amount < 0:
        raise FundsRefused(_("%(what)s不能为负数") % {"what": label}, field=field)
    if amount >= MAX_YUAN:
        raise FundsRefused(_("%(what)s过大") % {"what": label}, field=field)
    return amount.quantize(FEN)


def split(total: Decimal, weights: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """`total` yuan divided by `weights` ((key, weight), key sorts the ties): each part cut down to the fen, the fen
    left over one each to the largest parts cut off (ties: the lower key), so the parts add up to `total`."""
    whole = sum((w for _key, w in weights), Decimal(0))
    if not weights or whole <= 0:
        raise FundsRefused(_("分配到户的权数合计须大于 0"), field="households")
    cents = int((total / FEN).to_integral_value())
    exact = {key: Decimal(cents) * w / whole for key, w in weights}
    parts = {key: int(value.to_integral_value(rounding=ROUND_DOWN)) for key, value in exact.items()}
    left = cents - sum(parts.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - parts[k]), k))[:left]:
        parts[key] += 1
    return {key: (Decimal(part) * FEN).quantize(FEN) for key, part in parts.items()}


def persons_of(household, year: int) -> int:
    """The household's persons of the year: its income account's 家庭人口数, else its members on file on 12-31."""
    account = IncomeAccount.objects.filter(household=household, year=year).first()
    if account is not None:
        return account.persons
    return members_present_on(household.members.all(), date(year, 12, 31)).count()


def _year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = 0
    if not 2010 <= year <= date.today().year:
        raise FundsRefused(_("收益年度应在2010年至今年之间"), field="year")
    return year


@transaction.atomic
def create_plan(
    user, asset, *, year, income, collective_share, rule, households, decided_on: date, approval: str = "",
    via="ui",
) -> IncomePlan:  # fmt: skip
    """A distribution plan of an operating asset's income of `year` (yuan): the collective keeps
    `collective_share`, the rest goes to `households` by `rule` — EQUAL and PER_PERSON take a list of households
    (pk or 户编号), FIXED a {household: amount} whose amounts add up to the households' part. The shares are
    worked out and kept now (IncomeShare), written into the registry only by distribute()."""
    require_role(user, codes.ASSET_KEEPERS, _("录入资产收益分配方案"))
    asset = locked(user, asset)
    if asset.category != codes.AssetCategory.OPERATING:
        raise FundsRefused(_("只有经营性资产有收益分配"), field="asset")
    if asset.state == codes.AssetState.DISPOSED:
        raise FundsRefused(_("该资产已处置"), field="asset")
    year = _year(year)
    if year < asset.formed_on.year:
        raise FundsRefused(_("收益年度早于资产形成年度（%(year)s）") % {"year": asset.formed_on.year}, field="year")
    income = yuan(income, field="income", label=_("收益总额（元）"))
    collective = yuan(collective_share or 0, field="collective_share", label=_("村集体留存（元）"))
    if collective > income:
        raise FundsRefused(_("村集体留存 %(c)s 元超过收益总额 %(i)s 元") % {"c": collective, "i": income},
                           field="collective_share")  # fmt: skip
    rule = str(rule or "").strip()
    if rule not in R.values:
        raise FundsRefused(_("请选择到户分配方式"), field="rule")
    decided_on = check_date(decided_on, field="decided_on", label=_("方案日期"))
    to_households = income - collective
    shares = _shares(user, asset, year, rule, households, to_households)
    plan = IncomePlan.objects.create(
        asset=asset, year=year, income=income, collective_share=collective, households_share=to_households,
        rule=rule, approval=str(approval or "").strip()[:120], decided_on=decided_on,
        recorded_by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip
    IncomeShare.objects.bulk_create(IncomeShare(plan=plan, household=h, amount=a) for h, a in shares)
    changes = {**audit.snapshot(plan), "shares": {h.number: str(a) for h, a in shares}}
    audit.record(user, Action.CREATE, plan, changes=changes, via=via)
    return plan


def _shares(user, asset, year, rule, households, total) -> list:
    """[(household, amount)] in household-number order; every household in the user's area and the asset's county,
    none twice."""
    if rule == R.FIXED:
        named = dict(households or {})
        found = {}
        for key, amount in named.items():
            household = household_in_scope(user, key, field="households")
            found[household.pk] = (household, yuan(amount, field="households", label=_("分红金额（元）")))
        pairs = sorted(found.values(), key=lambda p: p[0].number)
        if len(found) != len(named):
            raise FundsRefused(_("同一农户列了两次"), field="households")
        given = sum((a for _h, a in pairs), Decimal(0))
        if given != total:
            raise FundsRefused(
                _("逐户金额合计 %(given)s 元，不等于分配到户的 %(total)s 元") % {"given": given, "total": total},
                field="households",
            )
    else:
        keys = list(households or [])
        unique = {}
        for key in keys:
            household = household_in_scope(user, key, field="households")
            unique[household.pk] = household
        if len(unique) != len(keys):
            raise FundsRefused(_("同一农户列了两次"), field="households")
        ordered = sorted(unique.values(), key=lambda h: h.number)
        if total > 0 and not ordered:
            raise FundsRefused(_("请选择分配到户的农户"), field="households")
        if not ordered:
            return []
        weights = [(h.number, Decimal(1) if rule == R.EQUAL else Decimal(persons_of(h, year))) for h in ordered]
        empty = [h.number for h, (_n, w) in zip(ordered, weights, strict=True) if w <= 0]
        if empty:
            raise FundsRefused(_("农户%(n)s在%(y)s年末没有在册人口") % {"n": "、".join(empty), "y": year},
                               field="households")  # fmt: skip
        parts = split(total, weights)
        pairs = [(h, parts[h.number]) for h in ordered]
    for household, _amount in pairs:
        if not household.village_id.startswith(asset.county.prefix):
            raise FundsRefused(_("农户%(n)s不在资产所在县") % {"n": household.number}, field="households")
    return pairs


@transaction.atomic
def distribute(user, plan, *, on: date, via="ui") -> IncomePlan:
    """Pay the plan out: each share is added to its household's 财产性收入 of the plan's year through the registry's
    income service (a household without that year's account gets one, its persons those on file on 12-31). A plan
    is distributed once."""
    require_role(user, codes.ASSET_KEEPERS, _("分配资产收益"))
    plan = _plan(user, plan)
    if plan.distributed_on is not None:
        raise FundsRefused(_("该方案已于 %(d)s 分配") % {"d": plan.distributed_on}, field="distributed_on")
    day = check_date(on, field="distributed_on", label=_("分配日期"), not_before=plan.decided_on,
                     before_label=_("方案日期"))  # fmt: skip
    for share in plan.shares.select_related("household"):
        account = IncomeAccount.objects.filter(household=share.household, year=plan.year).first()
        if account is None:
            persons = members_present_on(share.household.members.all(), date(plan.year, 12, 31)).count()
            if persons < 1:
                raise FundsRefused(
                    _("农户%(n)s在%(y)s年末没有在册人口，不能建立收入台账") % {"n": share.household.number,
                                                                   "y": plan.year},
                    field="households",
                )  # fmt: skip
            data = {"persons": persons, "property_income": share.amount}
        else:
            data = {"property_income": account.property_income + share.amount}
        save_income(user, share.household, plan.year, data, via=via)
    before = audit.snapshot(plan)
    plan.distributed_on = day
    plan.save(update_fields=["distributed_on"])
    audit.record(user, Action.UPDATE, plan, changes=audit.diff(before, audit.snapshot(plan)), via=via)
    return plan


def _plan(user, plan) -> IncomePlan:
    key = getattr(plan, "pk", plan)
    rows = IncomePlan.objects.restrict(user).select_for_update().select_related("asset", "asset__county")
    found = rows.filter(pk=key).first() if str(key).isdigit() else None
    if found is None:
        from fupin.core.errors import NotFound

        raise NotFound(_("未找到该收益分配方案，或其不在您的管辖范围内"))
    return found


@transaction.atomic
def plan_and_distribute(user, asset, *, distribute_on: date | None = None, via="ui", **fields) -> IncomePlan:
    """The plan, and its distribution at once when `distribute_on` is given: both or neither."""
    plan = create_plan(user, asset, via=via, **fields)
    return distribute(user, plan, on=distribute_on, via=via) if distribute_on else plan
