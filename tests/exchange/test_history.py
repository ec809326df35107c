"""The status history by import: the 状态变更 sheet and a household row's history columns become dated events,
checked in order against the transition rules, written all-or-nothing and audited; the household's status fields
follow from its events; a re-import changes nothing. Figures worked out by hand for a small county (below)."""

import copy
from datetime import date

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.exchange.models import ImportJob
from fupin.registry import codes, services
from fupin.registry.models import Household, StatusEvent
from tests.factories import VILLAGE_A1, VILLAGE_A2
from tests.support import csv_text

pytestmark = pytest.mark.django_db

EVENTS_HEADER = ("户编号", "事件", "日期", "原因", "审批单位", "监测类别", "风险类型", "消除方式")


def events_file(*rows):
    return csv_text(EVENTS_HEADER, *rows)


def errors_of(job):
    return {(e["row"], e["column"], e["reason"]) for e in job.errors}


def state():
    return (
        list(StatusEvent.objects.order_by("pk").values_list("pk", "household_id", "kind", "date")),
        list(Household.objects.order_by("pk").values_list("pk", "status", "household_type", "updated_at")),
        AuditEntry.objects.exclude(action=Action.IMPORT).count(),
    )


@pytest.fixture
def county(make_household):
    """Five households, no events yet: H1…H4 in 东一村, H5 in 东二村 (H5 a whole-household no-labour one)."""
    return {
        number: make_household(village, number)
        for number, village in (("H1", VILLAGE_A1), ("H2", VILLAGE_A1), ("H3", VILLAGE_A1), ("H4", VILLAGE_A1))
    } | {"H5": make_household(VILLAGE_A2, "H5", no_labour_household=True)}


#: the hand-worked history. H1: identified 2014, exited 2016. H2: identified 2014, exited 2018. H3: identified
#: 2014, exited 2016, returned 2019-05-10. H4: monitored 2020-06-01 (category 2), eliminated 2021-11-20.
#: As of 2015-06-30: H1 H2 H3 poor (3), H4 H5 ordinary. As of 2017-01-01: H1 H3 exited, H2 poor.
#: As of 2021-12-31: H1 H2 exited, H3 poor, H4 risk eliminated, H5 ordinary.
HISTORY = events_file(
    ("H1", "识别为贫困户", "2014", "", "县扶贫办", "", "", ""),
    ("H1", "脱贫退出", "2016", "", "", "", "", ""),
    ("H2", "identified", "2014", "", "", "", "", ""),
    ("H2", "exited", "2018-12-20", "", "", "", "", ""),
    ("H3", "识别为贫困户", "2014", "", "", "", "", ""),
    ("H3", "脱贫退出", "2016", "", "", "", "", ""),
    ("H3", "返贫", "2019-05-10", "因病", "", "", "", ""),
    ("H4", "纳入监测", "2020-06-01", "", "", "2", "01", ""),
    ("H4", "风险消除", "2021-11-20", "", "", "", "", "帮扶消除"),
)


def test_history_sheet_gives_statuses_as_of_three_dates(users, county, run_import):
    job = run_import(users["county"], HISTORY, "状态变更.csv")
    assert job.status == ImportJob.Status.DONE, (job.message, job.errors)
    assert job.counts["status_events"] == {"new": 9, "updated": 0, "unchanged": 0}
    user = users["county"]
    poor, exited, ordinary = codes.Status.POOR, codes.Status.EXITED, codes.Status.ORDINARY
    early = services.status_counts_as_of(user, date(2015, 6, 30))
    assert (early[poor], early[exited], early[ordinary]) == (3, 0, 2)
    middle = services.status_counts_as_of(user, date(2017, 1, 1))
    assert (middle[poor], middle[exited], middle[ordinary]) == (1, 2, 2)
    late = services.status_counts_as_of(user, date(2021, 12, 31))
    assert (late[poor], late[exited], late[codes.Status.RISK_ELIMINATED], late[ordinary]) == (1, 2, 1, 1)
    h1 = Household.objects.get(number="H1")
    assert (h1.status, h1.household_type, h1.first_identified_on) == (exited, codes.HouseholdType.EXITED, date(2014, 12, 31))
    identified = h1.events.get(kind=codes.EventKind.IDENTIFIED)
    assert identified.approximate and identified.date == date(2014, 12, 31) and identified.approver == "县扶贫办"
    assert not Household.objects.get(number="H2").events.get(kind=codes.EventKind.EXITED).approximate
    h4 = Household.objects.get(number="H4")
    assert (h4.status, h4.monitoring_category, h4.risk_identified_on) == (
        codes.Status.RISK_ELIMINATED,
        codes.MonitoringCategory.MARGINAL,
        date(2020, 6, 1),
    )
    assert (h4.risk_eliminated, h4.risk_eliminated_on, h4.risk_elimination_way) == (True, date(2021, 11, 20), "1")
    # audited: one entry per event, one per household whose status moved (H1…H4)
    created = AuditEntry.objects.filter(action=Action.CREATE, model="registry.statusevent", via="import")
    assert created.count() == 9
    moved = AuditEntry.objects.filter(action=Action.UPDATE, model="registry.household", via="import")
    assert sorted(moved.values_list("object_id", flat=True)) == sorted(str(county[n].pk) for n in ("H1", "H2", "H3", "H4"))
    assert moved.get(object_id=str(h1.pk)).changes["status"] == ["ordinary", "exited"]


def test_status_fields_equal_apply_event_over_the_events(users, county, run_import):
    job = run_import(users["county"], HISTORY, "状态变更.csv")
    assert job.status == ImportJob.Status.DONE, job.errors
    for household in Household.objects.filter(number__in=["H1", "H2", "H3", "H4"]):
        replay = copy.copy(household)
        replay.status, replay.household_type = codes.Status.ORDINARY, codes.HouseholdType.ORDINARY
        replay.first_identified_on = replay.risk_identified_on = replay.risk_eliminated_on = None
        replay.monitoring_category = replay.risk_elimination_way = ""
        replay.risk_eliminated = False
        for event in household.events.order_by("date", "id"):
            services.apply_event(replay, event)
        fields = ("status", "household_type", "first_identified_on", "monitoring_category", "risk_identified_on")
        fields += ("risk_eliminated", "risk_eliminated_on", "risk_elimination_way")
        assert [getattr(household, f) for f in fields] == [getattr(replay, f) for f in fields], household.number


def test_reimport_changes_nothing(users, county, run_import):
    assert run_import(users["county"], HISTORY, "状态变更.csv").status == ImportJob.Status.DONE
    before = state()
    again = run_import(users["county"], HISTORY, "状态变更.csv")
    assert again.status == ImportJob.Status.DONE, again.errors
    assert again.counts["status_events"] == {"new": 0, "updated": 0, "unchanged": 9}
    assert state() == before
