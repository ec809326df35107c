"""Relocation's four rates, the employed share, trainings, enterprises and social aid at hand-worked values, on
the day before and the day of each date that moves them, with zero denominators and the user's scope."""

from datetime import date
from decimal import Decimal

import pytest

from fupin.assistance.models import Unit
from fupin.assistance.services import programmes, relocation
from fupin.assistance.services.programme_figures import programme_figures, rate
from fupin.core.errors import NotFound
from fupin.registry import services as registry
from fupin.registry.codes import EventKind
from tests.factories import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db

ONE_DAY = date.resolution


def _pair(figure) -> tuple:
    return figure["numerator"], figure["denominator"], figure["rate"]


@pytest.fixture
def programmes_world(users, make_household):
    """S1 (4 planned) completed 2019-06-30 and S2 (6 planned) completed 2020-01-01, both of 东乡镇. H1 (poor since
    2015, exited 2019-12-01) moved into S1 on 2019-07-01, one member employed, demolished 2019-08-01 and reclaimed
    2019-09-01; H2 (ordinary) moved into S1 on 2019-07-02; H3 is relocated to S2 and has not moved in."""
    county, clerk = users["county"], users["village_a1"]
    s1 = relocation.create_site(
        county, area_code=TOWNSHIP_A, name="S1", planned_households=4,
        construction_started_on=date(2018, 1, 1), construction_completed_on=date(2019, 6, 30), via="test",
    )  # fmt: skip
    s2 = relocation.create_site(
        county, area_code=TOWNSHIP_A, name="S2", planned_households=6,
        construction_started_on=date(2018, 1, 1), construction_completed_on=date(2020, 1, 1), via="test",
    )  # fmt: skip
    h1, h2, h3 = (make_household(VILLAGE_A1) for _ in range(3))
    registry.record_event(county, h1, EventKind.IDENTIFIED, date(2015, 3, 1), reason="因病", via="test")
    registry.record_event(county, h1, EventKind.EXITED, date(2019, 12, 1), reason="稳定脱贫", via="test")
    relocation.record_relocation(
        clerk, h1, site=s1, persons=1, moved_in_on=date(2019, 7, 1), demolished_on=date(2019, 8, 1),
        reclaimed_on=date(2019, 9, 1), employed_members=1, via="test",
    )  # fmt: skip
    relocation.record_relocation(clerk, h2, site=s1, persons=1, moved_in_on=date(2019, 7, 2), via="test")
    relocation.record_relocation(clerk, h3, site=s2, persons=1, via="test")
    return {"s1": s1, "s2": s2}


def _relocation(users, day, who="county", area_code=None):
    return programme_figures(users[who], as_of=day, area_code=area_code)["relocation"]


def test_completion_by_sites_and_by_planned_households(users, programmes_world):
    before, on = _relocation(users, date(2019, 12, 31)), _relocation(users, date(2020, 1, 1))
    assert _pair(before["completion"]) == (1, 2, 0.5)
    assert _pair(before["completion_by_plan"]) == (4, 10, 0.4)
    assert _pair(on["completion"]) == (2, 2, 1.0) and _pair(on["completion_by_plan"]) == (10, 10, 1.0)
    assert before["sites"] == 2 and before["planned_households"] == 10 and before["relocated"] == 3


def test_occupancy_counts_a_move_in_from_its_day(users, programmes_world):
    assert _pair(_relocation(users, date(2019, 6, 30))["occupancy"]) == (0, 10, 0.0)
    assert _pair(_relocation(users, date(2019, 7, 1))["occupancy"]) == (1, 10, 0.1)
    assert _pair(_relocation(users, date(2019, 7, 2))["occupancy"]) == (2, 10, 0.2)


def test_stability_reads_the_registry_status_on_the_day(users, programmes_world):
    # H1 is poor until its exit on 2019-12-01; H2 is an ordinary household throughout
    assert _pair(_relocation(users, date(2019, 11, 30))["stable"]) == (1, 2, 0.5)
    assert _pair(_relocation(users, date(2019, 12, 1))["stable"]) == (2, 2, 1.0)
    assert _pair(_relocation(users, date(2019, 7, 1))["stable"]) == (0, 1, 0.0)  # only H1 moved in, still poor


def test_reclamation_over_every_relocated_household(users, programmes_world):
    assert _pair(_relocation(users, date(2019, 8, 31))["reclamation"]) == (0, 3, 0.0)
    assert _pair(_relocation(users, date(2019, 9, 1))["reclamation"]) == (1, 3, 0.3333)


