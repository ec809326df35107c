"""Settings a county's server depends on: with DEBUG off `fupin` refuses the built-in or a weak secret key (a system
check that stops `check`, `migrate`, `serve`, not only `check --deploy`), reads the key from FUPIN_SECRET_KEY or
the file FUPIN_SECRET_KEY_FILE names; FUPIN_HTTPS=1 makes the session and CSRF cookies Secure, takes the proxy's
X-Forwarded-Proto, sends HSTS and trusts the https origins of FUPIN_ALLOWED_HOSTS — and without it none of that.

The environment is read where a server reads it, in a fresh process; what the values do is then checked on
requests with those values in place."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from fupin.accounts import checks

FUPIN = [sys.executable, "-m", "fupin"]
GOOD_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2
HTTPS_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "CSRF_TRUSTED_ORIGINS",
    "TRUSTED_PROXIES",
)


def environment(tmp_path, **values):
    env = {key: value for key, value in os.environ.items() if not key.startswith("FUPIN_")}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}", "FUPIN_DATA_DIR": str(tmp_path), **values})
    return env


def fupin(tmp_path, *args, **values):
    return subprocess.run(
        [*FUPIN, *args], env=environment(tmp_path, **values), cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


# ── the secret key ──────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_check_and_migrate_refuse_the_built_in_key_with_debug_off(tmp_path):
    for command in (["check"], ["migrate", "-v0"]):
        refused = fupin(tmp_path, *command)
        assert refused.returncode == 1, refused.stderr
        assert "fupin.E001" in refused.stderr and "开发用密钥" in refused.stderr
        assert "FUPIN_SECRET_KEY" in refused.stderr and "FUPIN_SECRET_KEY_FILE" in refused.stderr
    with sqlite3.connect(tmp_path / "check.sqlite3") as db:  # migrate stopped before it migrated anything
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone() == (0,)
    assert fupin(tmp_path, "check", FUPIN_DEBUG="1").returncode == 0  # a developer's checkout


@pytest.mark.slow
def test_fupin_serve_does_not_start_with_the_built_in_key(tmp_path):
    refused = fupin(tmp_path, "serve", "--bind", "127.0.0.1:0", "--no-collectstatic")
    assert refused.returncode == 1 and "fupin.E001" in refused.stderr and "FUPIN_SECRET_KEY" in refused.stderr
    assert "Traceback" not in refused.stderr and "Listening at" not in refused.stderr + refused.stdout


@pytest.mark.slow
def test_the_key_comes_from_the_environment_or_a_file(tmp_path):
    assert fupin(tmp_path, "check", FUPIN_SECRET_KEY=GOOD_KEY).returncode == 0
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_KEY + "\n")
    assert fupin(tmp_path, "check", FUPIN_SECRET_KEY_FILE=str(key_file)).returncode == 0
    short = fupin(tmp_path, "check", FUPIN_SECRET_KEY=GOOD_KEY[:31])
    assert short.returncode == 1 and "fupin.E001" in short.stderr and "太短" in short.stderr
    missing = fupin(tmp_path, "check", FUPIN_SECRET_KEY_FILE=str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "无法读取密钥文件" in missing.stderr


@pytest.mark.slow
def test_scripts_run_makes_a_key_once_readable_by_its_owner_only(tmp_path):
    """The part of scripts/run that makes the key, run on its own: a key file appears, mode 600, kept next time."""
    script = open("scripts/run", encoding="utf-8").read()
    start, end = script.index("# the installation's secret key"), script.index("fupin migrate")
    block = script[start:end]
    run = f'set -euo pipefail\n{block}\necho "$FUPIN_SECRET_KEY_FILE"'
    first = subprocess.run(["bash", "-c", run], env=environment(tmp_path), capture_output=True, text=True, check=True)
    key_file = tmp_path / "secret_key"
    assert first.stdout.strip() == str(key_file)
    key = key_file.read_text().strip()
    assert len(key) >= checks.MIN_SECRET_KEY_LENGTH and oct(key_file.stat().st_mode & 0o777) == "0o600"
    subprocess.run(["bash", "-c", run], env=environment(tmp_path), capture_output=True, check=True)
    assert key_file.read_text().strip() == key
    assert fupin(tmp_path, "check", FUPIN_SECRET_KEY_FILE=str(key_file)).returncode == 0


@pytest.mark.parametrize(
    ("key", "debug", "refused"),
    [
        ("fupin-local-development-key-change-me-in-production", False, True),
        ("fupin-local-development-key-change-me-in-production", True, False),
        (GOOD_KEY[:31], False, True),
        (GOOD_KEY[:32], False, False),
        ("abcd" * 20, False, True),  # four distinct characters
        ("abcde" * 20, False, False),
    ],
)
def test_which_keys_the_check_refuses(key, debug, refused):
    with override_settings(SECRET_KEY=key, DEBUG=debug):
        errors = checks.secret_key()
    assert [error.id for error in errors] == (["fupin.E001"] if refused else [])


# ── HTTPS behind the proxy ──────────────────────────────────────────────────────────────────────────────────────


def https_settings(tmp_path, **values) -> dict:
    """The HTTPS settings as fupin.settings computes them from this environment, in a fresh interpreter."""
    code = (
        "import json, fupin.settings as s; from django.conf import global_settings as g; "
        f"print(json.dumps({{n: getattr(s, n, getattr(g, n, None)) for n in {HTTPS_SETTINGS!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment(tmp_path, **values), capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout)
    found["SECURE_PROXY_SSL_HEADER"] = tuple(found["SECURE_PROXY_SSL_HEADER"] or ()) or None
    return found


HOSTS = "fupin.example.gov.cn,.county.gov.cn,10.2.3.4"


def test_fupin_https_sets_secure_cookies_the_proxy_header_hsts_and_trusted_origins(tmp_path):
    on = https_settings(tmp_path, FUPIN_HTTPS="1", FUPIN_ALLOWED_HOSTS=HOSTS)
    assert on == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_HSTS_SECONDS": 86400,
        "CSRF_TRUSTED_ORIGINS": ["https://fupin.example.gov.cn", "https://*.county.gov.cn", "https://10.2.3.4"],
        "TRUSTED_PROXIES": ["127.0.0.1", "::1"],
    }
    off = https_settings(tmp_path, FUPIN_ALLOWED_HOSTS=HOSTS)
    assert off == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_HSTS_SECONDS": 0,
        "CSRF_TRUSTED_ORIGINS": [],
        "TRUSTED_PROXIES": [],
    }
    assert https_settings(tmp_path, FUPIN_HTTPS="1", FUPIN_HSTS_SECONDS="0")["SECURE_HSTS_SECONDS"] == 0


def login_through_the_proxy(users, proto="https", origin=None):
    """The login page and its form posted as a browser behind the proxy would (CSRF checked), as the proxy forwards
    it: Host unchanged, X-Forwarded-Proto set."""
    client = Client(enforce_csrf_checks=True, HTTP_HOST="fupin.example.gov.cn", HTTP_X_FORWARDED_PROTO=proto)
    page = client.get(reverse("login"))
    token = page.cookies["csrftoken"].value
    origin = origin or f"{proto}://fupin.example.gov.cn"
    response = client.post(
        reverse("login"),
        {"username": "village_a1", "password": "pw-12345678", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=origin,
        HTTP_REFERER=f"{origin}/accounts/login/",
    )
    return page, response


@pytest.mark.django_db
def test_behind_the_proxy_with_https_on_the_cookies_are_secure_and_login_works(users, tmp_path):
    on = https_settings(tmp_path, FUPIN_HTTPS="1", FUPIN_ALLOWED_HOSTS=HOSTS)
    with override_settings(ALLOWED_HOSTS=HOSTS.split(","), **on):
        page, response = login_through_the_proxy(users)
        assert page.cookies["csrftoken"]["secure"] is True
        assert page["Strict-Transport-Security"] == "max-age=86400"
        assert response.status_code == 302, response.content.decode()[:300]
        assert response.cookies["sessionid"]["secure"] is True and response.cookies["sessionid"]["httponly"] is True
        _, forged = login_through_the_proxy(users, origin="https://evil.example.com")
        assert forged.status_code == 403


@pytest.mark.django_db
def test_without_fupin_https_the_cookies_are_not_secure_and_no_hsts(users, tmp_path):
    off = https_settings(tmp_path, FUPIN_ALLOWED_HOSTS=HOSTS)
    with override_settings(ALLOWED_HOSTS=HOSTS.split(","), **off):
        page, response = login_through_the_proxy(users, proto="http")
        assert page.cookies["csrftoken"]["secure"] == "" and "Strict-Transport-Security" not in page
        assert response.status_code == 302
        assert response.cookies["sessionid"]["secure"] == ""
        # a client claiming https is not believed: no HSTS, no secure cookie
        page, _ = login_through_the_proxy(users, proto="https")
        assert "Strict-Transport-Security" not in page and page.cookies["csrftoken"]["secure"] == ""
