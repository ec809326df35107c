"""Benchmark `fupin demo`: wall time and peak memory of a full load, beside the bare insert speed of the same
database in the same run.

    .venv/bin/python bench/bench_demo.py [--persons 1000000] [--db sqlite|postgres|both]

For each database: a fresh one (a temporary SQLite file; PostgreSQL database `fupin_bench`, created and dropped
here), `fupin migrate` (not timed), then `fupin demo --persons N --replace` in a subprocess, timed from start to
exit. Peak RSS is the largest resident set of the demo's process tree (os.wait4 on that child: the migrate and
the reference do not count).

The reference: the same number of rows, of the same width and column types, per table, inserted as one
constant tuple repeated — plain single-row `executemany` on SQLite, `COPY` of pre-formatted text on PostgreSQL —
into scratch copies of the tables without indexes, constraints or generated columns. It is what the database
costs with nothing else to do, so "ratio" reads as: how many times the bare insert time the whole demo takes
(generating, the indexes and constraints, the generated columns, the users).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "fupin_bench"
TABLES = (
    "areas_area",
    "registry_household",
    "registry_member",
    "registry_incomeaccount",
    "registry_livingconditions",
    "registry_statusevent",
)
GENERATED = {"net_income", "per_capita_net_income"}


def fupin(database_url: str, *args: str) -> tuple[float, int, str]:
    """Run `fupin …`; (seconds, peak RSS of its process tree in MiB, output)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FUPIN_LOG_LEVEL": "ERROR",
        "COLUMNS": "120",
        "FUPIN_SECRET_KEY": os.environ.get("FUPIN_SECRET_KEY") or "bench-demo-" + "k" * 50,
    }  # the checks want one
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "fupin", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"fupin {' '.join(args)} failed:\n{output}")
    return seconds, usage.ru_maxrss // 1024, output


# --- the reference: constant tuples of the demo's shape -------------------------------------------------------


def columns_of(cursor, table: str, sqlite: bool) -> list[str]:
    if sqlite:
        cursor.execute(f"PRAGMA table_xinfo({table})")
        return [row[1] for row in cursor.fetchall() if row[6] == 0]  # hidden = 0: not generated
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_generated = 'NEVER' "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def sqlite_reference(path: str) -> tuple[float, dict[str, int]]:
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous = OFF")
    counts, seconds = {}, 0.0
    for table in TABLES:
        columns = columns_of(cursor, table, sqlite=True)
        counts[table] = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        row = cursor.execute(f"SELECT {', '.join(columns)} FROM {table} LIMIT 1").fetchone()
        cursor.execute(f"CREATE TABLE scratch_{table} AS SELECT {', '.join(columns)} FROM {table} WHERE 0")
        cursor.execute("BEGIN")
        started = time.perf_counter()
        insert = f"INSERT INTO scratch_{table} VALUES ({', '.join('?' * len(columns))})"
        cursor.executemany(insert, [row] * counts[table])
        cursor.execute("COMMIT")
        seconds += time.perf_counter() - started
        cursor.execute(f"DROP TABLE scratch_{table}")
    connection.close()
    return seconds, counts


def copy_text(value) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def postgres_reference(url: str) -> tuple[float, dict[str, int]]:
    import psycopg

    counts, seconds = {}, 0.0
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for table in TABLES:
            columns = columns_of(cursor, table, sqlite=False)
            counts[table] = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            row = cursor.execute(f"SELECT {', '.join(columns)} FROM {table} LIMIT 1").fetchone()
            cursor.execute(f"CREATE TABLE scratch_{table} AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA")
            connection.commit()
            line = ("\t".join(copy_text(v) for v in row) + "\n").encode()
            started = time.perf_counter()
            with cursor.copy(f"COPY scratch_{table} FROM STDIN") as copy:
                block = line * 10_000
                for _ in range(counts[table] // 10_000):
                    copy.write(block)
                copy.write(line * (counts[table] % 10_000))
            connection.commit()
            seconds += time.perf_counter() - started
            cursor.execute(f"DROP TABLE scratch_{table}")
            connection.commit()
    return seconds, counts


# --- one database -------------------------------------------------------------------------------------------------


def bench_sqlite(persons: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="fupin-bench-") as directory:
        path = f"{directory}/bench.sqlite3"
        url = f"sqlite:///{path}"
        fupin(url, "migrate", "-v0")
        seconds, rss, output = fupin(url, "demo", "--persons", str(persons), "--replace")
        reference, counts = sqlite_reference(path)
        size = sum(f.stat().st_size for f in Path(directory).iterdir())
    return {"db": "SQLite", "seconds": seconds, "rss": rss, "reference": reference, "counts": counts, "bytes": size}


def bench_postgres(persons: int) -> dict:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")
    url = f"{PG_SERVER}/{PG_DATABASE}"
    try:
        fupin(url, "migrate", "-v0")
        seconds, rss, output = fupin(url, "demo", "--persons", str(persons), "--replace")
        reference, counts = postgres_reference(url)
        with psycopg.connect(url) as connection:
            size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
    return {"db": "PostgreSQL", "seconds": seconds, "rss": rss, "reference": reference, "counts": counts, "bytes": size}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    options = parser.parse_args()
    runs = []
    if options.db in ("sqlite", "both"):
        runs.append(bench_sqlite(options.persons))
    if options.db in ("postgres", "both"):
        runs.append(bench_postgres(options.persons))

    print(f"fupin demo --persons {options.persons:,} on {os.cpu_count()} CPU(s)")
    print(f"{'database':<11} {'demo s':>8} {'peak RSS MiB':>13} {'reference s':>12} {'ratio':>6} {'size MiB':>9}")
    for run in runs:
        print(
            f"{run['db']:<11} {run['seconds']:>8.1f} {run['rss']:>13,} {run['reference']:>12.1f} "
            f"{run['seconds'] / run['reference']:>6.1f} {run['bytes'] / 2**20:>9,.0f}"
        )
    counts = runs[0]["counts"]
    print("rows: " + ", ".join(f"{table.split('_', 1)[1]} {count:,}" for table, count in counts.items()))


if __name__ == "__main__":
    main()
