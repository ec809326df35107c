"""`fupin serve` is the production server (gunicorn): started for real on a free loopback port over a database of
its own (a SQLite file, or a fresh PostgreSQL database when the suite runs on PostgreSQL) with a small demo
county; it serves pages and hashed, compressed static files, writes an access log without search text, and on
SIGTERM finishes the request in flight before it exits 0.
"""

import gzip
import http.client
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest

from fupin import server

FUPIN = [sys.executable, "-m", "fupin"]
STATIC_SOURCE = Path(server.__file__).parent / "web" / "static" / "web" / "app.css"
PASSWORD = "fupin-demo-2014"  # the demo's logins (fupin.demo.users.demo_password, default seed)


@pytest.fixture
def database_url(tmp_path):
    """Where the server's own database lives: PostgreSQL when the suite runs there, else a SQLite file."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'fupin.sqlite3'}"
        return
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"fupin_serve_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(f"{base}/postgres".replace("postgres://", "postgresql://", 1), autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')  # a name this test made
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def running(tmp_path, database_url):
    """A `fupin serve` of two workers on 127.0.0.1, port chosen by the kernel; yields (port, process, env)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FUPIN_DATA_DIR": str(tmp_path),
        "FUPIN_SECRET_KEY": "test-server-" + uuid.uuid4().hex * 2,
        "FUPIN_ACCESS_LOG": str(tmp_path / "access.log"),
    }
    env.pop("FUPIN_TASKS", None)
    subprocess.run([*FUPIN, "migrate", "-v0"], env=env, cwd=tmp_path, check=True)
    subprocess.run([*FUPIN, "demo", "--persons", "300"], env=env, cwd=tmp_path, check=True, capture_output=True)
    log = open(tmp_path / "server.log", "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*FUPIN, "serve", "--bind", "127.0.0.1:0", "--workers", "2", "--threads", "2"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        port, deadline = None, time.monotonic() + 180  # checks and collectstatic first: slow on a loaded machine
        while port is None and time.monotonic() < deadline and process.poll() is None:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", (tmp_path / "server.log").read_text())
            port = int(found.group(1)) if found else time.sleep(0.1)
        assert port, f"the server did not start:\n{(tmp_path / 'server.log').read_text()}"
        yield port, process, env
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def _get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    for _attempt in range(100):  # the workers may still be booting: the socket listens before they accept
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response, response.read()
        except ConnectionError:
            connection.close()
            time.sleep(0.1)
    raise AssertionError(f"no answer for {path}")


def _logged(path, text, wait=10):
    """The log once it holds `text` (or as it is after `wait` seconds)."""
    deadline = time.monotonic() + wait
    while text not in (log := path.read_text() if path.exists() else "") and time.monotonic() < deadline:
        time.sleep(0.05)
    return log


@pytest.mark.slow
def test_serves_pages_static_files_and_logs_and_stops_gracefully(running, tmp_path):
    port, process, env = running
    response, page = _get(port, "/accounts/login/")
    assert response.status == 200 and response.getheader("Server") == "gunicorn"
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode()).group(1)

    # static files: the page names the hashed copy, served gzipped and cached for good, the same bytes as the source
    css = re.search(r'href="(/static/web/app\.[0-9a-f]{12}\.css)"', page.decode()).group(1)
    response, body = _get(port, css, {"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert "immutable" in response.getheader("Cache-Control")
    assert gzip.decompress(body) == STATIC_SOURCE.read_bytes()

    # a search with an ID number: answered (the login page, not signed in), and logged without the number
    response, _ = _get(port, "/?q=110101199003071234&status=poor&page=2")
    assert response.status == 302
    log = _logged(tmp_path / "access.log", '"GET /?q=')  # a line is written just after its response is sent
    assert re.search(r'"GET /accounts/login/ HTTP/1\.1" 200 \d+ \d+ms', log)
    assert f'"GET {css} HTTP/1.1" 200' in log
    assert '"GET /?q=***&status=poor&page=2 HTTP/1.1" 302' in log
    assert "110101199003071234" not in log

    # SIGTERM while a login is in flight (its body half sent): the login is still answered, then the server exits 0
    body = urlencode({"csrfmiddlewaretoken": form_token, "username": "county", "password": PASSWORD}).encode()
    slow = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    slow.putrequest("POST", "/accounts/login/")
    for name, value in (
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Content-Length", str(len(body))),
        ("Cookie", f"csrftoken={csrf}"),
        ("Referer", f"http://127.0.0.1:{port}/accounts/login/"),
    ):
        slow.putheader(name, value)
    slow.endheaders(body[:-5])
    time.sleep(1.0)  # the request is now in a worker thread, reading its body
    process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    stopped_at = time.monotonic()
    slow.send(body[-5:])
    response = slow.getresponse()
    assert response.status == 302 and "sessionid=" in response.getheader("Set-Cookie")
    slow.close()
    assert process.wait(timeout=15) == 0
    assert time.monotonic() - stopped_at < 10
    with pytest.raises(ConnectionError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/accounts/login/")


def test_bind_and_workers_come_from_the_environment(monkeypatch):
    for name in ("FUPIN_BIND", "PORT", "FUPIN_WORKERS", "FUPIN_THREADS", "FUPIN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    defaults = server.options([])
    assert defaults["bind"] == ["127.0.0.1:8000"] and defaults["accesslog"] == "-"
    assert defaults["workers"] == server.default_workers() == 2 * (os.cpu_count() or 1) + 1
    monkeypatch.setenv("PORT", "8123")
    assert server.options([])["bind"] == ["127.0.0.1:8123"]
    monkeypatch.setenv("FUPIN_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("FUPIN_WORKERS", "3")
    monkeypatch.setenv("FUPIN_ACCESS_LOG", "off")
    configured = server.options([])
    assert configured["bind"] == ["0.0.0.0:9000"] and configured["workers"] == 3 and configured["accesslog"] is None
    assert server.options(["--bind", "unix:/run/fupin.sock", "--workers", "0"])["bind"] == ["unix:/run/fupin.sock"]
    assert server.options(["--workers", "0"])["workers"] == 1


def test_the_access_log_keeps_filters_and_drops_search_text():
    assert server.masked_url("/?area=140100000000&status=poor&page=3") == "/?area=140100000000&status=poor&page=3"
    assert server.masked_url("/api/households?q=%E5%BC%A0%E4%B8%89&page=1") == "/api/households?q=***&page=1"
    assert server.masked_url("/accounts/login/?next=/%3Fq%3D110101199003071234") == "/accounts/login/?next=***"
    assert server.masked_url("/?q=") == "/?q="  # an empty value says nothing
    assert server.masked_url("/households/12/") == "/households/12/"
