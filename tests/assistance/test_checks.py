"""The daily checks at their boundaries (exactly one month, exactly the visit period, the day before and after), a
township seeing only its own, a cadre only their households, counts equal to the lists.

The national pack: measure_due_months 1, visit_period_days 30, cadre_max_households 5. A household monitored on
2024-01-31 is due one month later, on 2024-02-29 (the month's end: February has no 31st)."""

import uuid
from datetime import date, timedelta

import pytest

from fupin.assistance import codes
from fupin.assistance.models import Cadre, Measure, Pairing, Responsibility, SetPost, Visit
from fupin.assistance.services import checks
from fupin.core.errors import NotFound
from fupin.registry import codes as registry_codes
from fupin.registry.models import VillageEvent
from fupin.registry.services import record_event
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.policy.registry_data import member

pytestmark = pytest.mark.django_db

MONITORED_ON = date(2024, 1, 31)
EK = registry_codes.EventKind


@pytest.fixture
def checks_household(users, make_household):
    def build(village=VILLAGE_A1, on=MONITORED_ON, name="周一"):
        household = make_household(village, members=[member(name, "01")], head_name=name)
        record_event(users["county"], household, EK.MONITORED, on, category="2", risk_type="01", via="test")
        return household

    return build


@pytest.fixture
def checks_cadre():
    def build(name="王干部", area=VILLAGE_A1, user=None):
        return Cadre.objects.create(area_id=area, name=name, user=user)

    return build


def listed(user, code, on, **kwargs):
    return {row["id"] for row in checks.run_check(user, code, on, **kwargs)}


# ── month arithmetic ──────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 1, date(2024, 3, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 1, 15), -1, date(2023, 12, 15)),
    ],
)
def test_add_months_clamps_to_the_months_end(day, months, expected):
    assert checks.add_months(day, months) == expected


def test_the_cutoff_lists_exactly_the_households_whose_months_are_up():
    """Every identification date of three years against every check date: listed ⇔ add_months(identified) <= on."""
    start = date(2023, 1, 1)
    days = [start + timedelta(days=k) for k in range(800)]
    for months in (1, 2, 3):
        for on in days[400:800:7] + [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]:
            cutoff = checks.due_cutoff(on, months)
            for identified in days[: 400 + 31]:
                assert (identified <= cutoff) == (checks.add_months(identified, months) <= on), (on, identified)


# ── households ────────────────────────────────────────────────────────────────────────────────────────────────


def test_no_measure_exactly_one_month_after_identification_is_listed(users, checks_household):
    household = checks_household()
    county = users["county"]
    assert household.pk not in listed(county, "no_measure", date(2024, 2, 28))
    assert household.pk in listed(county, "no_measure", date(2024, 2, 29))  # one month after 01-31
    assert household.pk in listed(county, "no_measure", date(2024, 3, 1))
    (row,) = checks.run_check(county, "no_measure", date(2024, 2, 29))
    assert row["number"] == household.number and row["name"] == "周一" and "2024-01-31" in row["detail"]


def test_a_measure_in_place_clears_no_measure_but_a_planned_one_does_not(users, checks_household):
    household = checks_household()
    county, on = users["county"], date(2024, 3, 5)
    measure = Measure.objects.create(
        village_id=VILLAGE_A1, household=household, category="01", started_on=date(2024, 3, 1), status="planned"
    )
    assert household.pk in listed(county, "no_measure", on)
    Measure.objects.filter(pk=measure.pk).update(status=codes.MeasureStatus.IN_PLACE)
    assert household.pk not in listed(county, "no_measure", on)
    assert household.pk in listed(county, "no_measure", date(2024, 2, 29))  # not started yet then
    Measure.objects.filter(pk=measure.pk).update(ended_on=date(2024, 3, 4))
    assert household.pk in listed(county, "no_measure", on)  # ended the day before
    assert household.pk not in listed(county, "no_measure", date(2024, 3, 4))  # its last day counts


