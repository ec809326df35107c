"""The API over a real HTTP server (pytest-django's live_server), as a program would call it with urllib."""

import json
import urllib.error
import urllib.request

import pytest

from fupin.accounts import tokens
from fupin.accounts.models import ApiToken
from tests.api import (
    openapi_funds_assets,
    openapi_funds_ledger,
    openapi_funds_links,
    openapi_funds_projects,
    openapi_funds_standards,
    openapi_supervision_bulletins,
    openapi_supervision_checks,
    openapi_supervision_problems,
)
from tests.factories import VILLAGE_B1

pytestmark = pytest.mark.django_db(transaction=True)


def call(live_server, path, token=None, body=None, method=None):
    """(status, parsed JSON) of one request; HTTP errors are answers here, not exceptions."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"{live_server.url}/api{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def token(users):
    return tokens.issue_token(users["village_a1"], "http tests")


def test_list_over_http(live_server, token, make_household):
    household = make_household()
    make_household(VILLAGE_B1)
    status, body = call(live_server, "/households", token)
    assert status == 200
    assert body["count"] == 1 and body["items"][0]["id"] == household.pk
    assert body["items"][0]["phone"] == "139****5678"


def test_another_villages_household_is_404_over_http(live_server, token, make_household):
    other = make_household(VILLAGE_B1)
    status, body = call(live_server, f"/households/{other.pk}", token)
    assert status == 404
    assert body["error"]["code"] == "not_found" and body["error"]["message"].startswith("未找到")


def test_validation_error_shape_over_http(live_server, token, make_household):
    household = make_household(members=[])
    member = {"name": "错号", "relation": "01", "id_number": "1.10105E+17"}
    status, body = call(live_server, f"/households/{household.pk}/members", token, member)
    assert status == 422
    assert set(body["error"]) == {"code", "message", "field", "details"}
    assert body["error"]["code"] == "validation_error" and body["error"]["field"] == "id_number"
    assert "科学计数法" in body["error"]["message"]


def test_revoked_token_is_401_over_http(live_server, token):
    assert call(live_server, "/me", token)[0] == 200
    tokens.revoke(ApiToken.objects.get())
    status, body = call(live_server, "/me", token)
    assert status == 401 and body["error"]["code"] == "not_authenticated"


def test_openapi_lists_the_endpoints(live_server):
    status, document = call(live_server, "/openapi.json")
    assert status == 200
    expected = {
        "/api/me": {"get"},
        "/api/households": {"get", "post"},
        "/api/households/export": {"get"},
        "/api/households/{household_id}": {"get", "patch"},
        "/api/households/{household_id}/members": {"get", "post"},
        "/api/households/{household_id}/events": {"post"},
        "/api/households/{household_id}/reveal": {"post"},
        "/api/members/{member_id}": {"get", "patch"},
        "/api/members/{member_id}/reveal": {"post"},
        "/api/duplicates": {"get"},
        "/api/tokens": {"get", "post"},
        "/api/tokens/{token_id}": {"delete"},
        "/api/households/{household_id}/assessment": {"get", "post"},
        "/api/assessments/runs": {"get"},
        "/api/assessments/flagged": {"get"},
        "/api/assessments/areas": {"get"},
        "/api/figures": {"get"},
        "/api/imports": {"post"},
        "/api/department-uploads": {"post"},
        "/api/department-uploads/{upload_id}": {"get"},
        "/api/imports/{job_id}": {"get"},
        "/api/imports/{job_id}/report": {"get"},
        "/api/monitoring/clues": {"get", "post"},
        "/api/monitoring/clues/{clue_id}": {"get"},
        "/api/monitoring/clues/{clue_id}/accept": {"post"},
        "/api/monitoring/clues/{clue_id}/reject": {"post"},
        "/api/monitoring/cases": {"get"},
        "/api/monitoring/cases/{case_id}": {"get"},
        "/api/monitoring/cases/{case_id}/act": {"post"},
        "/api/monitoring/cases/{case_id}/reverse": {"post"},
        "/api/monitoring/eliminations": {"post"},
        "/api/monitoring/notices": {"post"},
        "/api/households/{household_id}/assistance": {"get"},
        "/api/households/{household_id}/pairings": {"post"},
        "/api/households/{household_id}/responsible": {"post"},
        "/api/pairings/{pairing_id}/end": {"post"},
        "/api/assistance/units": {"get", "post"},
        "/api/assistance/cadres": {"get", "post"},
        "/api/assistance/cadres/{cadre_id}": {"get", "patch"},
        "/api/assistance/teams": {"get", "post"},
        "/api/assistance/teams/{team_id}/members": {"post"},
        "/api/assistance/villages/{village_code}/set": {"get"},
        "/api/assistance/measures": {"get", "post"},
        "/api/assistance/measures/micro-loans": {"get"},
        "/api/assistance/measures/{measure_id}": {"get", "patch"},
        "/api/assistance/measures/{measure_id}/end": {"post"},
        "/api/assistance/relocation/sites": {"get", "post"},
        "/api/assistance/relocations": {"get", "post"},
        "/api/assistance/trainings": {"get", "post"},
        "/api/assistance/trainings/{training_id}/attendances": {"post"},
        "/api/assistance/enterprise-pairings": {"get", "post"},
        "/api/assistance/social-aid": {"get", "post"},
        "/api/assistance/programme-figures": {"get"},
        "/api/assistance/visits": {"post"},
        "/api/assistance/visits/{visit_id}/photos": {"post"},
        "/api/assistance/households/{household_id}/visits": {"get"},
        "/api/assistance/checks": {"get"},
        "/api/assistance/figures": {"get"},
    }
    for topic in (
        openapi_funds_ledger,
        openapi_funds_projects,
        openapi_funds_standards,
        openapi_funds_assets,
        openapi_funds_links,
        openapi_supervision_problems,
        openapi_supervision_checks,
        openapi_supervision_bulletins,
    ):
        expected.update(topic.PATHS)  # each funds topic lists its own paths
    assert {path: set(operations) for path, operations in document["paths"].items()} == expected
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"} and schemes["Session"]["in"] == "cookie"
