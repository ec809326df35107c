"""Load benchmark of the production server (`fupin serve`) on loopback: the household list and detail through the
API and the web pages, at several concurrencies, on SQLite and PostgreSQL, beside an in-process reference.

    .venv/bin/python bench/bench_http.py [--persons 50000] [--db sqlite|postgres|both] [--duration 30]
                                         [--concurrency 1,8,32] [--scenarios all] [--server fupin]

Per database, once: `fupin migrate` and `fupin demo --persons N --as-of 2026-11-01` into a bench data dir
(--data-dir, default /tmp/fupin_bench_http: SQLite file `sqlite-N/fupin.sqlite3`; PostgreSQL database
`fupin_bench_http_N`, created by the script); a later run finds `demo.json` there and reuses the data. Then:

- the server: `fupin serve` (gunicorn: --workers/--threads, defaults those of fupin.server) on a free loopback
  port with its access log in the data dir; `--server runserver` measures Django's development server instead (the
  "before"), `--server granian` granian's WSGI server (`pip install granian==2.8.7`) with the same workers;
- the client: this process, one thread per concurrent client, each with its own keep-alive connection
  (http.client), requests back to back for --duration seconds after a short warm-up, at most --max-requests per
  step; a response other than 200, or no response in 30 s, is an error. API calls carry a bearer token (`fupin token
  county`, revoked at the end), page loads the session cookie of one login through the login form;
- scenarios (user `county`, who sees the whole county): api-list (GET /api/households, page 1), api-list-filtered
  (a township and a status), api-detail (GET /api/households/ID, a random household of the county each call),
  web-list (/), web-list-filtered (/?area=…&status=…), web-detail (/households/ID/);
- the reference, measured in the same run: each scenario through Django's test client in one process, no HTTP and
  no concurrency (--reference-requests calls after warm-up; its mean is the CPU and database time of one request,
  so 1/mean × cores is a ceiling for the server), with the number of SQL queries one request makes; `--profile`
  adds the top functions of a cProfile run of it.

It prints requests/s, p50/p95/p99 latency and errors of each step, the client's own CPU share (it runs on the same
cores as the server), the data size, and the issue's targets at concurrency 8. It is not a test: run it on a quiet
machine; the load average before each database is printed.
"""

import argparse
import http.client
import json
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
AS_OF = "2026-11-01"
USER = "county"
PASSWORD = "fupin-demo-2014"  # fupin.demo.users.demo_password(2014), the demo's default seed
FILTER_STATUS = "exited"
SCENARIOS = ("api-list", "api-list-filtered", "api-detail", "web-list", "web-list-filtered", "web-detail")
SAMPLE = 5000  # household ids drawn for the detail scenarios


# ── data ──────────────────────────────────────────────────────────────────────────────────────────────────────


def fupin(env: dict, *args: str, capture=True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "fupin", *args], env=env, cwd=env["FUPIN_DATA_DIR"], capture_output=capture, text=True
    )
    if result.returncode:
        raise SystemExit(f"fupin {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def environment(db: str, persons: int, data_dir: Path) -> dict:
    folder = data_dir / f"{db}-{persons}"
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'fupin.sqlite3'}" if db == "sqlite" else f"{PG_SERVER}/fupin_bench_http_{persons}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "FUPIN_DATA_DIR": str(folder),
        "FUPIN_LOG_LEVEL": "ERROR",
        "COLUMNS": "120",
        "FUPIN_SECRET_KEY": os.environ.get("FUPIN_SECRET_KEY") or "bench-http-" + "k" * 50,
    }


def ensure_data(env: dict, persons: int) -> dict:
    """Migrate and load the demo once; `demo.json` in the data dir says it is there."""
    folder = Path(env["FUPIN_DATA_DIR"])
    marker = folder / "demo.json"
    if marker.exists() and json.loads(marker.read_text()).get("persons") == persons:
        return {**json.loads(marker.read_text()), "reused": True}
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')  # the script's own name, not outside input
    fupin(env, "migrate", "-v0")
    started = time.perf_counter()
    fupin(env, "demo", "--persons", str(persons), "--replace", "--as-of", AS_OF)
    info = {"persons": persons, "demo_s": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(info))
    return {**info, "reused": False}