def test_a_household_no_longer_monitored_is_not_listed(users, checks_household):
    household = checks_household()
    record_event(users["county"], household, EK.RISK_ELIMINATED, date(2024, 6, 1), elimination_way="1", via="test")
    assert household.pk in listed(users["county"], "no_measure", date(2024, 5, 31))
    assert household.pk not in listed(users["county"], "no_measure", date(2024, 6, 1))
    assert household.pk not in listed(users["county"], "no_measure", date.today())  # today: the current status


def test_today_reads_the_current_status(users, checks_household):
    household = checks_household()
    assert listed(users["county"], "no_measure", date.today()) == {household.pk}


def test_missing_responsible_lists_the_roles_missing(users, checks_household, checks_cadre):
    household = checks_household()
    cadre = checks_cadre()
    on = date(2024, 5, 1)
    for role in ("battle", "policy"):
        Responsibility.objects.create(
            village_id=VILLAGE_A1, household=household, role=role, role_name=role, cadre=cadre, started_on=on
        )
    (row,) = checks.run_check(users["county"], "missing_responsible", on)
    assert row["detail"] == "缺：包户帮扶责任人"
    assert household.pk in listed(users["county"], "missing_responsible", on - timedelta(days=1))
    Responsibility.objects.create(
        village_id=VILLAGE_A1, household=household, role="household", role_name="x", cadre=cadre,
        started_on=on, ended_on=date(2024, 5, 10),
    )  # fmt: skip
    assert household.pk not in listed(users["county"], "missing_responsible", date(2024, 5, 10))
    assert household.pk in listed(users["county"], "missing_responsible", date(2024, 5, 11))


def test_not_visited_exactly_the_period_ago_counts_as_visited(users, checks_household):
    household = checks_household()
    Visit.objects.create(
        village_id=VILLAGE_A1, household=household, client_id=uuid.uuid4(), visited_on=date(2024, 3, 1)
    )
    county = users["county"]
    assert household.pk not in listed(county, "not_visited", date(2024, 3, 31))  # exactly 30 days ago
    assert household.pk in listed(county, "not_visited", date(2024, 4, 1))  # 31 days
    assert household.pk in listed(county, "not_visited", date(2024, 2, 29))  # before the visit: never visited
    (row,) = checks.run_check(county, "not_visited", date(2024, 4, 1))
    assert row["detail"] == "最后走访 2024-03-01，已 31 天"


def test_measure_gap_lists_measures_ended_with_nothing_after(users, checks_household):
    household = checks_household()
    county = users["county"]
    Measure.objects.create(
        village_id=VILLAGE_A1, household=household, category="02", started_on=date(2024, 2, 1),
        ended_on=date(2024, 4, 30), status="ended",
    )  # fmt: skip
    assert household.pk not in listed(county, "measure_gap", date(2024, 4, 30))
    assert household.pk in listed(county, "measure_gap", date(2024, 5, 1))
    Measure.objects.create(
        village_id=VILLAGE_A1, household=household, category="01", started_on=date(2024, 6, 1), status="planned"
    )
    assert household.pk not in listed(county, "measure_gap", date(2024, 5, 1))


# ── cadres and villages ───────────────────────────────────────────────────────────────────────────────────────


def test_a_cadre_with_more_pairings_than_allowed(users, checks_household, checks_cadre):
    cadre = checks_cadre()
    on = date(2024, 5, 1)
    households = [checks_household(name=f"户{k}") for k in range(6)]
    for k, household in enumerate(households):
        Pairing.objects.create(village_id=VILLAGE_A1, household=household, cadre=cadre, started_on=on,
                               ended_on=date(2024, 5, 2) if k == 5 else None)  # fmt: skip
    assert listed(users["county"], "cadre_overloaded", on) == {cadre.pk}  # 6 > 5
    assert listed(users["county"], "cadre_overloaded", date(2024, 5, 3)) == set()  # 5 is allowed
    (row,) = checks.run_check(users["county"], "cadre_overloaded", on)
    assert row["detail"] == "结对 6 户"


