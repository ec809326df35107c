"""Large exports as background jobs: the line between sent-at-once and a job, the progress page, the download for
the user who started it alone (audited), the same file as an immediate export, refusals at run time, pruning and
abandoned workers. Jobs run inside the request here (tests/exchange/conftest.py)."""

import io
import subprocess
import sys
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fupin.accounts.models import Action, AuditEntry
from fupin.exchange import export_jobs, exports
from fupin.exchange.models import ExportJob
from fupin.exchange.services import job_dir, this_host
from tests.exchange.test_exports import CSV, NUMBER_A1, XLSX, csv_records, homes  # noqa: F401 (homes: the fixture, used by pytestmark)
from tests.exchange.xlsx import records, sheets
from tests.factories import VILLAGE_A1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("homes")]

# test_exports' `homes`: 3 households, 4 members, 2 income accounts, 1 status event — 10 rows in a workbook
WORKBOOK_ROWS = 10


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def exports_audited():
    return list(AuditEntry.objects.filter(action=Action.EXPORT).order_by("id").values_list("model", "username", "via"))


# --- where the line is ----------------------------------------------------------------------------------------------


def test_an_export_at_the_line_is_sent_at_once_and_one_row_more_becomes_a_job(client, users, settings):
    settings.EXPORT_IMMEDIATE_ROWS = WORKBOOK_ROWS
    response = get(client, users["county"], XLSX)
    assert response.status_code == 200 and response["Content-Type"] == exports.FORMATS["xlsx"]
    assert not ExportJob.objects.exists()
    settings.EXPORT_IMMEDIATE_ROWS = WORKBOOK_ROWS - 1
    response = get(client, users["county"], XLSX)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exchange:export-job", args=[job.pk])
    assert (job.format, job.kind, job.status, job.rows) == (
        "xlsx",
        "households",
        ExportJob.Status.DONE,
        {"households": 3, "members": 4, "incomes": 2, "status_events": 1},
    )


def test_a_csv_counts_only_its_own_sheet_against_the_line(client, users, settings):
    settings.EXPORT_IMMEDIATE_ROWS = 4  # the members sheet has 4 rows, the workbook 10
    assert get(client, users["county"], CSV, kind="members").status_code == 200
    assert get(client, users["county"], XLSX).status_code == 302


# --- the job's file is the export ----------------------------------------------------------------------------------


def test_the_jobs_workbook_is_the_immediate_one_and_its_page_offers_it(client, users, settings):
    immediate = body(get(client, users["township_a"], XLSX, area=VILLAGE_A1))
    settings.EXPORT_IMMEDIATE_ROWS = 0
    response = get(client, users["township_a"], XLSX, area=VILLAGE_A1)
    job = ExportJob.objects.get()
    assert job.params == {"area": [VILLAGE_A1]} and job.user == users["township_a"]
    page = client.get(response["Location"]).content.decode()
    download = reverse("exchange:export-download", args=[job.pk])
    assert f'href="{download}"' in page and "已完成" in page and job.filename in page
    assert f'href="{reverse("registry:household-list")}?area={VILLAGE_A1}"' in page  # back to the same list
    file = body(client.get(download))
    assert sheets(file) == sheets(immediate)  # same rows, same masking (township: bank accounts masked)
    assert [r["户编号"] for r in records(file, "农户")] == [NUMBER_A1]


def test_a_csv_job_writes_the_same_file_as_the_immediate_csv(client, users, settings):
    immediate = body(get(client, users["county"], CSV, kind="members"))
    settings.EXPORT_IMMEDIATE_ROWS = 0
    job_page = get(client, users["county"], CSV, kind="members")["Location"]
    job = ExportJob.objects.get()
    assert job_page.endswith(f"/exchange/export/{job.pk}/") and job.filename.endswith(".csv")
    file = body(client.get(reverse("exchange:export-download", args=[job.pk])))
    assert file == immediate and len(csv_records(file)) == 4


def test_the_export_and_each_download_are_audited(client, users, settings):
    settings.EXPORT_IMMEDIATE_ROWS = 0
    get(client, users["county"], XLSX)
    job = ExportJob.objects.get()
    assert exports_audited() == [("registry.household", "county", "ui")]  # what left the registry, once
    download = reverse("exchange:export-download", args=[job.pk])
    body(client.get(download))
    body(client.get(download))
    assert exports_audited() == [("registry.household", "county", "ui")] + [("exchange.exportjob", "county", "ui")] * 2
    entry = AuditEntry.objects.filter(model="exchange.exportjob").latest("id")
    rows = {"households": 3, "members": 4, "incomes": 2, "status_events": 1}
    assert entry.object_id == str(job.pk) and entry.changes["rows"] == rows


