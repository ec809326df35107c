"""Every error the API can give has the one shape {"error": {code, message, field, details}} with a Chinese
message — domain refusals, ninja's own validation and auth errors, unknown paths, and unexpected failures."""

import logging

import pytest

from fupin.registry import services
from tests.factories import VILLAGE_A1
from tests.support import assert_error

pytestmark = pytest.mark.django_db


def test_400_malformed_json(api_as):
    response = api_as("county").post("/households", '{"number": "A1-1", ')
    error = assert_error(response, 400, "bad_request", None)
    assert "JSON" in error["message"]


def test_401_without_credentials(api_as):
    assert_error(api_as(None).get("/duplicates"), 401, "not_authenticated", None)


def test_403_for_a_role_that_may_not(api_as, make_household):
    household = make_household()
    response = api_as("inspector").patch(f"/households/{household.pk}", {"address": "x"})
    error = assert_error(response, 403, "permission_denied")
    assert "只能查看" in error["message"]


@pytest.mark.parametrize(
    "path", ["/households/999999", "/members/999999", "/households/abc", "/no-such-thing", "/households/1/nothing"]
)
def test_404_for_missing_records_and_unknown_paths(api_as, path):
    error = assert_error(api_as("county").get(path), 404, "not_found", None)
    assert error["message"].startswith("未找到")


def test_404_for_unknown_paths_needs_no_credentials(api_as):
    assert_error(api_as(None).post("/nowhere", {}), 404, "not_found")


def test_409_for_a_conflict(api_as, make_household):
    household = make_household()
    other = make_household()
    taken = household.members.get().id_number
    body = {"name": "重复", "relation": "01", "id_number": taken}
    assert_error(api_as("county").post(f"/households/{other.pk}/members", body), 409, "conflict", "id_number")


def test_422_names_the_first_bad_field_and_keeps_the_details(api_as):
    body = {"number": "A1-1", "village": VILLAGE_A1, "head_name": "李", "risk_level": 9, "relocated": "maybe"}
    error = assert_error(api_as("county").post("/households", body), 422, "validation_error", "risk_level")
    assert error["message"].startswith("致贫/返贫风险等级（risk_level）：")
    assert [e["loc"][-1] for e in error["details"]["errors"]] == ["risk_level", "relocated"]


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"number": 5}, "number", "应为文本"),
        ({"first_identified_on": "2020-13-01"}, "first_identified_on", "应为日期"),
        ({"number": "x" * 25}, "number", "不能超过24个字符"),
        ({"relocated": "maybe"}, "relocated", "true 或 false"),
    ],
)
def test_422_reasons_are_in_chinese(api_as, make_household, body, field, reason):
    household = make_household()
    error = assert_error(api_as("county").patch(f"/households/{household.pk}", body), 422, "validation_error", field)
    assert reason in error["message"]


def test_422_for_a_body_that_is_not_an_object(api_as, make_household):
    household = make_household()
    error = assert_error(api_as("county").patch(f"/households/{household.pk}", "[1, 2]"), 422, "validation_error", None)
    assert error["message"] == "请求体：应为JSON对象"


def test_500_leaks_nothing_and_is_logged(api_as, monkeypatch, caplog):
    def broken(user):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(services, "duplicate_persons", broken)
    with caplog.at_level(logging.ERROR, logger="fupin.api"):
        response = api_as("county").get("/duplicates")
    error = assert_error(response, 500, "server_error", None)
    assert error["message"] == "服务器内部错误" and error["details"] is None
    assert "hunter2" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert "hunter2" in caplog.text and "/api/duplicates" in caplog.text


def test_the_openapi_document_describes_the_error_shape(client):
    document = client.get("/api/openapi.json").json()
    responses = document["paths"]["/api/households/{household_id}"]["patch"]["responses"]
    assert {"200", "403", "404", "422"} <= set(responses)
    assert "ErrorOut" in str(responses["422"])


def test_the_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in page and "cdn" not in page.lower()
