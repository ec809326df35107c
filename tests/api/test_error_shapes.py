"""No request the API can be sent is a 500 (issue 10): a page number beyond 64 bits, an id no database column can
hold, a 12 MB body, a body that is not a JSON object, NUL characters, a wrong method — every answer is < 500 and,
when it is an error, exactly the one shape with a Chinese message.

The operations are read from the OpenAPI document, so a list or an operation with a path parameter or a body is
probed the day it is added; valid bodies and queries come from the sweep's table (tests/sweep/routes.py), which
test_routes.py holds to the same document."""

import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.accounts import tokens
from fupin.accounts.models import User
from fupin.api import api
from fupin.api_common import MAX_PAGE
from fupin.core.errors import CONTROL_REASON
from tests.factories import VILLAGE_A1, build_household
from tests.support import assert_error
from tests.sweep.routes import API as SWEPT

SCHEMA = json.loads(json.dumps(api.get_openapi_schema()))  # as served: status codes are text
OPERATIONS = [
    (method.upper(), path, operation) for path, item in SCHEMA["paths"].items() for method, operation in item.items()
]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
BIG = (2**70, 2**64, 2**63, -(2**63) - 1)


def _ids(operations):
    return [pytest.param(method, path, operation, id=f"{method} {path}") for method, path, operation in operations]


def parameters(operation, where):
    return [p for p in operation.get("parameters", []) if p["in"] == where]


def body_type(operation):
    content = operation.get("requestBody", {}).get("content", {})
    return next(iter(content), None)


LISTS = [op for op in OPERATIONS if any(p["name"] == "page" for p in parameters(op[2], "query"))]
WITH_PATH = [op for op in OPERATIONS if parameters(op[2], "path")]
JSON_BODIES = [op for op in OPERATIONS if body_type(op[2]) == "application/json"]
FORM_BODIES = [
    op for op in OPERATIONS if body_type(op[2]) in ("multipart/form-data", "application/x-www-form-urlencoded")
]
WITH_QUERY = [op for op in OPERATIONS if parameters(op[2], "query")]


def _schema(node):
    return SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node


def has_free_text(operation) -> bool:
    """Whether the JSON body has a plain text field (a string of no format: a date is refused as a date)."""
    body = _schema(operation["requestBody"]["content"]["application/json"]["schema"])
    fields = [_schema(field) for field in body.get("properties", {}).values()]
    fields += [_schema(option) for field in fields for option in field.get("anyOf", [])]
    return any(field.get("type") == "string" and "format" not in field for field in fields)


TEXT_BODIES = [op for op in JSON_BODIES if has_free_text(op[2])]


def test_the_probes_find_what_they_probe():
    """The selections above are not empty, so a change in how ninja writes the document cannot silently skip
    every probe."""
    assert {"/api/households", "/api/assessments/runs", "/api/assessments/flagged"} <= {p for _, p, _ in LISTS}
    assert len(WITH_PATH) >= 10 and len(JSON_BODIES) >= 7 and len(TEXT_BODIES) >= 5 and FORM_BODIES


MISSING_ID = 987654321  # an integer id no record of the module has


@pytest.fixture(scope="module")
def records(module_data):
    """A household with a member and a token, built once for the module (each probe's writes are rolled back with
    its test; conftest's module_data)."""

    def build():
        admin = User.objects.get(username="county")
        household = build_household(admin)
        tokens.issue_token(admin, "probe", via="test")
        ids = {"household_id": household.pk, "member_id": household.members.get().pk}
        missing = {
            "job_id": "00000000-0000-4000-8000-000000000000",
        }
        return {**ids, "token_id": admin.api_tokens.get().pk, **missing}

    return module_data.build(build)


@pytest.fixture
def world(records, users, client):
    """The records and a logged-in county administrator (a session works for every operation, the token-issuing
    one included)."""
    client.force_login(users["county"])
    return {"client": client, **records}


def fill(path, world, **values):
    """The path with its parameters filled: the world's records, else an id no record has."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], world.get(m[1], MISSING_ID))), path)


def swept(method, path):
    """The sweep's first request of the operation: its query string and valid body (None: none)."""
    route = SWEPT[(method, path)][0]
    return route.path, (route.body(None, VILLAGE_A1) if route.body else None), route.form


def send(world, method, path, body=None, *, form=False, content_type="application/json", **headers):
    client = world["client"]
    if form:
        return (
            client.generic(method, path, body, content_type=content_type, headers=headers)
            if isinstance(body, bytes)
            else client.post(path, body or {}, headers=headers)
        )
    data = body if isinstance(body, (str, bytes)) else ("" if body is None else json.dumps(body))
    return client.generic(method, path, data, content_type=content_type, headers=headers)


