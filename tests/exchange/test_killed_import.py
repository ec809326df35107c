"""A killed import leaves the registry exactly as before: `fupin import` is SIGKILLed while it writes; then
`fupin prune_imports` sees its process gone, marks the job failed and deletes its upload.

Runs real processes on a SQLite file of its own (a test database in memory cannot be shared with a child
process), so it also exercises the CLI end to end: migrate, demo areas and users, import, kill, look.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from fupin.registry.idcard import check_char

FUPIN = [sys.executable, "-m", "fupin"]


def _roster(path, persons: int, village: str):
    lines = ["户编号,行政区划代码,姓名,证件号码,与户主关系"]
    for i in range(persons):
        first17 = f"1101{i // 1000 % 100:02d}{1950 + i % 50}0{1 + i % 9}{10 + i % 18}{i % 1000:03d}"
        lines.append(f"K{i // 3:07d},{village},某{i},{first17}{check_char(first17)},{'户主' if i % 3 == 0 else '子女'}")
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")


def _counts(db):
    with sqlite3.connect(db) as con:
        return tuple(
            con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("registry_household", "registry_member", "accounts_auditentry")
        )


@pytest.mark.slow
def test_sigkill_while_writing_leaves_nothing(tmp_path):
    db = tmp_path / "fupin.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "FUPIN_DATA_DIR": str(tmp_path), "FUPIN_TASKS": "immediate"}
    subprocess.run([*FUPIN, "migrate", "-v0"], env=env, check=True, cwd=tmp_path)
    subprocess.run([*FUPIN, "demo", "--persons", "300"], env=env, check=True, cwd=tmp_path, capture_output=True)
    with sqlite3.connect(db) as con:
        village = con.execute("SELECT code FROM areas_area WHERE level = 5 ORDER BY code LIMIT 1").fetchone()[0]
    before = _counts(db)
    roster = tmp_path / "roster.csv"
    _roster(roster, 60_000, village)
    child = subprocess.Popen(
        [*FUPIN, "import", str(roster), "--user", "county"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    phase, deadline = None, time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        states = list((tmp_path / "exchange").glob("*/progress.json"))
        try:
            phase = json.loads(states[0].read_text())["phase"] if states else None
        except (ValueError, OSError):
            phase = None
        if phase == "writing":
            time.sleep(0.05)  # well inside the write: rows are going in
            child.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    child.wait(timeout=30)
    assert phase == "writing", "the import finished or failed before it could be killed while writing"
    assert child.returncode == -signal.SIGKILL
    assert _counts(db) == before
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the job is left "running" with its upload (ID numbers) on disk until someone notices its process is gone
    (folder,) = [state.parent for state in (tmp_path / "exchange").glob("*/progress.json")]
    assert list(folder.glob("upload*")) and list(folder.glob("import-*/upload*"))
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT status FROM exchange_importjob").fetchall() == [("running",)]
    pruned = subprocess.run(
        [*FUPIN, "prune_imports"], env=env, cwd=tmp_path, check=True, capture_output=True, text=True
    )
    assert "1个导入任务的进程已中断" in pruned.stdout
    with sqlite3.connect(db) as con:
        status, message = con.execute("SELECT status, message FROM exchange_importjob").fetchone()
    assert status == "failed" and message.startswith("导入进程已中断")
    assert sorted(p.name for p in folder.iterdir()) == ["heartbeat", "progress.json"]  # upload and scratch gone
    # and the same file imports completely afterwards
    subprocess.run(
        [*FUPIN, "import", str(roster), "--user", "county"], env=env, cwd=tmp_path, check=True, capture_output=True
    )
    households, members, _ = _counts(db)
    assert (households - before[0], members - before[1]) == (20_000, 60_000)
