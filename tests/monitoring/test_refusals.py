"""Each refused transition: its Chinese message, and nothing written (the case, its steps, the registry, the audit
log stand as before)."""

from datetime import date

import pytest

from fupin.accounts.models import AuditEntry
from fupin.core.errors import NotFound
from fupin.monitoring import codes
from fupin.monitoring.models import Case, CaseStep, Clue
from fupin.monitoring.services import clues, procedure
from fupin.monitoring.services.common import DuplicateCase, MonitoringRefused, NotYourStep, WrongStep
from fupin.registry import services as registry
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.monitoring.helpers import PASS, S, add_verify_evidence, advance, clue_and_case, post_village_notice

pytestmark = pytest.mark.django_db


def state_of(case):
    """Everything a refused action could have touched."""
    case = Case.objects.get(pk=case.pk)
    household = case.household
    return (
        [(f.name, getattr(case, f.attname)) for f in Case._meta.concrete_fields],
        list(CaseStep.objects.filter(case=case).values_list("pk", flat=True)),
        household.status if household else None,
        household.events.count() if household else None,
        AuditEntry.objects.count(),
        Case.objects.count(),
        Clue.objects.count(),
    )


@pytest.fixture
def case(users, make_household):
    return clue_and_case(users, make_household(VILLAGE_A1), reported_on=date(2026, 11, 2))


def refused(case, error, match, action):
    before = state_of(case)
    with pytest.raises(error, match=match) as raised:
        action()
    assert state_of(case) == before
    return raised.value


def test_a_skipped_step_is_refused(users, case):
    add_verify_evidence(users["county"], case)
    refused(
        case,
        WrongStep,
        "当前在“入户核实”环节，不能办理“村级民主评议”：环节须按顺序办理，不能跳过",
        lambda: procedure.act(users["county"], case, step=S.REVIEW, decision=PASS, on=date(2026, 11, 3)),
    )


def test_the_crosscheck_cannot_start_without_the_signed_authorisation(users, case):
    add_verify_evidence(users["village_a1"], case, kinds=["survey"])
    error = refused(
        case,
        MonitoringRefused,
        "入户核实须上传农户签字的承诺授权书：没有承诺授权书，不能开展信息比对",
        lambda: procedure.act(users["village_a1"], case, step=S.VERIFY, decision=PASS, on=date(2026, 11, 3)),
    )
    assert error.field == "evidence"
    assert procedure.allowed_actions(users["village_a1"], case, date(2026, 11, 3)) == ["reject"]


def test_the_home_check_needs_its_survey_form(users, case):
    add_verify_evidence(users["village_a1"], case, kinds=["consent"])
    refused(
        case,
        MonitoringRefused,
        "入户核实须上传防止返贫动态监测排查表",
        lambda: procedure.act(users["village_a1"], case, step=S.VERIFY, decision=PASS, on=date(2026, 11, 3)),
    )


def test_the_review_cannot_pass_before_the_notice_period_ends(users, case):
    case = advance(users, case, S.NOTICE, on=date(2026, 11, 3))
    refused(
        case,
        MonitoringRefused,
        "尚未张贴列有该户的村内公示",
        lambda: procedure.act(users["village_a1"], case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 3)),
    )
    post_village_notice(users, case, posted_on=date(2026, 11, 3))  # objection period to 11-08
    for day in (date(2026, 11, 3), date(2026, 11, 8)):
        refused(
            case,
            MonitoringRefused,
            "公示期至 2026-11-08 止（2026-11-03 张贴），.*尚在公示期内",
            lambda day=day: procedure.act(users["village_a1"], case, step=S.NOTICE, decision=PASS, on=day),
        )
    assert procedure.allowed_actions(users["village_a1"], case, date(2026, 11, 8)) == ["reject", "back"]
    procedure.act(users["village_a1"], case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 9))