# --- only its user ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["county_b", "township_a", "village_a1", "inspector"])
def test_another_user_gets_404_for_the_job_its_progress_and_its_file(client, users, settings, other, django_user_model):
    settings.EXPORT_IMMEDIATE_ROWS = 0
    starter = users["county"]
    get(client, starter, XLSX)
    job = ExportJob.objects.get()
    if other == "county_b":  # a second user of the same county, same role
        user = django_user_model.objects.create_user(
            "county_b", password="pw-12345678", area=starter.area, role=starter.role
        )
    else:
        user = users[other]
    client.force_login(user)
    before = AuditEntry.objects.count()
    for url in (
        reverse("exchange:export-job", args=[job.pk]),
        reverse("exchange:export-job", args=[job.pk]) + "?format=json",
        reverse("exchange:export-download", args=[job.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert AuditEntry.objects.count() == before


# --- progress ---------------------------------------------------------------------------------------------------


def test_the_bar_moves_over_all_the_rows_of_all_sheets_then_packs(users):
    job = ExportJob.objects.create(user=users["county"], area_code="", format="xlsx")
    report = export_jobs.ExportProgress(job)
    report.total = 9
    report.phase("households", 3)
    report.advance("households", 3)
    assert export_jobs.export_state(job)["progress"]["percent"] == round(95 * 3 / 9, 1)
    report.phase("members", 4)
    report.advance("members", 2)
    state = export_jobs.export_state(job)["progress"]
    assert (state["phase"], state["done"], state["percent"], state["label"]) == (
        "members",
        5,
        round(95 * 5 / 9, 1),
        "写出家庭成员",
    )


def test_the_progress_page_polls_until_done_and_its_json_says_so(client, users, settings):
    job = ExportJob.objects.create(user=users["county"], area_code=users["county"].area_id or "", format="xlsx")
    export_jobs._set_progress(job, "queued", 0, 1)
    client.force_login(users["county"])
    page = client.get(reverse("exchange:export-job", args=[job.pk])).content.decode()
    assert "data-job-url" in page and "<progress" in page and "排队等待" in page and "下载文件" not in page
    state = client.get(reverse("exchange:export-job", args=[job.pk]), {"format": "json"}).json()
    assert (state["status"], state["finished"], state["downloadable"]) == ("queued", False, False)
    assert client.get(reverse("exchange:export-download", args=[job.pk])).status_code == 404  # not yet written


# --- failures, pruning, abandoned workers ---------------------------------------------------------------------------


def test_a_refusal_at_run_time_fails_the_job_with_its_reason_and_no_file(client, users, settings, monkeypatch):
    settings.EXPORT_IMMEDIATE_ROWS = 0
    job = export_jobs.start_export(users["county"], {}, "xlsx", background=True)
    assert job.status == ExportJob.Status.DONE
    monkeypatch.setattr(exports, "EXCEL_ROWS", 4)  # the members sheet (4 rows) no longer fits, as if it grew
    job = ExportJob.objects.create(user=users["county"], area_code="", format="xlsx", params={})
    job = export_jobs.run_export(job)
    assert job.status == ExportJob.Status.FAILED and "超过Excel单个工作表的上限" in job.message
    assert not export_jobs.file_path(job).exists() and not list(job_dir(job).glob("export*"))


def test_files_past_the_keeping_time_are_deleted_and_the_job_says_so(client, users, settings):
    settings.EXPORT_IMMEDIATE_ROWS, settings.EXPORT_KEEP_HOURS = 0, 24
    old = export_jobs.start_export(users["county"], {}, "xlsx")
    recent = export_jobs.start_export(users["county"], {}, "csv")
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=24, minutes=1))
    ExportJob.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - timedelta(hours=23, minutes=59))
    assert export_jobs.prune_exports() == 1
    old.refresh_from_db()
    assert old.status == ExportJob.Status.EXPIRED and not job_dir(old).exists()
    assert export_jobs.file_path(recent).exists()
    client.force_login(users["county"])
    page = client.get(reverse("exchange:export-job", args=[old.pk])).content.decode()
    assert "文件已删除" in page and "下载文件" not in page
    assert client.get(reverse("exchange:export-download", args=[old.pk])).status_code == 404


def test_the_prune_command_also_deletes_old_export_files(users, settings):
    from django.core.management import call_command

    settings.EXPORT_IMMEDIATE_ROWS = 0
    job = export_jobs.start_export(users["county"], {}, "xlsx")
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=2))
    out = io.StringIO()
    call_command("prune_imports", stdout=out)
    assert not job_dir(job).exists() and "已删除1个导出任务的文件" in out.getvalue()


def test_a_job_whose_worker_died_is_marked_failed_when_looked_at(client, users):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    job = ExportJob.objects.create(
        user=users["county"],
        area_code=users["county"].area_id or "",
        format="xlsx",
        status=ExportJob.Status.RUNNING,
        started_at=timezone.now(),
        worker_pid=dead.pid,
        worker_host=this_host(),
    )
    export_jobs._set_progress(job, "members", 3, 9)
    client.force_login(users["county"])
    state = client.get(reverse("exchange:export-job", args=[job.pk]), {"format": "json"}).json()
    assert state["status"] == "failed" and state["finished"] and "导出进程已中断" in state["message"]
