"""One household from a department's alert to monitored, every step dated by hand (calendar days, national pack):
who acts, the step deadlines, the notice period and its objection, the status event at the end."""

from datetime import date

import pytest

from fupin.accounts.models import AuditEntry
from fupin.monitoring import codes
from fupin.monitoring.models import Case, CaseStep
from fupin.monitoring.services import clues, notices, procedure
from fupin.monitoring.services.common import MonitoringRefused
from fupin.registry import codes as registry_codes
from tests.factories import VILLAGE_A1
from tests.monitoring.helpers import PASS, S, upload

pytestmark = pytest.mark.django_db


def test_department_alert_to_monitored(users, make_household):
    village, township, county = users["village_a1"], users["township_a"], users["county"]
    household = make_household(VILLAGE_A1, head_name="李秋生")

    clue = clues.record_clue(
        users["department"],
        village_code=VILLAGE_A1,
        household=household,
        channel=codes.Channel.DEPARTMENT,
        department=codes.Department.MEDICAL,
        risk_types=["01"],
        description="三重保障后个人负担 31,200 元",
        reported_on=date(2026, 11, 2),
    )
    assert clue.accept_due == date(2026, 11, 4)  # clue_accept_days 2, calendar days
    assert list(clues.pending_clues(township)) == [clue]
    assert list(clues.overdue_clues(township, date(2026, 11, 4))) == []
    assert list(clues.overdue_clues(township, date(2026, 11, 5))) == [clue]

    case = clues.accept_clue(township, clue, on=date(2026, 11, 3))
    assert (case.kind, case.step, case.risk_type, case.household) == ("identify", S.VERIFY, "01", household)
    assert case.opened_on == date(2026, 11, 2) and case.due_on == date(2026, 11, 17)  # 15 days from the clue
    assert (case.step_since, case.step_due) == (date(2026, 11, 3), date(2026, 11, 6))  # verify: 3 days
    clue.refresh_from_db()
    assert (clue.state, clue.decided_by, clue.decided_on) == ("accepted", township, date(2026, 11, 3))

    # the step is overdue the day after its deadline, not on it
    assert case not in procedure.overdue_cases(county, date(2026, 11, 6))
    assert case in procedure.overdue_cases(county, date(2026, 11, 7))

    procedure.add_evidence(village, case, kind="survey", upload=upload("排查表.pdf"))
    procedure.add_evidence(village, case, kind="consent", upload=upload("承诺授权书.jpg", b"\xff\xd8 photo"))
    assert procedure.allowed_actions(village, case, date(2026, 11, 4)) == ["pass", "reject"]
    procedure.act(village, case, step=S.VERIFY, decision=PASS, on=date(2026, 11, 4), comment="入户核实属实")
    case.refresh_from_db()
    assert (case.step, case.step_since, case.step_due) == (S.CROSSCHECK, date(2026, 11, 4), date(2026, 11, 9))
    assert procedure.allowed_actions(village, case, date(2026, 11, 5)) == []  # the county's step

    procedure.add_evidence(county, case, kind="crosscheck", upload=upload("比对结果.xlsx", b"PK\x03\x04"))
    procedure.act(county, case, step=S.CROSSCHECK, decision=PASS, on=date(2026, 11, 5))
    procedure.act(village, case, step=S.REVIEW, decision=PASS, on=date(2026, 11, 5), comment="评议通过")
    case.refresh_from_db()
    assert (case.step, case.step_due) == (S.NOTICE, date(2026, 11, 12))  # notice step: 7 days

    notice = notices.post_notice(
        village,
        village_code=VILLAGE_A1,
        kind="village",
        case_ids=[case.pk],
        posted_on=date(2026, 11, 5),
        contact="村委会 王主任 0359-1234567",
    )
    assert notice.objection_until == date(2026, 11, 10)  # 5 days from posting
    assert notice.issuer == "东一村村民委员会"
    objection = procedure.record_objection(
        village, case, received_on=date(2026, 11, 6), raised_by="村民甲", content="该户有营运车辆"
    )
    with pytest.raises(MonitoringRefused, match="2026-11-10 止"):
        procedure.act(village, case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 10))
    with pytest.raises(MonitoringRefused, match="1 条公示异议未答复"):
        procedure.act(village, case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 11))
    procedure.answer_objection(village, objection, answer="经核实车辆已于 2025 年转让", on=date(2026, 11, 11))
    procedure.act(village, case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 11))
    notice_row = CaseStep.objects.get(case=case, step=S.NOTICE)
    assert (notice_row.posted_on, notice_row.objection_until) == (date(2026, 11, 5), date(2026, 11, 10))

    procedure.act(township, case, step=S.TOWNSHIP, decision=PASS, on=date(2026, 11, 12))
    with pytest.raises(MonitoringRefused, match="须确定监测对象类别"):
        procedure.act(county, case, step=S.COUNTY, decision=PASS, on=date(2026, 11, 13))
    procedure.set_category(county, case, category="2")
    procedure.act(county, case, step=S.COUNTY, decision=PASS, on=date(2026, 11, 13))
    with pytest.raises(MonitoringRefused, match="尚未张贴结果公告"):
        procedure.act(village, case, step=S.ANNOUNCE, decision=PASS, on=date(2026, 11, 13))
    announcement = notices.post_notice(
        village,
        village_code=VILLAGE_A1,
        kind="announcement",
        case_ids=[case.pk],
        posted_on=date(2026, 11, 13),
        contact="东乡镇 0359-7654321",
    )
    assert announcement.issuer == "东乡镇人民政府" and announcement.objection_until is None
    procedure.act(village, case, step=S.ANNOUNCE, decision=PASS, on=date(2026, 11, 14))
    procedure.act(county, case, step=S.ENTER, decision=PASS, on=date(2026, 11, 16))

    case.refresh_from_db()
    household.refresh_from_db()
    assert (case.state, case.closed_on, case.step) == ("approved", date(2026, 11, 16), S.ENTER)
    event = case.result_event
    assert (event.kind, event.date, event.monitoring_category, event.risk_type) == (
        "monitored",
        date(2026, 11, 16),
        "2",
        "01",
    )
    assert (household.status, household.monitoring_category, household.risk_type) == ("monitored", "2", "01")
    assert household.risk_identified_on == date(2026, 11, 16)
    steps = list(case.steps.values_list("step", "decision", "acted_on", "due"))
    assert steps == [
        ("verify", "pass", date(2026, 11, 4), date(2026, 11, 6)),
        ("crosscheck", "pass", date(2026, 11, 5), date(2026, 11, 9)),
        ("review", "pass", date(2026, 11, 5), date(2026, 11, 8)),
        ("notice", "pass", date(2026, 11, 11), date(2026, 11, 12)),
        ("township", "pass", date(2026, 11, 12), date(2026, 11, 14)),
        ("county", "pass", date(2026, 11, 13), date(2026, 11, 15)),
        ("announce", "pass", date(2026, 11, 14), date(2026, 11, 15)),
        ("enter", "pass", date(2026, 11, 16), date(2026, 11, 17)),
    ]
    assert not any(step.late for step in case.steps.all())
    assert case.steps.get(step=S.VERIFY).actor == village
    deadlines = procedure.case_deadlines(case, date(2026, 11, 20))
    assert (deadlines["overdue"], deadlines["days_left"], deadlines["unit"]) == (False, 1, "天")
    assert procedure.allowed_actions(county, case) == []
    audited = set(AuditEntry.objects.filter(model="monitoring.casestep").values_list("object_id", flat=True))
    assert audited == {str(pk) for pk in case.steps.values_list("pk", flat=True)}
    assert Case.objects.filter(household=household, state="open").count() == 0