def facts(env: dict) -> dict:
    """Row counts, database size, a township to filter by and a sample of household ids (from the database)."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        path = url.removeprefix("sqlite:///")
        con = sqlite3.connect(path)
        rows = lambda sql, *p: con.execute(sql, p).fetchall()  # noqa: E731
        size = sum(os.path.getsize(f) for f in (path, path + "-wal") if os.path.exists(f))
    else:
        import psycopg

        con = psycopg.connect(url)
        rows = lambda sql, *p: con.execute(sql.replace("?", "%s"), p).fetchall()  # noqa: E731
        size = rows("SELECT pg_database_size(current_database())")[0][0]
    households, members = (rows(f"SELECT count(*) FROM {t}")[0][0] for t in ("registry_household", "registry_member"))
    ids = [r[0] for r in rows("SELECT id FROM registry_household")]
    township = rows("SELECT code FROM areas_area WHERE level = 4 ORDER BY code LIMIT 1")[0][0]
    filtered = rows(
        "SELECT count(*) FROM registry_household WHERE village_id >= ? AND village_id < ? AND status = ?",
        township[:9],
        township[:9] + "~",
        FILTER_STATUS,
    )[0][0]
    con.close()
    return {
        "households": households,
        "members": members,
        "db_bytes": size,
        "township": township,
        "filtered": filtered,
        "ids": random.Random(2014).sample(ids, min(SAMPLE, len(ids))),
    }


# ── the server ────────────────────────────────────────────────────────────────────────────────────────────────


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(kind: str, env: dict, port: int, workers: int | None, threads: int | None) -> subprocess.Popen:
    folder = Path(env["FUPIN_DATA_DIR"])
    env = {**env, "FUPIN_ACCESS_LOG": str(folder / "access.log")}
    if kind == "fupin":
        command = [sys.executable, "-m", "fupin", "serve", "--bind", f"127.0.0.1:{port}"]
        command += [f"--workers={workers}"] if workers else []
        command += [f"--threads={threads}"] if threads else []
    elif kind == "granian":
        env["FUPIN_STATIC_MANIFEST"] = "1"
        fupin(env, "collectstatic", "--no-input", "-v0")
        command = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers or os.cpu_count()),
            "--blocking-threads",
            str(threads or 4),
            "--no-ws",
            "--access-log",
            "fupin.wsgi:application",
        ]
    else:
        command = [
            sys.executable,
            "-m",
            "fupin",
            "runserver",
            "--noreload",
            f"127.0.0.1:{port}",
        ]  # the old `fupin serve`
    log = open(folder / f"server-{kind}.log", "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(command, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}): see {log.name}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"the server did not answer within 90 s: see {log.name}")


def stop_server(server: subprocess.Popen) -> int | None:
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.kill()
        return server.wait()


def web_session(port: int) -> str:
    """The session cookie of one login through the login form (CSRF cookie and token as a browser sends them)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"csrfmiddlewaretoken": form, "username": USER, "password": PASSWORD, "next": "/"})
    connection.request(
        "POST",
        "/accounts/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie", "") or "")
    if response.status != 302 or not session:
        raise SystemExit(f"login as {USER} failed: HTTP {response.status}")
    return f"sessionid={session.group(1)}; csrftoken={csrf}"


# ── the client ────────────────────────────────────────────────────────────────────────────────────────────────


def paths(scenario: str, data: dict):
    """A function giving the next path of a scenario (random households drawn from the sample, per thread)."""
    filters = urlencode({"area": data["township"], "status": FILTER_STATUS})
    fixed = {
        "api-list": "/api/households",
        "api-list-filtered": f"/api/households?{filters}",
        "web-list": "/",
        "web-list-filtered": f"/?{filters}",
    }
    if scenario in fixed:
        return lambda rng: fixed[scenario]
    template = "/api/households/{}" if scenario == "api-detail" else "/households/{}/"
    return lambda rng: template.format(rng.choice(data["ids"]))


def load_step(port: int, headers: dict, next_path, concurrency: int, duration: float, max_requests: int) -> dict:
    """`concurrency` threads calling back to back until `duration` has passed or `max_requests` were sent."""
    latencies, errors, lock = [], {}, threading.Lock()
    budget = [max_requests]
    start = threading.Barrier(concurrency + 1)

    def client(index: int):
        rng = random.Random(index)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, my_errors = [], {}
        start.wait()
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            began = time.perf_counter()
            try:
                connection.request("GET", next_path(rng), headers=headers)
                response = connection.getresponse()
                response.read()
                outcome = response.status
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
                connection.close()
            if outcome == 200:
                mine.append(time.perf_counter() - began)
            else:
                my_errors[outcome] = my_errors.get(outcome, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)
            for key, count in my_errors.items():
                errors[str(key)] = errors.get(str(key), 0) + count

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    deadline = began + duration
    start.wait()
    for thread in threads:
        thread.join(duration + 60)
    wall = time.perf_counter() - began
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else None  # noqa: E731
    return {
        "concurrency": concurrency,
        "seconds": round(wall, 2),
        "ok": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": pick(0.50),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "max_ms": latencies[-1] * 1000 if latencies else None,
        "client_cpu": round(cpu / wall, 2),
    }


