"""Monitoring figures as of a date come from the status events, and agree with the cases that produced them.

A small history built by hand (events on chosen dates, persons through members, one born late), every number
worked out below; the cases are the records the procedure leaves (an approved case per event, its result_event).
"""

from datetime import date, timedelta

import pytest
from django.db.models import Count
from django.db.models.functions import ExtractYear

from fupin.monitoring import codes
from fupin.monitoring.models import Case, CaseStep
from fupin.monitoring.services.figures import case_figures, monitoring_figures
from fupin.registry import codes as registry_codes
from fupin.registry.models import StatusEvent
from fupin.registry.services import record_event
from tests.factories import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.policy.registry_data import member

pytestmark = pytest.mark.django_db

EK = registry_codes.EventKind
CK, S = codes.CaseKind, codes.StepCode


def approved_case(household, event, kind, opened_on):
    """The case the procedure would have closed with this event as its result."""
    return Case.objects.create(
        village_id=household.village_id,
        household=household,
        kind=kind,
        risk_type=event.risk_type or "99",
        category=event.monitoring_category,
        pack_id="national-2020",
        opened_on=opened_on,
        due_on=opened_on + timedelta(days=15),
        step=S.ENTER,
        step_since=event.date,
        step_due=event.date,
        state=codes.CaseState.APPROVED,
        closed_on=event.date,
        result_event=event,
    )


@pytest.fixture
def history(users, make_household):
    """H1 (东一村, 3 persons): 纳入监测 2021-05-10 (1, 因病), 风险消除 2022-06-01,
    纳入监测 again 2023-03-01 (3, 因意外事故).
    H2 (东一村, 2 persons, one born 2023-01-15): 纳入监测 2022-02-01 (2, 因缺劳动力).
    H3 (东二村, 1 person): 纳入监测 2021-08-01 (2, 因病), 风险消除 2022-09-01, 撤销风险消除 2022-10-10.
    H4 (西一村, 4 persons): 纳入监测 2022-11-20 (3, 洪涝), 风险消除 2023-02-10.
    H5 (西一村, 2 persons): never monitored."""
    county = users["county"]
    people = lambda n, tag: [member(f"{tag}{i}", "01" if i == 0 else "03") for i in range(n)]  # noqa: E731
    h1 = make_household(VILLAGE_A1, members=people(3, "甲"))
    h2 = make_household(VILLAGE_A1, members=[member("乙0", "01"), member("乙1", "03", birth="20230115")])
    h3 = make_household(VILLAGE_A2, members=people(1, "丙"))
    h4 = make_household(VILLAGE_B1, members=people(4, "丁"))
    make_household(VILLAGE_B1, members=people(2, "戊"))
    steps = [
        (h1, EK.MONITORED, date(2021, 5, 10), "1", "01"),
        (h3, EK.MONITORED, date(2021, 8, 1), "2", "01"),
        (h2, EK.MONITORED, date(2022, 2, 1), "2", "04"),
        (h1, EK.RISK_ELIMINATED, date(2022, 6, 1), "", ""),
        (h3, EK.RISK_ELIMINATED, date(2022, 9, 1), "", ""),
        (h3, EK.RISK_REVERSED, date(2022, 10, 10), "", ""),
        (h4, EK.MONITORED, date(2022, 11, 20), "3", "0201"),
        (h4, EK.RISK_ELIMINATED, date(2023, 2, 10), "", ""),
        (h1, EK.MONITORED, date(2023, 3, 1), "3", "05"),
    ]
    for household, kind, on, category, risk in steps:
        event = record_event(
            county,
            household,
            kind,
            on,
            category=category,
            risk_type=risk,
            elimination_way="1" if kind == EK.RISK_ELIMINATED else "",
            reason="复核" if kind == EK.RISK_REVERSED else "",
            via="test",
        )
        if kind in (EK.MONITORED, EK.RISK_ELIMINATED):
            case_kind = CK.IDENTIFY if kind == EK.MONITORED else CK.ELIMINATE
            approved_case(household, event, case_kind, on - timedelta(days=12))
    return {"h1": h1, "h2": h2, "h3": h3, "h4": h4}


def test_figures_at_the_end_of_2022(history, users):
    figures = monitoring_figures(users["county"], as_of=date(2022, 12, 31))
    # H1 eliminated; H2 (one person: the second is born in 2023), H3 (reversed: monitored, its category of 2021),
    # H4 monitored
    assert figures["monitored_households"] == 3
    assert figures["households_by_category"] == {"1": 0, "2": 2, "3": 1}
    assert figures["monitored_persons"] == 1 + 1 + 4
    assert figures["persons_by_category"] == {"1": 0, "2": 2, "3": 4}
    assert figures["households_by_risk_type"] == {"01": 1, "0201": 1, "04": 1}
    assert figures["persons_by_risk_type"] == {"01": 1, "0201": 4, "04": 1}
    assert figures["risk_eliminated_households"] == 1  # H1
    assert figures["identified_by_year"] == {2021: 2, 2022: 2}
    assert figures["eliminated_by_year"] == {2022: 2}
    assert figures["reversed_by_year"] == {2022: 1}


