"""Benchmark the county's monitoring inbox with 20,000 open cases, beside the household list measured in the same
run (issue 13: opening the county inbox ≤ 300 ms).

    .venv/bin/python bench/bench_inbox.py [--persons 60000] [--cases 20000] [--db sqlite|postgres] [--repeat 20]

Once per data dir (--data-dir, default /tmp/fupin_bench_inbox; a later run finds the data and reuses it):
`fupin migrate`, `fupin demo --persons N --as-of 2026-11-01`, then --cases open cases written in bulk over the
demo's households (up to three risk types a household, every step, step deadlines spread over ±60 days around
today, a sixth of them overdue). Then, in this process, through Django's test client logged in as `county` (the
whole county): each inbox box the county has (crosscheck, approve, overdue, clues, township, open), a filtered one
(a township, overdue), the export of the overdue box (CSV), and the reference, the household list (/): the median
and the 90th percentile of --repeat calls after one warm-up, and the SQL queries one call makes.
It is not a test: run it on a quiet machine (`flock /tmp/bench.lock …`).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
AS_OF = "2026-11-01"
STEPS = ("verify", "crosscheck", "review", "notice", "township", "county", "announce", "enter")
RISKS = ("01", "03", "05")


def environment(db: str, persons: int, data_dir: Path) -> dict:
    folder = data_dir / f"{db}-{persons}"
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'fupin.sqlite3'}" if db == "sqlite" else f"{PG_SERVER}/fupin_bench_inbox_{persons}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "FUPIN_DATA_DIR": str(folder),
        "FUPIN_LOG_LEVEL": "ERROR",
        "FUPIN_SECRET_KEY": os.environ.get("FUPIN_SECRET_KEY") or "bench-inbox-" + "k" * 50,
    }


def fupin(env: dict, *args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "fupin", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"fupin {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - started


def prepare(env: dict, persons: int, db: str) -> None:
    marker = Path(env["FUPIN_DATA_DIR"]) / "demo.done"
    if marker.exists():
        return
    if db == "postgres":
        subprocess.run(["psql", PG_SERVER, "-c", f"CREATE DATABASE fupin_bench_inbox_{persons}"], capture_output=True)
    print(f"migrate {fupin(env, 'migrate', '-v0'):.1f} s", flush=True)
    print(f"demo --persons {persons} {fupin(env, 'demo', '--persons', str(persons), '--as-of', AS_OF):.1f} s")
    marker.write_text("ok")


def write_cases(count: int, today: date) -> int:
    """`count` open cases over the demo's households (bulk): what the inbox must sort and page through."""
    from fupin.monitoring.models import Case
    from fupin.registry.models import Household

    have = Case.objects.filter(state="open").count()
    if have >= count:
        return have
    rng = random.Random(13)
    households = list(Household.objects.values_list("pk", "village_id").order_by("pk"))
    wanted = count - have
    taken = set(Case.objects.filter(state="open").values_list("household_id", "risk_type"))
    rows = []
    for risk in RISKS:
        for pk, village in households:
            if len(rows) >= wanted:
                break
            if (pk, risk) in taken:
                continue
            due = today + timedelta(days=rng.randint(-10, 50))
            opened = due - timedelta(days=rng.randint(3, 15))
            rows.append(
                Case(
                    village_id=village, household_id=pk, kind="identify", risk_type=risk, risk_types=[risk],
                    pack_id="national-2025", opened_on=opened, due_on=opened + timedelta(days=15),
                    step=rng.choice(STEPS), step_since=opened, step_due=due, state="open",
                )
            )  # fmt: skip
    Case.objects.bulk_create(rows, batch_size=2000)
    return Case.objects.filter(state="open").count()


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection

    queries = []

    def counted(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median": statistics.median(times),
        "p90": times[int(len(times) * 0.9) - 1],
        "queries": len(queries),
        "bytes": len(response.content) if not getattr(response, "streaming", False) else 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=60000)
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/fupin_bench_inbox"))
    args = parser.parse_args()

    env = environment(args.db, args.persons, args.data_dir)
    prepare(env, args.persons, args.db)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.monitoring.models import Case
    from fupin.registry.models import Household

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    today = timezone.localdate()
    started = time.perf_counter()
    open_cases = write_cases(args.cases, today)
    print(f"cases written in {time.perf_counter() - started:.1f} s")
    county = User.objects.get(username="county")
    township = Area.objects.filter(level=4).order_by("code").first()
    overdue = Case.objects.filter(state="open", step_due__lt=today).count()
    print(
        f"data ({args.db}): {Household.objects.count():,} households, {open_cases:,} open cases "
        f"({overdue:,} overdue), load average {os.getloadavg()[0]:.2f}"
    )
    client = Client()
    client.force_login(county)
    scenarios = {
        "reference: household list /": "/",
        **{f"inbox ?box={box}": f"/monitoring/?box={box}" for box in ("crosscheck", "approve", "overdue", "open")},
        "inbox open, a township, overdue": f"/monitoring/?box=open&area={township.code}&overdue=1",
        "inbox open, page 200": "/monitoring/?box=open&page=200",
        "overdue by area and step": "/monitoring/overdue/",
        "home counts /home/": "/home/",
    }
    print(f"{'scenario':40} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    for name, url in scenarios.items():
        result = measure(client, url, args.repeat)
        print(f"{name:40} {result['median']:10.1f} {result['p90']:8.1f} {result['queries']:8}")
    print("target: the county inbox ≤ 300 ms")


if __name__ == "__main__":
    main()
