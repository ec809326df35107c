"""Benchmark the status history import (状态变更 sheet): a county's events as CSV, checked per household in date
order against the transition rules and written, beside the same-run bare DuckDB read of the same file.

    .venv/bin/python bench/bench_history.py [--persons 77500] [--events-per-household 2] [--db sqlite|postgres|both]
                                            [--database-url postgres://postgres@127.0.0.1:5432/fupin_bench_history]

(a) the issue's small county: --persons 77500 (≈25,000 households) --events-per-household 2 (≈50,000 events),
    target < 20 s; (b) a full county: --persons 1000000 (≈322,000 households) --events-per-household 6.2
    (≈2,000,000 events), target ≤ 90 s.

Setup (not timed): per database, a fresh one (a SQLite file in a temporary folder, or the PostgreSQL database of
--database-url, created here and dropped at the end), `fupin migrate`, `fupin demo --persons 1000` for the area
tree and the users, then the registry: bench_import's roster of --persons persons (households B000000001…)
imported as user `county`. The events file: per household a prefix of one status history — identified 2014 (a
year alone: its convention date), exited 2015–2019, monitored 2020 (with its category), risk eliminated 2021,
returned 2022, exited 2023, monitored 2024-03, risk eliminated 2024-10 — its length drawn around the mean
(seeded), so every row is allowed. UTF-8 CSV: 户编号, 事件 (labels), 日期, 原因, 审批单位, 监测类别, 消除方式.

Measured, each in a fresh process (bench_import's worker): the import (read, validate, fetch, check, plan, write,
commit), then the same file again (every event already recorded: unchanged); the reference is DuckDB's read_csv of
the same file into an on-disk table, all VARCHAR, in this process.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "bench_import.py")
bench_import = importlib.util.module_from_spec(_spec)
sys.modules["bench_import"] = bench_import
_spec.loader.exec_module(bench_import)

HEADER = ["户编号", "事件", "日期", "原因", "审批单位", "监测类别", "消除方式"]
SEED = 2016
CHUNK = 200_000  # households written at a time


def _days(start: str, span: int, n: int, rng) -> np.ndarray:
    return (np.datetime64(start) + rng.integers(0, span, n)).astype(str)


def history_steps(n: int, rng) -> list[tuple[str, np.ndarray, str, str]]:
    """The one history every household follows a prefix of: (event label, dates, category, way)."""
    return [
        ("识别为贫困户", np.full(n, "2014"), "", ""),
        ("脱贫退出", _days("2015-03-01", 5 * 365 - 90, n, rng), "", ""),
        ("纳入监测", _days("2020-03-01", 270, n, rng), "2", ""),
        ("风险消除", _days("2021-01-10", 300, n, rng), "", "帮扶消除"),
        ("返贫", _days("2022-02-01", 300, n, rng), "", ""),
        ("脱贫退出", _days("2023-01-05", 300, n, rng), "", ""),
        ("纳入监测", _days("2024-03-01", 28, n, rng), "1", ""),
        ("风险消除", _days("2024-10-01", 28, n, rng), "", "自然消除"),
    ]


def write_events(path: Path, households: int, mean: float, prefix: str = "B") -> dict:
    started, rows = time.perf_counter(), 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        for first in range(0, households, CHUNK):
            n = min(CHUNK, households - first)
            rng = np.random.default_rng([SEED, first])
            numbers = np.char.add(prefix, np.char.zfill((np.arange(n) + first + 1).astype(str), 9))
            lengths = np.clip(np.rint(rng.normal(mean, 1.0, n)), 1, 8).astype(int)
            lines = []
            for step, (label, dates, category, way) in enumerate(history_steps(n, rng)):
                chosen = lengths > step
                tail = f",{label},"
                body = np.char.add(np.char.add(numbers[chosen], tail), dates[chosen])
                lines.append((step, np.char.add(body, f",导入,县乡村振兴局,{category},{way}\n")))
            # one household's events together, in order
            order = np.concatenate([np.flatnonzero(lengths > step) * 8 + step for step, _ in lines])
            text = np.concatenate([chunk for _, chunk in lines])[np.argsort(order, kind="stable")]
            out.write("".join(text.tolist()))
            rows += len(text)
    return {"rows": rows, "bytes": path.stat().st_size, "seconds": time.perf_counter() - started}


def reference_read(path: Path, folder: Path) -> float:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(folder / "reference.duckdb"))
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(HEADER)))
    con.execute(
        f"CREATE OR REPLACE TABLE raw AS SELECT * FROM read_csv(?, header = false, skip = 1, "
        f"columns = {{{columns}}}, auto_detect = false)",
        [str(path)],
    )
    count = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    con.close()
    seconds = time.perf_counter() - started
    print(f"  reference (DuckDB read_csv, {count:,} rows)           {seconds:8.2f} s")
    return seconds


def show(title: str, run: dict, rows: int, reference: float) -> None:
    s = run["seconds"]
    print(
        f"  {title:<48} {s:8.2f} s  {rows / s:>9,.0f} events/s  → {s / reference:.0f}× reference  "
        f"peak RSS {run['rss_mib']:.0f} MiB"
    )
    print(f"      status {run['status']} {run['message']}  counts {run['counts']}")
    for error in run["errors"][:5]:
        print(f"      !! row {error['row']} {error['column']} “{error['value']}”: {error['reason']}")
    phases = bench_import.segments(run["events"], run["run_import_s"], False, run["rss_mib"])
    for label, seconds, _peak in phases:
        print(f"        {label:<60} {seconds:7.2f} s")
    print("      steps timed inside the importer (nested; _insert is the events' and the audit's bulk loads):")
    for label, (seconds, calls) in run["probes"].items():
        print(f"        {label:<60} {seconds:7.2f} s" + (f"  ({calls} calls)" if calls > 1 else ""))


def one_database(url: str, folder: Path, args) -> None:
    postgres = url.startswith("postgres")
    if postgres:
        bench_import.create_postgres(url)
    bench = bench_import.Bench(url, folder)
    try:
        setup = bench.fupin("migrate", "-v0") + bench.fupin("demo", "--persons", "1000", "--replace")
        villages = bench.villages("county")
        roster = folder / "roster.csv"
        made = bench_import.write_csv(roster, args.persons, villages, "B", 11)
        registry = bench.call("import", roster, "county")
        if registry["status"] != "done":
            raise SystemExit(f"the roster import failed: {registry['message']} {registry['errors'][:3]}")
        print(
            f"\n== {'PostgreSQL' if postgres else 'SQLite'}: registry of {made['rows']:,} persons, "
            f"{made['households']:,} households (setup {setup:.0f} s, roster import {registry['seconds']:.0f} s; "
            "not timed below)"
        )
        if args.assess_first:  # a county that has assessed: the import keeps the profile fresh (not timed)
            assessed = bench.fupin("assess", "--kind", "monitoring")
            print(f"  assessed first (the profile built): {assessed:.0f} s")
        events = folder / "events.csv"
        written = write_events(events, made["households"], args.events_per_household)
        print(f"  events file: {written['rows']:,} events, {written['bytes'] / 2**20:.1f} MiB UTF-8")
        reference = reference_read(events, folder)
        if args.profile:
            bench.env["FUPIN_BENCH_PROFILE"] = f"{args.profile}.{'postgres' if postgres else 'sqlite'}.prof"
        first = bench.call("import", events, "county")
        bench.env.pop("FUPIN_BENCH_PROFILE", None)
        show("import", first, written["rows"], reference)
        if not args.no_reimport:
            second = bench.call("import", events, "county")
            show("re-import (every event already recorded)", second, written["rows"], reference)
    finally:
        if postgres:
            bench_import.drop_postgres(url)


def main():
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--persons", type=int, default=77_500)
    parser.add_argument("--events-per-household", type=float, default=2.0)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/fupin_bench_history")
    parser.add_argument("--assess-first", action="store_true", help="build the assessment profile before importing")
    parser.add_argument("--no-reimport", action="store_true", help="skip the second import of the same file")
    parser.add_argument("--profile", help="write the first import's cProfile stats to PROFILE.<db>.prof")
    args = parser.parse_args()
    print(f"fupin history import benchmark: {args.persons:,} persons, ~{args.events_per_household} events a household")
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        folder = Path(tempfile.mkdtemp(prefix="fupin_bench_history_"))
        try:
            url = f"sqlite:///{folder}/bench.sqlite3" if db == "sqlite" else args.database_url
            one_database(url, folder, args)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print(
        "\ntargets (issue 12): 25,000 households / 50,000 events < 20 s; 1,000,000 persons / ~2,000,000 events ≤ 90 s"
    )


if __name__ == "__main__":
    main()