def assert_shaped(response):
    """Below 500, and an error (if it is one) in exactly the one shape with a Chinese message."""
    assert response.status_code < 500, response.content[:2000]
    if response.status_code >= 400:
        return assert_error(response, response.status_code, response.json()["error"]["code"])
    return None


# ── pages ───────────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("method", "path", "operation"), _ids(LISTS))
@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        *(("page", big, "不能大于") for big in BIG[:3]),
        ("page", MAX_PAGE + 1, "不能大于"),
        ("page", 0, "不能小于1"),
        ("page", -1, "不能小于1"),
        ("page", -(2**70), "不能小于1"),
        ("page", "abc", "应为整数"),
        ("page", "1.5", "应为整数"),
        ("page", "", "应为整数"),
        ("page_size", 2**70, "不能大于200"),
        ("page_size", 201, "不能大于200"),
        ("page_size", 0, "不能小于1"),
        ("page_size", -1, "不能小于1"),
        ("page_size", "abc", "应为整数"),
    ],
)
def test_a_page_out_of_range_is_a_422_naming_the_parameter(world, method, path, operation, name, value, reason):
    query, _, _ = swept(method, path)
    url = f"{fill(path, world)}{query}{'&' if query else '?'}{name}={value}"
    error = assert_error(send(world, method, url), 422, "validation_error", name)
    assert reason in error["message"], error["message"]


@pytest.mark.parametrize(("method", "path", "operation"), _ids(LISTS))
def test_the_last_page_allowed_is_an_empty_page_not_an_error(world, method, path, operation):
    query, _, _ = swept(method, path)
    url = f"{fill(path, world)}{query}{'&' if query else '?'}page={MAX_PAGE}&page_size=200"
    response = send(world, method, url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["page"] == MAX_PAGE and body["items"] == []


# ── path parameters ─────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("method", "path", "operation"), _ids(WITH_PATH))
@pytest.mark.parametrize("value", [*BIG, 2**63 - 1, 0, -1, "abc", "1.5", "%00", "1%20"])
def test_an_id_no_record_can_have_is_a_404(world, method, path, operation, value):
    """With the operation's valid body and query, so the id reaches the database lookup; an id beyond 64 bits is
    an OverflowError in SQLite and an out-of-range error in PostgreSQL unless it is caught first."""
    query, body, form = swept(method, path)
    name = parameters(operation, "path")[0]["name"]
    response = send(world, method, fill(path, world, **{name: value}) + query, body, form=form)
    error = assert_error(response, 404, "not_found", None)
    assert error["message"].startswith("未找到")


# ── bodies ──────────────────────────────────────────────────────────────────────────────────────────────────────


TOO_LARGE = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 2 * 2**20  # 12 MB


@pytest.mark.parametrize(("method", "path", "operation"), _ids(JSON_BODIES))
def test_a_12_mb_json_body_is_a_413(world, method, path, operation):
    body = json.dumps({"name": "x" * TOO_LARGE})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    error = assert_error(send(world, method, fill(path, world), body), 413, "too_large", None)
    assert "10 MB" in error["message"]


@pytest.mark.parametrize(("method", "path", "operation"), _ids(JSON_BODIES))
def test_a_body_just_under_the_limit_is_read(world, method, path, operation):
    """The boundary: a body of exactly the limit is parsed (and refused for what it says, not for its size)."""
    padding = settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(json.dumps({"name": ""}))
    body = json.dumps({"name": "x" * padding})
    assert len(body) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = send(world, method, fill(path, world), body)
    assert response.status_code != 413
    assert_shaped(response)


@pytest.mark.parametrize(("method", "path", "operation"), _ids(JSON_BODIES))
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ('{"name": ', 400, "bad_request"),
        ("{'name': 1}", 400, "bad_request"),
        (b"\xff\xfe{}", 400, "bad_request"),
        ("[" * 100_000 + "]" * 100_000, 400, "bad_request"),
        ("NaN", 422, "validation_error"),
        ("[1, 2]", 422, "validation_error"),
        ('"text"', 422, "validation_error"),
        ("17", 422, "validation_error"),
        ("true", 422, "validation_error"),
        ("null", 422, "validation_error"),
    ],
    ids=["truncated", "single-quotes", "not-utf8", "nested-100k", "nan", "array", "string", "number", "true", "null"],
)
def test_a_body_that_is_not_a_json_object_is_refused_in_the_shape(world, method, path, operation, body, status, code):
    assert_error(send(world, method, fill(path, world), body), status, code)


