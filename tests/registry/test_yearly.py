"""The yearly records' services (registry.services.yearly): an income account and a year's living conditions
saved in scope, by the model's rules, audited with before and after, all or nothing — and the new household filed
with its head in one transaction."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.accounts.models import Action, AuditEntry
from fupin.core.errors import Conflict, NotFound, PermissionDenied
from fupin.registry import codes, services
from fupin.registry.models import Household, IncomeAccount, LivingConditions, Member
from fupin.registry.values import InvalidRecord
from tests.factories import VILLAGE_A1, make_id

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def household(make_household):
    """No member on file yet (its roster not loaded): 家庭人口数 is not checked, so the rules' own bounds are."""
    return make_household(VILLAGE_A1, number="A1-0101", head_name="刘桂芳", members=[])


def entries(model):
    return list(AuditEntry.objects.filter(model=model).order_by("id").values_list("action", "changes", "area_code"))


# ── income accounts ────────────────────────────────────────────────────────────────────────────────────────────


def test_a_new_income_account_is_saved_with_the_database_computed_incomes_and_audited(users, household):
    data = {
        "persons": 4,
        "wage_income": Decimal("8000"),
        "business_income": Decimal("2000"),
        "dibao_income": Decimal("1200"),
        "business_expense": Decimal("700"),
        "compliant_out_of_pocket": Decimal("300"),  # not part of the net income
    }
    income = services.save_income(users["village_a1"], household, 2023, data, via="test")
    # (8000 + 2000 + 1200 − 700) = 10500; ÷ 4 = 2625.00
    assert (income.net_income, income.per_capita_net_income) == (Decimal("10500.00"), Decimal("2625.00"))
    [(action, changes, area)] = entries("registry.incomeaccount")
    assert (action, area) == (Action.CREATE, VILLAGE_A1)
    assert changes["wage_income"] == [None, "8000.00"] and changes["persons"] == [None, 4]
    assert changes["year"] == [None, 2023] and "net_income" not in changes
    assert AuditEntry.objects.get(model="registry.incomeaccount").via == "test"


def test_an_update_audits_exactly_what_changed_and_an_unchanged_save_nothing(users, household):
    clerk = users["village_a1"]
    services.save_income(clerk, household, 2023, {"persons": 2, "wage_income": Decimal("6000")})
    income = services.save_income(clerk, household, 2023, {"wage_income": Decimal("7000.5")}, new=False)
    assert (income.persons, income.per_capita_net_income) == (2, Decimal("3500.25"))  # 7000.50 ÷ 2
    services.save_income(clerk, household, 2023, {"wage_income": 7000.50, "persons": 2})  # the same, written otherwise
    (_, created, _), (_, updated, _) = entries("registry.incomeaccount")
    assert created["wage_income"] == [None, "6000.00"] and created["pension_income"] == [None, "0.00"]
    assert updated == {"wage_income": ["6000.00", "7000.50"]}


def test_adding_a_year_on_file_and_editing_a_year_not_on_file_are_refused(users, household):
    clerk = users["village_a1"]
    services.save_income(clerk, household, 2023, {"persons": 1})
    with pytest.raises(Conflict) as refused:
        services.save_income(clerk, household, 2023, {"persons": 3}, new=True)
    assert refused.value.field == "year" and "2023年度的收入台账已存在" in refused.value.message
    with pytest.raises(NotFound):
        services.save_income(clerk, household, 2022, {"persons": 3}, new=False)
    assert list(household.incomes.values_list("year", "persons")) == [(2023, 1)]
    assert len(entries("registry.incomeaccount")) == 1


@pytest.mark.parametrize(
    ("year", "data", "field"),
    [
        (2023, {"persons": 0}, "persons"),
        (2023, {"persons": 100}, "persons"),
        (2023, {"persons": 2, "wage_income": Decimal("-0.01")}, "wage_income"),
        (2023, {"persons": 2, "dibao_income": Decimal("1.005")}, "dibao_income"),
        (2023, {"persons": 2, "business_income": Decimal("100000000.00")}, "business_income"),
        (2023, {"persons": 2, "wage_income": Decimal("1E+30")}, "wage_income"),  # beyond what quantize can hold
        (2023, {"persons": 2, "wage_income": "一千"}, "wage_income"),
        (2012, {"persons": 2}, "year"),  # before the earliest event date, 2013-01-01
        (THIS_YEAR + 1, {"persons": 2}, "year"),
        (2023, {"persons": 2, "net_income": Decimal("5")}, "net_income"),  # computed, never typed
    ],
)
def test_the_models_rules_refuse_on_the_field_and_nothing_is_written(users, household, year, data, field):
    with pytest.raises(InvalidRecord) as refused:
        services.save_income(users["village_a1"], household, year, data)
    assert refused.value.field == field
    assert not IncomeAccount.objects.exists() and not entries("registry.incomeaccount")


@pytest.mark.parametrize(
    ("year", "data"),
    [
        (2013, {"persons": 1}),
        (THIS_YEAR, {"persons": 99}),
        (2023, {"persons": 1, "business_income": Decimal("99999999.99"), "wage_income": Decimal("0.01")}),
    ],
)
def test_the_boundaries_of_the_rules_are_accepted(users, household, year, data):
    income = services.save_income(users["village_a1"], household, year, data)
    assert income.pk and income.year == year


