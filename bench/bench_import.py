"""Benchmark the importer (fupin.exchange): a member roster as a clerk's Chinese Excel saves it, validated and
written, beside the bare cost of reading the same file with the same libraries, in the same run.

    .venv/bin/python bench/bench_import.py [--persons 1000000] [--xlsx-rows 100000] [--memory-check]
                                           [--database-url postgres://postgres@127.0.0.1:5432/fupin_bench_import]

Setup (not timed): a fresh database — a SQLite file in a temporary folder, or the PostgreSQL database named in
--database-url, created here and dropped at the end — `fupin migrate`, `fupin demo --persons 1000` for the area
tree and the demo users; the file is imported as user `county` (county admin of the first demo county) into new
household numbers (prefix B…, X… for the xlsx, S… for the memory check) that the demo never uses, with ID numbers
from provinces the demo does not use (11, 12, 13; the demo's are 14).

The file: N persons (≈3.1 a household) of the 家庭成员 sheet, generated with numpy (seeded) and written in chunks
as GB18030 with CRLF line ends (what Chinese Excel's "CSV" is): 户编号, 行政区划代码 (the demo county's villages),
户主姓名, 姓名, 性别 (男/女), 证件号码 (valid, unique, check characters per GB 11643), 出生日期 (2021-03-05 and
2021/3/5 mixed, agreeing with the ID), 与户主关系 (户主/配偶/子女…), 民族 (汉族…) as labels; 文化程度, 健康状况,
劳动技能 as codes (3, 01, 02); 务工时间（月）; 享受低保 (是/否).

Each measurement runs in its own process, and its peak RSS is that process's VmHWM (not ru_maxrss, which Linux
carries over fork and exec from the driver):
- reference: the file read with the importer's libraries and nothing else — GB18030 decoded in Python, written as
  UTF-8, DuckDB read_csv of that copy, all columns VARCHAR, into an on-disk DuckDB table;
- import: services.start_import(…, enqueue=False) (copies the upload, SHA-256) and services.run_import — read,
  validate, check against the registry, plan, write, commit; per-phase times from run_import's progress reports,
  and finer steps from timing wrappers put around the importer's functions in that process (measurement only);
- re-import: the same file again, every row unchanged;
- xlsx: --xlsx-rows rows of a roster written with xlsxwriter (constant_memory; IDs as text cells, birth dates half
  as date cells, half as text), imported, beside reading it alone with fastexcel (every sheet into Arrow);
- --memory-check: the CSV import at a second, smaller size (--memory-small persons) in its own process, so the two
  peak RSS figures can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fupin.registry.idcard import check_codes

ROOT = Path(__file__).resolve().parent.parent
HEADERS = [
    "户编号",
    "行政区划代码",
    "户主姓名",
    "姓名",
    "性别",
    "证件号码",
    "出生日期",
    "与户主关系",
    "民族",
    "文化程度",
    "健康状况",
    "劳动技能",
    "务工时间（月）",
    "享受低保",
]
SEED = 2014
CHUNK_HOUSEHOLDS = 40_000  # households generated and written at a time (about 124,000 rows)
TODAY = np.datetime64("2025-06-30")  # no one born after this: validation refuses dates after today

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文辉金凤春梅海燕晓东德福永贵淑珍")
RELATIONS = np.array(["户主", "配偶", "子女", "父母", "孙辈", "儿媳/女婿"])
ETHNICITIES = np.array(["汉族", "苗族", "彝族", "回族", "壮族"])
ETHNICITY_WEIGHTS = [0.86, 0.05, 0.04, 0.03, 0.02]


# ── the data ──────────────────────────────────────────────────────────────────────────────────────────────────


def household_sizes(persons: int, rng) -> np.ndarray:
    """1 + Poisson(2.1) persons a household (mean ≈ 3.1), trimmed to exactly `persons`."""
    sizes = 1 + rng.poisson(2.1, size=persons // 3 + 1000)
    while sizes.sum() < persons:
        sizes = np.concatenate([sizes, 1 + rng.poisson(2.1, size=1000)])
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, persons)) + 1
    sizes = sizes[:count].copy()
    sizes[-1] -= int(ends[count - 1] - persons)
    return sizes


def id_numbers(area: np.ndarray, born: np.ndarray, male: np.ndarray) -> np.ndarray:
    """18-digit IDs: area (6) + birth date (8) + sequence (3, odd for men) + GB 11643 check character. Unique as
    long as (area, birth date, sex) groups stay under 500 persons: the sequence is the rank inside the group."""
    ymd = _ymd_int(born)
    key = (area.astype(np.int64) * 100_000_000 + ymd) * 2 + male
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
    rank_sorted = np.arange(len(key)) - np.repeat(starts, np.diff(np.r_[starts, len(key)]))
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    if rank.max(initial=0) >= 500:
        raise ValueError("more than 500 persons of one sex born on one day in one area code")
    sequence = np.where(male, rank * 2 + 1, rank * 2 + 2)  # odd for men, even for women
    first17 = (area.astype(np.int64) * 100_000_000 + ymd) * 1000 + sequence
    digits = (first17[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    check = check_codes(digits).view("S1").astype(str)
    return np.char.add(first17.astype(str), check)


def _ymd_int(days: np.ndarray) -> np.ndarray:
    d = days.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return year * 10000 + month * 100 + day


def chunk_rows(
    rng, sizes: np.ndarray, first_household: int, prefix: str, villages: np.ndarray, province: int, chunk_no: int
) -> dict[str, np.ndarray]:
    """The rows of households first_household … first_household + len(sizes) - 1, as columns of text."""
    n_households, n = len(sizes), int(sizes.sum())
    household = np.repeat(np.arange(n_households), sizes)
    position = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    # relation: first row the head; the second a spouse (85 %); the others mostly children
    relation = np.full(n, 2)
    relation[position == 0] = 0
    second = position == 1
    relation[second] = np.where(rng.random(second.sum()) < 0.85, 1, 2)
    later = position >= 2
    relation[later] = rng.choice([2, 3, 4, 5], size=later.sum(), p=[0.7, 0.12, 0.12, 0.06])
    # birth dates: the head 1945–1999; spouse and in-laws near the head's; parents 22–35 years older (not before
    # 1925), children and grandchildren younger, never after TODAY
    head_born = np.datetime64("1945-01-01") + rng.integers(0, 55 * 365, n_households)
    base = head_born[household]
    offset_years = np.select(
        [relation == 0, relation == 1, relation == 2, relation == 3, relation == 4, relation == 5],
        [
            np.zeros(n),
            rng.normal(0, 3, n),
            rng.uniform(20, 38, n),
            -rng.uniform(22, 35, n),
            rng.uniform(42, 60, n),
            rng.uniform(18, 36, n),
        ],
    )
    born = base + (offset_years * 365.25).astype(np.int64) + rng.integers(-120, 120, n)
    # out of range: a random day of the first or last ten years instead (a clip would pile them on one day)
    born = np.where(born < np.datetime64("1925-01-01"), np.datetime64("1925-01-01") + rng.integers(0, 3650, n), born)
    born = np.where(born >= TODAY, TODAY - rng.integers(1, 3650, n), born).astype("datetime64[D]")
    head_male = rng.random(n_households) < 0.9
    male = np.where(
        relation == 0, head_male[household], np.where(relation == 1, ~head_male[household], rng.random(n) < 0.51)
    )
    # IDs: one 6-digit area code per chunk (province + chunk number), so ranks within a chunk keep them unique
    area = np.full(n, province * 10000 + 100 + chunk_no % 9900)
    ids = id_numbers(area, born, male)
    # names: the household's surname for the head and children, a random one for the others
    surname_of_household = rng.integers(0, len(SURNAMES), n_households)
    surname = np.where(np.isin(relation, (0, 2, 4)), surname_of_household[household], rng.integers(0, len(SURNAMES), n))
    given = np.char.add(
        np.array(GIVEN)[rng.integers(0, len(GIVEN), n)],
        np.where(rng.random(n) < 0.7, np.array(GIVEN)[rng.integers(0, len(GIVEN), n)], ""),
    )
    name = np.char.add(np.array(SURNAMES)[surname], given)
    head_name = name[np.cumsum(sizes) - sizes][household]
    number = np.char.add(prefix, np.char.zfill((np.arange(n_households) + first_household + 1).astype(str), 9))
    village = villages[rng.integers(0, len(villages), n_households)]
    # dates: ISO for half the rows, 2021/3/5 for the other half
    iso = born.astype(str)
    ymd = _ymd_int(born)
    slashed = np.char.add(
        np.char.add(np.char.add(np.char.add((ymd // 10000).astype(str), "/"), (ymd // 100 % 100).astype(str)), "/"),
        (ymd % 100).astype(str),
    )
    birth_text = np.where(rng.random(n) < 0.5, iso, slashed)
    age = (TODAY - born).astype(np.int64) / 365.25
    education = np.where(age < 6, "6", rng.choice(["1", "2", "3", "4", "5"], n, p=[0.1, 0.35, 0.38, 0.12, 0.05]))
    health = rng.choice(["01", "02", "03", "04"], n, p=[0.82, 0.1, 0.04, 0.04])
    adult = (age >= 16) & (age < 65)
    labour = np.where(adult, rng.choice(["01", "02", "05"], n, p=[0.75, 0.15, 0.1]), "04")
    months = np.where(adult & (rng.random(n) < 0.5), rng.integers(1, 13, n), 0)
    ethnicity = ETHNICITIES[rng.choice(len(ETHNICITIES), n, p=ETHNICITY_WEIGHTS)]
    return {
        "户编号": number[household],
        "行政区划代码": village[household],
        "户主姓名": head_name,
        "姓名": name,
        "性别": np.where(male, "男", "女"),
        "证件号码": ids,
        "出生日期": birth_text,
        "与户主关系": RELATIONS[relation],
        "民族": ethnicity,
        "文化程度": education,
        "健康状况": health,
        "劳动技能": labour,
        "务工时间（月）": months.astype(str),
        "享受低保": np.where(rng.random(n) < 0.08, "是", "否"),
        "_born": born,  # for the xlsx writer's date cells
    }


def roster_chunks(persons: int, villages: np.ndarray, prefix: str, province: int, seed: int = SEED):
    rng = np.random.default_rng([seed, province])
    sizes = household_sizes(persons, rng)
    for chunk_no, start in enumerate(range(0, len(sizes), CHUNK_HOUSEHOLDS)):
        part = sizes[start : start + CHUNK_HOUSEHOLDS]
        yield chunk_rows(
            np.random.default_rng([seed, province, chunk_no]), part, start, prefix, villages, province, chunk_no
        )


def write_csv(path: Path, persons: int, villages: np.ndarray, prefix: str, province: int) -> dict:
    started, households, rows = time.perf_counter(), 0, 0
    with path.open("wb") as out:
        out.write((",".join(HEADERS) + "\r\n").encode("gb18030"))
        for columns in roster_chunks(persons, villages, prefix, province):
            cells = [columns[h].tolist() for h in HEADERS]
            text = "\r\n".join(map(",".join, zip(*cells))) + "\r\n"
            out.write(text.encode("gb18030"))
            rows += len(cells[0])
            households += len(set(cells[0]))
    return {
        "rows": rows,
        "households": households,
        "bytes": path.stat().st_size,
        "seconds": time.perf_counter() - started,
    }


def write_xlsx(path: Path, persons: int, villages: np.ndarray, prefix: str, province: int) -> dict:
    import xlsxwriter

    started, rows, households = time.perf_counter(), 0, 0
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("家庭成员")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS)
    months_at, birth_at = HEADERS.index("务工时间（月）"), HEADERS.index("出生日期")
    for columns in roster_chunks(persons, villages, prefix, province):
        cells = [columns[h].tolist() for h in HEADERS]
        born = columns["_born"].astype("datetime64[D]").tolist()  # datetime.date
        as_date = np.random.default_rng([SEED, rows]).random(len(born)) < 0.5
        for i, row in enumerate(zip(*cells)):
            r = rows + i + 1
            for c, value in enumerate(row):
                if c == months_at:
                    sheet.write_number(r, c, int(value))
                elif c == birth_at and as_date[i]:
                    sheet.write_datetime(r, c, born[i], date_format)
                else:
                    sheet.write_string(r, c, value)
        rows += len(cells[0])
        households += len(set(cells[0]))
    workbook.close()
    return {
        "rows": rows,
        "households": households,
        "bytes": path.stat().st_size,
        "seconds": time.perf_counter() - started,
    }


# ── the workers: one measurement each, in a fresh process ─────────────────────────────────────────────────────


def rss_mib() -> float:
    """Peak resident set of this process so far, MiB: VmHWM, the high-water mark of this process's own memory.
    Not ru_maxrss: Linux carries it over fork and exec, so a worker would report at least the driver's peak
    (the driver holds the generated file's last chunks; 527 MiB at 1M persons) before doing anything."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker_reference_csv(path: Path) -> dict:
    """GB18030 → UTF-8 as the importer does it (chunks, incremental decoder), then DuckDB read_csv, all VARCHAR."""
    import codecs

    import duckdb

    scratch = Path(tempfile.mkdtemp(prefix="ref-", dir=path.parent))
    out = {"rss_start_mib": rss_mib()}
    try:
        started = time.perf_counter()
        decoder = codecs.getincrementaldecoder("gb18030")()
        utf8 = scratch / "utf8.csv"
        with path.open("rb") as source, utf8.open("w", encoding="utf-8", newline="") as target:
            while chunk := source.read(8 << 20):
                target.write(decoder.decode(chunk))
            target.write(decoder.decode(b"", final=True))
        out["decode_s"] = time.perf_counter() - started
        started = time.perf_counter()
        con = duckdb.connect(str(scratch / "ref.duckdb"))
        con.execute(f"SET temp_directory = '{scratch}'; SET memory_limit = '1GB'; SET preserve_insertion_order = true")
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(HEADERS)))
        con.execute(
            f"""CREATE TABLE raw AS SELECT * FROM read_csv(?, header = false, skip = 1, delim = ',', quote = '"',
                        escape = '"', columns = {{{columns}}}, auto_detect = false, encoding = 'utf-8')""",
            [str(utf8)],
        )
        out["rows"] = con.execute("SELECT count(*) FROM raw").fetchone()[0]
        con.close()
        out["duckdb_s"] = time.perf_counter() - started
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    out["seconds"] = out["decode_s"] + out["duckdb_s"]
    out["rss_mib"] = rss_mib()
    return out


