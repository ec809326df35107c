"""Benchmark the policy engine on `fupin demo` data: the full assessment, from the store to decisions persisted, on
SQLite and PostgreSQL, beside references measured in the same run.

    .venv/bin/python bench/bench_assess.py [--persons 1000000] [--db sqlite|postgres|both] [--reuse]

For each database (a SQLite file under /tmp, PostgreSQL database `fupin_bench_assess_<N>`), unless --reuse finds
the data already there: `fupin migrate` and `fupin demo --persons N --replace --as-of 2026-11-01` (timed for
information only). Then, in a fresh process on that database:

- profile: the one-off rebuild of the per-household profile that a bulk load (the demo) leaves stale — member
  counts over every member row, event facts over every event; later edits keep it fresh one household at a time;
- assess: `services.batch.assess(kind)` for each household kind the 2025 pack has (monitoring screening, risk
  elimination, data checks): staleness check, features, rules, INSERT of one decision per household, counts —
  everything `fupin assess` does; the best of --repeat runs is reported, all are listed;
- duckdb: the reference — the monitoring screening hand-written as one DuckDB query over Parquet files of the same
  rows (exported here through ADBC; export time listed apart), aggregating the raw member and event rows on the
  fly, into an in-memory DuckDB table;
- orm: the naive way — a Python loop over the households of the first villages holding 100,000 persons, reading
  each household's members, incomes and events through the ORM, judging in Python and saving each decision;
  rolled back; its time per person is scaled to N for the comparison;
- api: one household assessed through the API over HTTP (a WSGI server thread in the process, bearer token),
  median and 90th percentile of 200 calls on random households after one warm-up call.

The machine is shared: the load average before each measurement is printed with it.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
AS_OF = "2026-11-01"
PACK = "national-2025"
YEAR = 2025


def run_fupin(database_url: str, *args: str) -> float:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FUPIN_LOG_LEVEL": "ERROR",
        "COLUMNS": "120",
        "FUPIN_SECRET_KEY": os.environ.get("FUPIN_SECRET_KEY") or "bench-assess-" + "k" * 50,
    }  # the checks want one
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "fupin", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"fupin {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - started


def database_url(db: str, persons: int) -> str:
    if db == "sqlite":
        return f"sqlite:////tmp/fupin_bench_assess_{persons}.sqlite3"
    return f"{PG_SERVER}/fupin_bench_assess_{persons}"


def ensure_data(db: str, persons: int, reuse: bool) -> float | None:
    """Load the demo unless --reuse finds N persons already there. Returns the load time, or None when reused."""
    url = database_url(db, persons)
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER.replace('postgres://', 'postgresql://')}/postgres", autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.rsplit("/", 1)[1]]).fetchone():
                admin.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    run_fupin(url, "migrate", "-v0")
    if reuse and worker_call(url, persons, ["--count"]).get("persons") == persons:
        return None
    return run_fupin(url, "demo", "--persons", str(persons), "--replace", "--as-of", AS_OF)


def worker_call(url: str, persons: int, extra: list[str]) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "FUPIN_LOG_LEVEL": "ERROR"}
    result = subprocess.run(
        [sys.executable, __file__, "--worker", "--persons", str(persons), *extra],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"worker failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ── the worker: runs inside Django, on one database ───────────────────────────────────────────────────────────


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value


def worker(persons: int, repeat: int, orm_persons: int, api_calls: int, only_count: bool) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.db import connection

    from fupin.registry.models import Member

    if only_count:
        return {"persons": Member.objects.count()}
    out = {"vendor": connection.vendor, "persons": Member.objects.count(), "loads": {}}
    out["households"] = measure_profile(out)
    measure_assess(out, repeat)
    measure_duckdb(out)
    measure_orm(out, orm_persons)
    measure_api(out, api_calls)
    return out


def measure_profile(out) -> int:
    from django.db import connection, transaction

    from fupin.policy import compute

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {compute.PROFILE}")
        cursor.execute("DELETE FROM policy_profilestate")
    out["loads"]["profile"] = load()
    with transaction.atomic():
        out["profile_s"], households = timed(compute.refresh_profiles, YEAR)
    return households


def measure_assess(out, repeat: int):
    from datetime import date

    from django.db import connection

    from fupin.policy.evaluation import RULE_KINDS
    from fupin.policy.models import HOUSEHOLD_KINDS, AssessmentRun
    from fupin.policy.packs import load_pack
    from fupin.policy.services.batch import assess

    pack = load_pack(PACK)
    kinds = [k for k in HOUSEHOLD_KINDS if any(rule.kind in RULE_KINDS[k] for rule in pack.rules)]
    out["assess"] = {}
    for kind in kinds:
        times = []
        for _ in range(repeat):
            out["loads"][f"assess_{kind}"] = load()
            seconds, run = timed(assess, kind, pack_id=PACK, as_of=date.fromisoformat(AS_OF))
            times.append(seconds)
            counts = {"households": run.households, "passed": run.passed, "categories": run.counts.get("category")}
            # keep the database at its size between runs (not timed): the run's decisions go with it (one key range)
            AssessmentRun.objects.filter(pk=run.pk).delete()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # without this the next run inserts into a table and indexes full of dead rows, which doubled
                    # its insert time: not what a county's growing table of runs looks like
                    cursor.execute("VACUUM policy_householddecision")
        out["assess"][kind] = {"best_s": min(times), "all_s": times, **counts}


DUCKDB_MONITORING = """
CREATE TABLE decisions AS
WITH m AS (SELECT household_id, count(*) AS members FROM read_parquet('{d}/member.parquet') GROUP BY household_id),
e AS (
  SELECT household_id, bool_or(kind = 'identified') AS identified,
         arg_max(kind, date::VARCHAR || lpad(id::VARCHAR, 12, '0')) FILTER (WHERE kind <> 'merged') AS last_kind
  FROM read_parquet('{d}/event.parquet') WHERE date <= DATE '{as_of}' GROUP BY household_id),