def test_a_township_outside_its_area_finds_nothing(users, make_household):
    case = clue_and_case(users, make_household(VILLAGE_B1), reported_on=date(2026, 11, 2))
    add_verify_evidence(users["county"], case)
    refused(
        case,
        NotFound,
        "未找到该监测事项",
        lambda: procedure.act(users["township_a"], case, step=S.VERIFY, decision=PASS, on=date(2026, 11, 3)),
    )
    assert procedure.allowed_actions(users["township_a"], case) == []
    clue = clues.record_clue(
        users["county"],
        village_code=VILLAGE_B1,
        channel="cadre_visit",
        risk_types=["01"],
        household=case.household,
        reported_on=date(2026, 11, 2),
    )
    with pytest.raises(NotFound):
        clues.accept_clue(users["township_a"], clue, on=date(2026, 11, 3))
    with pytest.raises(NotFound, match="不存在或不在您的管辖范围内"):
        clues.record_clue(
            users["township_a"],
            village_code=VILLAGE_B1,
            channel="cadre_visit",
            risk_types=["01"],
            household=case.household,
            reported_on=date(2026, 11, 2),
        )


def test_a_village_clerk_cannot_take_the_countys_step(users, case):
    case = advance(users, case, S.CROSSCHECK, on=date(2026, 11, 3))
    refused(
        case,
        NotYourStep,
        "您的角色（村）不能办理“县级信息比对”环节",
        lambda: procedure.act(users["village_a1"], case, step=S.CROSSCHECK, decision=PASS, on=date(2026, 11, 3)),
    )
    refused(
        case,
        NotYourStep,
        "您的角色（行业部门）不能办理",
        lambda: procedure.act(users["department"], case, step=S.CROSSCHECK, decision=PASS, on=date(2026, 11, 3)),
    )


def test_a_second_open_case_for_the_same_household_and_risk(users, case):
    household = case.household
    clue = clues.record_clue(
        users["county"],
        village_code=VILLAGE_A1,
        household=household,
        channel="department",
        department="civil",
        risk_types=["01"],
        reported_on=date(2026, 11, 3),
    )
    before = state_of(case)
    with pytest.raises(
        DuplicateCase, match="该户已有办理中的“监测对象识别”事项（风险类型：因病，当前环节：入户核实），不能重复立案"
    ):
        clues.accept_clue(users["township_a"], clue, on=date(2026, 11, 3))
    assert state_of(case) == before
    clue.refresh_from_db()
    assert clue.state == "pending"
    other = procedure.open_case(
        users["county"], household, kind="identify", risk_type="05", opened_on=date(2026, 11, 3)
    )
    assert other.state == "open"  # another risk is another episode


def test_dates_out_of_order_or_in_the_future(users, case):
    add_verify_evidence(users["county"], case)
    refused(
        case,
        MonitoringRefused,
        "日期2026-11-01早于本环节开始日期（2026-11-02）",
        lambda: procedure.act(users["county"], case, step=S.VERIFY, decision=PASS, on=date(2026, 11, 1)),
    )
    refused(
        case,
        MonitoringRefused,
        "晚于今天",
        lambda: procedure.act(users["county"], case, step=S.VERIFY, decision=PASS, on=date(2099, 1, 1)),
    )


def test_back_needs_a_reason_and_returns_one_step(users, case):
    refused(
        case,
        WrongStep,
        "是第一个环节，不能退回",
        lambda: procedure.act(users["county"], case, step=S.VERIFY, decision="back", on=date(2026, 11, 3), comment="x"),
    )
    case = advance(users, case, S.REVIEW, on=date(2026, 11, 3))
    refused(
        case,
        MonitoringRefused,
        "退回上一环节须填写理由",
        lambda: procedure.act(users["village_a1"], case, step=S.REVIEW, decision="back", on=date(2026, 11, 4)),
    )
    procedure.act(
        users["village_a1"], case, step=S.REVIEW, decision="back", on=date(2026, 11, 4), comment="比对结果缺残联数据"
    )
    case.refresh_from_db()
    assert (case.step, case.step_since, case.step_due, case.state) == (
        S.CROSSCHECK,
        date(2026, 11, 4),
        date(2026, 11, 9),
        "open",
    )