def worker_reference_xlsx(path: Path) -> dict:
    """The importer's own reader alone: fastexcel loading every sheet into Arrow, every cell as text."""
    import fastexcel

    out = {"rss_start_mib": rss_mib()}
    started = time.perf_counter()
    workbook = fastexcel.read_excel(str(path))
    rows = sum(
        workbook.load_sheet(name, header_row=None, dtypes="string").to_arrow().num_rows for name in workbook.sheet_names
    )
    out["rows"] = rows - 1  # the header
    out["seconds"] = time.perf_counter() - started
    out["rss_mib"] = rss_mib()
    return out


class Probes:
    """Cumulative time in named importer functions (wrapped in this process only), to split the phases."""

    def __init__(self):
        self.seconds, self.calls = {}, {}

    def wrap(self, owner, attribute: str, label: str):
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(owner, attribute, timed)


def install_probes() -> Probes:
    from fupin.exchange import services, validation
    from fupin.exchange.importer import checks, fetch, plan, run, write
    from fupin.exchange.reading import csv, file, xlsx

    probes = Probes()
    for owner, attribute, label in [
        (csv, "sniff_encoding", "read: sniff encoding (whole file)"),
        (csv, "_transcode", "read: transcode GB18030 → UTF-8"),
        (file, "read_xlsx", "read: xlsx (fastexcel → DuckDB)"),
        (xlsx, "sheet_facts", "read: xlsx XML pass (formulas, merges, numbers)"),
        (file, "read_csv", "read: CSV total"),
        (validation, "check_ids", "validate: ID numbers (numpy)"),
        (run, "normalise", "validate: normalise total"),
        (fetch, "lock_tables", "check: lock tables"),
        (fetch, "load_registry", "check: fetch registry rows"),
        (checks, "run_checks", "check: file and registry checks"),
        (plan, "plan_rows", "plan: new/updated/unchanged"),
        (write, "_write_households", "write: households"),
        (write, "_write_members", "write: members"),
        (write, "_write_incomes", "write: incomes"),
        (write, "_write_audit", "write: audit entries"),
        (write, "_insert", "write: bulk insert, streamed (_insert)"),
        (write, "_update", "write: UPDATE changed records"),
        (services, "write_error_report", "error report"),
    ]:
        probes.wrap(owner, attribute, label)
    return probes


