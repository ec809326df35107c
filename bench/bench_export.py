"""Export benchmark: the demo county's registry as .xlsx (households, members and incomes in one workbook) beside the
CSV export of the same three sheets, measured in the same run, on SQLite and PostgreSQL.

    flock /tmp/bench.lock .venv/bin/python bench/bench_export.py [--persons 50000,1000000] [--db sqlite|postgres|both]
                                                                  [--repeat 1] [--data-dir /tmp/fupin_bench_export]

Per database and size, once: `fupin migrate` and `fupin demo --persons N --as-of 2026-11-01` into the data dir
(SQLite file `sqlite-N/fupin.sqlite3`; PostgreSQL database `fupin_bench_export_N`, created by the script); a later
run finds `demo.json` there and reuses the data (building 1,000,000 persons takes about a minute).

Each measurement runs in a fresh process (`--child`) as a county administrator of the demo's city, created by the
script (`bench-city`: the demo makes one county per 500,000 persons, so 1,000,000 persons are two counties; the role
may reveal every field, so no cell is masked): `exports.export_registry` as the web page and the background job call
it, the file written to /tmp and its size taken. CSV: the three sheets (households, members, incomes), one file
each, their times added — the reference; .xlsx: the one workbook with the same three sheets. A workbook with a
sheet past Excel's 1,048,575 rows (1,000,000 persons have 1.3 million income accounts) is refused by the export, as
a clerk's would be; the bench then times the writer alone (exports.write_workbook) on the same rows and says so
(such a file is not one Excel opens whole). It prints wall time,
CPU time (this process's; on PostgreSQL the server's is apart) and peak RSS of each, the ratio xlsx / CSV, and the
issue's targets: the .xlsx within 5× of the CSV, 50,000 persons in ≤ 10 s, 1,000,000 in ≤ 180 s. Not a test: run
it on a quiet machine, under the bench lock.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench_http import PG_SERVER, ensure_data  # the demo built once per data dir (demo.json), as bench_http does

ROOT = Path(__file__).resolve().parent.parent
USER = "county"
USER_CITY = "bench-city"
KINDS = ("households", "members", "incomes")
TARGET_RATIO = 5
TARGET_SECONDS = {50_000: 10, 1_000_000: 180}


def environment(db: str, persons: int, data_dir: Path) -> dict:
    folder = data_dir / f"{db}-{persons}"
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'fupin.sqlite3'}" if db == "sqlite" else f"{PG_SERVER}/fupin_bench_export_{persons}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "FUPIN_DATA_DIR": str(folder),
        "FUPIN_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT / "src"),
        "FUPIN_SECRET_KEY": os.environ.get("FUPIN_SECRET_KEY") or "bench-export-" + "k" * 50,
    }


def child(fmt: str) -> None:
    """One export in this process; prints its figures as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    django.setup()
    from fupin.accounts.models import User
    from fupin.exchange import exports

    county = User.objects.get(username=USER)
    user, _created = User.objects.get_or_create(  # the demo's city: past 500,000 persons it has several counties
        username=USER_CITY, defaults={"role": county.role, "area_id": county.area.parent_id}
    )
    target = Path(os.environ["FUPIN_DATA_DIR"]) / f"bench-export.{fmt}"
    started, cpu = time.perf_counter(), time.process_time()
    rows, size, note = {}, 0, ""
    for kind in KINDS if fmt == "csv" else ("households",):
        try:
            export = exports.export_registry(user, {}, fmt, kind, via="bench")
        except exports.ExportRefused:  # a sheet past Excel's 1,048,575 rows: refused; the writer alone, same rows
            querysets = exports.querysets_for(user, {})
            with target.open("wb") as out:
                exports.write_workbook(user, querysets, out)
            size += target.stat().st_size
            rows.update({name: querysets[name].count() for name in KINDS})
            note = "refused: a sheet past Excel's rows; writer alone"
            break
        with target.open("wb") as out:
            if fmt == "csv":
                for chunk in export.content:
                    out.write(chunk)
            else:
                while block := export.content.read(1 << 20):
                    out.write(block)
                export.content.close()
        size += target.stat().st_size
        rows.update(_rows_of_last_export(user))
    figures = {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu": round(time.process_time() - cpu, 2),
        "rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "bytes": size,
        "rows": rows,
        "note": note,
    }
    target.unlink()
    print(json.dumps(figures))


def _rows_of_last_export(user) -> dict:
    from fupin.accounts.models import Action, AuditEntry

    return AuditEntry.objects.filter(action=Action.EXPORT, username=user.username).latest("id").changes["rows"]


def measure(env: dict, fmt: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", fmt], env=env, cwd=env["FUPIN_DATA_DIR"], capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"{fmt} export failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", default="50000,1000000")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/fupin_bench_export"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f}  cores: {os.cpu_count()}")
    header = f"{'persons':>9} {'db':<10} {'rows h/m/i':<24} {'csv s':>7} {'xlsx s':>7} {'ratio':>6} "
    print(header + f"{'cpu csv':>8} {'cpu xlsx':>8} {'xlsx MiB':>9} {'csv MiB':>8} {'xlsx RSS':>9} {'target':>7}")
    for persons in (int(p) for p in args.persons.split(",")):
        for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            env = environment(db, persons, args.data_dir)
            data = ensure_data(env, persons)
            for _ in range(args.repeat):
                csv, xlsx = measure(env, "csv"), measure(env, "xlsx")
                ratio = xlsx["seconds"] / csv["seconds"]
                limit = TARGET_SECONDS.get(persons)
                met = ratio <= TARGET_RATIO and (limit is None or xlsx["seconds"] <= limit)
                rows = "/".join(str(xlsx["rows"][k]) for k in KINDS)
                print(
                    f"{persons:>9,} {db:<10} {rows:<24} {csv['seconds']:>7.2f} {xlsx['seconds']:>7.2f} {ratio:>6.2f} "
                    f"{csv['cpu']:>8.1f} {xlsx['cpu']:>8.1f} "
                    f"{xlsx['bytes'] / 2**20:>9.1f} {csv['bytes'] / 2**20:>8.1f} {xlsx['rss_mib']:>6} MiB "
                    f"{'met' if met else 'MISSED':>7} {xlsx['note']}",
                    flush=True,
                )
            if not data["reused"]:
                print(f"  (demo built in {data['demo_s']} s)")


if __name__ == "__main__":
    main()
