"""No page is a 500 for what a user (or a stray link) can send (issue 10): a page number beyond 64 bits, negative
or not a number on every paginated list; a form too large or with too many fields. The error pages are Chinese
with the right status (DEBUG is off under the test client, so Django renders 400/403/404/413/500 as deployed), and
the reveal endpoint answers its refusals in the API's JSON error shape with the API's codes."""

import re

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Action, AuditEntry
from fupin.registry import services, views
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.support import Caller, assert_error, assert_page, logged_in

CHINESE = re.compile(r"[\u4e00-\u9fff]")
TOO_LARGE = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 2 * 2**20  # 12 MB


# ── the error pages ─────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_404_is_a_chinese_page_for_a_missing_record_and_an_unknown_path(users):
    client = logged_in(users["county"])
    assert_page(client.get(reverse("registry:household-detail", args=[987654321])), 404, "未找到该页面或记录")
    assert_page(client.get("/no-such-page/"), 404, "未找到该页面或记录")
    assert_page(Client().get("/no-such-page/"), 404, "未找到该页面或记录")  # not logged in


@pytest.mark.django_db
def test_403_is_a_chinese_page(users, make_household):
    household = make_household()
    response = logged_in(users["department"]).get(reverse("registry:household-edit", args=[household.pk]))
    assert_page(response, 403, "无权操作")


@pytest.mark.django_db
def test_a_failed_csrf_check_is_a_chinese_page(users):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "county", "password": "x"})
    assert_page(response, 403, "页面已过期", "刷新后重新提交")
    assert "CSRF verification failed" not in response.content.decode()


@pytest.mark.django_db
def test_400_is_a_chinese_page(users):
    response = Client().get(reverse("login"), headers={"host": "evil.example"})  # not in ALLOWED_HOSTS
    assert_page(response, 400, "无法处理该请求", "格式不正确")


@pytest.mark.django_db
@pytest.mark.parametrize("csrf", [True, False], ids=["read-by-the-csrf-check", "read-by-the-view"])
def test_a_form_field_over_the_limit_is_a_chinese_413_page(users, make_household, csrf):
    household = make_household()
    client = logged_in(users["county"], enforce_csrf_checks=csrf)
    client.get(reverse("registry:household-edit", args=[household.pk]))  # the CSRF cookie, as a browser holds it
    response = client.post(reverse("registry:household-edit", args=[household.pk]), {"address": "x" * TOO_LARGE})
    assert_page(response, 413, "提交的内容过大", "不能超过 10 MB")
    household.refresh_from_db()
    assert household.address != "x" * TOO_LARGE


@pytest.mark.django_db
def test_a_form_just_under_the_limit_is_read(users, make_household):
    """The boundary: a body of exactly DATA_UPLOAD_MAX_MEMORY_SIZE is read (and refused by the form for its
    length, not by its size)."""
    household = make_household()
    url = reverse("registry:household-edit", args=[household.pk])
    body = "address=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len("address="))
    response = logged_in(users["county"]).generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "提交的内容过大" not in response.content.decode()


@pytest.mark.django_db
def test_too_many_form_fields_is_a_chinese_413_page(users, make_household):
    household = make_household()
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = logged_in(users["county"]).post(reverse("registry:household-edit", args=[household.pk]), fields)
    assert_page(response, 413, "提交的表单字段过多", str(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS))


@pytest.mark.django_db
def test_a_multipart_field_over_the_limit_on_the_upload_page_is_a_413(users):
    response = logged_in(users["county"]).post(reverse("exchange:import"), {"dry_run": "x" * TOO_LARGE})
    assert_page(response, 413, "提交的内容过大")


