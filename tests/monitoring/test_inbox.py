"""What each role's home page counts as needing action, worked out by hand (national 2024 deadlines in calendar
days: 入户核实 3, 信息比对 5, 受理 2), in a few COUNT queries whatever the number of cases."""

from datetime import date

import pytest

from fupin.monitoring import codes
from fupin.monitoring.services import clues
from fupin.monitoring.services.figures import inbox_counts
from tests.factories import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.monitoring.helpers import advance, clue_and_case
from tests.policy.registry_data import member

pytestmark = pytest.mark.django_db

S = codes.StepCode
TODAY = date(2024, 3, 6)


@pytest.fixture
def inboxes(users, make_household):
    """c1 (东一村) at 入户核实 since 03-01, due 03-04: overdue; c2 (东一村) at 村内公示 since 03-02, on no notice yet;
    c3 (西一村) at 信息比对 since 03-02, due 03-07. A pending clue of 东二村 (reported 03-05, due 03-07) and a
    pending department clue of 西一村 (reported 03-01, due 03-03: overdue)."""
    household = lambda village, name: make_household(village, members=[member(name, "01")])  # noqa: E731
    clue_and_case(users, household(VILLAGE_A1, "甲"), reported_on=date(2024, 3, 1))
    c2 = clue_and_case(users, household(VILLAGE_A1, "乙"), reported_on=date(2024, 3, 1))
    advance(users, c2, S.NOTICE, on=date(2024, 3, 2))
    c3 = clue_and_case(users, household(VILLAGE_B1, "丙"), reported_on=date(2024, 3, 1))
    advance(users, c3, S.CROSSCHECK, on=date(2024, 3, 2))
    clues.record_clue(
        users["village_a2"],
        village_code=VILLAGE_A2,
        household=household(VILLAGE_A2, "丁"),
        channel=codes.Channel.SELF_REPORT,
        via_channel=codes.ReportVia.HOTLINE,
        risk_types=["01"],
        reported_on=date(2024, 3, 5),
    )
    clues.record_clue(
        users["department"],
        village_code=VILLAGE_B1,
        household=household(VILLAGE_B1, "戊"),
        channel=codes.Channel.DEPARTMENT,
        department=codes.Department.MEDICAL,
        risk_types=["01"],
        reported_on=date(2024, 3, 1),
    )


def test_the_village_counts_its_steps_and_the_notice_to_post(inboxes, users, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        counts = inbox_counts(users["village_a1"], today=TODAY)
    assert counts["cases"] == {"verify": 1, "review": 0, "notice": 1, "announce": 0}
    assert (counts["overdue"], counts["clues_pending"], counts["notices_to_post"]) == (1, 0, 1)
    other = inbox_counts(users["village_a2"], today=TODAY)
    assert (sum(other["cases"].values()), other["clues_pending"], other["notices_to_post"]) == (0, 1, 0)


def test_the_township_counts_clues_to_accept_and_its_reviews(inboxes, users):
    counts = inbox_counts(users["township_a"], today=TODAY)
    assert counts["cases"] == {"township": 0} and counts["overdue"] == 0  # c1 is late at the village's step
    assert (counts["clues_to_accept"], counts["clues_overdue"]) == (1, 0)


def test_the_county_counts_its_steps_every_overdue_case_and_every_clue(inboxes, users, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        counts = inbox_counts(users["county"], today=TODAY)
    assert counts["cases"] == {"crosscheck": 1, "county": 0, "enter": 0}
    assert counts["overdue"] == 1  # c1, at the village's step
    assert (counts["clues_to_accept"], counts["clues_overdue"]) == (2, 1)
    assert inbox_counts(users["county"], today=date(2024, 3, 8))["overdue"] == 2  # c3 too, past 03-07


def test_the_department_counts_the_clues_it_raised(inboxes, users):
    counts = inbox_counts(users["department"], today=TODAY)
    assert (counts["clues_pending"], counts["clues_overdue"], counts["clues_decided"]) == (1, 1, 0)
    assert counts["cases"] == {} and counts["overdue"] == 0