def worker_import(path: Path, username: str) -> dict:
    import django

    django.setup()
    from django.db import connection

    from fupin.accounts.models import User
    from fupin.core.progress import Steps
    from fupin.exchange import services

    class Timeline(Steps):
        """(seconds since `begun`, phase, done, total, RSS) at each progress report."""

        def __init__(self, begun: float):
            super().__init__()
            self.begun, self.events = begun, []

        def report(self, name: str, done: int, total: int) -> None:
            self.events.append((time.perf_counter() - self.begun, name, done, total, rss_mib()))

    out = {"rss_start_mib": rss_mib(), "vendor": connection.vendor}
    probes = install_probes()
    user = User.objects.get(username=username)
    started = time.perf_counter()
    job = services.start_import(user, path, path.name, dry_run=False, via="bench", enqueue=False)
    out["start_import_s"] = time.perf_counter() - started
    begun = time.perf_counter()
    events = Timeline(begun)
    profile_path = os.environ.get("FUPIN_BENCH_PROFILE")  # bench_history --profile: cProfile stats of run_import
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
        job = profiler.runcall(services.run_import, job, progress=events)
        profiler.dump_stats(profile_path)
    else:
        job = services.run_import(job, progress=events)
    out["run_import_s"] = time.perf_counter() - begun
    out["seconds"] = out["start_import_s"] + out["run_import_s"]
    out["rss_mib"] = rss_mib()
    out["status"], out["message"] = str(job.status), job.message
    out["counts"], out["error_count"] = job.counts, job.error_count
    out["errors"] = job.errors[:10]
    out["ignored_columns"] = job.ignored_columns
    out["events"], out["xlsx"] = events.events, path.suffix == ".xlsx"
    out["probes"] = {label: [s, probes.calls[label]] for label, s in probes.seconds.items()}
    return out


