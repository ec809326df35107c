"""Who sees what waiting: cases at the steps of one's role, cases whose notice is still to be posted, the notice
period counted in working days, a case sent back to the notice step needing a new notice, objection refusals."""

from datetime import date

import pytest

from fupin.monitoring.services import notices, procedure, worklists
from fupin.monitoring.services.common import MonitoringRefused, NotYourStep, WrongStep
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.monitoring.helpers import PASS, S, advance, clue_and_case, post_village_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(users, make_household):
    """东一村: one case at 入户核实, one at 县级信息比对, one at 村内公示; 西一村: one at 入户核实."""
    verify = clue_and_case(users, make_household(VILLAGE_A1), reported_on=date(2026, 11, 2))
    crosscheck = advance(
        users,
        clue_and_case(users, make_household(VILLAGE_A1), reported_on=date(2026, 11, 2)),
        S.CROSSCHECK,
        on=date(2026, 11, 3),
    )
    notice = advance(
        users,
        clue_and_case(users, make_household(VILLAGE_A1), reported_on=date(2026, 11, 2)),
        S.NOTICE,
        on=date(2026, 11, 3),
    )
    other = clue_and_case(users, make_household(VILLAGE_B1), reported_on=date(2026, 11, 2))
    return {"verify": verify, "crosscheck": crosscheck, "notice": notice, "other": other}


def ids(queryset):
    return {case.pk for case in queryset}


def test_cases_at_my_steps(users, cases):
    assert ids(worklists.cases_at_my_steps(users["village_a1"])) == {cases["verify"].pk, cases["notice"].pk}
    assert ids(worklists.cases_at_my_steps(users["township_a"])) == {cases["verify"].pk, cases["notice"].pk}
    assert ids(worklists.cases_at_my_steps(users["county"])) == {c.pk for c in cases.values()}
    assert ids(worklists.cases_at_my_steps(users["department"])) == set()
    assert ids(worklists.cases_at_my_steps(users["village_b1"])) == {cases["other"].pk}


def test_cases_awaiting_notice(users, cases):
    assert ids(worklists.cases_awaiting_notice(users["village_a1"])) == {cases["notice"].pk}
    post_village_notice(users, cases["notice"], posted_on=date(2026, 11, 3))
    assert ids(worklists.cases_awaiting_notice(users["village_a1"])) == set()
    assert ids(worklists.cases_awaiting_notice(users["county"], "announcement")) == set()


def test_allowed_actions_by_role(users, cases):
    day = date(2026, 11, 4)
    assert procedure.allowed_actions(users["county"], cases["crosscheck"], day) == ["pass", "reject", "back"]
    assert procedure.allowed_actions(users["township_a"], cases["crosscheck"], day) == []
    assert procedure.allowed_actions(users["village_b1"], cases["verify"], day) == []
    assert procedure.allowed_actions(users["village_a1"], cases["verify"], day) == ["reject"]  # no files yet
    assert procedure.allowed_actions(users["county"], cases["notice"], date(2026, 11, 2)) == ["reject", "back"]


def test_the_notice_period_in_working_days(users, make_household, pack_values):
    pack_values(count_working_days=True)
    case = advance(
        users,
        clue_and_case(users, make_household(VILLAGE_A1), reported_on=date(2026, 9, 28)),
        S.NOTICE,
        on=date(2026, 9, 30),
    )
    notice = post_village_notice(users, case, posted_on=date(2026, 9, 30))
    # 5 working days from Wed 09-30: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13
    assert notice.objection_until == date(2026, 10, 13)
    with pytest.raises(MonitoringRefused, match="公示期至 2026-10-13 止"):
        procedure.act(users["village_a1"], case, step=S.NOTICE, decision=PASS, on=date(2026, 10, 13))
    procedure.act(users["village_a1"], case, step=S.NOTICE, decision=PASS, on=date(2026, 10, 14))


