"""The status history by import: the 状态变更 sheet and a household row's history columns become dated events,
checked in order against the transition rules, written all-or-nothing and audited; the household's status fields
follow from its events; a re-import changes nothing. Figures worked out by hand for a small county (below)."""

import copy
import io
from datetime import date

import pytest
import xlsxwriter

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
    assert (h1.status, h1.household_type) == (exited, codes.HouseholdType.EXITED)
    assert h1.first_identified_on == date(2014, 12, 31)
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
    expected = sorted(str(county[n].pk) for n in ("H1", "H2", "H3", "H4"))
    assert sorted(moved.values_list("object_id", flat=True)) == expected
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


def test_every_forbidden_row_is_refused_with_its_row_and_reason_and_nothing_is_written(users, county, run_import):
    before = state()
    bad = events_file(
        ("H1", "脱贫退出", "2016", "", "", "", "", ""),  # an exit before any identification
        ("H2", "纳入监测", "2020-01-01", "", "", "", "", ""),  # monitored without a category
        ("H5", "纳入监测", "2020-01-01", "", "", "1", "", ""),
        ("H5", "风险消除", "2021-01-01", "", "", "", "", ""),  # a no-labour household
        ("H3", "识别为贫困户", "2099-01-01", "", "", "", "", ""),  # in the future
        ("ZZ9", "识别为贫困户", "2014", "", "", "", "", ""),  # an unknown household
        ("H4", "识别为贫困户", "2014", "", "", "", "", ""),
        ("H4", "识别为贫困户", "2015", "", "", "", "", ""),  # identified twice
        ("H4", "升级", "2016", "", "", "", "", ""),  # no such event
    )
    job = run_import(users["county"], bad, "状态变更.csv")
    assert job.status == ImportJob.Status.INVALID
    found = errors_of(job)
    assert (2, "日期", "该户此前没有状态变更（一般农户），不能“脱贫退出”") in found
    assert (3, "监测对象类别", "纳入监测须填写监测对象类别") in found
    assert (5, "日期", "整户无劳动能力的兜底户不标注风险消除") in found
    assert (7, "户编号", "户编号在系统和本文件中都不存在（或不在您的管辖范围内），请先导入该户") in found
    assert (9, "日期", "此前的状态为“未脱贫”（2014-12-31 识别为贫困户），不能“识别为贫困户”") in found
    assert any(row == 6 and column == "日期" and "晚于今天" in reason for row, column, reason in found)
    assert any(row == 10 and column == "事件" and reason.startswith("不在代码表中") for row, column, reason in found)
    assert not any(row in (4, 8) for row, _, _ in found)  # the rows the rules allow
    assert state() == before


def test_an_event_the_file_puts_before_recorded_ones_is_refused_for_what_it_breaks(users, county, run_import):
    user = users["county"]
    services.record_event(user, county["H1"], codes.EventKind.IDENTIFIED, date(2014, 3, 1), via="test")
    services.record_event(user, county["H1"], codes.EventKind.EXITED, date(2016, 6, 30), via="test")
    before = state()
    job = run_import(user, events_file(("H1", "脱贫退出", "2015", "", "", "", "", "")), "状态变更.csv")
    assert errors_of(job) == {
        (2, "日期", "插入后，已登记的“2016-06-30 脱贫退出”不能跟在它后面（已脱贫后不能“脱贫退出”）")
    }
    assert state() == before


HOUSEHOLD_HEADER = (
    "户编号",
    "行政区划代码",
    "户主姓名",
    "识别年度",
    "脱贫年度",
    "是否返贫",
    "返贫时间",
    "纳入监测时间",
    "监测对象类别",
    "风险消除时间",
    "消除方式",
    "当前状态",
)


def test_household_row_history_columns_become_events(users, run_import):
    rows = csv_text(
        HOUSEHOLD_HEADER,
        ("N1", VILLAGE_A1, "甲", "2014", "2016", "否", "", "", "", "", "", "已脱贫"),
        ("N2", VILLAGE_A1, "乙", "2014年", "2016年度", "是", "2019-03-01", "", "", "", "", "贫困户"),
        ("N3", VILLAGE_A1, "丙", "", "", "", "", "2020-05-01", "边缘易致贫户", "2021", "帮扶消除", "风险已消除"),
    )
    job = run_import(users["county"], rows, "农户.csv")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.counts["households"]["new"] == 3 and job.counts["status_events"]["new"] == 7
    n1, n2, n3 = (Household.objects.get(number=n) for n in ("N1", "N2", "N3"))
    assert [(e.kind, e.date, e.approximate) for e in n1.events.order_by("date", "id")] == [
        ("identified", date(2014, 12, 31), True),
        ("exited", date(2016, 12, 31), True),
    ]
    assert (n1.status, n1.first_identified_on) == (codes.Status.EXITED, date(2014, 12, 31))
    assert n2.status == codes.Status.POOR and n2.events.get(kind="returned").approximate is False
    assert (n3.status, n3.monitoring_category, n3.risk_eliminated_on, n3.risk_elimination_way) == (
        codes.Status.RISK_ELIMINATED,
        codes.MonitoringCategory.MARGINAL,
        date(2021, 12, 31),
        codes.RiskEliminationWay.ASSISTED,
    )
    again = run_import(users["county"], rows, "农户.csv")
    assert again.counts["status_events"] == {"new": 0, "updated": 0, "unchanged": 7}