def measure_server(args, env: dict, data: dict) -> dict:
    port = free_port()
    server = start_server(args.server, env, port, args.workers, args.threads)
    token = None
    try:
        token = fupin(env, "token", USER, "--name", "bench_http").stdout.strip()
        cookie = web_session(port)
        results = {}
        for scenario in args.scenarios:
            headers = {"Authorization": f"Bearer {token}"} if scenario.startswith("api") else {"Cookie": cookie}
            next_path = paths(scenario, data)
            load_step(port, headers, next_path, 2, args.warmup, 10**9)  # warm-up: connections, caches, workers
            results[scenario] = []
            for concurrency in args.concurrency:
                step = load_step(port, headers, next_path, concurrency, args.duration, args.max_requests)
                results[scenario].append(step)
                print(
                    f"  {scenario:<18} c={concurrency:<3} {step['rps']:7.1f} req/s  p50 {step['p50_ms'] or 0:7.1f}  "
                    f"p99 {step['p99_ms'] or 0:7.1f} ms  errors {sum(step['errors'].values())}",
                    file=sys.stderr,
                )
    finally:
        rc = stop_server(server)
        if token:
            fupin(env, "token", USER, "--revoke", token[:8])
    return {"steps": results, "server_exit": rc}


# ── the reference: the same views in one process through Django's test client ──────────────────────────────