@pytest.mark.django_db
def test_500_is_a_chinese_page_that_names_nothing_of_the_failure(users, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(views, "household_filters", broken)
    response = logged_in(users["county"], raise_request_exception=False).get(reverse("registry:household-list"))
    html = assert_page(response, 500, "服务器内部错误", "请稍后重试")
    assert "hunter2" not in html and "Traceback" not in html


def test_the_500_page_needs_neither_the_database_nor_a_request():
    """No django_db mark: a query would fail the test. Rendered as Django's handler renders it, with no context."""
    html = loader.get_template("500.html").render()
    assert "服务器内部错误" in html and "web/app.css" in html and CHINESE.search(html)


@pytest.mark.django_db
def test_the_error_pages_follow_the_chosen_language(users):
    english = Client(enforce_csrf_checks=True)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Page or record not found" in english.get("/no-such-page/").content.decode()
    assert "This page has expired" in english.post(reverse("login"), {}).content.decode()
    assert '<html lang="en">' in english.post(reverse("login"), {}).content.decode()


# ── the reveal endpoint, in the API's error shape ──────────────────────────────────────────────────────────────


@pytest.fixture
def homes(make_household):
    return {"a1": make_household(VILLAGE_A1), "b1": make_household(VILLAGE_B1)}


def reveal(client, kind, pk, field, method="post", **extra):
    return getattr(client, method)(reverse("registry:reveal", args=[kind, pk, field]), **extra)


def api_reveal(client, user, kind, pk, body, method="POST"):
    from fupin.accounts import tokens

    path = f"/{'members' if kind == 'member' else 'households'}/{pk}/reveal"
    return Caller(client, tokens.issue_token(user, "tests", via="test")).request(method, path, body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "case", "status", "code", "field"),
    [
        ("department", "own", 403, "permission_denied", None),  # the role may not reveal
        ("village_a1", "missing", 404, "not_found", None),
        ("village_a1", "outside", 404, "not_found", None),  # 西一村's member: like a missing one
        ("county", "not-revealable", 422, "validation_error", "field"),
    ],
)
def test_the_reveal_endpoint_refuses_in_the_apis_shape_with_the_apis_code(
    users, homes, username, case, status, code, field
):
    member = homes["b1" if case == "outside" else "a1"].members.get()
    pk = 987654321 if case == "missing" else member.pk
    name = "name" if case == "not-revealable" else "id_number"
    page = reveal(logged_in(users[username]), "member", pk, name)
    error = assert_error(page, status, code, field)
    api = assert_error(api_reveal(Client(), users[username], "member", pk, {"field": name}), status, code, field)
    if code != "validation_error":
        assert error["message"] == api["message"]
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


@pytest.mark.django_db
def test_another_areas_record_is_refused_exactly_as_a_missing_one(users, homes):
    client = logged_in(users["village_a1"])
    outside = reveal(client, "member", homes["b1"].members.get().pk, "id_number")
    missing = reveal(client, "member", 987654321, "id_number")
    assert (outside.status_code, outside.json()) == (missing.status_code, missing.json())


@pytest.mark.django_db
def test_a_field_that_is_not_revealable_lists_those_that_are(users, homes):
    error = assert_error(
        reveal(logged_in(users["county"]), "household", homes["a1"].pk, "head_name"), 422, "validation_error", "field"
    )
    assert "phone" in error["message"] and "bank_account" in error["message"]


@pytest.mark.django_db
def test_an_unknown_kind_of_record_is_a_404_in_the_shape(users, homes):
    assert_error(reveal(logged_in(users["county"]), "user", users["county"].pk, "phone"), 404, "not_found", None)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_a_wrong_method_is_a_405_in_the_shape_with_allow(users, homes, method):
    response = reveal(logged_in(users["county"]), "household", homes["a1"].pk, "phone", method)
    error = assert_error(response, 405, "method_not_allowed", None)
    assert response["Allow"] == "POST" and error["details"] == {"allowed": ["POST"]}
    api = api_reveal(Client(), users["county"], "household", homes["a1"].pk, None, method.upper())
    assert assert_error(api, 405, "method_not_allowed")["details"] == {"allowed": ["POST"]}
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


@pytest.mark.django_db
def test_a_reveal_with_a_body_over_the_limit_is_a_413_in_the_shape(users, homes):
    client = logged_in(users["county"], enforce_csrf_checks=True)
    client.get(reverse("registry:household-detail", args=[homes["a1"].pk]))  # the CSRF cookie, as a browser holds it
    response = reveal(client, "household", homes["a1"].pk, "phone", data={"pad": "x" * TOO_LARGE})
    assert_error(response, 413, "too_large", None)
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


@pytest.mark.django_db
def test_a_failing_reveal_is_a_500_in_the_shape(users, homes, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(services, "reveal", broken)
    client = logged_in(users["county"], raise_request_exception=False)
    response = reveal(client, "household", homes["a1"].pk, "phone")
    error = assert_error(response, 500, "server_error", None)
    assert "hunter2" not in response.content.decode() and error["details"] is None


@pytest.mark.django_db
def test_the_reveal_still_answers_the_value(users, homes):
    """The control: the shape is for refusals; an allowed reveal is the value, audited."""
    response = reveal(logged_in(users["county"]), "household", homes["a1"].pk, "phone")
    assert response.status_code == 200 and response.json() == {"value": "13912345678"}
    assert AuditEntry.objects.filter(action=Action.REVEAL).count() == 1
