"""Who may call the API: bearer tokens (hashed at rest, revocable, dead with their user) and the browser session
(with CSRF on unsafe methods), both resolving to the same user; /api/me; the token endpoints and command."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fupin.accounts import tokens
from fupin.accounts.models import Action, ApiToken, AuditEntry
from fupin.core.errors import DomainError
from tests.factories import VILLAGE_A1
from tests.support import Caller, assert_error

pytestmark = pytest.mark.django_db

CSRF = "a" * 32  # a CSRF secret Django accepts as cookie and header alike
WITH_CSRF = {"X-CSRFToken": CSRF}


def test_only_the_hash_of_a_token_is_stored(users):
    key = tokens.issue_token(users["village_a1"], "统计脚本")
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() and token.prefix == key[:8]
    assert key not in str(ApiToken.objects.values().get())
    assert tokens.authenticate(key) == users["village_a1"]
    assert tokens.authenticate(key + "x") is None and tokens.authenticate("") is None
    entry = AuditEntry.objects.get(model="accounts.apitoken")
    assert entry.action == Action.CREATE and entry.changes == {"name": "统计脚本", "prefix": key[:8]}


def test_me_describes_the_caller(api_as):
    body = api_as("village_a1").get("/me").json()
    assert body["username"] == "village_a1" and body["role"] == "village" and body["labels"] == {"role": "村"}
    assert body["area"] == {"code": VILLAGE_A1, "name": "东一村", "level": 5}
    assert body["may_edit"] is True and set(body["may_reveal"]) == {"id_number", "disability_cert", "phone", "health"}
    assert api_as("inspector").get("/me").json()["may_edit"] is False


def test_token_use_is_recorded(api_as):
    caller = api_as("county")
    caller.get("/me")
    assert ApiToken.objects.get().last_used_at is not None


def test_no_credentials_is_401(api_as):
    error = assert_error(api_as(None).get("/households"), 401, "not_authenticated", None)
    assert error["message"] == "请先登录"
    assert_error(api_as(None).post("/households", {}), 401, "not_authenticated")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_revoked_token_is_401(api_as, method):
    caller = api_as("village_a1")
    tokens.revoke(ApiToken.objects.get())
    body = {"number": "X", "village": VILLAGE_A1, "head_name": "李"}
    response = caller.get("/me") if method == "get" else caller.post("/households", body)
    error = assert_error(response, 401, "not_authenticated", None)
    assert "已撤销" in error["message"]


def test_a_token_of_an_inactive_user_is_401(api_as, users):
    caller = api_as("village_a1")
    users["village_a1"].is_active = False
    users["village_a1"].save()
    assert_error(caller.get("/me"), 401, "not_authenticated")
    with pytest.raises(DomainError, match="已停用"):
        tokens.issue_token(users["village_a1"], "再来一个")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-token", "Token abc"])
def test_malformed_or_unknown_credentials_are_401(client, header):
    response = client.get("/api/me", headers={"Authorization": header})
    assert_error(response, 401, "not_authenticated", None)


def test_the_session_works_and_unsafe_methods_need_csrf(users, make_household):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["village_a1"])
    assert browser.get("/api/me").json()["username"] == "village_a1"
    household = make_household()
    url = f"/api/households/{household.pk}"
    response = browser.patch(url, '{"head_name": "张小山"}', content_type="application/json")
    assert_error(response, 403, "csrf_failed", None)
    household.refresh_from_db()
    assert household.head_name == "张大山"
    browser.cookies["csrftoken"] = CSRF
    response = browser.patch(url, '{"head_name": "张小山"}', content_type="application/json", headers=WITH_CSRF)
    assert response.status_code == 200, response.content
    assert AuditEntry.objects.get(action=Action.UPDATE, model="registry.household").via == "api"


def test_a_session_of_an_inactive_user_is_401(users):
    browser = Client()
    browser.force_login(users["village_a1"])
    users["village_a1"].is_active = False
    users["village_a1"].save()
    assert_error(browser.get("/api/me"), 401, "not_authenticated")


def test_tokens_are_issued_from_a_session_listed_and_revoked(users, client):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["township_a"])
    browser.cookies["csrftoken"] = CSRF
    response = browser.post("/api/tokens", '{"name": "乡镇报表"}', content_type="application/json", headers=WITH_CSRF)
    assert response.status_code == 201, response.content
    issued = response.json()
    program = Caller(client, issued["token"])
    assert program.get("/me").json()["username"] == "township_a"
    listed = program.get("/tokens").json()
    assert [t["prefix"] for t in listed] == [issued["token"][:8]] and "token" not in listed[0]
    # a token cannot mint another token
    assert_error(program.post("/tokens", {"name": "再签一个"}), 401, "not_authenticated")
    other = Caller(client, tokens.issue_token(users["village_a1"], "别人的"))
    assert_error(other.delete(f"/tokens/{issued['id']}"), 404, "not_found")
    assert program.delete(f"/tokens/{issued['id']}").status_code == 204
    assert_error(program.get("/me"), 401, "not_authenticated")
    revoked = AuditEntry.objects.get(model="accounts.apitoken", action=Action.UPDATE)
    assert revoked.via == "api" and revoked.changes == {"revoked": [False, True]}


def test_the_token_command_issues_lists_and_revokes(users):
    out = StringIO()
    call_command("token", "village_a1", "--name", "导入脚本", stdout=out, stderr=StringIO())
    key = out.getvalue().strip()
    assert tokens.authenticate(key) == users["village_a1"]
    out = StringIO()
    call_command("token", "village_a1", "--list", stdout=out)
    assert key[:8] in out.getvalue() and "导入脚本" in out.getvalue()
    call_command("token", "village_a1", "--revoke", key[:8], stdout=StringIO())
    assert tokens.authenticate(key) is None
    assert AuditEntry.objects.filter(model="accounts.apitoken", via="cli").count() == 2
    with pytest.raises(CommandError, match="不存在"):
        call_command("token", "nobody")
