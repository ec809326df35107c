"""The Content-Security-Policy (django-csp, settings.CONTENT_SECURITY_POLICY) on every page, and every page passing
it: each web route of tests/sweep/routes.py that answers a GET, the login page, the API's documentation, a 404 and
the admin's pages answer with the policy, and their HTML holds nothing the policy would block — no inline script
(a `<script>` without src that is not a JSON data block), no `<style>` element or style attribute, no on…= event
attribute, no javascript: URL, nothing loaded from another host. (The browser's own verdict:
tests/web/test_browser.py, which records CSP violations.)"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from fupin.accounts.models import User
from tests.sweep.http import browser, raw
from tests.sweep.routes import ADMIN_MODELS, cases

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
PAGES = [case for case in cases() if case.family == "web" and case.route.method == "GET"]
DATA_BLOCKS = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "data"}


class Blocked(HTMLParser):
    """What in a page the policy would block, as (tag, what) pairs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") not in DATA_BLOCKS:
            self.found.append((tag, "inline script"))
        if tag == "style":
            self.found.append((tag, "inline <style>"))
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.found.append((tag, f"{name}= event attribute"))
            elif name == "style":
                self.found.append((tag, f"style={value!r}"))
            elif name in URL_ATTRIBUTES and value.lower().startswith("javascript:"):
                self.found.append((tag, f"{name}={value!r}"))
            elif name in URL_ATTRIBUTES and re.match(r"(https?:)?//", value) and tag != "a":
                self.found.append((tag, f"{name}={value!r} from another host"))


def blocked(html: str) -> list:
    parser = Blocked()
    parser.feed(html)
    return parser.found


def policy(response) -> dict:
    header = response.get("Content-Security-Policy", "")
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_passes(response, path):
    assert response.status_code < 500, path
    assert policy(response) == POLICY, f"{path}: {response.get('Content-Security-Policy')!r}"
    if response.get("Content-Type", "").startswith("text/html"):
        found = blocked(raw(response).decode())
        assert not found, f"{path}: {found}"
        return True
    return False


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in PAGES])
def test_every_web_page_has_the_policy_and_nothing_it_would_block(world, case):
    route = case.route
    pk = world.objects[route.target].pk if route.target else None
    path = case.path(pk)
    response = browser(world.users[route.writer]).get(path)
    assert response.status_code == route.ok, path
    assert_passes(response, path)


def test_the_login_page_the_api_docs_and_a_404_pass_too(world):
    anonymous = browser()
    login = anonymous.get(reverse("login"))
    assert login.status_code == 200 and assert_passes(login, "login")
    clerk = browser(world.users["village_a1"])
    for path, status in (("/api/docs", 200), ("/households/987654321/", 404), ("/no/such/page/", 404)):
        response = clerk.get(path)
        assert response.status_code == status and assert_passes(response, path), path
    assert clerk.get("/api/openapi.json")["Content-Security-Policy"]  # JSON answers carry it as well


def test_the_admin_pages_pass_too(world):
    client = browser(User.objects.create_superuser("csp_root", password="pw-12345678"))
    paths = ["/admin/", "/admin/accounts/", "/admin/password_change/"]
    for label, spec in ADMIN_MODELS.items():
        app, model = label.split(".")
        paths.append(reverse(f"admin:{app}_{model}_changelist"))
        if spec.add is not None:
            paths.append(reverse(f"admin:{app}_{model}_add"))
        if spec.target:
            pk = world.objects[spec.target].pk
            paths.append(reverse(f"admin:{app}_{model}_change", args=[pk]))
            if spec.reason != "read-only":
                paths.append(reverse(f"admin:{app}_{model}_delete", args=[pk]))
    pages = 0
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages += assert_passes(response, path)
    assert pages == len(paths)


def test_the_checker_finds_what_it_looks_for():
    """The control: each kind of blocked markup is found, and what the pages use is not."""
    page = (
        '<script>alert(1)</script><style>p{}</style><p style="color:red" onclick="x()"></p>'
        '<a href="javascript:void(0)"></a><link rel="stylesheet" href="https://cdn.example.com/x.css">'
    )
    assert [what.split("=")[0].split(" ")[0] for _, what in blocked(page)] == [
        "inline",
        "inline",
        "style",
        "onclick",
        "href",
        "href",
    ]
    fine = (
        '<script src="/static/web/reveal.js" defer></script><script type="application/json" id="s">{}</script>'
        '<a href="https://example.com/help">help</a><link rel="icon" href="data:,">'
    )
    assert blocked(fine) == []
