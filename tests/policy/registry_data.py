"""Registry rows for the assessment tests, written through the registry services where the services exist (so
the profile is kept by the same signals as in the app), with incomes and conditions set directly."""

from datetime import date
from decimal import Decimal

from fupin.registry import codes, services
from fupin.registry.models import IncomeAccount, LivingConditions
from tests.factories import make_id


def member(name="成员", relation="01", birth="19800101", **fields):
    """A member whose ID number carries the birth date (YYYYMMDD)."""
    return {"name": name, "relation": relation, "id_number": make_id(birth), **fields}


def born(day: date) -> str:
    return day.strftime("%Y%m%d")


def income(household, year, *, persons=None, wage="0", business="0", expense="0", out_of_pocket="0", **others):
    """An income account; `persons` defaults to the members on file."""
    return IncomeAccount.objects.create(
        household=household,
        year=year,
        persons=persons or household.members.count(),
        wage_income=Decimal(wage),
        business_income=Decimal(business),
        business_expense=Decimal(expense),
        compliant_out_of_pocket=Decimal(out_of_pocket),
        **{k: Decimal(v) for k, v in others.items()},
    )


def conditions(household, year, **fields):
    """Living conditions of a year; by default every guarantee is met (safe house and water, food and clothing)."""
    return LivingConditions.objects.create(household=household, year=year, **fields)


def events(user, household, *steps):
    """(kind, date[, category]) steps through services.record_event, in order."""
    for kind, on, *category in steps:
        services.record_event(user, household, kind, on, category=category[0] if category else "", via="test")


EK = codes.EventKind