def worker(mode: str, path: Path, username: str) -> dict:
    if mode == "reference-csv":
        return worker_reference_csv(path)
    if mode == "reference-xlsx":
        return worker_reference_xlsx(path)
    return worker_import(path, username)


# ── the driver ────────────────────────────────────────────────────────────────────────────────────────────────


class Bench:
    def __init__(self, database_url: str, folder: Path):
        self.database_url, self.folder = database_url, folder
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "FUPIN_LOG_LEVEL": "ERROR",
            "COLUMNS": "120",
            "FUPIN_EXCHANGE_DIR": str(folder / "exchange"),
            "DJANGO_SETTINGS_MODULE": "fupin.settings",
            "FUPIN_SECRET_KEY": os.environ.get("FUPIN_SECRET_KEY") or "bench-import-" + "k" * 50,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
        }

    def fupin(self, *args: str) -> float:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "fupin", *args], env=self.env, cwd=ROOT, capture_output=True, text=True
        )
        if result.returncode:
            raise SystemExit(f"fupin {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return time.perf_counter() - started

    def call(self, mode: str, path: Path, username: str = "county") -> dict:
        """One measurement in a fresh process; its JSON is the last line of its output."""
        result = subprocess.run(
            [sys.executable, __file__, "--worker", mode, str(path), "--user", username],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise SystemExit(f"worker {mode} {path.name} crashed:\n{result.stdout}\n{result.stderr}")
        out = json.loads(result.stdout.strip().splitlines()[-1])
        out["stderr"] = result.stderr[-6000:]
        return out

    def villages(self, username: str) -> np.ndarray:
        script = (
            "import django, json; django.setup()\n"
            "from fupin.accounts.models import User\nfrom fupin.areas.models import Area, Level\n"
            f"user = User.objects.get(username={username!r})\n"
            "codes = Area.objects.filter(level=Level.VILLAGE, code__startswith=user.area_id[:6]).order_by('code')"
            ".values_list('code', flat=True)\n"
            "print(json.dumps({'area': user.area_id, 'role': str(user.role), 'villages': list(codes)}))"
        )
        result = subprocess.run([sys.executable, "-c", script], env=self.env, cwd=ROOT, capture_output=True, text=True)
        if result.returncode:
            raise SystemExit(result.stderr)
        info = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"user {username}: role {info['role']}, area {info['area']}, {len(info['villages'])} villages")
        return np.array(info["villages"])


def create_postgres(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    if name in ("test", "postgres", "template0", "template1") or not name:
        raise SystemExit(f"refusing to create and drop the database “{name}”: name a scratch database")
    with psycopg.connect(f"{server.replace('postgres://', 'postgresql://')}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server.replace('postgres://', 'postgresql://')}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ── the report ────────────────────────────────────────────────────────────────────────────────────────────────

SEGMENTS = {  # progress event → the work between it and the next event
    ("start",): "job row saved, DuckDB opened, upload linked",
    ("reading", 0): "read: sniff, transcode, DuckDB read_csv",
    ("validating", 0): "validate: every cell, IDs",
    ("validating", 1): "validate → check: transaction, table lock",
    ("checking", 0): "check: registry rows fetched, file and registry checks",
    ("checking", 1): "plan: new / updated / unchanged",
    ("writing", 0): "write: households",
    ("writing", 1): "write: members",
    ("writing", 2): "write: incomes, audit entries",
    ("writing", 3): "commit, error preview, job saved, scratch removed",
}
XLSX_READ = "read: fastexcel → Arrow → DuckDB, XML pass (from the start)"


def segments(events: list, total: float, xlsx: bool, end_rss: float) -> list[tuple[str, float, float]]:
    """(label, seconds, peak RSS so far at its end) between consecutive progress events, merged by label. The xlsx
    reader reports as it starts and once every sheet is staged: all of that, from the start, counts as reading."""
    marks = [(0.0, "start", 0, 1, 0.0), *events, (total, "end", 0, 1, end_rss)]
    merged: dict[str, list[float]] = {}
    for (t0, phase, done, count, _), (t1, next_phase, _, _, peak) in zip(marks, marks[1:]):
        if xlsx and (phase == "reading" or next_phase == "reading"):
            label = XLSX_READ
        elif phase == "start":
            label = SEGMENTS[("start",)]
        elif phase == "reading":
            label = SEGMENTS[("reading", 0)]
        elif phase == "writing":
            label = SEGMENTS.get(("writing", done), f"writing {done}/{count}")
        else:
            label = SEGMENTS.get((phase, 0 if done < count else 1), f"{phase} {done}/{count}")
        seconds, _ = merged.get(label, (0.0, 0.0))
        merged[label] = [seconds + t1 - t0, peak]
    return [(label, seconds, peak) for label, (seconds, peak) in merged.items()]


def show_import(title: str, run: dict, rows: int, reference: dict | None, file: dict | None = None):
    ok = run["status"] in ("done",)
    seconds = run["seconds"]
    line = (
        f"  {title:<34} {seconds:8.1f} s  {rows / seconds:>9,.0f} rows/s  peak RSS {run['rss_mib']:6.0f} MiB "
        f"(at start {run['rss_start_mib']:.0f})"
    )
    if reference:
        line += f"  → {seconds / reference['seconds']:.1f}× reference"
    print(line)
    print(f"      status {run['status']}: {run['message']}  counts {json.dumps(run['counts'], ensure_ascii=False)}")
    print(f"      start_import (copy + SHA-256) {run['start_import_s']:.1f} s, run_import {run['run_import_s']:.1f} s")
    if run["ignored_columns"]:
        print(f"      ignored columns: {run['ignored_columns']}")
    if not ok:
        print(f"      !! {run['error_count']} errors; first ones:")
        for error in run["errors"]:
            print(f"         row {error['row']} {error['column']} “{error['value']}”: {error['reason']}")
        print(
            "      worker stderr (tail):\n" + "\n".join("         " + line for line in run["stderr"].splitlines()[-40:])
        )
    print("      phases (between progress reports; peak RSS of the process so far at the phase's end):")
    for label, s, peak in segments(run["events"], run["run_import_s"], run["xlsx"], run["rss_mib"]):
        print(f"        {label:<62} {s:7.2f} s  {peak:6.0f} MiB")
    print("      steps (timed inside the importer; nested, so they overlap):")
    for label, (s, calls) in run["probes"].items():
        print(f"        {label:<62} {s:7.2f} s" + (f"  ({calls} calls)" if calls > 1 else ""))


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main():
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="0: skip the xlsx case")
    parser.add_argument("--memory-check", action="store_true")
    parser.add_argument("--memory-small", type=int, default=100_000, help="the smaller size of --memory-check")
    parser.add_argument("--database-url", help="PostgreSQL: postgres://USER@HOST:PORT/NAME (created and dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (and the PostgreSQL database)")
    parser.add_argument("--no-reimport", action="store_true", help="skip the second import of the same file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--user", default="county", help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, Path(args.path), args.user), ensure_ascii=False))
        return

    folder = Path(tempfile.mkdtemp(prefix="fupin_bench_import_"))
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    postgres = url.startswith("postgres")
    if postgres:
        create_postgres(url)
    bench = Bench(url, folder)
    try:
        print(
            f"fupin import benchmark — {args.persons:,} persons CSV, {args.xlsx_rows:,} rows xlsx, "
            f"{'PostgreSQL' if postgres else 'SQLite'}, {os.cpu_count()} cores; scratch {folder}"
        )
        setup = bench.fupin("migrate", "-v0") + bench.fupin("demo", "--persons", "1000", "--replace")
        print(f"setup: migrate + demo --persons 1000 in {setup:.1f} s (not timed below)")
        villages = bench.villages(args.user)

        csv_path = folder / "roster_gb18030.csv"
        made = write_csv(csv_path, args.persons, villages, "B", 11)
        print(
            f"CSV: {made['rows']:,} rows, {made['households']:,} households, {made['bytes'] / 2**20:.1f} MiB GB18030 "
            f"(generated and written in {made['seconds']:.1f} s)"
        )

        print(f"\n== CSV, {made['rows']:,} rows ({made['bytes'] / 2**20:.1f} MiB)")
        loadavg = load()
        reference = bench.call("reference-csv", csv_path)
        print(
            f"  {'reference (decode + DuckDB read_csv)':<34} {reference['seconds']:8.1f} s  "
            f"{made['rows'] / reference['seconds']:>9,.0f} rows/s  peak RSS {reference['rss_mib']:6.0f} MiB   "
            f"(decode {reference['decode_s']:.1f} s, read_csv {reference['duckdb_s']:.1f} s; "
            f"{reference['rows']:,} rows; "
            f"load {loadavg})"
        )
        loadavg = load()
        first = bench.call("import", csv_path, args.user)
        show_import(f"import (load {loadavg})", first, made["rows"], reference)
        if not args.no_reimport:
            loadavg = load()
            second = bench.call("import", csv_path, args.user)
            show_import(f"re-import, unchanged (load {loadavg})", second, made["rows"], reference)

        if args.memory_check:
            small = args.memory_small if args.memory_small < args.persons else max(args.persons // 10, 1000)
            small_path = folder / "roster_small_gb18030.csv"
            small_made = write_csv(small_path, small, villages, "S", 12)
            loadavg = load()
            small_run = bench.call("import", small_path, args.user)
            print("\n== memory: CSV import at two sizes, each in its own process")
            show_import(f"import {small_made['rows']:,} rows (load {loadavg})", small_run, small_made["rows"], None)
            print(
                f"  peak RSS: {small_made['rows']:>10,} rows ({small_made['bytes'] / 2**20:6.1f} MiB) "
                f"{small_run['rss_mib']:6.0f} MiB"
            )
            print(
                f"  peak RSS: {made['rows']:>10,} rows ({made['bytes'] / 2**20:6.1f} MiB) {first['rss_mib']:6.0f} MiB"
                f"   → ×{first['rss_mib'] / small_run['rss_mib']:.2f} "
                f"for ×{made['rows'] / small_made['rows']:.1f} the rows"
            )

        if args.xlsx_rows:
            xlsx_path = folder / "roster.xlsx"
            made_x = write_xlsx(xlsx_path, args.xlsx_rows, villages, "X", 13)
            print(
                f"\n== xlsx, {made_x['rows']:,} rows ({made_x['bytes'] / 2**20:.1f} MiB; written with xlsxwriter in "
                f"{made_x['seconds']:.1f} s)"
            )
            loadavg = load()
            reference_x = bench.call("reference-xlsx", xlsx_path)
            print(
                f"  {'reference (fastexcel, every sheet)':<34} {reference_x['seconds']:8.1f} s  "
                f"{made_x['rows'] / reference_x['seconds']:>9,.0f} rows/s  peak RSS {reference_x['rss_mib']:6.0f} MiB"
                f"   ({reference_x['rows']:,} rows; load {loadavg})"
            )
            loadavg = load()
            run_x = bench.call("import", xlsx_path, args.user)
            show_import(f"import (load {loadavg})", run_x, made_x["rows"], reference_x)
        print(
            "\ntargets (the issue): 1,000,000-person GB18030 CSV ≤ 60 s; 100,000-row xlsx ≤ 10 s; "
            "peak memory independent of the file size"
        )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            if postgres:
                drop_postgres(url)
        else:
            print(f"kept {folder}" + (f" and {url}" if postgres else ""))


if __name__ == "__main__":
    main()