def test_household_row_history_refusals(users, run_import):
    before = state()
    rows = csv_text(
        HOUSEHOLD_HEADER,
        ("B1", VILLAGE_A1, "甲", "2014", "2016", "是", "", "", "", "", "", ""),
        ("B2", VILLAGE_A1, "乙", "2014", "", "", "", "", "", "", "", "已脱贫"),
        ("B3", VILLAGE_A1, "丙", "2014", "2013", "", "", "", "", "", "", ""),
        ("B4", VILLAGE_A1, "丁", "", "", "否", "2019-01-01", "", "", "", "", "小康户"),
        ("B5", VILLAGE_A1, "戊", "", "", "", "", "2021", "", "", "", ""),
    )
    job = run_import(users["county"], rows, "农户.csv")
    assert errors_of(job) == {
        (2, "是否返贫", "填了返贫，须同时填写“返贫时间”"),
        (3, "当前状态", "填写的当前状态“已脱贫”与状态变更记录得出的“未脱贫”不一致"),
        (4, "脱贫时间", "该户此前没有状态变更（一般农户），不能“脱贫退出”"),
        (4, "首次识别时间", "此前的状态为“已脱贫”（2013-12-31 脱贫退出），不能“识别为贫困户”"),
        (5, "返贫时间", "“是否返贫”为“否”，却填了返贫时间"),
        (5, "当前状态", "不是可识别的状态，可填：一般农户、未脱贫、已脱贫、监测中、风险已消除、已清退/销户"),
        (6, "监测对象类别", "纳入监测须填写监测对象类别"),
    }
    assert state() == before


def test_a_year_alone_of_this_year_is_refused_as_later_than_today(users, county, run_import):
    this_year = date.today().year
    job = run_import(users["county"], events_file(("H1", "识别为贫困户", str(this_year), "", "", "", "", "")))
    if date.today() < date(this_year, 12, 31):
        assert errors_of(job) == {(2, "日期", "只填了年度，按约定记为该年12月31日，晚于今天；请填写具体日期")}
    else:  # the last day of the year: the convention date is today
        assert job.status == ImportJob.Status.DONE


def workbook(sheets: dict[str, list[tuple]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title)
        for number, values in enumerate(rows):
            sheet.write_row(number, 0, values)
    book.close()
    return out.getvalue()


def test_one_workbook_creates_households_their_history_and_village_events(users, run_import):
    """New households and their events in one file: the events find the households the same import creates; the
    household's type and status follow from the events, not from the typed 户类型."""
    content = workbook(
        {
            "农户": [("户编号", "行政区划代码", "户主姓名", "户类型"), ("W1", VILLAGE_A1, "甲", "一般户")],
            "状态变更": [
                EVENTS_HEADER,
                ("W1", "识别为贫困户", "2014-10-08", "", "", "", "", ""),
                ("W1", "脱贫退出", "2017", "", "", "", "", ""),
            ],
            "贫困村": [("行政区划代码", "事件", "年度"), (VILLAGE_A1, "识别为贫困村", "2014")],
        }
    )
    job = run_import(users["county"], content, "县级台账.xlsx")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.counts == {
        "households": {"new": 1, "updated": 0, "unchanged": 0},
        "status_events": {"new": 2, "updated": 0, "unchanged": 0},
        "village_events": {"new": 1, "updated": 0, "unchanged": 0},
    }
    w1 = Household.objects.get(number="W1")
    assert (w1.status, w1.household_type, w1.first_identified_on) == (
        codes.Status.EXITED,
        codes.HouseholdType.EXITED,
        date(2014, 10, 8),
    )
    assert services.status_counts_as_of(users["county"], date(2017, 12, 30))[codes.Status.POOR] == 1
    assert services.status_counts_as_of(users["county"], date(2017, 12, 31))[codes.Status.EXITED] == 1
