"""The whole case's limit and the step deadlines in a working-days province (case_limit_days in working days, the
statutory calendar), across the 2026 National Day holiday; and a deadline in a year the calendar lacks."""

from datetime import date

import pytest

from fupin.monitoring.services import clues, procedure
from tests.factories import VILLAGE_A1
from tests.monitoring.helpers import PASS, S, add_verify_evidence

pytestmark = pytest.mark.django_db


def test_fifteen_working_days_across_national_day(users, make_household, pack_values):
    pack_values(case_limit_days=15, count_working_days=True)
    household = make_household(VILLAGE_A1)
    clue = clues.record_clue(
        users["county"],
        village_code=VILLAGE_A1,
        household=household,
        channel="self_report",
        via_channel="app",
        risk_types=["0201"],
        reported_on=date(2026, 9, 28),
    )
    assert clue.accept_due == date(2026, 9, 30)  # 2 working days: Tue 09-29, Wed 09-30
    case = clues.accept_clue(users["township_a"], clue, on=date(2026, 9, 30))
    # 09-29, 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12 … 10-16, 10-19 … 10-23: the 15th working day
    assert case.due_on == date(2026, 10, 23)
    assert case.step_due == date(2026, 10, 10)  # verify, 3 working days from 09-30: 10-08, 10-09, 10-10
    assert case not in procedure.overdue_cases(users["county"], date(2026, 10, 10))
    assert case in procedure.overdue_cases(users["county"], date(2026, 10, 11))
    shown = procedure.case_deadlines(case, date(2026, 10, 8))
    assert (shown["days_left"], shown["step_days_left"], shown["unit"]) == (12, 2, "个工作日")
    assert shown["working_days"] and shown["calendar_known"]
    add_verify_evidence(users["village_a1"], case)
    procedure.act(users["village_a1"], case, step=S.VERIFY, decision=PASS, on=date(2026, 10, 9))
    case.refresh_from_db()
    assert case.step_due == date(2026, 10, 15)  # crosscheck, 5 working days from Fri 10-09: 10-10, 12, 13, 14, 15


def test_a_deadline_in_a_year_the_calendar_lacks(users, make_household, pack_values):
    pack_values(case_limit_days=40, count_working_days=True)
    household = make_household(VILLAGE_A1)
    case = procedure.open_case(users["county"], household, kind="identify", risk_type="01", opened_on=date(2026, 12, 1))
    # 22 weekdays 12-02 … 12-31, then 2027 by Monday–Friday: 01-01 (23rd), 01-04 … 01-22 (24th–38th), 01-25, 01-26
    assert case.due_on == date(2027, 1, 26)
    shown = procedure.case_deadlines(case, date(2026, 12, 3))
    assert shown["calendar_known"] is False
    assert shown["days_left"] == 38  # 12-04 … 12-31 (20) and 18 weekdays to 01-26


def test_calendar_days_know_every_year(users, make_household):
    household = make_household(VILLAGE_A1)
    case = procedure.open_case(users["county"], household, kind="identify", risk_type="01", opened_on=date(2026, 12, 1))
    assert case.due_on == date(2026, 12, 16)
    assert procedure.case_deadlines(case, date(2026, 12, 3))["calendar_known"] is True