def test_a_late_step_is_recorded_late_and_the_case_overdue_after_its_limit(users, make_household):
    household = make_household(VILLAGE_A1)
    clue = clues.record_clue(
        users["county"],
        village_code=VILLAGE_A1,
        household=household,
        channel="self_report",
        via_channel="hotline",
        risk_types=["05"],
        reported_on=date(2026, 10, 20),
    )
    case = clues.accept_clue(users["township_a"], clue, on=date(2026, 10, 22))
    assert case.due_on == date(2026, 11, 4)
    procedure.add_evidence(users["village_a1"], case, kind="survey", upload=upload())
    procedure.add_evidence(users["village_a1"], case, kind="consent", upload=upload())
    step = procedure.act(users["village_a1"], case, step=S.VERIFY, decision=PASS, on=date(2026, 10, 27))
    assert (step.due, step.late) == (date(2026, 10, 25), True)
    case.refresh_from_db()
    assert case not in procedure.overdue_cases(users["county"], date(2026, 11, 1))  # crosscheck due 11-01
    assert case in procedure.overdue_cases(users["county"], date(2026, 11, 2))
    shown = procedure.case_deadlines(case, date(2026, 11, 6))
    assert (shown["overdue"], shown["days_left"], shown["step_overdue"]) == (True, -2, True)


def test_rejected_case_ends_and_the_household_can_be_identified_again(users, make_household):
    from tests.monitoring.helpers import clue_and_case

    household = make_household(VILLAGE_A1)
    case = clue_and_case(users, household, reported_on=date(2026, 11, 2))
    with pytest.raises(MonitoringRefused, match="不通过须填写理由"):
        procedure.act(users["village_a1"], case, step=S.VERIFY, decision="reject", on=date(2026, 11, 3))
    procedure.act(
        users["village_a1"], case, step=S.VERIFY, decision="reject", on=date(2026, 11, 3), comment="收入超过监测范围"
    )
    case.refresh_from_db()
    assert (case.state, case.close_reason, case.closed_on) == ("rejected", "收入超过监测范围", date(2026, 11, 3))
    again = clue_and_case(users, household, reported_on=date(2026, 11, 20))
    assert again.pk != case.pk and again.state == "open"
    household.refresh_from_db()
    assert household.status == registry_codes.Status.ORDINARY
