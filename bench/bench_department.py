"""Benchmark department data as early warning: a 医保 dataset of ROWS rows matched against a registry of PERSONS
persons and the clues raised, beside the bare join in DuckDB measured in the same run.

    flock /tmp/bench.lock .venv/bin/python bench/bench_department.py [--persons 10000000] [--rows 5000000]

The registry is bench_assess's (`fupin demo --persons N` into /tmp/fupin_bench_assess_<N>.sqlite3, reused when it
is there). The dataset is made once and cached under /tmp/dept_bench/: ROWS rows drawn from the registry's members
(1 % of them replaced by IDs no one holds, 1 % given as 20-digit disability-certificate numbers), the personal
burden drawn so that about 1 % of the rows are above the threshold of their member's group.

Measured, in a fresh process inside Django:
- import: `services.departments.import_department_file` as a county's administrator — read and validate the CSV,
  match every row, thresholds, fingerprints, the clues and the kept rows written, the report back, the audit;
  each phase's time from its progress reports;
- duckdb: the reference — the same CSV read by DuckDB and joined to the members' IDs (a Parquet file exported
  beforehand, not timed), the rows above the threshold counted: the bare join, no validation, no writes;
- peak RSS of the process (resource.getrusage).
The clues and uploads written are deleted afterwards, so that a second run raises them again.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_assess  # noqa: E402  (its registry builder and cache)

CACHE = Path("/tmp/dept_bench")
AS_OF = "2026-12-03"


def dataset(url: str, rows: int, persons: int) -> Path:
    """The cached CSV of `rows` 医保 rows (made from the registry's members at the first run)."""
    import duckdb
    import numpy as np

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"medical_{rows}_of_{persons}.csv"
    if path.exists():
        return path
    con = duckdb.connect()
    members = parquet_members(url, persons)
    rng = np.random.default_rng(13)
    con.execute(
        f"""CREATE TABLE pick AS SELECT id_number, status FROM read_parquet('{members}')
            USING SAMPLE reservoir({rows} ROWS) REPEATABLE (13)"""
    )
    n = con.execute("SELECT count(*) FROM pick").fetchall()[0][0]
    draw = rng.random(n)
    from datetime import date, timedelta

    import pyarrow as pa

    from fupin.registry.idcard import check_char

    def stranger(k: int) -> str:  # a valid ID no one in the registry holds (Beijing, born 1950–1990)
        first17 = "110105" + (date(1950, 1, 1) + timedelta(days=k // 1000)).strftime("%Y%m%d") + f"{k % 1000:03d}"
        return first17 + check_char(first17)

    strangers = [stranger(k) if u < 0.01 else None for k, u in enumerate(draw)]
    con.register("draws", pa.table({"k": np.arange(n), "u": draw, "v": rng.random(n), "s": strangers}))
    # burden: 99 % well below 10,000; 1 % between 10,000 and 40,000
    con.execute(
        f"""COPY (
              SELECT CASE WHEN d.u < 0.01 THEN d.s
                          WHEN d.u < 0.02 THEN p.id_number || '42' ELSE p.id_number END AS "证件号码",
                     '某某' AS "姓名",
                     CAST(round(CASE WHEN d.v < 0.01 THEN 10000 + d.v * 3000000 ELSE d.v * 9000 END, 2) AS VARCHAR)
                       AS "三重保障后个人负担（元）"
              FROM (SELECT *, row_number() OVER () - 1 AS k FROM pick) p JOIN draws d USING (k)
            ) TO '{path}' (HEADER, DELIMITER ',')"""
    )
    return path


def parquet_members(url: str, persons: int) -> Path:
    """The members' IDs with their household's status, as Parquet (through ADBC; made once)."""
    path = CACHE / f"members_{persons}.parquet"
    if path.exists():
        return path
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow.parquet as pq

    with adbc.connect(url.removeprefix("sqlite:///")) as con, con.cursor() as cursor:
        cursor.execute(
            "SELECT m.id_number, m.household_id, h.village_id, h.status, m.dibao, m.tekun FROM registry_member m "
            "JOIN registry_household h ON h.id = m.household_id WHERE m.left_on IS NULL"
        )
        pq.write_table(cursor.fetch_arrow_table(), path)
    return path


class Timings:
    """A Progress that notes when each phase starts."""

    def __init__(self):
        self.marks = [("start", time.perf_counter())]

    def phase(self, name, total):
        self.marks.append((name, time.perf_counter()))

    def advance(self, name, amount=1):
        pass

    def spans(self, end: float) -> dict:
        marks = [*self.marks, ("end", end)]
        return {a[0]: round(b[1] - a[1], 2) for a, b in zip(marks, marks[1:])}


def worker(rows: int, persons: int, csv: str, members: str) -> dict:
    import django

    django.setup()
    from datetime import date

    import duckdb

    from fupin.accounts.models import User
    from fupin.accounts.roles import Role
    from fupin.areas.models import Area
    from fupin.core.progress import Progress
    from fupin.monitoring.models import Clue, DepartmentUpload
    from fupin.monitoring.services.departments import import_department_file

    class Noted(Timings, Progress):
        pass

    top = Area.objects.filter(level__gt=1).order_by("level", "code").first()  # the city holding every county
    user, _created = User.objects.get_or_create(
        username="bench_department", defaults={"role": Role.COUNTY_ADMIN, "area_id": top.code}
    )
    out = {"load_before": bench_assess.load()}
    progress = Noted()
    started = time.perf_counter()
    upload = import_department_file(
        user,
        department="medical",
        path=csv,
        period="2026-11",
        reported_on=date.fromisoformat(AS_OF),
        via="bench",
        progress=progress,
    )
    out["import_s"] = round(time.perf_counter() - started, 2)
    out["phases"] = progress.spans(time.perf_counter())
    fields = ("rows", "matched", "unmatched", "ambiguous", "invalid", "above_threshold", "clues_raised")
    out["counts"] = {f: getattr(upload, f) for f in fields}
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["load_between"] = bench_assess.load()
    con = duckdb.connect()
    started = time.perf_counter()
    above = con.execute(
        f"""SELECT count(*) FROM read_csv('{csv}', all_varchar = true) f
            JOIN read_parquet('{members}') m ON m.id_number = f."证件号码"[1:18]
            WHERE CAST(f."三重保障后个人负担（元）" AS DECIMAL(14, 2)) >
                  CASE WHEN m.status IN ('poor', 'exited', 'monitored', 'risk_eliminated') OR m.dibao = 1 OR m.tekun = 1
                       THEN 10000 ELSE 26000 END"""
    ).fetchall()[0][0]
    out["duckdb_s"] = round(time.perf_counter() - started, 2)
    out["duckdb_above"] = above
    Clue.objects.filter(channel="department", source_ref__startswith="dept:medical:").delete()
    DepartmentUpload.objects.filter(pk=upload.pk).delete()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--csv", default="")
    parser.add_argument("--members", default="")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.rows, args.persons, args.csv, args.members), ensure_ascii=False))
        return
    bench_assess.ensure_data("sqlite", args.persons, reuse=True)
    url = bench_assess.database_url("sqlite", args.persons)
    csv = dataset(url, args.rows, args.persons)
    members = parquet_members(url, args.persons)
    env = {**os.environ, "DATABASE_URL": url, "FUPIN_LOG_LEVEL": "ERROR", "DJANGO_SETTINGS_MODULE": "fupin.settings"}
    env.setdefault("FUPIN_SECRET_KEY", "bench-department-" + "k" * 50)
    result = subprocess.run(
        [sys.executable, __file__, "--worker", "--rows", str(args.rows), "--persons", str(args.persons),
         "--csv", str(csv), "--members", str(members)],
        env=env, cwd=bench_assess.ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"worker failed:\n{result.stdout}\n{result.stderr}")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"{args.rows:,} rows of 医保 data against {args.persons:,} persons (SQLite)")
    print(f"  import_department_file  {out['import_s']:7.2f} s   phases {out['phases']}")
    print(f"  counts                  {out['counts']}")
    print(f"  bare DuckDB join        {out['duckdb_s']:7.2f} s   (rows above: {out['duckdb_above']:,})")
    print(f"  ratio                   {out['import_s'] / out['duckdb_s']:7.1f}x")
    print(f"  peak RSS                {out['peak_rss_mib']:,} MiB   load {out['load_before']} → {out['load_between']}")


if __name__ == "__main__":
    main()