def test_figures_at_the_end_of_2023_and_in_a_village(history, users):
    figures = monitoring_figures(users["county"], as_of=date(2023, 12, 31))
    # H1 monitored again (3, 因意外事故, 3 persons), H2 (2 persons now), H3; H4 eliminated
    assert figures["households_by_category"] == {"1": 0, "2": 2, "3": 1}
    assert figures["persons_by_category"] == {"1": 0, "2": 3, "3": 3}
    assert figures["households_by_risk_type"] == {"01": 1, "04": 1, "05": 1}
    assert figures["identified_by_year"] == {2021: 2, 2022: 2, 2023: 1}
    assert figures["eliminated_by_year"] == {2022: 2, 2023: 1}
    assert figures["risk_eliminated_households"] == 1  # H4
    village = monitoring_figures(users["village_a1"], as_of=date(2023, 12, 31))
    assert (village["monitored_households"], village["monitored_persons"]) == (2, 5)
    assert village["identified_by_year"] == {2021: 1, 2022: 1, 2023: 1}
    assert village["eliminated_by_year"] == {2022: 1}
    # the day before H1's second identification, in 东一村: H2 alone
    before = monitoring_figures(users["village_a1"], as_of=date(2023, 2, 28))
    assert (before["monitored_households"], before["monitored_persons"]) == (1, 2)


def test_the_event_figures_agree_with_the_cases_that_produced_them(history, users):
    figures = monitoring_figures(users["county"], as_of=date(2023, 12, 31))
    approved = Case.objects.filter(state=codes.CaseState.APPROVED)

    def per_year(kind):
        rows = approved.filter(kind=kind).annotate(year=ExtractYear("result_event__date")).values("year")
        return {row["year"]: row["n"] for row in rows.annotate(n=Count("pk")).order_by("year")}

    assert per_year(CK.IDENTIFY) == figures["identified_by_year"]
    assert per_year(CK.ELIMINATE) == figures["eliminated_by_year"]
    for case in approved.select_related("result_event"):
        event = case.result_event
        assert event.household_id == case.household_id and event.date == case.closed_on
        assert (event.monitoring_category, event.risk_type or "99") == (case.category, case.risk_type)
    # every 纳入监测 and 风险消除 event counted was the result of exactly one case
    counted = StatusEvent.objects.filter(kind__in=(EK.MONITORED, EK.RISK_ELIMINATED))
    assert counted.filter(monitoring_case__isnull=True).count() == 0


def test_cases_open_and_overdue_on_a_date(history, users, make_household):
    """An elimination case of H2 opened 2023-01-20 (limit 2023-02-04): 入户核实 done 01-22 (due 01-23), 村级民主评议
    done 02-05 though due 01-26, closed 02-10. An identification of a new household opened 2023-12-20, still at
    入户核实 (due 12-23)."""
    h2 = history["h2"]
    case = Case.objects.create(
        village_id=h2.village_id, household=h2, kind=CK.ELIMINATE, risk_type="04", category="2",
        pack_id="national-2020", opened_on=date(2023, 1, 20), due_on=date(2023, 2, 4), step=S.ENTER,
        step_since=date(2023, 2, 9), step_due=date(2023, 2, 12), state=codes.CaseState.REJECTED,
        closed_on=date(2023, 2, 10), close_reason="县级审批不通过",
    )  # fmt: skip
    for step, acted, due in ((S.VERIFY, (1, 22), (1, 23)), (S.REVIEW, (2, 5), (1, 26)), (S.ENTER, (2, 10), (2, 12))):
        CaseStep.objects.create(
            case=case, step=step, decision="pass", acted_on=date(2023, *acted), due=date(2023, *due)
        )
    newcomer = make_household(VILLAGE_B1, members=[member("己0", "01")])
    Case.objects.create(
        village_id=VILLAGE_B1, household=newcomer, kind=CK.IDENTIFY, risk_type="01", pack_id="national-2020",
        opened_on=date(2023, 12, 20), due_on=date(2024, 1, 4), step=S.VERIFY, step_since=date(2023, 12, 20),
        step_due=date(2023, 12, 23),
    )  # fmt: skip
    county = users["county"]
    assert case_figures(county, as_of=date(2023, 1, 19))["cases_open"] == 0
    on_25th = case_figures(county, as_of=date(2023, 1, 25))  # at 评议, due 01-26
    assert (on_25th["cases_open"], on_25th["cases_overdue"]) == (1, 0)
    # 评议 past its 01-26 deadline; H4's elimination case (opened 01-29, at its step until 02-10) open and in time
    on_1st = case_figures(county, as_of=date(2023, 2, 1))
    assert (on_1st["cases_open"], on_1st["cases_overdue"]) == (2, 1)
    assert case_figures(county, as_of=date(2023, 2, 5))["cases_overdue"] == 1  # 02-05: past the limit (02-04)
    assert case_figures(county, as_of=date(2023, 2, 10))["cases_open"] == 0  # closed that day
    on_22nd = case_figures(county, as_of=date(2023, 12, 22))
    assert (on_22nd["cases_open"], on_22nd["cases_overdue"]) == (1, 0)
    on_31st = monitoring_figures(county, as_of=date(2023, 12, 31))
    assert (on_31st["cases_open"], on_31st["cases_overdue"]) == (1, 1)
    assert on_31st["cases_open_by_kind"] == {"identify": 1, "eliminate": 0}
    assert case_figures(users["village_a1"], as_of=date(2023, 12, 31))["cases_open"] == 0  # outside 东一村
