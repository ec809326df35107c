"""A household's yearly records: its income account (收入台账) and its living conditions (生产生活条件), one of each
per household and year. Saved as every registry record is: in the user's scope, by an editor, judged by the model's
own rules (full_clean: registry.values and the constraints), audited with before and after, in one transaction."""

from decimal import Decimal, InvalidOperation

from django.db import models, transaction
from django.utils.translation import gettext as _

from fupin.accounts.roles import INCOME_RECORDERS
from fupin.core.errors import Conflict, NotFound, PermissionDenied

from ..models import CONDITION_FIELDS, INCOME_COMPONENTS, Household, IncomeAccount, LivingConditions
from ..values import InvalidRecord
from .base import require_editor, save_audited
from .members import income_persons_error

#: what an income account's form, the API or a script may set (the year names the record; the two incomes are
#: computed by the database from these)
INCOME_FIELDS = ("persons", *INCOME_COMPONENTS, "business_expense", "compliant_out_of_pocket", "insurance_claims")
#: what a year's living conditions may set
CONDITIONS_FIELDS = CONDITION_FIELDS


def _household_to_write(user, household, *, incomes=False) -> Household:
    """The household, locked, if the user may edit it; another area's is "not found" like a missing one. An income
    account may also be recorded by a cadre on a visit (accounts.roles.INCOME_RECORDERS), nothing else."""
    if not incomes:
        require_editor(user)
    elif getattr(user, "role", None) not in INCOME_RECORDERS:
        raise PermissionDenied(_("您的角色只能查看，不能修改建档立卡数据"))
    found = Household.objects.restrict(user).select_for_update().filter(pk=household.pk).first()
    if found is None:
        raise NotFound(_("未找到该农户"))
    return found


def _record_of_year(model, household, year, new: bool | None, exists_message: str):
    """The household's record of that year, or a new one. new=True: refuse a year already on file (a form that
    adds must not overwrite); new=False: refuse a year not on file (a form that edits); None: either."""
    record = model.objects.filter(household=household, year=year).first()
    if record is not None and new is True:
        raise Conflict(exists_message % {"year": year}, field="year", details={"year": year})
    if record is None and new is False:
        raise NotFound(_("该户没有%(year)s年度的记录") % {"year": year})
    return record or model(household=household, year=year)


def _as_stored(record, data: dict) -> dict:
    """Amounts as the database keeps them (9000 → 9000.00, a new record's defaults too), so the audit's before and
    after compare like with like; a value with more decimals than the column is left as given, for the field rule
    to refuse."""
    shaped = dict(data)
    for field in record._meta.concrete_fields:
        if not isinstance(field, models.DecimalField) or field.name not in data and record.pk is not None:
            continue
        try:
            amount = Decimal(str(data.get(field.name, getattr(record, field.name))))
            if not amount.is_finite() or amount.as_tuple().exponent < -field.decimal_places:
                continue
            amount = amount.quantize(Decimal(1).scaleb(-field.decimal_places))
        except InvalidOperation:  # not a number, or too large to hold: the field's own check says so
            continue
        if field.name in data:
            shaped[field.name] = amount
        else:
            setattr(record, field.name, amount)
    return shaped


@transaction.atomic
def save_income(user, household: Household, year: int, data: dict, *, via="ui", new: bool | None = None):
    """Create or update the household's income account of `year` with `data` (INCOME_FIELDS). Returns the record
    with its database-computed 家庭纯收入 and 人均纯收入 read back."""
    household = _household_to_write(user, household, incomes=True)
    record = _record_of_year(
        IncomeAccount, household, year, new, _("该户%(year)s年度的收入台账已存在，请在该年度的台账上修改")
    )
    # only a persons figure being set is judged (against the members on file at the year's end, the import's rule):
    # a stored one is not refused again when another field changes
    refusal = income_persons_error(household, year, data["persons"]) if data.get("persons") is not None else None
    if refusal:
        raise InvalidRecord(refusal, field="persons")
    save_audited(user, record, _as_stored(record, data), INCOME_FIELDS, via=via)
    record.refresh_from_db(fields=["net_income", "per_capita_net_income"])
    return record


@transaction.atomic
def save_conditions(user, household: Household, year: int, data: dict, *, via="ui", new: bool | None = None):
    """Create or update the household's living conditions of `year` with `data` (CONDITIONS_FIELDS)."""
    household = _household_to_write(user, household)
    record = _record_of_year(
        LivingConditions, household, year, new, _("该户%(year)s年度的生产生活条件已存在，请在该年度的记录上修改")
    )
    return save_audited(user, record, _as_stored(record, data), CONDITIONS_FIELDS, via=via)