def test_employed_share_of_the_moved_in(users, programmes_world):
    assert _pair(_relocation(users, date(2019, 7, 1))["employed"]) == (1, 1, 1.0)
    assert _pair(_relocation(users, date(2019, 7, 2))["employed"]) == (1, 2, 0.5)


def test_zero_denominators_give_no_rate(users, programmes_world):
    early = _relocation(users, date(2019, 6, 30))
    assert _pair(early["stable"]) == (0, 0, None) and _pair(early["employed"]) == (0, 0, None)
    empty = _relocation(users, date(2024, 1, 1), who="village_b1")  # 西一村: no site, no relocated household
    for name in ("completion", "completion_by_plan", "occupancy", "stable", "reclamation", "employed"):
        assert _pair(empty[name]) == (0, 0, None) and empty[name]["definition"]
    assert rate(0, 0)["rate"] is None


def test_figures_are_scoped(users, programmes_world):
    other = _relocation(users, date(2024, 1, 1), who="village_a2")
    assert other["relocated"] == 0 and other["sites"] == 0  # 东二村 has no household in either site
    mine = _relocation(users, date(2024, 1, 1), who="village_a1")
    assert mine["relocated"] == 3 and mine["sites"] == 2  # the township's sites that house its households
    assert _relocation(users, date(2024, 1, 1), area_code=VILLAGE_A2)["relocated"] == 0
    with pytest.raises(NotFound):
        programme_figures(users["village_a2"], as_of=date(2024, 1, 1), area_code=VILLAGE_A1)


def test_training_enterprise_and_social_aid_figures(users, make_household):
    county, clerk = users["county"], users["village_a1"]
    welding = programmes.create_training(
        county, area_code=TOWNSHIP_A, course="电焊", started_on=date(2023, 3, 1), via="test"
    )
    cooking = programmes.create_training(
        county, area_code=TOWNSHIP_A, course="厨师", started_on=date(2023, 5, 1), via="test"
    )
    programmes.create_training(county, area_code=TOWNSHIP_B, course="西乡培训", started_on=date(2023, 1, 1), via="test")
    one = make_household(VILLAGE_A1).members.get()
    two = make_household(VILLAGE_A1).members.get()
    programmes.add_attendance(clerk, welding, one, certified=True, employed=True, via="test")
    programmes.add_attendance(clerk, cooking, one, certified=True, via="test")
    programmes.add_attendance(clerk, cooking, two, via="test")
    training = programme_figures(clerk, as_of=date(2023, 5, 1))["training"]
    assert (training["courses"], training["attendances"], training["trained"]) == (2, 3, 2)
    assert _pair(training["certified_rate"]) == (1, 2, 0.5) and _pair(training["employed_rate"]) == (1, 2, 0.5)
    before = programme_figures(clerk, as_of=date(2023, 4, 30))["training"]
    assert (before["courses"], before["attendances"], before["trained"]) == (1, 1, 1)
    assert programme_figures(county, as_of=date(2023, 5, 1))["training"]["courses"] == 3

    firm = Unit.objects.create(area_id=TOWNSHIP_A, name="东方建材", kind="enterprise")
    for village, amount in ((VILLAGE_A1, "150000.00"), (VILLAGE_A2, "7000.50")):
        programmes.create_enterprise_pairing(
            county, village_code=village, unit=firm, started_on=date(2021, 1, 1), projects=2,
            amount=Decimal(amount), via="test",
        )  # fmt: skip
    firms = programme_figures(county, as_of=date(2021, 1, 1))["enterprise"]
    assert (firms["enterprises"], firms["villages"], firms["projects"]) == (1, 2, 4)
    assert firms["amount"] == Decimal("157000.50") and firms["amount_wan"] == Decimal("15.70")
    assert programme_figures(county, as_of=date(2020, 12, 31))["enterprise"]["projects"] == 0

    programmes.create_social_aid(
        clerk, village_code=VILLAGE_A1, donor="爱心人士", given_on=date(2022, 1, 1), content="米面油",
        amount=Decimal("1200.00"), via="test",
    )  # fmt: skip
    aid = programme_figures(clerk, as_of=date(2022, 1, 1))["social_aid"]
    assert aid["count"] == 1 and aid["amount"] == Decimal("1200.00") and aid["amount_wan"] == Decimal("0.12")
    assert programme_figures(users["village_a2"], as_of=date(2022, 1, 1))["social_aid"]["count"] == 0
