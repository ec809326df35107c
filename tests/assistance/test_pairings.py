"""Pairings over time: who was paired with a household on which day, the refusals (another village's household,
a role that keeps no records, a second open pairing, dates out of order), nothing written when refused, and the
pack's per-cadre limit as a warning, never a refusal."""

from datetime import date

import pytest

from fupin.accounts.models import AuditEntry
from fupin.assistance.models import Pairing
from fupin.assistance.services import pairings
from fupin.assistance.services.common import AssistanceRefused, NotYours
from fupin.core.errors import Conflict, NotFound
from tests.assistance.pairing_helpers import cadre
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

pytestmark = pytest.mark.django_db


def test_who_was_paired_on_which_day(users, make_household):
    county = users["county"]
    household = make_household(VILLAGE_A1)
    first, second = cadre(COUNTY, "王县干"), cadre(TOWNSHIP_A, "李乡干")
    one = pairings.pair(county, household, first, started_on=date(2024, 1, 1), via="test")
    pairings.end_pairing(county, one, on=date(2024, 3, 31), reason="工作调动", via="test")
    pairings.pair(county, household, second, started_on=date(2024, 4, 1), via="test")

    def names(day):
        return [p.cadre.name for p in pairings.pairings_on(household, day)]

    assert names(date(2023, 12, 31)) == []
    assert names(date(2024, 1, 1)) == ["王县干"]
    assert names(date(2024, 3, 31)) == ["王县干"]  # the end day is still paired
    assert names(date(2024, 4, 1)) == ["李乡干"]
    one.refresh_from_db()
    assert (one.ended_on, one.end_reason) == (date(2024, 3, 31), "工作调动")
    entries = AuditEntry.objects.filter(model="assistance.pairing").order_by("id")
    assert [(e.action, e.via, e.area_code) for e in entries] == [
        ("create", "test", VILLAGE_A1),
        ("update", "test", VILLAGE_A1),
        ("create", "test", VILLAGE_A1),
    ]
    assert entries[1].changes["ended_on"] == [None, "2024-03-31"]


def test_two_cadres_paired_at_once_are_both_listed(users, make_household):
    household = make_household(VILLAGE_A1)
    for name, day in (("甲", date(2024, 2, 1)), ("乙", date(2024, 1, 1))):
        pairings.pair(users["village_a1"], household, cadre(VILLAGE_A1, name), started_on=day, via="test")
    assert [p.cadre.name for p in pairings.pairings_on(household, date(2024, 2, 1))] == ["乙", "甲"]


def _refused(error, call):
    before = (Pairing.objects.count(), AuditEntry.objects.count())
    with pytest.raises(error) as caught:
        call()
    assert (Pairing.objects.count(), AuditEntry.objects.count()) == before
    return caught.value


def test_a_second_open_pairing_of_the_same_cadre_is_refused(users, make_household):
    household = make_household(VILLAGE_A1)
    person = cadre(VILLAGE_A1, "张帮扶")
    pairings.pair(users["county"], household, person, started_on=date(2024, 1, 1), via="test")
    error = _refused(
        Conflict, lambda: pairings.pair(users["county"], household, person, started_on=date(2024, 2, 1), via="test")
    )
    assert "已与该户结对" in error.message


def test_pairing_again_after_an_end_starts_after_it(users, make_household):
    county = users["county"]
    household = make_household(VILLAGE_A1)
    person = cadre(VILLAGE_A1, "张帮扶")
    one = pairings.pair(county, household, person, started_on=date(2024, 1, 1), via="test")
    pairings.end_pairing(county, one, on=date(2024, 3, 31), reason="暂停", via="test")
    error = _refused(
        AssistanceRefused, lambda: pairings.pair(county, household, person, started_on=date(2024, 3, 31), via="test")
    )
    assert error.field == "started_on"
    again = pairings.pair(county, household, person, started_on=date(2024, 4, 1), via="test")
    assert [p.pk for p in pairings.pairings_on(household, date(2024, 4, 1))] == [again.pk]


