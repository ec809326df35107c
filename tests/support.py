"""Helpers the tests share: a JSON caller of the API, the one error shape every error must have, CSV text, the
PostgreSQL server of the run, a logged-in client and the checks of a Chinese page."""

import json
import os
import re
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

from django.test import Client


class Caller:
    """A django.test.Client speaking JSON to /api/ with one user's bearer token (or none)."""

    def __init__(self, client, token=None):
        self.client = client
        self.token = token

    def request(self, method, path, body=None, **query):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        url = f"/api{path}" + (f"?{urlencode(query)}" if query else "")
        data = json.dumps(body) if body is not None and not isinstance(body, str) else (body or "")
        return self.client.generic(method, url, data, content_type="application/json", headers=headers)

    def get(self, path, **query):
        return self.request("GET", path, **query)

    def post(self, path, body):
        return self.request("POST", path, body)

    def patch(self, path, body):
        return self.request("PATCH", path, body)

    def delete(self, path):
        return self.request("DELETE", path)


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_error(response, status, code, field=...):
    """The response is an error in the one shape, with a Chinese message; returns the error object."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    error = body["error"]
    assert set(error) == {"code", "message", "field", "details"}
    assert error["code"] == code
    assert CHINESE.search(error["message"]), error["message"]
    assert error["details"] is None or isinstance(error["details"], dict)
    if field is not ...:
        assert error["field"] == field
    return error


def csv_text(*rows) -> str:
    return "\n".join(",".join(str(c) for c in row) for row in rows) + "\n"


def postgres_server() -> str:
    """postgresql://user@host:port of DATABASE_URL when the suite runs on PostgreSQL, else the local server: tests
    that make databases of their own make them beside the test database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432"
    return f"postgresql://{urlsplit(url).netloc}"


def logged_in(user, **options) -> Client:
    """A test client with `user` logged in."""
    client = Client(**options)
    client.force_login(user)
    return client


def assert_page(response, status, *texts):
    """A Chinese HTML page with the site's style sheet and the given status."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html and "web/app.css" in html
    for text in texts:
        assert text in html, text
    return html


#: Debian's chromium as the browser tests start it: no sandbox in a container, nothing fetched from the network
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@contextmanager
def chromium():
    """One chromium (for a module's fixture). Playwright's sync API keeps an event loop running in this thread, so
    Django would refuse the ORM calls of the fixtures and assertions without DJANGO_ALLOW_ASYNC_UNSAFE."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