@pytest.mark.parametrize(("method", "path", "operation"), _ids(JSON_BODIES))
def test_an_empty_body_is_refused_or_read_as_empty_in_the_shape(world, method, path, operation):
    assert_shaped(send(world, method, fill(path, world), ""))


def _with_nul(value):
    if isinstance(value, str):
        return value[:1] + "\x00" + value[1:]
    if isinstance(value, dict):
        return {key: _with_nul(inner) for key, inner in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "operation"), _ids(TEXT_BODIES))
def test_a_nul_character_in_a_text_is_a_422_naming_the_field(world, method, path, operation):
    """PostgreSQL cannot store U+0000 (psycopg refuses it with a ValueError): refused before it gets there, on
    SQLite too, so both databases answer alike."""
    _, body, _ = swept(method, path)
    strings = [key for key, value in body.items() if isinstance(value, str)]
    assert strings, "the sweep's body has no text to put a NUL in"
    error = assert_error(send(world, method, fill(path, world), _with_nul(body)), 422, "validation_error")
    assert error["field"] in strings
    assert error["message"].endswith(f"：{CONTROL_REASON}"), error["message"]


@pytest.mark.parametrize(("method", "path", "operation"), _ids(WITH_QUERY))
@pytest.mark.parametrize("value", ["%00", "a%00b", "%FF", "x" * 5000])
def test_any_query_parameter_with_odd_text_is_below_500_in_the_shape(world, method, path, operation, value):
    query, body, form = swept(method, path)
    names = [p["name"] for p in parameters(operation, "query")]
    for name in names:
        url = f"{fill(path, world)}{query}{'&' if query else '?'}{name}={value}"
        assert_shaped(send(world, method, url, body, form=form))


# ── form bodies (the upload) ────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("method", "path", "operation"), _ids(FORM_BODIES))
def test_a_form_field_over_the_limit_is_a_413(world, method, path, operation):
    upload = SimpleUploadedFile("户.csv", "户编号,行政区划代码,户主姓名\n".encode(), content_type="text/csv")
    response = send(world, method, fill(path, world), {"file": upload, "dry_run": "x" * TOO_LARGE}, form=True)
    assert_error(response, 413, "too_large", None)


@pytest.mark.parametrize(("method", "path", "operation"), _ids(FORM_BODIES))
def test_too_many_form_fields_is_a_413(world, method, path, operation):
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = send(world, method, fill(path, world), fields, form=True)
    error = assert_error(response, 413, "too_large", None)
    assert "字段" in error["message"]


@pytest.mark.parametrize(("method", "path", "operation"), _ids(FORM_BODIES))
def test_a_malformed_multipart_body_is_a_400(world, method, path, operation):
    body = b'--nope\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc'
    response = send(world, method, fill(path, world), body, form=True, content_type="multipart/form-data")
    assert_error(response, 400, "bad_request", None)


# ── methods and paths ───────────────────────────────────────────────────────────────────────────────────────────


ALLOWED = {path: {method.upper() for method in item} for path, item in SCHEMA["paths"].items()}


@pytest.mark.parametrize(
    ("path", "method"),
    [
        pytest.param(path, method, id=f"{method} {path}")
        for path, allowed in ALLOWED.items()
        for method in METHODS
        if method not in allowed
    ],
)
def test_a_wrong_method_on_an_existing_path_is_a_405_with_allow(world, path, method):
    response = send(world, method, fill(path, world), {} if method != "GET" else None)
    error = assert_error(response, 405, "method_not_allowed", None)
    allowed = {part.strip() for part in response["Allow"].split(",")}
    assert allowed == ALLOWED[path]
    assert error["details"] == {"allowed": sorted(allowed)}


@pytest.mark.parametrize("method", [*METHODS, "HEAD", "OPTIONS"])
@pytest.mark.parametrize(
    "path", ["/api/nowhere", "/api/households/1/nothing", f"/api/households/{2**70}/x", "/api/%00"]
)
def test_an_unknown_api_path_is_a_404_whatever_the_method(world, method, path):
    response = send(world, method, path)
    if method == "HEAD":
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    else:
        assert_error(response, 404, "not_found", None)


def test_the_openapi_document_lists_405_and_413_in_the_error_shape():
    for method, path, operation in OPERATIONS:
        for status in ("405", "413"):
            assert "ErrorOut" in json.dumps(operation["responses"][status]), f"{method} {path} {status}"