i AS (SELECT household_id, net_income::DOUBLE / persons AS pc, compliant_out_of_pocket::DOUBLE AS oop
      FROM read_parquet('{d}/income.parquet') WHERE year = {year}),
p AS (SELECT household_id, net_income::DOUBLE / persons AS pc, net_income::DOUBLE AS ni
      FROM read_parquet('{d}/income.parquet') WHERE year = {year} - 1),
f AS (
  SELECT h.id AS household_id, coalesce(m.members, 0) AS members,
         CASE e.last_kind WHEN 'identified' THEN 'poor' WHEN 'returned' THEN 'poor' WHEN 'exited' THEN 'exited'
              WHEN 'monitored' THEN 'monitored' WHEN 'risk_reversed' THEN 'monitored'
              WHEN 'risk_eliminated' THEN 'risk_eliminated' WHEN 'removed' THEN 'removed' ELSE 'ordinary' END AS status,
         (coalesce(e.identified, false) OR coalesce(h.first_identified_on <= DATE '{as_of}', false)) AS ever_poor,
         i.pc AS income, i.oop AS oop, p.ni AS ni_last,
         CASE WHEN p.pc > 0 THEN (i.pc - p.pc) / p.pc END AS change
  FROM read_parquet('{d}/household.parquet') h
  LEFT JOIN m ON m.household_id = h.id LEFT JOIN e ON e.household_id = h.id
  LEFT JOIN i ON i.household_id = h.id LEFT JOIN p ON p.household_id = h.id),
r AS (
  SELECT *, ever_poor AND status IN ('exited', 'risk_eliminated') AND income <= {line} AS unstable,
         NOT ever_poor AND status IN ('ordinary', 'risk_eliminated') AND income <= {line} AS marginal,
         status IN ('ordinary', 'exited', 'risk_eliminated') AND income > {line}
           AND (coalesce(oop, 0) > {oop_line} OR coalesce(oop > ni_last, false) OR coalesce(change, 0) <= -{drop})
           AS sudden
  FROM f)
SELECT household_id, members, unstable OR marginal OR sudden AS outcome,
       CASE WHEN unstable THEN '1' WHEN marginal THEN '2' WHEN sudden THEN '3' ELSE '' END AS category
