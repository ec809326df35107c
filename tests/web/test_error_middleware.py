"""The one error path (issue 11): a DomainError escaping a page's view becomes the 404 or 403 page, the login page,
the API's JSON shape for a request that wants JSON, or otherwise a message on the page the user came from. The
views here raise each kind; they live in this module's own URLconf, so the project gains no route."""

import pytest
from django.contrib.messages import get_messages
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import path

from fupin import urls as project_urls
from fupin.core.errors import Conflict, MethodNotAllowed, NotAuthenticated, NotFound, PermissionDenied
from tests.support import assert_error


def _raising(error):
    def view(request):
        raise error

    return view


def _value_error(request):
    raise ValueError("a bug, not a refusal")


urlpatterns = [
    path("boom/missing/", _raising(NotFound("未找到该记录"))),
    path("boom/forbidden/", _raising(PermissionDenied("您无权修改该农户"))),
    path("boom/login/", _raising(NotAuthenticated("请先登录"))),
    path("boom/conflict/", _raising(Conflict("该农户已有同名成员", field="name", details={"name": "张三"}))),
    path("boom/bug/", _value_error),
    path("api/boom/conflict/", _raising(Conflict("该农户已有同名成员", field="name", details={"name": "张三"}))),
    path("api/boom/missing/", _raising(NotFound("未找到该记录"))),
    path("api/boom/method/", _raising(MethodNotAllowed("PUT", {"GET", "POST"}))),
    *project_urls.urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_this_urlconf")]


@pytest.fixture
def _this_urlconf():
    with override_settings(ROOT_URLCONF=__name__):
        yield


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_not_found_is_the_404_page():
    response = Client().get("/boom/missing/")
    assert response.status_code == 404
    assert "未找到该页面或记录" in response.content.decode()


def test_permission_denied_is_the_403_page():
    response = Client().get("/boom/forbidden/")
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()


def test_not_authenticated_sends_to_the_login_page():
    response = Client().get("/boom/login/?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url('login')}?next=/boom/login/%3Fpage%3D2"


def test_another_refusal_is_a_message_on_the_page_the_user_came_from():
    response = Client().post("/boom/conflict/", headers={"Referer": "http://testserver/households/7/"})
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/households/7/"
    assert _messages(response) == ["该农户已有同名成员"]


@pytest.mark.parametrize(
    "referer",
    [None, "https://elsewhere.example/households/7/", "http://testserver/boom/conflict/", "javascript:alert(1)"],
    ids=["none", "another-site", "itself", "not-a-page"],
)
def test_without_a_page_on_this_site_to_go_back_to_the_message_is_on_the_home_page(referer):
    headers = {"Referer": referer} if referer else {}
    response = Client().get("/boom/conflict/", headers=headers)
    assert response.status_code == 302
    assert response["Location"] == resolve_url("registry:household-list")
    assert _messages(response) == ["该农户已有同名成员"]


def test_a_request_for_json_gets_the_one_error_shape():
    error = assert_error(Client().post("/api/boom/conflict/"), 409, "conflict", field="name")
    assert error == {"code": "conflict", "message": "该农户已有同名成员", "field": "name", "details": {"name": "张三"}}
    assert_error(Client().get("/api/boom/missing/"), 404, "not_found")


def test_method_not_allowed_in_json_says_which_methods():
    response = Client().put("/api/boom/method/")
    error = assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, POST"
    assert error["details"] == {"allowed": ["GET", "POST"]}


def test_what_is_not_a_domain_error_is_left_to_django():
    with pytest.raises(ValueError, match="a bug"):
        Client().get("/boom/bug/")
    assert Client(raise_request_exception=False).get("/boom/bug/").status_code == 500