def test_scope_and_role_are_checked_before_anything_is_written(users, household):
    with pytest.raises(NotFound):  # another village's clerk: as if the household did not exist
        services.save_income(users["village_a2"], household, 2023, {"persons": 1})
    with pytest.raises(PermissionDenied):
        services.save_income(users["inspector"], household, 2023, {"persons": 1})
    with pytest.raises(NotFound):
        services.save_conditions(users["village_b1"], household, 2023, {})
    assert not IncomeAccount.objects.exists() and not LivingConditions.objects.exists()
    assert not AuditEntry.objects.filter(model__in=["registry.incomeaccount", "registry.livingconditions"]).exists()


def test_persons_must_be_the_members_on_file_at_the_years_end(users, make_household):
    """Two members since before the records, a baby born 2023-12-31: 2022 has 2 persons, 2023 has 3; a change of
    another field leaves a stored figure alone."""
    home = make_household(
        VILLAGE_A1,
        number="A1-0102",
        members=[
            {"name": "刘大", "relation": "01", "id_number": make_id("19700101", seq=611)},
            {"name": "刘二", "relation": "02", "id_number": make_id("19720202", seq=612)},
            {"name": "刘宝", "relation": "03", "id_number": make_id("20231231", seq=613)},
        ],
    )
    with pytest.raises(InvalidRecord) as refused:
        services.save_income(users["village_a1"], home, 2022, {"persons": 3})
    assert refused.value.field == "persons"
    assert refused.value.message == "家庭人口数填的是3人，而2022年12月31日本户在册成员为2人"
    assert not home.incomes.exists()
    services.save_income(users["village_a1"], home, 2022, {"persons": 2})
    services.save_income(users["village_a1"], home, 2023, {"persons": 3})
    services.save_income(users["village_a1"], home, 2022, {"wage_income": Decimal("10")})  # persons not set
    assert dict(home.incomes.values_list("year", "persons")) == {2022: 2, 2023: 3}


# ── living conditions ──────────────────────────────────────────────────────────────────────────────────────────


def test_living_conditions_are_saved_updated_and_audited(users, household):
    clerk = users["village_a1"]
    saved = services.save_conditions(clerk, household, 2024, {"housing_safety": codes.HousingSafety.GRADE_C})
    assert (saved.year, saved.housing_safety, saved.safe_drinking_water) == (2024, "2", True)
    services.save_conditions(
        clerk, household, 2024, {"safe_drinking_water": False, "farmland_mu": Decimal("10000")}, new=False
    )
    created, updated = entries("registry.livingconditions")
    assert created[0] == Action.CREATE and created[1]["housing_safety"] == [None, "2"]
    assert updated[:2] == (Action.UPDATE, {"safe_drinking_water": [True, False], "farmland_mu": ["0.00", "10000.00"]})
    with pytest.raises(Conflict):
        services.save_conditions(clerk, household, 2024, {}, new=True)
    with pytest.raises(InvalidRecord) as refused:
        services.save_conditions(clerk, household, 2024, {"farmland_mu": Decimal("10000.01")})
    assert refused.value.field == "farmland_mu"
    assert LivingConditions.objects.get().farmland_mu == Decimal("10000.00")


# ── a new household with its head ──────────────────────────────────────────────────────────────────────────────


def test_a_new_household_is_filed_with_its_head_as_first_member(users):
    head_id = make_id("19720808", seq=441)
    household = services.create_household_with_head(
        users["village_a1"],
        {"village": VILLAGE_A1, "number": "A1-0201", "head_name": "陈玉兰"},
        {"id_number": head_id, "health": codes.Health.CHRONIC},
        via="test",
    )
    head = household.members.get()
    assert (head.name, head.relation, head.id_number, head.health) == ("陈玉兰", "01", head_id, "02")
    assert (head.birth_date, head.sex) == (date(1972, 8, 8), codes.Sex.MALE)  # the 17th digit, 1, is odd
    assert household.status == codes.Status.ORDINARY
    assert list(AuditEntry.objects.order_by("id").values_list("action", "model", "area_code")) == [
        (Action.CREATE, "registry.household", VILLAGE_A1),
        (Action.CREATE, "registry.member", VILLAGE_A1),
    ]


@pytest.mark.parametrize(
    ("username", "village", "head", "field"),
    [
        ("village_a1", VILLAGE_A1, {"id_number": "110105194912310021"}, "head.id_number"),  # wrong check digit
        ("village_a1", VILLAGE_A1, {"id_number": make_id("19720808", seq=443), "sex": "2"}, "head.sex"),
        ("village_a2", VILLAGE_A1, {"id_number": make_id("19720808", seq=445)}, "village"),  # not the clerk's
    ],
)
def test_a_refused_household_or_head_writes_nothing(users, username, village, head, field):
    with pytest.raises(InvalidRecord) as refused:
        services.create_household_with_head(
            users[username], {"village": village, "number": "A1-0202", "head_name": "陈玉兰"}, head
        )
    assert refused.value.field == field
    assert not Household.objects.exists() and not Member.objects.exists() and not AuditEntry.objects.exists()


def test_a_head_filed_in_another_household_is_a_conflict_and_the_new_household_is_undone(users, make_household):
    taken = make_id("19600101", seq=447)
    make_household(VILLAGE_A1, number="A1-0300", members=[{"name": "王五", "relation": "01", "id_number": taken}])
    before = AuditEntry.objects.count()
    with pytest.raises(Conflict) as refused:
        services.create_household_with_head(
            users["village_a1"], {"village": VILLAGE_A1, "number": "A1-0301", "head_name": "王五"}, {"id_number": taken}
        )
    assert refused.value.field == "head.id_number" and "A1-0300" in refused.value.message
    assert not Household.objects.filter(number="A1-0301").exists() and AuditEntry.objects.count() == before