def test_a_closed_case_takes_no_more_steps(users, case):
    procedure.act(users["county"], case, step=S.VERIFY, decision="reject", on=date(2026, 11, 3), comment="不符合")
    refused(
        case,
        WrongStep,
        "该事项已于 2026-11-03 办结",
        lambda: procedure.act(users["county"], case, step=S.VERIFY, decision=PASS, on=date(2026, 11, 3)),
    )


def test_a_no_labour_household_is_not_eliminated(users, make_household, pack_values):
    household = make_household(VILLAGE_A1, members=[{"name": "张大山", "relation": "01", "labour_capacity": "03"}])
    registry.record_event(users["county"], household, "monitored", date(2026, 1, 5), category="3", risk_type="01")
    pack_values(no_labour_never_eliminated=True)
    before = (Case.objects.count(), AuditEntry.objects.count())
    with pytest.raises(MonitoringRefused, match="该户整户无劳动能力，按标准包 .* 的规定不标注风险消除"):
        procedure.open_case(users["county"], household, kind="eliminate", risk_type="01", opened_on=date(2026, 11, 2))
    assert (Case.objects.count(), AuditEntry.objects.count()) == before
    pack_values(no_labour_never_eliminated=False)
    case = procedure.open_case(
        users["county"], household, kind="eliminate", risk_type="01", opened_on=date(2026, 11, 2)
    )
    assert case.step == S.VERIFY and case.kind == codes.CaseKind.ELIMINATE


def test_an_elimination_needs_a_monitored_household_and_its_way(users, make_household):
    household = make_household(VILLAGE_A1)
    with pytest.raises(MonitoringRefused, match="该户当前状态为“一般农户”，不能办理“风险消除”"):
        procedure.open_case(users["county"], household, kind="eliminate", risk_type="01", opened_on=date(2026, 11, 2))
    registry.record_event(users["county"], household, "monitored", date(2026, 3, 1), category="2", risk_type="01")
    case = procedure.open_case(
        users["county"], household, kind="eliminate", risk_type="01", opened_on=date(2026, 11, 2)
    )
    assert [rule.code for rule in codes.PROCEDURES[case.kind]][:2] == [S.VERIFY, S.REVIEW]
    add_verify_evidence(users["village_a1"], case, kinds=["survey"])  # no cross-check follows: no consent needed
    procedure.act(users["village_a1"], case, step=S.VERIFY, decision=PASS, on=date(2026, 11, 3))
    case = advance(users, case, S.NOTICE, on=date(2026, 11, 3))
    post_village_notice(users, case, posted_on=date(2026, 11, 3))
    procedure.act(users["county"], case, step=S.NOTICE, decision=PASS, on=date(2026, 11, 9))
    case = advance(users, case, S.COUNTY, on=date(2026, 11, 10))
    refused(
        case,
        MonitoringRefused,
        "县级审批前须确定风险消除方式",
        lambda: procedure.act(users["county"], case, step=S.COUNTY, decision=PASS, on=date(2026, 11, 10)),
    )
    procedure.set_elimination_way(users["county"], case, elimination_way="1")
    case = advance(users, case, S.ENTER, on=date(2026, 11, 11))
    procedure.act(users["county"], case, step=S.ENTER, decision=PASS, on=date(2026, 11, 12))
    household.refresh_from_db()
    case.refresh_from_db()
    assert (household.status, household.risk_elimination_way, household.risk_eliminated_on) == (
        "risk_eliminated",
        "1",
        date(2026, 11, 12),
    )
    assert (case.state, case.result_event.kind, case.result_event.elimination_way) == (
        "approved",
        "risk_eliminated",
        "1",
    )
