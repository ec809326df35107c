"""Figures from above: a run over the whole county, read by a township or a village user, gives that user's own
totals — households, persons, passed, unknown, per category — never the county's (in_scope), on the
flagged list (API and page) as in the run list. Hand-made data: every total below is counted by hand."""

from datetime import date

import pytest

from fupin.policy.models import AssessmentRun
from fupin.policy.services.batch import assess
from fupin.policy.services.queries import in_scope
from fupin.registry import codes
from fupin.registry.models import VillageEvent
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.policy.registry_data import conditions, income, member

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)
POOR_WAGE, RICH_WAGE = "5000", "90000"  # per person: inside the 6000 monitoring range, far above it


@pytest.fixture
def county_run(make_household, users):
    """东一村: two flagged households (1 and 3 persons) and one not (2 persons); 东二村: one flagged (2 persons);
    西一村: three flagged (1 person each) and one not. One monitoring run over the whole county."""

    def home(village, persons, wage, name):
        people = [member(f"{name}{i}", "01" if i == 0 else "03", health=codes.Health.SERIOUS) for i in range(persons)]
        household = make_household(village, members=people)
        income(household, 2023, wage=str(int(wage) * persons))
        conditions(household, 2023)
        return household

    homes = {
        "a1": [
            home(VILLAGE_A1, 1, POOR_WAGE, "甲"),
            home(VILLAGE_A1, 3, POOR_WAGE, "乙"),
            home(VILLAGE_A1, 2, RICH_WAGE, "丙"),
        ],
        "a2": [home(VILLAGE_A2, 2, POOR_WAGE, "丁")],
        "b1": [home(VILLAGE_B1, 1, POOR_WAGE, f"戊{n}") for n in range(3)] + [home(VILLAGE_B1, 1, RICH_WAGE, "己")],
    }
    run = assess("monitoring", user=users["county"], pack_id="national-2023", as_of=AS_OF)
    return run, homes


def totals(run: dict) -> tuple:
    return run["households"], run["persons"], run["passed"], run["passed_persons"], run["unknown"]


def test_the_county_sees_the_runs_stored_totals(api_as, county_run):
    run, _ = county_run
    assert (run.households, run.persons, run.passed, run.passed_persons) == (8, 12, 6, 9)
    body = api_as("county").get("/assessments/flagged").json()
    assert totals(body["run"]) == (8, 12, 6, 9, 0) and body["count"] == 6
    assert body["run"]["counted_in"] == COUNTY[:6] and body["run"]["counts"]["category"] == {"2": [6, 9]}


@pytest.mark.parametrize(
    ("username", "expected", "category", "prefix", "name"),
    [
        ("village_a1", (3, 6, 2, 4, 0), {"2": [2, 4]}, VILLAGE_A1, "山西省示范市示范县东乡镇东一村"),
        ("village_a2", (1, 2, 1, 2, 0), {"2": [1, 2]}, VILLAGE_A2, "山西省示范市示范县东乡镇东二村"),
        ("township_a", (4, 8, 3, 6, 0), {"2": [3, 6]}, TOWNSHIP_A[:9], "山西省示范市示范县东乡镇"),
        ("village_b1", (4, 4, 3, 3, 0), {"2": [3, 3]}, VILLAGE_B1, "山西省示范市示范县西乡镇西一村"),
    ],
)
def test_a_narrower_user_gets_the_county_runs_totals_of_their_own_households(
    api_as, county_run, username, expected, category, prefix, name
):
    run, _ = county_run
    body = api_as(username).get("/assessments/flagged").json()
    assert body["run"]["id"] == run.pk and body["run"]["area_code"] == COUNTY[:6]  # the county's run…
    assert totals(body["run"]) == expected and body["run"]["counts"]["category"] == category  # …their figures
    assert body["run"]["counts"]["outcome"]["true"] == list(expected[2:4])
    assert (body["run"]["counted_in"], body["run"]["counted_in_name"]) == (prefix, name)
    assert body["count"] == expected[2]
    stored = AssessmentRun.objects.get(pk=run.pk)  # the recount is never saved
    assert (stored.households, stored.persons, stored.passed) == (8, 12, 6)


def test_a_household_deleted_after_the_run_is_not_counted(api_as, county_run):
    _, homes = county_run
    homes["a1"][1].delete()  # 3 persons, flagged
    assert totals(api_as("village_a1").get("/assessments/flagged").json()["run"]) == (2, 3, 1, 1, 0)


def test_runs_listed_to_a_township_are_those_inside_it_and_above_it_counted_in_it(api_as, county_run, users):
    assess("monitoring", user=users["village_a2"], pack_id="national-2023", as_of=AS_OF)
    listed = api_as("township_a").get("/assessments/runs").json()["items"]
    assert (
        [(run["area_code"], totals(run)) for run in listed]
        == [
            (VILLAGE_A2, (1, 2, 1, 2, 0)),  # 东二村's own run, newest first, whole
            (COUNTY[:6], (4, 8, 3, 6, 0)),  # the county's, counted over 东乡镇 alone
        ]
    )
    assert listed[0]["counted_in"] == VILLAGE_A2 and listed[0]["counted_in_name"] == "山西省示范市示范县东乡镇东二村"
    assert listed[1]["counted_in"] == TOWNSHIP_A[:9] and listed[1]["counted_in_name"] == "山西省示范市示范县东乡镇"
    below = (
        api_as("village_b1").get("/assessments/runs").json()
    )  # 西一村: the county's run only, 东二村's is not theirs
    assert [(run["area_code"], totals(run)) for run in below["items"]] == [(COUNTY[:6], (4, 4, 3, 3, 0))]


def test_a_county_wide_village_exit_run_is_counted_over_the_users_villages(county_run, users):
    for code in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):  # a village exit run judges the poor villages
        VillageEvent.objects.create(village_id=code, kind=codes.VillageEventKind.POOR, date=date(2014, 10, 31))
    run = assess("village_exit", user=users["county"], pack_id="national-2023", as_of=AS_OF)
    assert run.households == 3  # the county's three villages
    township = in_scope(users["township_a"], run)
    assert township.households == 2 and township.counted_in == TOWNSHIP_A[:9]
    assert in_scope(users["village_b1"], run).households == 1
    assert in_scope(users["county"], run) is run and run.households == 3


def test_the_flagged_page_lists_and_counts_only_the_users_households(client, county_run, users):
    _, homes = county_run
    client.force_login(users["village_a1"])
    response = client.get("/assessments/flagged/", {"kind": "monitoring"})
    assert response.context["run"].households == 3 and response.context["run"].passed == 2
    assert response.context["page"].paginator.count == 2
    page = response.content.decode()
    assert "共 2 户" in page
    assert all(home.number in page for home in homes["a1"][:2]) and homes["a2"][0].number not in page
