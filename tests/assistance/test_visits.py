"""Visits: idempotent by the phone's UUID, the income worked out through the registry's income service (a cadre may
record incomes, nothing else of the registry), the checks and policies judged, a risk raising one monitoring clue,
scope and roles refused with nothing written."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.accounts.models import Action, AuditEntry
from fupin.assistance.models import Cadre, Visit
from fupin.assistance.services import visits
from fupin.assistance.services.common import AssistanceRefused
from fupin.core.errors import NotFound, PermissionDenied
from fupin.monitoring.codes import Channel
from fupin.monitoring.models import Clue
from fupin.registry import services as registry
from fupin.registry.models import IncomeAccount
from tests.factories import VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits_household(make_household):
    return make_household(
        members=[
            {"name": "张大山", "relation": "01"},
            {"name": "李秀英", "relation": "02"},
            {"name": "张小红", "relation": "03"},
        ]
    )


@pytest.fixture
def visits_cadre(users):
    return Cadre.objects.create(area_id=VILLAGE_A1, name="王帮扶", user=users["cadre_a1"])


def _visit(user, household, **fields):
    base = {"client_id": uuid.uuid4(), "visited_on": timezone.localdate(), "checks": {}, "via": "test"}
    return visits.record_visit(user, household, **{**base, **fields})


def test_a_cadre_records_a_visit_as_their_own_cadre(users, visits_household, visits_cadre):
    visit, created = _visit(
        users["cadre_a1"],
        visits_household,
        met="张大山",
        checks={"food": True, "water": False},
        policies=["medical", "loan"],
        problems="屋顶漏雨",
    )
    assert created and visit.cadre == visits_cadre and visit.village_id == VILLAGE_A1
    assert visit.checks == {"food": True, "water": False} and visit.policies == ["medical", "loan"]
    entry = AuditEntry.objects.get(model="assistance.visit", action=Action.CREATE)
    assert entry.object_id == str(visit.pk)


def test_the_same_client_id_again_is_the_same_visit_and_nothing_written_twice(users, visits_household):
    client_id = uuid.uuid4()
    income = {"wage_income": "12000"}
    first, created = _visit(users["cadre_a1"], visits_household, client_id=client_id, income=income)
    again, created_again = _visit(users["cadre_a1"], visits_household, client_id=str(client_id), income=income)
    assert created and not created_again and again.pk == first.pk
    assert Visit.objects.count() == 1
    assert AuditEntry.objects.filter(model="assistance.visit").count() == 1
    assert AuditEntry.objects.filter(model="registry.incomeaccount").count() == 1


def test_the_income_goes_through_the_registry_and_the_per_capita_is_kept(users, visits_household):
    # (12000 + 3000 + 500 + 2400 − 1000) ÷ 3 members = 16900 ÷ 3 = 5633.33
    income = {
        "wage_income": "12000",
        "business_income": "3000",
        "property_income": "500",
        "pension_income": "2400",
        "business_expense": "1000",
    }
    year = timezone.localdate().year
    visit, _ = _visit(users["cadre_a1"], visits_household, income=income, income_year=year)
    account = IncomeAccount.objects.get(household=visits_household, year=year)
    assert account.persons == 3 and account.wage_income == Decimal("12000.00")
    assert account.per_capita_net_income == Decimal("5633.33")
    assert visit.per_capita_income == Decimal("5633.33") and visit.income_year == year
    entry = AuditEntry.objects.get(model="registry.incomeaccount")
    assert entry.user == users["cadre_a1"] and entry.via == "test"


def test_a_second_visit_updates_the_years_account(users, visits_household):
    year = timezone.localdate().year
    _visit(users["cadre_a1"], visits_household, income={"wage_income": "9000"}, income_year=year)
    visit, _ = _visit(users["village_a1"], visits_household, income={"wage_income": "9300"}, income_year=year)
    assert IncomeAccount.objects.get(household=visits_household, year=year).wage_income == Decimal("9300.00")
    assert visit.per_capita_income == Decimal("3100.00")  # 9300 ÷ 3


def test_a_cadre_may_record_incomes_but_not_edit_the_household(users, visits_household):
    cadre = users["cadre_a1"]
    year = timezone.localdate().year
    registry.save_income(cadre, visits_household, year, {"persons": 3, "wage_income": Decimal("600")}, via="test")
    with pytest.raises(PermissionDenied):
        registry.update_household(cadre, visits_household, {"address": "改了"}, via="test")
    with pytest.raises(PermissionDenied):
        registry.save_conditions(cadre, visits_household, year, {"electricity": True}, via="test")
    with pytest.raises(PermissionDenied):
        registry.save_income(users["inspector"], visits_household, year, {"wage_income": Decimal("1")}, via="test")


def test_a_risk_raises_one_clue_of_the_cadre_channel(users, visits_household):
    visit, _ = _visit(users["cadre_a1"], visits_household, risk_found=True, risk_types=["01", "05"], problems="患大病")
    clue = Clue.objects.get()
    assert visit.clue_ref == f"clue:{clue.pk}"
    assert clue.channel == Channel.CADRE_VISIT and clue.source_ref == f"visit:{visit.pk}"
    assert clue.household == visits_household and clue.risk_types == ["01", "05"]
    assert clue.description == "患大病"
    again, created = _visit(users["cadre_a1"], visits_household, client_id=visit.client_id, risk_found=True)
    assert not created and Clue.objects.count() == 1


def test_the_receiver_never_raises_the_same_report_twice(users, visits_household):
    from fupin.monitoring.services.clues import clue_from_risk_report

    kwargs = dict(user=users["cadre_a1"], household=visits_household, risk_types=["01"], description="病")
    kwargs.update(reported_on=timezone.localdate(), source_ref="visit:77")
    first = clue_from_risk_report(Visit, **kwargs)
    assert clue_from_risk_report(Visit, **kwargs) == first and Clue.objects.count() == 1


def test_no_risk_no_clue_and_risk_types_dropped(users, visits_household):
    visit, _ = _visit(users["cadre_a1"], visits_household, risk_found=False, risk_types=["01"])
    assert visit.risk_types == [] and visit.clue_ref == "" and not Clue.objects.exists()


def test_another_villages_household_is_not_found_and_nothing_written(users, make_household):
    other = make_household(village=VILLAGE_B1)
    with pytest.raises(NotFound):
        _visit(users["cadre_a1"], other, income={"wage_income": "1"}, risk_found=True, risk_types=["01"])
    assert not Visit.objects.exists() and not IncomeAccount.objects.exists() and not Clue.objects.exists()


def test_a_visit_under_another_areas_client_id_is_not_found(users, visits_household, make_household):
    other = make_household(village=VILLAGE_B1)
    visit, _ = _visit(users["village_b1"], other)
    with pytest.raises(NotFound):
        _visit(users["cadre_a1"], visits_household, client_id=visit.client_id)


@pytest.mark.parametrize("role", ["department", "inspector"])
def test_a_role_that_does_not_visit_is_refused(users, visits_household, role):
    with pytest.raises(PermissionDenied):
        _visit(users[role], visits_household)
    assert not Visit.objects.exists()


def test_today_is_allowed_tomorrow_is_not(users, visits_household):
    today = timezone.localdate()
    _visit(users["cadre_a1"], visits_household, visited_on=today)
    with pytest.raises(AssistanceRefused) as refused:
        _visit(users["cadre_a1"], visits_household, visited_on=today + timedelta(days=1))
    assert refused.value.field == "visited_on" and "晚于今天" in refused.value.message
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"checks": {"food": "yes"}}, "checks", "不愁吃"),
        ({"checks": {"wifi": True}}, "checks", "未知的核实项"),
        ({"policies": ["lottery"]}, "policies", "未知的政策"),
        ({"risk_found": True, "risk_types": []}, "risk_types", "至少一项"),
        ({"income": {"wage_income": "-5"}}, "wage_income", "不小于0"),
        ({"income": {"wage_income": "abc"}}, "wage_income", "不小于0"),
        ({"income": {"persons": 9}}, "income", "不能填写"),
        ({"client_id": "not-a-uuid"}, "client_id", "客户端编号"),
    ],
)
def test_bad_input_is_refused_in_chinese_with_nothing_written(users, visits_household, fields, field, words):
    with pytest.raises(AssistanceRefused) as refused:
        _visit(users["cadre_a1"], visits_household, **fields)
    assert refused.value.field == field and words in refused.value.message
    assert not Visit.objects.exists() and not IncomeAccount.objects.exists()


def test_a_clerk_names_the_cadre_who_went(users, visits_household, visits_cadre):
    visit, _ = _visit(users["village_a1"], visits_household, cadre=visits_cadre.pk)
    assert visit.cadre == visits_cadre
    far = Cadre.objects.create(area_id=VILLAGE_B1, name="远方")
    with pytest.raises(NotFound):
        _visit(users["village_a1"], visits_household, cadre=far.pk)


def test_visits_of_and_my_visits_are_scoped(users, visits_household, visits_cadre, make_household):
    mine, _ = _visit(users["cadre_a1"], visits_household)
    _visit(users["village_b1"], make_household(village=VILLAGE_B1))
    assert list(visits.visits_of(users["cadre_a1"], visits_household)) == [mine]
    assert list(visits.my_visits(users["cadre_a1"])) == [mine]
    assert visits.household_persons(visits_household, timezone.localdate().year) == 3


def test_two_sends_at_once_are_one_visit(users, visits_household, monkeypatch):
    """The race: the second request looked before the first one's row existed; the unique client_id refuses its
    insert and the first visit is returned, nothing of the second written (not its income either)."""
    first, _ = _visit(users["cadre_a1"], visits_household)
    real, calls = visits._existing, []

    def not_yet(client_id):
        calls.append(client_id)
        return None if len(calls) == 1 else real(client_id)

    monkeypatch.setattr(visits, "_existing", not_yet)
    again, created = _visit(users["cadre_a1"], visits_household, client_id=first.client_id, income={"wage_income": "5"})
    assert not created and again.pk == first.pk and len(calls) == 2
    assert Visit.objects.count() == 1 and not IncomeAccount.objects.exists()