def test_an_end_before_the_start_or_without_a_reason_is_refused(users, make_household):
    county = users["county"]
    one = pairings.pair(
        county, make_household(VILLAGE_A1), cadre(VILLAGE_A1, "张"), started_on=date(2024, 5, 2), via="t"
    )
    for on, reason, field in ((date(2024, 5, 1), "调动", "on"), (date(2024, 6, 1), "  ", "reason")):
        error = _refused(AssistanceRefused, lambda: pairings.end_pairing(county, one, on=on, reason=reason, via="t"))
        assert error.field == field
    one.refresh_from_db()
    assert one.ended_on is None
    pairings.end_pairing(county, one, on=date(2024, 5, 2), reason="当日解除", via="t")  # the start day itself
    assert _refused(Conflict, lambda: pairings.end_pairing(county, one, on=date(2024, 6, 1), reason="再", via="t"))


def test_a_future_start_and_an_inactive_cadre_are_refused(users, make_household):
    household = make_household(VILLAGE_A1)
    error = _refused(
        AssistanceRefused,
        lambda: pairings.pair(
            users["county"], household, cadre(VILLAGE_A1, "甲"), started_on=date(2999, 1, 1), via="t"
        ),
    )
    assert "晚于今天" in error.message
    retired = cadre(VILLAGE_A1, "退休", active=False)
    error = _refused(
        AssistanceRefused,
        lambda: pairings.pair(users["county"], household, retired, started_on=date(2024, 1, 1), via="t"),
    )
    assert "已不在岗" in error.message


def test_another_villages_household_is_not_found(users, make_household):
    household = make_household(VILLAGE_A1)
    person = cadre(COUNTY, "县干部")
    for username in ("village_a2", "village_b1"):
        _refused(
            NotFound, lambda: pairings.pair(users[username], household, person, started_on=date(2024, 1, 1), via="t")
        )
    one = pairings.pair(users["county"], household, person, started_on=date(2024, 1, 1), via="t")
    _refused(NotFound, lambda: pairings.end_pairing(users["village_a2"], one, on=date(2024, 2, 1), reason="x", via="t"))


def test_a_cadre_of_another_village_cannot_serve_the_household(users, make_household):
    household = make_household(VILLAGE_A1)
    # the township sees 东二村's cadre, but he does not serve 东一村
    sibling = cadre(VILLAGE_A2, "东二村干部")
    error = _refused(
        AssistanceRefused,
        lambda: pairings.pair(users["township_a"], household, sibling, started_on=date(2024, 1, 1), via="t"),
    )
    assert error.field == "cadre"
    # 东一村's clerk does not see 西一村's cadre at all: like a missing one
    stranger = cadre(VILLAGE_B1, "西一村干部")
    _refused(
        NotFound, lambda: pairings.pair(users["village_a1"], household, stranger, started_on=date(2024, 1, 1), via="t")
    )
    _refused(
        NotFound, lambda: pairings.pair(users["village_a1"], household, 987654, started_on=date(2024, 1, 1), via="t")
    )


@pytest.mark.parametrize("username", ["cadre_a1", "inspector", "department"])
def test_a_role_that_keeps_no_records_is_refused(users, make_household, username):
    household = make_household(VILLAGE_A1)
    person = cadre(VILLAGE_A1, "甲")
    _refused(NotYours, lambda: pairings.pair(users[username], household, person, started_on=date(2024, 1, 1), via="t"))


def test_the_packs_limit_warns_but_does_not_refuse(users, make_household):
    """national packs: cadre_max_households 5 — the sixth household is saved and reported over the limit."""
    person = cadre(COUNTY, "多户干部")
    households = [make_household(VILLAGE_A1) for _ in range(6)]
    for household in households[:5]:
        pairings.pair(users["county"], household, person, started_on=date(2024, 1, 1), via="t")
    assert pairings.over_limit(person, VILLAGE_A1) is None
    assert pairings.over_limit(person, VILLAGE_A1, adding=1) == (6, 5)
    assert pairings.cadre_loads(VILLAGE_A1)["full"] == [(person, 5)]
    pairings.pair(users["county"], households[5], person, started_on=date(2024, 1, 1), via="t")
    assert pairings.over_limit(person, VILLAGE_A1) == (6, 5)
    assert pairings.paired_count(person, date(2023, 12, 31)) == 0
