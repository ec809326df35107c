"""The monitoring API: the inboxes paged and masked, a clue recorded and accepted, a case acted on, a notice
posted, and each refusal in the one error shape with a Chinese message and nothing changed."""

from datetime import timedelta

import pytest

from fupin.accounts import tokens
from fupin.accounts.models import AuditEntry, User
from fupin.accounts.roles import Role
from fupin.monitoring.codes import CaseState, ClueState, StepCode
from fupin.monitoring.models import Case, CaseStep, Clue, Notice
from tests.factories import TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, make_id
from tests.monitoring.web_support import START, case_at, clock_fixture, new_clue  # noqa: F401
from tests.support import Caller, assert_error

pytestmark = pytest.mark.django_db
APPLICANT_ID = make_id("19660315", seq=771)


def state():
    return (
        list(Case.objects.values_list("pk", "step", "state")),
        list(Clue.objects.values_list("pk", "state")),
        CaseStep.objects.count(),
        Notice.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def township_b_api(areas, client):
    user = User.objects.create_user(username="township_b", password=None, role=Role.TOWNSHIP, area_id=TOWNSHIP_B)
    return Caller(client, tokens.issue_token(user, "test", via="test"))


def test_clues_are_listed_by_deadline_in_scope_with_id_numbers_masked(api_as, users, make_household, clock):
    clock(START + timedelta(days=3))
    api = api_as("village_a1")
    created = api.post(
        "/monitoring/clues",
        {"village": VILLAGE_A1, "person_name": "冯新户", "id_number": APPLICANT_ID, "phone": "13800001111",
         "channel": "self_report", "via_channel": "in_person", "risk_types": ["05"], "reported_on": str(START)},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["person_name"] == "冯新户" and body["id_number"] != APPLICANT_ID
    assert body["phone"] != "13800001111" and body["accept_due"] == str(START + timedelta(days=2))
    new_clue(users["village_a1"], make_household(VILLAGE_A1, head_name="后报户"), on=START + timedelta(days=1))
    new_clue(users["village_b1"], make_household(VILLAGE_B1, head_name="西村户"), on=START, village=VILLAGE_B1)
    page = api_as("township_a").get("/monitoring/clues").json()
    assert page["count"] == 2
    assert [item["head_name"] for item in page["items"]] == [None, "后报户"]  # by the acceptance deadline
    assert APPLICANT_ID not in str(page)


def test_the_township_accepts_and_the_case_is_acted_on_through_the_api(api_as, users, make_household, clock):
    day = clock(START + timedelta(days=1))
    clue = new_clue(users["village_a1"], make_household(VILLAGE_A1))
    case = api_as("township_a").post(f"/monitoring/clues/{clue.pk}/accept", {"on": str(day), "category": "2"})
    assert case.status_code == 201, case.content
    case_id = case.json()["id"]
    assert case.json()["step"] == StepCode.VERIFY and case.json()["steps"] == []
    village, county = api_as("village_a1"), api_as("county")  # each issues a token, audited
    before = state()
    refused = village.post(f"/monitoring/cases/{case_id}/act", {"step": "verify", "decision": "pass", "on": str(day)})
    error = assert_error(refused, 422, "monitoring_refused")
    assert "承诺授权书" in error["message"] and state() == before
    skipped = county.post(
        f"/monitoring/cases/{case_id}/act", {"step": "crosscheck", "decision": "pass", "on": str(day)}
    )
    assert "不能跳过" in assert_error(skipped, 409, "wrong_step")["message"] and state() == before
    rejected = village.post(
        f"/monitoring/cases/{case_id}/act",
        {"step": "verify", "decision": "reject", "on": str(day), "comment": "不属实"},
    )
    assert rejected.status_code == 200
    assert rejected.json()["state"] == CaseState.REJECTED and rejected.json()["steps"][0]["comment"] == "不属实"


def test_a_township_outside_the_area_gets_404_and_nothing_changes(api_as, township_b_api, users, make_household, clock):
    case, day = case_at(users, make_household(VILLAGE_A1), StepCode.TOWNSHIP)
    clock(day)
    clue = new_clue(users["village_a1"], make_household(VILLAGE_A1), on=day)
    before = state()
    for method, path, body in (
        ("GET", f"/monitoring/cases/{case.pk}", None),
        ("POST", f"/monitoring/cases/{case.pk}/act", {"step": "township", "decision": "pass", "on": str(day)}),
        ("POST", f"/monitoring/clues/{clue.pk}/accept", {"on": str(day)}),
        ("POST", f"/monitoring/clues/{clue.pk}/reject", {"on": str(day), "reason": "不属实"}),
    ):
        assert_error(township_b_api.request(method, path, body), 404, "not_found")
    assert township_b_api.get("/monitoring/cases", box="open").json()["count"] == 0
    assert state() == before
    clue.refresh_from_db()
    assert clue.state == ClueState.PENDING


def test_a_rejection_without_a_reason_and_a_notice_of_another_step_are_refused(api_as, users, make_household, clock):
    case, day = case_at(users, make_household(VILLAGE_A1), StepCode.REVIEW)
    clock(day)
    clue = new_clue(users["village_a1"], make_household(VILLAGE_A1), on=day)
    township, village = api_as("township_a"), api_as("village_a1")
    before = state()
    assert_error(township.post(f"/monitoring/clues/{clue.pk}/reject", {"on": str(day)}), 422,
                 "validation_error", "reason")  # fmt: skip
    posted = village.post(
        "/monitoring/notices",
        {"village": VILLAGE_A1, "kind": "village", "case_ids": [case.pk], "posted_on": str(day), "contact": "村委会"},
    )
    assert "不在“村内公示”环节" in assert_error(posted, 422, "monitoring_refused")["message"]
    assert state() == before