def test_a_cadre_not_visiting_at_the_period_boundary(users, checks_household, checks_cadre):
    cadre = checks_cadre()
    household = checks_household()
    Pairing.objects.create(village_id=VILLAGE_A1, household=household, cadre=cadre, started_on=date(2024, 2, 1))
    Visit.objects.create(village_id=VILLAGE_A1, household=household, cadre=cadre, client_id=uuid.uuid4(),
                         visited_on=date(2024, 3, 1))  # fmt: skip
    assert listed(users["county"], "cadre_not_visiting", date(2024, 3, 31)) == set()
    assert listed(users["county"], "cadre_not_visiting", date(2024, 4, 1)) == {cadre.pk}


def test_village_sets_five_for_a_poor_village_three_for_others(users):
    on = date(2024, 5, 1)
    VillageEvent.objects.create(village_id=VILLAGE_A1, kind=registry_codes.VillageEventKind.POOR, date=date(2014, 1, 1))
    for village in (VILLAGE_A1, VILLAGE_A2):
        for part in codes.THREE_SET:
            SetPost.objects.create(village_id=village, part=part, started_on=date(2024, 1, 1))
    rows = {row["id"]: row for row in checks.run_check(users["county"], "village_set_incomplete", on)}
    assert set(rows) == {VILLAGE_A1, VILLAGE_B1}
    assert rows[VILLAGE_A1]["detail"] == "五个一缺：第一书记、农技员"
    assert rows[VILLAGE_B1]["detail"] == "三个一缺：联系领导、帮扶单位、驻村工作队"
    SetPost.objects.filter(village_id=VILLAGE_A2, part=codes.SetPart.UNIT).update(ended_on=date(2024, 4, 30))
    assert VILLAGE_A2 in listed(users["county"], "village_set_incomplete", on)
    assert VILLAGE_A2 not in listed(users["county"], "village_set_incomplete", date(2024, 4, 30))


# ── scope and counts ──────────────────────────────────────────────────────────────────────────────────────────


def test_a_township_sees_only_its_own_and_counts_equal_the_lists(users, checks_household, checks_cadre):
    a1, a2, b1 = checks_household(VILLAGE_A1), checks_household(VILLAGE_A2), checks_household(VILLAGE_B1)
    on = date(2024, 4, 1)
    assert listed(users["county"], "no_measure", on) == {a1.pk, a2.pk, b1.pk}
    assert listed(users["township_a"], "no_measure", on) == {a1.pk, a2.pk}
    assert listed(users["village_b1"], "no_measure", on) == {b1.pk}
    assert listed(users["county"], "no_measure", on, area_code=VILLAGE_A2) == {a2.pk}
    with pytest.raises(NotFound):
        checks.run_check(users["township_a"], "no_measure", on, area_code=VILLAGE_B1)
    for user in ("county", "township_a", "village_a1", "village_b1"):
        counts = checks.check_counts(users[user], on)
        assert counts == {c.code: len(checks.run_check(users[user], c.code, on)) for c in checks.CHECKS}
    assert checks.check_counts(users["county"], on)["village_set_incomplete"] == 3


def test_a_cadre_sees_the_checks_of_their_own_households(users, checks_household, checks_cadre):
    mine, other = checks_household(), checks_household(name="李二")
    cadre = checks_cadre(user=users["cadre_a1"])
    Pairing.objects.create(village_id=VILLAGE_A1, household=mine, cadre=cadre, started_on=date(2024, 2, 1))
    on = date(2024, 4, 1)
    assert listed(users["village_a1"], "no_measure", on) == {mine.pk, other.pk}
    assert listed(users["cadre_a1"], "no_measure", on) == {mine.pk}
    assert listed(users["cadre_a1"], "cadre_not_visiting", on) == {cadre.pk}
    assert checks.check_counts(users["cadre_a1"], on)["no_measure"] == 1


def test_an_unknown_check_is_not_found(users):
    with pytest.raises(NotFound):
        checks.run_check(users["county"], "nothing", date(2024, 1, 1))
    assert checks.check_counts(users["county"], date(2024, 1, 1))["no_measure"] == 0
    assert COUNTY