def test_a_case_sent_back_to_the_notice_step_needs_a_new_notice(users, cases):
    case = cases["notice"]
    post_village_notice(users, case, posted_on=date(2026, 11, 3))
    procedure.act(users["village_a1"], case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 9))
    procedure.act(
        users["township_a"],
        case,
        step=S.TOWNSHIP,
        decision="back",
        on=date(2026, 11, 10),
        comment="评议记录缺签字，补正后重新公示",
    )
    with pytest.raises(MonitoringRefused, match="尚未张贴列有该户的村内公示"):
        procedure.act(users["village_a1"], case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 10))
    assert ids(worklists.cases_awaiting_notice(users["village_a1"])) == {case.pk}
    post_village_notice(users, case, posted_on=date(2026, 11, 10))
    with pytest.raises(MonitoringRefused, match="公示期至 2026-11-15 止"):
        procedure.act(users["village_a1"], case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 12))


def test_objection_refusals(users, cases):
    with pytest.raises(WrongStep, match="只有处于“村内公示”环节的事项可以登记异议"):
        procedure.record_objection(
            users["village_a1"], cases["verify"], received_on=date(2026, 11, 3), raised_by="村民", content="有车"
        )
    case = cases["notice"]
    with pytest.raises(WrongStep, match="该户尚未张贴村内公示"):
        procedure.record_objection(users["village_a1"], case, received_on=date(2026, 11, 3), raised_by="", content="x")
    post_village_notice(users, case, posted_on=date(2026, 11, 4))
    with pytest.raises(MonitoringRefused, match="早于公示张贴日期"):
        procedure.record_objection(users["village_a1"], case, received_on=date(2026, 11, 3), raised_by="", content="x")
    with pytest.raises(MonitoringRefused, match="请填写异议内容"):
        procedure.record_objection(users["village_a1"], case, received_on=date(2026, 11, 4), raised_by="", content="")
    with pytest.raises(NotYourStep):
        procedure.record_objection(users["cadre_a1"], case, received_on=date(2026, 11, 4), raised_by="", content="x")
    objection = procedure.record_objection(
        users["village_a1"], case, received_on=date(2026, 11, 5), raised_by="村民乙", content="该户子女在城里买房"
    )
    with pytest.raises(MonitoringRefused, match="早于收到异议日期"):
        procedure.answer_objection(users["village_a1"], objection, answer="已核实", on=date(2026, 11, 4))
    with pytest.raises(MonitoringRefused, match="请填写答复内容"):
        procedure.answer_objection(users["village_a1"], objection, answer=" ", on=date(2026, 11, 6))
    procedure.answer_objection(users["village_a1"], objection, answer="子女已分户，不影响", on=date(2026, 11, 6))
    with pytest.raises(WrongStep, match="该异议已于 2026-11-06 答复"):
        procedure.answer_objection(users["village_a1"], objection, answer="再答", on=date(2026, 11, 7))
    objection.refresh_from_db()
    assert (objection.answer, objection.answered_by) == ("子女已分户，不影响", users["village_a1"])


def test_category_is_fixed_after_county_approval(users, cases):
    case = cases["verify"]
    with pytest.raises(MonitoringRefused, match="未知的监测对象类别：9"):
        procedure.set_category(users["county"], case, category="9")
    with pytest.raises(MonitoringRefused, match="只有风险消除事项需要确定消除方式"):
        procedure.set_elimination_way(users["county"], case, elimination_way="1")
    procedure.set_category(users["village_a1"], case, category="1", risk_type="05")
    case.refresh_from_db()
    assert (case.category, case.risk_type, case.risk_types) == ("1", "05", ["05", "01"])
    case = advance(users, case, S.NOTICE, on=date(2026, 11, 3))
    post_village_notice(users, case, posted_on=date(2026, 11, 3))
    procedure.act(users["county"], case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 9))
    case = advance(users, case, S.ANNOUNCE, on=date(2026, 11, 9))
    with pytest.raises(WrongStep, match="县级审批后不能再修改监测对象类别"):
        procedure.set_category(users["county"], case, category="2")
    notices.post_notice(
        users["village_a1"],
        village_code=VILLAGE_A1,
        kind="announcement",
        case_ids=[case.pk],
        posted_on=date(2026, 11, 9),
        contact="东乡镇",
    )
    assert procedure.allowed_actions(users["village_a1"], case, date(2026, 11, 9)) == ["pass", "reject", "back"]
