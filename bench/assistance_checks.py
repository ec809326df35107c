"""Benchmark the assistance app's daily checks (issue 14): every check's count for the whole county over a registry of
PERSONS persons with MEASURES measures and VISITS visits, beside the same checks as bare DuckDB queries in the same
run. Not a test.

    flock /tmp/bench.lock .venv/bin/python bench/assistance_checks.py [--persons 10000000] [--reuse]

The registry is `fupin demo --persons N` (the demo's numpy generator, as every bench here) into
/tmp/fupin_bench_checks_<N>.sqlite3, reused when it holds N persons. The assistance rows are generated here with
numpy and written in bulk (plain executemany), once, kept in the file: MEASURES (default N/10) measures and VISITS
(default N/2) visits over the households (monitored ones first), a pairing for every monitored household and one
household in ten of the others (cadres of about five households each, some with more), three responsible persons
on most monitored households, set posts on most villages.

Measured, in a fresh process inside Django as the county's administrator:
- checks: `services.checks.check_counts(user, today)` — every check, one SQL statement each over the county;
  each check's own time (the best of --repeat) and the total;
- duckdb: the reference — the same counts as hand-written DuckDB queries over the same rows read into Arrow through
  ADBC (the read is timed apart and not part of the reference).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 200_000


def database_path(persons: int) -> Path:
    return Path(f"/tmp/fupin_bench_checks_{persons}.sqlite3")


def run_fupin(url: str, *args: str) -> float:
    env = {**os.environ, "DATABASE_URL": url, "FUPIN_LOG_LEVEL": "ERROR",
           "FUPIN_SECRET_KEY": os.environ.get("FUPIN_SECRET_KEY") or "bench-checks-" + "k" * 50}  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "fupin", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"fupin {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - started


def ensure_registry(persons: int, reuse: bool) -> float | None:
    import sqlite3

    path = database_path(persons)
    url = f"sqlite:///{path}"
    if reuse and path.exists():
        with sqlite3.connect(path) as con:
            try:
                if con.execute("SELECT COUNT(*) FROM registry_member").fetchone()[0] >= persons * 0.99:
                    return None
            except sqlite3.OperationalError:
                pass
    run_fupin(url, "migrate", "-v0")
    return run_fupin(url, "demo", "--persons", str(persons), "--replace")


# ── assistance rows (numpy, executemany) ──────────────────────────────────────────────────────────────────────


def _days(today: date, offsets):
    import numpy as np

    base = np.datetime64(today.isoformat(), "D")
    return np.datetime_as_string(base - offsets.astype("timedelta64[D]"), unit="D")


def generate(persons: int, measures: int, visits: int) -> dict:
    """Write the assistance rows once (kept in the file); returns their counts."""
    import sqlite3

    import numpy as np

    path = database_path(persons)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous = OFF")
    have = con.execute("SELECT COUNT(*) FROM assistance_visit").fetchone()[0]
    if have == visits and con.execute("SELECT COUNT(*) FROM assistance_measure").fetchone()[0] == measures:
        return _sizes(con)
    for table in ("visit", "measure", "responsibility", "pairing", "setpost", "cadre"):
        con.execute(f"DELETE FROM assistance_{table}")
    rng = np.random.default_rng(14)
    today = date.today()
    now = today.isoformat() + " 08:00:00"
    rows = con.execute("SELECT id, village_id, status = 'monitored' FROM registry_household ORDER BY id").fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    villages = np.array([r[1] for r in rows])
    monitored = np.array([r[2] for r in rows], dtype=bool)
    del rows
    county = con.execute("SELECT code FROM areas_area WHERE level = 3 ORDER BY code").fetchone()[0]
    # pairings: every monitored household and one in ten of the others; five households a cadre (one cadre in
    # twenty gets seven: the overloaded)
    paired = np.flatnonzero(monitored | (rng.random(len(ids)) < 0.1))
    cadre_of = np.arange(len(paired)) // 5
    cadres = int(cadre_of.max()) + 1 if len(paired) else 0
    extra = rng.random(cadres) < 0.05
    con.executemany(
        "INSERT INTO assistance_cadre (id, name, sex, post, level, phone, county_leader, first_secretary, team_member,"
        " active, created_at, area_id) VALUES (?, ?, '', '', 'staff', '', 0, 0, 0, 1, ?, ?)",
        ((k + 1, f"干部{k + 1}", now, county) for k in range(cadres)),
    )
    extra_households = rng.choice(len(ids), size=int(extra.sum()) * 2)
    pair_households = np.concatenate([paired, extra_households])
    pair_cadres = np.concatenate([cadre_of, np.repeat(np.flatnonzero(extra), 2)]) + 1
    started = _days(today, rng.integers(30, 1000, len(pair_households)))
    con.executemany(
        "INSERT INTO assistance_pairing (started_on, end_reason, recorded_at, cadre_id, household_id, village_id) "
        "VALUES (?, '', ?, ?, ?, ?)",
        zip(started.tolist(), [now] * len(pair_households), pair_cadres.tolist(), ids[pair_households].tolist(),
            villages[pair_households].tolist(), strict=True),
    )  # fmt: skip
    # responsible persons: three on 95 % of the monitored households (the paired cadre)
    responsible = np.flatnonzero(monitored[paired] & (rng.random(len(paired)) < 0.95))
    for role, name in (("battle", "决战帮扶责任人"), ("policy", "政策保障责任人"), ("household", "包户帮扶责任人")):
        con.executemany(
            "INSERT INTO assistance_responsibility (role, role_name, started_on, reason, automatic, recorded_at, "
            "cadre_id, household_id, village_id) VALUES (?, ?, ?, '', 1, ?, ?, ?, ?)",
            ((role, name, started[k], now, int(cadre_of[k]) + 1, int(ids[paired[k]]), villages[paired[k]])
             for k in responsible),
        )  # fmt: skip
    # measures: half on monitored households, the rest on any; 70 % in place, 20 % ended, 10 % planned
    weights = np.where(monitored, 20.0, 1.0)
    for start in range(0, measures, CHUNK):
        n = min(CHUNK, measures - start)
        pick = rng.choice(len(ids), size=n, p=weights / weights.sum())
        began = rng.integers(0, 1000, n)
        kind = rng.random(n)
        status = np.where(kind < 0.7, "in_place", np.where(kind < 0.9, "ended", "planned"))
        ended = np.where(status == "ended", began - rng.integers(1, np.maximum(began, 2)), -1)
        ended_on = [None if e < 0 else d for e, d in zip(ended, _days(today, np.maximum(ended, 0)).tolist())]
        categories = rng.choice([f"{c:02d}" for c in range(1, 15)], n)
        amounts = np.round(rng.random(n) * 10000, 2)
        con.executemany(
            "INSERT INTO assistance_measure (category, kind, subtype, started_on, ended_on, amount, status, note, "
            "loan_overdue, post_type, education_stage, standard_code, standard_level, recorded_at, updated_at, "
            "household_id, village_id) VALUES (?, 'general', '', ?, ?, ?, ?, '', 0, '', '', '', '', ?, ?, ?, ?)",
            zip(categories.tolist(), _days(today, began).tolist(), ended_on, amounts.tolist(), status.tolist(),
                [now] * n, [now] * n, ids[pick].tolist(), villages[pick].tolist(), strict=True),
        )  # fmt: skip
    # visits: by the pairings' cadres, over the last year; most monitored households visited this month
    for start in range(0, visits, CHUNK):
        n = min(CHUNK, visits - start)
        pick = rng.integers(0, len(pair_households), n)
        ago = np.where(rng.random(n) < 0.5, rng.integers(0, 30, n), rng.integers(0, 365, n))
        uuids = [bytes(row).hex() for row in rng.integers(0, 256, (n, 16), dtype=np.uint8)]
        con.executemany(
            "INSERT INTO assistance_visit (client_id, visited_on, met, checks, problems, policies, risk_found, "
            "risk_types, clue_ref, recorded_at, cadre_id, household_id, village_id) "
            "VALUES (?, ?, '', '{}', '', '[]', 0, '[]', '', ?, ?, ?, ?)",
            zip(uuids, _days(today, ago).tolist(), [now] * n, pair_cadres[pick].tolist(),
                ids[pair_households[pick]].tolist(), villages[pair_households[pick]].tolist(), strict=True),
        )  # fmt: skip
    # set posts: the three parts on 90 % of the villages, five on the poor ones among them
    village_codes = [r[0] for r in con.execute("SELECT code FROM areas_area WHERE level = 5")]
    poor = {r[0] for r in con.execute("SELECT village_id FROM registry_villageevent WHERE kind = 'poor'")}
    posts = []
    for code in village_codes:
        if rng.random() < 0.9:
            parts = ["contact_leader", "unit", "team"] + (["first_secretary", "agronomist"] if code in poor else [])
            posts += [(part, "2021-06-01", now, code) for part in parts]
    con.executemany(
        "INSERT INTO assistance_setpost (part, started_on, recorded_at, village_id) VALUES (?, ?, ?, ?)", posts
    )
    con.commit()
    con.execute("ANALYZE")
    return _sizes(con)


def _sizes(con) -> dict:
    tables = ("registry_member", "registry_household", "assistance_measure", "assistance_visit", "assistance_pairing",
              "assistance_responsibility", "assistance_cadre", "assistance_setpost")  # fmt: skip
    sizes = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    sizes["monitored"] = con.execute("SELECT COUNT(*) FROM registry_household WHERE status = 'monitored'").fetchone()[0]
    return sizes


# ── the worker: inside Django ─────────────────────────────────────────────────────────────────────────────────

DUCKDB = {
    "no_measure": """
        WITH mon AS (SELECT id, risk_identified_on FROM household WHERE status = 'monitored'),
        ident AS (SELECT m.id, coalesce(max(e.date), any_value(m.risk_identified_on)) AS d FROM mon m
                  LEFT JOIN event e ON e.household_id = m.id AND e.kind = 'monitored' AND e.date <= $on GROUP BY m.id)
        SELECT count(*) FROM ident i WHERE i.d <= $cutoff AND NOT EXISTS (SELECT 1 FROM measure am
          WHERE am.household_id = i.id AND am.status <> 'planned' AND am.started_on <= $on
          AND (am.ended_on IS NULL OR am.ended_on >= $on))""",
    "missing_responsible": """
        SELECT count(*) FROM household h WHERE h.status = 'monitored' AND (SELECT count(DISTINCT r.role)
          FROM responsibility r WHERE r.household_id = h.id AND r.role IN ('battle', 'policy', 'household')
          AND r.started_on <= $on AND (r.ended_on IS NULL OR r.ended_on >= $on)) < 3""",
    "not_visited": """
        SELECT count(*) FROM household h WHERE h.status = 'monitored' AND NOT EXISTS (SELECT 1 FROM visit v
          WHERE v.household_id = h.id AND v.visited_on BETWEEN $since AND $on)""",
    "measure_gap": """
        SELECT count(*) FROM household h WHERE h.status = 'monitored'
          AND EXISTS (SELECT 1 FROM measure am WHERE am.household_id = h.id)
          AND NOT EXISTS (SELECT 1 FROM measure am WHERE am.household_id = h.id
                          AND (am.ended_on IS NULL OR am.ended_on >= $on))""",
    "cadre_overloaded": """
        SELECT count(*) FROM (SELECT cadre_id FROM pairing WHERE started_on <= $on
          AND (ended_on IS NULL OR ended_on >= $on) GROUP BY cadre_id HAVING count(*) > $max)""",
    "cadre_not_visiting": """
        SELECT count(*) FROM (SELECT DISTINCT cadre_id FROM pairing WHERE started_on <= $on
          AND (ended_on IS NULL OR ended_on >= $on)) p
          WHERE NOT EXISTS (SELECT 1 FROM visit v WHERE v.cadre_id = p.cadre_id
                            AND v.visited_on BETWEEN $since AND $on)""",
    "village_set_incomplete": """
        WITH v AS (SELECT a.code, EXISTS (SELECT 1 FROM villageevent e WHERE e.village_id = a.code
                     AND e.kind = 'poor' AND e.date <= $on) AS poor FROM area a WHERE a.level = 5),
        held AS (SELECT village_id,
                 count(DISTINCT part) FILTER (WHERE part IN ('contact_leader', 'unit', 'team')) AS h3,
                 count(DISTINCT part) AS h5 FROM setpost WHERE started_on <= $on
                 AND (ended_on IS NULL OR ended_on >= $on) GROUP BY village_id)
        SELECT count(*) FROM v LEFT JOIN held ON held.village_id = v.code
          WHERE (v.poor AND coalesce(h5, 0) < 5) OR (NOT v.poor AND coalesce(h3, 0) < 3)""",
}
READS = {
    "household": "SELECT id, status, risk_identified_on FROM registry_household",
    "event": "SELECT household_id, kind, date FROM registry_statusevent WHERE kind = 'monitored'",
    "measure": "SELECT household_id, status, started_on, ended_on FROM assistance_measure",
    "visit": "SELECT household_id, cadre_id, visited_on FROM assistance_visit",
    "pairing": "SELECT cadre_id, household_id, started_on, ended_on FROM assistance_pairing",
    "responsibility": "SELECT household_id, role, started_on, ended_on FROM assistance_responsibility",
    "setpost": "SELECT village_id, part, started_on, ended_on FROM assistance_setpost",
    "villageevent": "SELECT village_id, kind, date FROM registry_villageevent",
    "area": "SELECT code, level FROM areas_area",
}
DATE_COLUMNS = {"risk_identified_on", "date", "started_on", "ended_on", "visited_on"}


def worker(repeat: int) -> dict:
    import django

    django.setup()
    from django.utils import timezone

    from fupin.accounts.models import User
    from fupin.assistance.services import checks

    # the whole registry (every county of the demo): a superuser with no area, as the DuckDB reference counts all
    user = User(username="bench", is_superuser=True, is_active=True)
    today = timezone.localdate()
    out = {"load": f"{os.getloadavg()[0]:.1f}", "checks": {}, "counts": {}}
    total_started = time.perf_counter()
    counts = checks.check_counts(user, today)
    out["check_counts_s"] = time.perf_counter() - total_started
    ranges = checks._ranges(user, None)
    out["counties"] = len(ranges)
    for check in checks.CHECKS:
        best = None
        for _ in range(repeat):
            started = time.perf_counter()
            out["counts"][check.code] = len(checks.check_keys(user, check.code, today))
            spent = time.perf_counter() - started
            best = spent if best is None else min(best, spent)
        out["checks"][check.code] = best
    assert out["counts"] == counts, (out["counts"], counts)
    started = time.perf_counter()
    checks.check_counts(user, today - timedelta(days=30))  # a past day: the status of that day from the events
    out["past_day_s"] = time.perf_counter() - started
    out["duckdb"] = duckdb_reference(today, ranges[0][0])  # the demo's counties share the national pack
    return out


def duckdb_reference(today: date, county: str) -> dict:
    import adbc_driver_sqlite.dbapi as adbc
    import duckdb
    from django.conf import settings

    from fupin.assistance.services import checks
    from fupin.assistance.services.common import check_parameter

    started = time.perf_counter()
    database = duckdb.connect()
    with adbc.connect(str(settings.DATABASES["default"]["NAME"])) as connection:
        cursor = connection.cursor()
        for name, sql in READS.items():
            cursor.execute(sql)
            table = cursor.fetch_arrow_table()
            columns = ", ".join(
                f"CAST(CAST({c} AS VARCHAR) AS DATE) AS {c}" if c in DATE_COLUMNS else c for c in table.column_names
            )  # SQLite hands dates over as text (a column of NULLs as integers)
            database.register(f"{name}_arrow", table)
            database.execute(f"CREATE TABLE {name} AS SELECT {columns} FROM {name}_arrow")
    read_s = time.perf_counter() - started
    params = {
        "on": today,
        "cutoff": checks.due_cutoff(today, check_parameter(county, today, "measure_due_months")),
        "since": checks.visit_since(today, check_parameter(county, today, "visit_period_days")),
        "max": check_parameter(county, today, "cadre_max_households"),
    }
    times, counts = {}, {}
    for code, sql in DUCKDB.items():
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        started = time.perf_counter()
        counts[code] = database.execute(sql, used).fetchone()[0]
        times[code] = time.perf_counter() - started
    return {"read_s": read_s, "times": times, "counts": counts}


def report(sizes: dict, result: dict, built) -> None:
    print(f"data: {json.dumps(sizes)}" + (f" (registry built in {built:.0f} s)" if built else " (reused)"))
    print(f"load average before the checks: {result['load']}; counties: {result['counties']}")
    print(f"{'check':<24}{'count':>10}{'fupin s':>10}{'duckdb count':>14}{'duckdb s':>10}")
    duck = result["duckdb"]
    for code, spent in result["checks"].items():
        print(
            f"{code:<24}{result['counts'][code]:>10}{spent:>10.2f}{duck['counts'][code]:>14}{duck['times'][code]:>10.2f}"
        )
    print(f"{'all (sum of best)':<24}{'':>10}{sum(result['checks'].values()):>10.2f}{'':>14}"
          f"{sum(duck['times'].values()):>10.2f}")  # fmt: skip
    print(f"check_counts() once, cold: {result['check_counts_s']:.2f} s; DuckDB's read of the rows (not in the "
          f"reference): {duck['read_s']:.1f} s; check_counts() 30 days ago: {result['past_day_s']:.2f} s")  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--measures", type=int, default=None)
    parser.add_argument("--visits", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.repeat)))
        return
    measures = args.measures or args.persons // 10
    visits = args.visits or args.persons // 2
    built = ensure_registry(args.persons, args.reuse)
    sizes = generate(args.persons, measures, visits)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database_path(args.persons)}", "FUPIN_LOG_LEVEL": "ERROR",
           "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "fupin.settings"}  # fmt: skip
    result = subprocess.run([sys.executable, __file__, "--worker", "--repeat", str(args.repeat)], env=env, cwd=ROOT,
                            capture_output=True, text=True)  # fmt: skip
    if result.returncode:
        raise SystemExit(f"worker failed:\n{result.stdout}\n{result.stderr}")
    report(sizes, json.loads(result.stdout.strip().splitlines()[-1]), built)


if __name__ == "__main__":
    main()