FROM r
"""

EXPORTS = {
    "household": "SELECT id, village_id, first_identified_on FROM registry_household",
    "member": "SELECT household_id, birth_date, school_status, labour_capacity, basic_medical_insured, dibao, tekun, "
    "health, disability_cert FROM registry_member",
    "income": "SELECT household_id, year, persons, CAST(net_income AS REAL) AS net_income, "
    "CAST(compliant_out_of_pocket AS REAL) AS compliant_out_of_pocket "
    "FROM registry_incomeaccount WHERE year IN ({year}, {year} - 1)",
    "event": "SELECT household_id, id, kind, date, monitoring_category FROM registry_statusevent",
}


def _adbc_connect():
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        import adbc_driver_sqlite.dbapi as adbc

        return adbc.connect(str(database["NAME"])), "REAL"
    import adbc_driver_postgresql.dbapi as adbc

    return adbc.connect(
        f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    ), "DOUBLE PRECISION"


def measure_duckdb(out):
    import duckdb
    import pyarrow.parquet as pq

    from fupin.policy.packs import load_pack

    directory = tempfile.mkdtemp(prefix="fupin_bench_parquet_")
    connection, double = _adbc_connect()
    started = time.perf_counter()
    with connection:
        cursor = connection.cursor()
        for name, sql in EXPORTS.items():
            cursor.execute(sql.format(year=YEAR).replace("AS REAL", f"AS {double}"))
            table = cursor.fetch_arrow_table()
            if name == "event":  # SQLite hands dates over as text
                table = (
                    table.set_column(3, "date", table.column("date").cast("date32"))
                    if str(table.schema.field("date").type) == "string"
                    else table
                )
            if name == "household":
                field = table.schema.field("first_identified_on")
                if str(field.type) == "string":
                    table = table.set_column(2, "first_identified_on", table.column(2).cast("date32"))
            pq.write_table(table, f"{directory}/{name}.parquet")
    out["parquet_export_s"] = time.perf_counter() - started
    parameters = load_pack(PACK).parameters
    sql = DUCKDB_MONITORING.format(
        d=directory,
        as_of=AS_OF,
        year=YEAR,
        line=parameters["monitoring_line"],
        oop_line=parameters["out_of_pocket_threshold"],
        drop=parameters["income_drop_ratio"],
    )
    database = duckdb.connect()
    out["loads"]["duckdb"] = load()
    out["duckdb_s"], _ = timed(database.execute, sql)
    rows = database.execute("SELECT category, count(*) FROM decisions WHERE outcome GROUP BY category").fetchall()
    out["duckdb_flagged"] = {category: count for category, count in rows}
    database.close()


def measure_orm(out, orm_persons: int):
    """The per-record way, for scale: what a loop over households costs per person."""
    from datetime import date

    from django.db import transaction
    from django.db.models import Count

    from fupin.areas.models import Area, Level
    from fupin.policy.evaluation import Plan
    from fupin.policy.models import HouseholdDecision, decision_key
    from fupin.policy.packs import load_pack
    from fupin.policy.services.records import start_run
    from fupin.policy.services.scope import Scope
    from fupin.registry import codes
    from fupin.registry.models import Household

    as_of = date.fromisoformat(AS_OF)
    plan = Plan.of(load_pack(PACK), "monitoring")
    villages, persons = [], 0
    counts = Household.objects.values("village_id").annotate(n=Count("members")).order_by("village_id")
    for row in counts:
        villages.append(row["village_id"])
        persons += row["n"]
        if persons >= orm_persons:
            break
    scope = Area.objects.filter(code=villages[0], level=Level.VILLAGE).first()
    with transaction.atomic():
        run = start_run(
            "monitoring", plan.pack, Scope(scope.prefix, scope.name, scope), as_of, None, rule_ids=plan.rule_ids
        )
        out["loads"]["orm"] = load()
        started = time.perf_counter()
        for household in Household.objects.filter(village_id__in=villages):
            members = list(household.members.all())
            incomes = {income.year: income for income in household.incomes.filter(year__in=(YEAR, YEAR - 1))}
            events = [e for e in household.events.order_by("date", "id") if e.date <= as_of]
            last = next((e for e in reversed(events) if e.kind != codes.EventKind.MERGED), None)
            now, before = incomes.get(YEAR), incomes.get(YEAR - 1)
            per_capita = {year: float(i.net_income) / i.persons for year, i in incomes.items()}  # exact, as fupin
            features = {
                "members": len(members),
                "status": codes.STATUS_AFTER[last.kind] if last else codes.Status.ORDINARY,
                "ever_poor": any(e.kind == codes.EventKind.IDENTIFIED for e in events)
                or bool(household.first_identified_on and household.first_identified_on <= as_of),
                "income_per_capita": per_capita[YEAR] if now else None,
                "out_of_pocket": float(now.compliant_out_of_pocket) if now else None,
                "net_income_last_year": float(before.net_income) if before else None,
                "income_change_ratio": (per_capita[YEAR] - per_capita[YEAR - 1]) / per_capita[YEAR - 1]
                if now and before and per_capita[YEAR - 1] > 0
                else None,
            }
            outcome, category, results = plan.judge(features)
            HouseholdDecision(
                id=decision_key(run.pk, household.pk),
                run=run,
                household=household,
                outcome=outcome,
                category=category,
                results=results,
                persons=len(members),
                **features,
            ).save(force_insert=True)
        out["orm_s"] = time.perf_counter() - started
        out["orm_persons"] = persons
        transaction.set_rollback(True)


def measure_api(out, calls: int):
    import random
    import threading
    import urllib.request
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    from fupin.accounts import tokens
    from fupin.accounts.models import User
    from fupin.registry.models import Household

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    # one serving thread, as a sync worker of a production server: its database connection is kept between
    # requests (CONN_MAX_AGE); a thread per request would open a new PostgreSQL connection for every call
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    user = User.objects.get(username="county")
    token = tokens.issue_token(user, "bench", via="bench")
    top = Household.objects.restrict(user).order_by("-id").values_list("id", flat=True).first()
    picks = random.Random(2014).sample(range(1, top + 1), calls + 1)
    times = []
    try:
        for i, household in enumerate(picks):
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.server_port}/api/households/{household}/assessment?kind=monitoring",
                headers={"Authorization": f"Bearer {token}"},
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request) as response:
                    response.read()
            except urllib.error.HTTPError as error:  # 404 where the id is outside the county: still a full call
                error.read()
            if i:
                times.append(time.perf_counter() - started)
    finally:
        server.shutdown()
        user.api_tokens.filter(name="bench").delete()
    out["api_calls"] = len(times)
    out["api_median_ms"] = statistics.median(times) * 1000
    out["api_p90_ms"] = sorted(times)[int(len(times) * 0.9)] * 1000


# ── the report ────────────────────────────────────────────────────────────────────────────────────────────────


def report(results: dict, persons: int):
    print(f"\nfupin assessment benchmark — {persons:,} persons, pack {PACK}, as of {AS_OF}, {os.cpu_count()} cores")
    for db, r in results.items():
        kinds = r["assess"]
        total = sum(k["best_s"] for k in kinds.values())
        monitoring = kinds["monitoring"]["best_s"]
        orm_scaled = r["orm_s"] / r["orm_persons"] * r["persons"]
        print(f"\n== {db} ({r['vendor']}): {r['households']:,} households, {r['persons']:,} persons")
        if r.get("load_s") is not None:
            print(f"  demo load (not part of the assessment)       {r['load_s']:8.1f} s")
        print(f"  profile rebuild after the bulk load (once)   {r['profile_s']:8.2f} s   load {r['loads']['profile']}")
        for kind, k in kinds.items():
            runs = ", ".join(f"{s:.2f}" for s in k["all_s"])
            print(
                f"  assess {kind:<18} best {k['best_s']:6.2f} s   (runs {runs}; load "
                f"{r['loads'][f'assess_{kind}']}) {k['passed']:,} flagged of {k['households']:,}"
            )
        print(f"  all household kinds                          {total:8.2f} s")
        print(
            f"  DuckDB bare query, monitoring, over Parquet  {r['duckdb_s']:8.2f} s   "
            f"(export {r['parquet_export_s']:.1f} s; "
            f"load {r['loads']['duckdb']})  → assess/duckdb = {monitoring / r['duckdb_s']:.1f}×"
        )
        print(
            f"  ORM loop, {r['orm_persons']:,} persons                    {r['orm_s']:8.2f} s   → scaled to "
            f"{r['persons']:,}: {orm_scaled:.0f} s = {orm_scaled / monitoring:.0f}× assess"
        )
        check = {c: n for c, (n, _p) in kinds["monitoring"]["categories"].items()}
        same = "same" if check == r["duckdb_flagged"] else f"DIFFERENT: {r['duckdb_flagged']}"
        print(f"  monitoring categories {check} — DuckDB reference: {same}")
        print(
            f"  API, one household (HTTP), {r['api_calls']} calls         "
            f"median {r['api_median_ms']:.1f} ms, p90 {r['api_p90_ms']:.1f} ms"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--reuse", action="store_true", help="keep demo data already loaded for this N")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--orm-persons", type=int, default=100_000)
    parser.add_argument("--api-calls", type=int, default=200)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.persons, args.repeat, args.orm_persons, args.api_calls, args.count)))
        return
    results = {}
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        url = database_url(db, args.persons)
        load_s = ensure_data(db, args.persons, args.reuse)
        extra = [
            "--repeat",
            str(args.repeat),
            "--orm-persons",
            str(args.orm_persons),
            "--api-calls",
            str(args.api_calls),
        ]
        results[db] = {**worker_call(url, args.persons, extra), "load_s": load_s}
        print(json.dumps({db: results[db]}), file=sys.stderr)
    report(results, args.persons)


if __name__ == "__main__":
    main()
