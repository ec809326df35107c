"""Abandoned imports: a job whose worker died (its process gone from this host, or no heartbeat for
EXCHANGE_ABANDONED_AFTER seconds) is marked failed when it is looked at (page, API, the import page's list) or by
`fupin prune_imports`, and its upload — ID numbers — is deleted at once. The real SIGKILL is in
test_killed_import.py; here the dead worker is a finished child process and the stale heartbeat a file's mtime."""

import io
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fupin.accounts import tokens
from fupin.exchange import services
from fupin.exchange.models import ImportJob
from fupin.exchange.tasks import import_file
from tests.factories import VILLAGE_A1, make_id
from tests.support import csv_text

pytestmark = pytest.mark.django_db

LIMIT = 600


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.EXCHANGE_ABANDONED_AFTER = LIMIT


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def running_job(user, *, pid, host=None, beat_age: float | None = 0, started_age: float = 0) -> ImportJob:
    """A job as a worker leaves it mid-import: RUNNING, its upload on disk, a heartbeat `beat_age` seconds old."""
    roster = csv_text(
        ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系"), ("A1", VILLAGE_A1, "秦一", make_id(), "户主")
    )
    job = services.start_import(user, io.BytesIO(roster.encode()), "花名册.csv", via="test", enqueue=False)
    started = timezone.now() - timedelta(seconds=started_age)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        started_at=started,
        created_at=started,
        worker_pid=pid,
        worker_host=services.this_host() if host is None else host,
    )
    beat = services.job_dir(job) / services.HEARTBEAT
    if beat_age is None:
        beat.unlink()
    else:
        moment = time.time() - beat_age
        os.utime(beat, (moment, moment))
    job.refresh_from_db()
    assert services.upload_path(job).exists()
    return job


def assert_abandoned(job):
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None
    assert job.message.startswith("导入进程已中断（最后一次记录于")
    assert not services.upload_path(job).exists()
    assert sorted(p.name for p in services.job_dir(job).iterdir()) == ["heartbeat", "progress.json"]
    assert services.progress(job)["percent"] == 100


def test_a_dead_pid_on_this_host_is_abandoned_at_once_seen_on_the_page(client, users):
    job = running_job(users["village_a1"], pid=dead_pid())  # heartbeat fresh: the pid alone decides
    client.force_login(users["village_a1"])
    page = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert "失败，未导入" in page and "导入进程已中断" in page and "<progress" not in page
    assert_abandoned(job)


def test_a_live_pid_with_a_fresh_heartbeat_is_left_running(client, users):
    job = running_job(users["village_a1"], pid=os.getpid(), beat_age=LIMIT - 60, started_age=3600)
    state = client.get(
        f"/api/imports/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {tokens.issue_token(users['village_a1'], 't')}"
    )
    assert state.json()["status"] == "running" and not state.json()["finished"]
    assert services.upload_path(job).exists()


