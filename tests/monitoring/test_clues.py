"""Clues from each channel: what a clue needs, the township's decision, and a person not yet registered, whose
household the procedure creates at the home check (never the clue)."""

from datetime import date

import pytest

from fupin.accounts.models import AuditEntry
from fupin.core.errors import DomainError, NotFound
from fupin.monitoring.models import Case, Clue
from fupin.monitoring.services import clues, procedure
from fupin.monitoring.services.common import DuplicateCase, MonitoringRefused, NotYourStep, WrongStep
from fupin.registry.models import Household
from tests.factories import VILLAGE_A1, VILLAGE_A2, make_id
from tests.monitoring.helpers import PASS, S, add_verify_evidence

pytestmark = pytest.mark.django_db

CLUE = {"village_code": VILLAGE_A1, "channel": "cadre_visit", "risk_types": ["01"], "reported_on": date(2026, 11, 2)}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"risk_types": []}, "请选择至少一项风险类型"),
        ({"risk_types": ["01", "77"]}, "未知的风险类型：77"),
        ({"channel": "rumour"}, "请选择发现渠道"),
        ({"channel": "department"}, "部门筛查预警须注明预警部门"),
        ({"department": "medical"}, "预警部门只用于部门筛查预警的线索"),
        ({"via_channel": "hotline"}, "申报方式只用于农户自主申报"),
        ({"reported_on": date(2099, 1, 1)}, "晚于今天"),
        ({"person_name": "", "id_number": ""}, "未登记的申报人须填写姓名"),
        ({"person_name": "王五", "id_number": "123"}, "证件号码"),
    ],
)
def test_a_clue_refused(users, make_household, changes, message):
    household = make_household(VILLAGE_A1)
    data = {**CLUE, "household": household, **changes}
    if "person_name" in changes:
        data.pop("household")
    before = (Clue.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError, match=message):
        clues.record_clue(users["village_a1"], **data)
    assert (Clue.objects.count(), AuditEntry.objects.count()) == before


def test_a_household_of_another_village_and_roles(users, make_household):
    household = make_household(VILLAGE_A2)
    with pytest.raises(MonitoringRefused, match="该农户登记在其他行政村，不在“东一村”"):
        clues.record_clue(users["county"], **CLUE, household=household)
    with pytest.raises(NotFound):
        clues.record_clue(users["village_a1"], **{**CLUE, "village_code": VILLAGE_A2}, household=household)
    with pytest.raises(NotYourStep, match="您的角色（督查/审计）不能登记监测线索"):
        clues.record_clue(users["inspector"], **CLUE, household=make_household(VILLAGE_A1))


def test_a_registered_person_must_be_chosen_by_household(users, make_household):
    number = make_id()
    make_household(VILLAGE_A1, members=[{"name": "张大山", "relation": "01", "id_number": number}])
    with pytest.raises(MonitoringRefused, match="已登记在册，请选择其所在农户"):
        clues.record_clue(users["village_a1"], **CLUE, person_name="张大山", id_number=number)


def test_reject_needs_a_reason_and_is_the_townships(users, make_household):
    clue = clues.record_clue(users["village_a1"], **CLUE, household=make_household(VILLAGE_A1))
    with pytest.raises(NotYourStep, match="您的角色（村）不能受理监测线索"):
        clues.reject_clue(users["village_a1"], clue, on=date(2026, 11, 3), reason="重复")
    with pytest.raises(MonitoringRefused, match="不予受理须填写理由"):
        clues.reject_clue(users["township_a"], clue, on=date(2026, 11, 3), reason="  ")
    with pytest.raises(MonitoringRefused, match="早于线索发现日期"):
        clues.reject_clue(users["township_a"], clue, on=date(2026, 11, 1), reason="重复")
    clues.reject_clue(users["township_a"], clue, on=date(2026, 11, 3), reason="经电话核实为误报")
    clue.refresh_from_db()
    assert (clue.state, clue.reject_reason, clue.decided_on) == ("rejected", "经电话核实为误报", date(2026, 11, 3))
    assert not Case.objects.exists()
    with pytest.raises(WrongStep, match="该线索已于 2026-11-03 不予受理"):
        clues.accept_clue(users["township_a"], clue, on=date(2026, 11, 3))
    assert list(clues.pending_clues(users["township_a"])) == []


def test_a_person_not_yet_registered(users):
    number = make_id(birth="19750304")
    clue = clues.record_clue(
        users["village_a1"],
        **{**CLUE, "channel": "self_report"},
        via_channel="in_person",
        person_name="赵小花",
        id_number=number,
        phone="13800001111",
    )
    assert clue.household is None and Household.objects.count() == 0
    case = clues.accept_clue(users["township_a"], clue, on=date(2026, 11, 3), category="2")
    assert case.household is None and case.village_id == VILLAGE_A1
    # the same person cannot have two open cases for the same risk while unregistered
    second = clues.record_clue(users["village_a1"], **CLUE, person_name="赵小花", id_number=number)
    with pytest.raises(DuplicateCase, match="不能重复立案"):
        clues.accept_clue(users["township_a"], second, on=date(2026, 11, 3))
    add_verify_evidence(users["village_a1"], case)
    procedure.act(users["village_a1"], case, step=S.VERIFY, decision=PASS, on=date(2026, 11, 4))
    case.refresh_from_db()
    clue.refresh_from_db()
    household = case.household
    assert household is not None and clue.household is None
    assert (household.village_id, household.head_name, household.phone) == (VILLAGE_A1, "赵小花", "13800001111")
    head = household.members.get()
    assert (head.name, head.id_number, head.relation, str(head.birth_date)) == ("赵小花", number, "01", "1975-03-04")
    assert case.step == S.CROSSCHECK
    assert AuditEntry.objects.filter(model="registry.household", object_id=str(household.pk), action="create").exists()