def reference(requests: int, profile: bool, scenarios: list[str], data: dict) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from fupin.accounts import tokens
    from fupin.accounts.models import User

    setup_test_environment()  # the test client's host "testserver" allowed, as in the tests
    user = User.objects.get(username=USER)
    key = tokens.issue_token(user, "bench_http reference", via="bench")
    client = Client()
    client.force_login(user)
    out = {}
    try:
        for scenario in scenarios:
            next_path = paths(scenario, data)
            rng = random.Random(1)
            extra = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if scenario.startswith("api") else {}
            call = lambda next_path=next_path, rng=rng, extra=extra: client.get(next_path(rng), **extra)  # noqa: E731
            for _ in range(5):
                assert call().status_code == 200, scenario
            sql = []  # Django resets connection.queries at each request's start: count through a wrapper instead
            with connection.execute_wrapper(
                lambda execute, query, params, many, context, sql=sql: (
                    sql.append(query) or execute(query, params, many, context)
                )
            ):
                call()
            times = []
            for _ in range(requests):
                began = time.perf_counter()
                call()
                times.append(time.perf_counter() - began)
            times.sort()
            out[scenario] = {
                "requests": requests,
                "mean_ms": sum(times) / len(times) * 1000,
                "p50_ms": times[len(times) // 2] * 1000,
                "queries": len(sql),
            }
            if profile:
                import cProfile
                import io
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(min(requests, 50)):
                    call()
                profiler.disable()
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
                out[scenario]["profile"] = text.getvalue()
                out[scenario]["sql"] = [query[:300] for query in sql]
    finally:
        user.api_tokens.filter(name="bench_http reference").delete()
    return out


def measure_reference(args, env: dict, data: dict) -> dict:
    payload = json.dumps({"ids": data["ids"][:500], "township": data["township"]})
    command = [
        sys.executable,
        __file__,
        "--reference-worker",
        "--reference-requests",
        str(args.reference_requests),
        "--scenarios",
        ",".join(args.scenarios),
        *(["--profile"] if args.profile else []),
    ]
    result = subprocess.run(command, env=env, cwd=ROOT, input=payload, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"reference failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ── the report ────────────────────────────────────────────────────────────────────────────────────────────────


def report(results: dict, args) -> None:
    ms = lambda v: f"{v:.0f}" if v is not None and v >= 10 else (f"{v:.1f}" if v is not None else "–")  # noqa: E731
    print(
        f"\nfupin HTTP benchmark — server {args.server} (workers {args.workers or 'default'}, threads "
        f"{args.threads or 'default'}), {os.cpu_count()} cores, {args.duration:g} s a step, loopback"
    )
    for db, r in results.items():
        d = r["data"]
        print(
            f"\n== {db}: {d['households']:,} households, {d['members']:,} persons, "
            f"database {d['db_bytes'] / 2**20:,.0f} MiB"
            f"; filter: township {d['township']}, status {FILTER_STATUS} ({d['filtered']:,} households); "
            f"load average before {r['load']}; server exit status {r['server_exit']}"
        )
        print(
            "\n| scenario | clients | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | client CPU "
            "| reference ms (queries) |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for scenario, steps in r["steps"].items():
            ref = r["reference"].get(scenario)
            for step in steps:
                errors = sum(step["errors"].values())
                shown = f"{errors} {step['errors']}" if errors else "0"
                print(
                    f"| {scenario} | {step['concurrency']} | {step['rps']:.1f} | {ms(step['p50_ms'])} "
                    f"| {ms(step['p95_ms'])} "
                    f"| {ms(step['p99_ms'])} | {ms(step['max_ms'])} | {shown} | {step['client_cpu']:.0%} | "
                    f"{ms(ref['mean_ms']) + ' (' + str(ref['queries']) + ')' if ref else '–'} |"
                )
        targets(r["steps"])
        for scenario, ref in r["reference"].items():
            if "profile" in ref:
                print(f"\n-- profile of {scenario} (reference, in process)\n{ref['profile']}")
                print("\n".join(f"   SQL: {q}" for q in ref["sql"]))


def targets(steps: dict) -> None:
    """The issue's targets at 8 clients: 0 errors, detail p99 ≤ 200 ms and ≥ 100 req/s, filtered list p99 ≤ 400 ms."""
    at8 = {s: next((x for x in v if x["concurrency"] == 8), None) for s, v in steps.items()}
    checks = []
    for scenario, step in at8.items():
        if step is None:
            continue
        checks.append((f"{scenario}: 0 errors", sum(step["errors"].values()) == 0))
        if scenario.endswith("detail"):
            checks.append((f"{scenario}: p99 {step['p99_ms'] or 0:.0f} ≤ 200 ms", (step["p99_ms"] or 1e9) <= 200))
            checks.append((f"{scenario}: {step['rps']:.0f} ≥ 100 req/s", step["rps"] >= 100))
        if scenario.endswith("filtered"):
            checks.append((f"{scenario}: p99 {step['p99_ms'] or 0:.0f} ≤ 400 ms", (step["p99_ms"] or 1e9) <= 400))
    if checks:
        print("\ntargets at 8 clients: " + "; ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in checks))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds a step (default 30)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per scenario (default 2)")
    parser.add_argument("--concurrency", default="1,8,32", help="clients of each step (default 1,8,32)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="at most this many requests a step")
    parser.add_argument("--scenarios", default="all", help=f"comma separated, of {', '.join(SCENARIOS)}")
    parser.add_argument("--server", choices=["fupin", "runserver", "granian"], default="fupin")
    parser.add_argument("--workers", type=int, help="server processes (default: fupin serve's)")
    parser.add_argument("--threads", type=int, help="threads a process (default: fupin serve's)")
    parser.add_argument("--reference-requests", type=int, default=200)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile of the reference, and its SQL")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/fupin_bench_http"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--reference-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.scenarios = list(SCENARIOS) if args.scenarios == "all" else args.scenarios.split(",")
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.reference_worker:
        print(json.dumps(reference(args.reference_requests, args.profile, args.scenarios, json.load(sys.stdin))))
        return
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    results = {}
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        env = environment(db, args.persons, args.data_dir)
        loaded = ensure_data(env, args.persons)
        how = "reused" if loaded["reused"] else f"loaded in {loaded['demo_s']} s"
        print(f"{db}: demo of {args.persons:,} persons {how} ({env['FUPIN_DATA_DIR']})", file=sys.stderr)
        data = facts(env)
        load = f"{os.getloadavg()[0]:.1f}"
        reference_figures = {} if args.no_reference else measure_reference(args, env, data)
        measured = measure_server(args, env, data)
        results[db] = {
            "data": {k: v for k, v in data.items() if k != "ids"},
            "load": load,
            "reference": reference_figures,
            **measured,
        }
    report(results, args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "results": results}, indent=1)
        )


if __name__ == "__main__":
    main()