@pytest.mark.parametrize(("beat_age", "abandoned"), [(LIMIT - 30, False), (LIMIT + 30, True)])
def test_a_heartbeat_older_than_the_threshold_abandons_a_job_of_another_host(client, users, beat_age, abandoned):
    """On another host the pid says nothing; the heartbeat decides, at the threshold."""
    job = running_job(
        users["village_a1"], pid=dead_pid(), host="other-host/pidns:1", beat_age=beat_age, started_age=3600
    )
    token = tokens.issue_token(users["village_a1"], "t")
    state = client.get(f"/api/imports/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert state["status"] == ("failed" if abandoned else "running") and state["finished"] is abandoned
    if abandoned:
        assert_abandoned(job)
        assert state["message"] == job.message
    else:
        assert services.upload_path(job).exists()


def test_a_stale_heartbeat_abandons_even_a_live_pid(users):
    """A pid alive but silent for longer than the threshold (reused by another process, or hung)."""
    job = running_job(users["village_a1"], pid=os.getpid(), beat_age=LIMIT + 30, started_age=3600)
    assert services.get_job(users["village_a1"], job.pk).status == ImportJob.Status.FAILED
    assert_abandoned(job)


def test_without_a_heartbeat_file_the_start_time_counts(users):
    """Jobs from before heartbeats, or a folder half gone: started long ago and silent since."""
    fresh = running_job(users["county"], pid=None, beat_age=None, started_age=LIMIT - 30)
    old = running_job(users["county"], pid=None, beat_age=None, started_age=LIMIT + 30)
    assert services.sweep_abandoned() == 1
    fresh.refresh_from_db()
    assert fresh.status == ImportJob.Status.RUNNING
    assert_abandoned(old)


def test_a_job_waiting_for_the_database_worker_is_not_abandoned(users):
    roster = csv_text(("户编号", "姓名"), ("A1", "秦一"))
    job = services.start_import(users["county"], io.BytesIO(roster.encode()), "排队.csv", via="ui", enqueue=False)
    ImportJob.objects.filter(pk=job.pk).update(
        worker_pid=None, worker_host="", created_at=timezone.now() - timedelta(days=2)
    )
    assert services.sweep_abandoned() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and services.upload_path(job).exists()


def test_prune_marks_abandoned_jobs_and_the_import_page_lists_them_failed(client, users):
    dead = running_job(users["village_a1"], pid=dead_pid())
    alive = running_job(users["village_a1"], pid=os.getpid())
    out = io.StringIO()
    call_command("prune_imports", stdout=out)
    assert out.getvalue().splitlines() == [
        "1个导入任务的进程已中断，已标为失败并删除其文件",
        "已删除0个导入任务的文件（90天以前结束的）",
    ]
    assert_abandoned(dead)
    alive.refresh_from_db()
    assert alive.status == ImportJob.Status.RUNNING and services.upload_path(alive).exists()
    # the list on the import page notices too
    other = running_job(users["village_a1"], pid=dead_pid())
    client.force_login(users["village_a1"])
    client.get(reverse("exchange:import"))
    assert_abandoned(other)
    # and past the retention prune removes what is left of the folder
    ImportJob.objects.filter(pk=dead.pk).update(finished_at=timezone.now() - timedelta(days=91))
    call_command("prune_imports", "--days", "90", stdout=io.StringIO())
    assert not services.job_dir(dead).exists()


def test_two_who_notice_at_once_mark_it_once(users):
    job = running_job(users["village_a1"], pid=dead_pid())
    seen_by_other = ImportJob.objects.get(pk=job.pk)
    first = services.notice_abandoned(job)
    message = first.message
    marker = services.job_dir(job) / "written-after"
    marker.write_text("")  # stands for anything written after the first one marked it
    again = services.notice_abandoned(seen_by_other)
    assert again.status == ImportJob.Status.FAILED and again.message == message
    assert marker.exists()  # the second found it marked already and deleted nothing


def test_a_task_for_a_job_no_longer_queued_does_nothing(users):
    job = running_job(users["village_a1"], pid=dead_pid())
    services.notice_abandoned(job)
    assert import_file.call(str(job.pk)) == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.started_at is not None


def test_the_worker_beats_while_it_runs(settings, users):
    """The heartbeat thread touches the file between progress writes (every tenth of the threshold, at least 1 s)."""
    settings.EXCHANGE_ABANDONED_AFTER = 10
    job = running_job(users["village_a1"], pid=os.getpid(), beat_age=3600)
    beat = services.job_dir(job) / services.HEARTBEAT
    heart = services.Heartbeat(job)
    try:
        os.utime(beat, (time.time() - 3600, time.time() - 3600))
        time.sleep(1.5)
        assert time.time() - beat.stat().st_mtime < 1.5
    finally:
        heart.stop()
    assert not heart.thread.is_alive()


def test_a_finished_import_records_its_worker(users, run_import):
    roster = csv_text(
        ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系"), ("W1", VILLAGE_A1, "秦五", make_id(), "户主")
    )
    job = run_import(users["village_a1"], roster)
    assert job.status == ImportJob.Status.DONE
    assert (job.worker_pid, job.worker_host) == (os.getpid(), services.this_host())
    assert job.sensitive_fields == ["id_number"]
    assert services.notice_abandoned(job).status == ImportJob.Status.DONE  # finished jobs are never abandoned
