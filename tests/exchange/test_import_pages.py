"""The import through the web upload page, the API (with a token) and the real background worker: the same
service behind each, scoped and refused the same way."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from fupin.accounts import tokens
from fupin.exchange.models import ImportJob
from fupin.registry.models import Member
from tests.factories import VILLAGE_A1, make_id
from tests.support import csv_text

pytestmark = pytest.mark.django_db


def roster_file(name="花名册.csv", number="P1", person="秦一"):
    text = csv_text(
        ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系"), (number, VILLAGE_A1, person, make_id(), "户主")
    )
    return SimpleUploadedFile(name, text.encode("gb18030"), content_type="text/csv")


def test_upload_page_runs_the_job_and_shows_the_outcome(client, users):
    client.force_login(users["village_a1"])
    page = client.get(reverse("exchange:import"))
    assert page.status_code == 200 and "上传并校验" in page.content.decode()
    response = client.post(reverse("exchange:import"), {"file": roster_file()})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exchange:import-job", args=[job.pk])
    assert job.status == ImportJob.Status.DONE and job.via == "ui"
    outcome = client.get(response["Location"]).content.decode()
    assert "已导入" in outcome and "家庭成员" in outcome
    state = client.get(response["Location"] + "?format=json").json()
    assert state["finished"] and state["progress"]["percent"] == 100 and state["counts"]["members"]["new"] == 1
    assert Member.objects.get(name="秦一").household.village_id == VILLAGE_A1


def test_dry_run_from_the_page_writes_nothing(client, users):
    client.force_login(users["county"])
    client.post(reverse("exchange:import"), {"file": roster_file(), "dry_run": "on"})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED and job.counts["members"]["new"] == 1
    assert not Member.objects.filter(name="秦一").exists()


def test_error_report_download_and_scope_of_jobs(client, users):
    client.force_login(users["county"])
    bad = csv_text(
        ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系"), ("P2", VILLAGE_A1, "秦二", "123", "户主")
    )
    client.post(reverse("exchange:import"), {"file": SimpleUploadedFile("坏.csv", bad.encode())})
    job = ImportJob.objects.get()
    page = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert "下载错误报告" in page and "证件号码应为18位" in page
    report = client.get(reverse("exchange:import-report", args=[job.pk]))
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "错误说明" in body and "D列“证件号码”的值“123”" in body
    # a village user sees neither the county's job nor its report, and the job list does not show it
    client.force_login(users["village_a1"])
    assert client.get(reverse("exchange:import-job", args=[job.pk])).status_code == 404
    assert client.get(reverse("exchange:import-report", args=[job.pk])).status_code == 404
    assert "坏.csv" not in client.get(reverse("exchange:import")).content.decode()


def test_roles_that_may_not_edit_are_told_so_on_the_page(client, users):
    client.force_login(users["inspector"])
    response = client.post(reverse("exchange:import"), {"file": roster_file()})
    page = response.content.decode()
    assert response.status_code == 403 and "不能导入" in page and 'type="file"' not in page
    assert not ImportJob.objects.exists()


def test_api_upload_poll_and_scope(client, users):
    token = tokens.issue_token(users["village_a1"], "导入脚本")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post("/api/imports", {"file": roster_file(person="秦三"), "dry_run": "false"}, **auth)
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    state = client.get(f"/api/imports/{job_id}", **auth).json()
    assert state["status"] == "done" and state["finished"] and state["counts"]["members"]["new"] == 1
    assert Member.objects.get(name="秦三").household.number == "P1"
    other = tokens.issue_token(users["village_b1"], "别村")
    refused = client.get(f"/api/imports/{job_id}", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    inspector = tokens.issue_token(users["inspector"], "督查")
    denied = client.post("/api/imports", {"file": roster_file()}, HTTP_AUTHORIZATION=f"Bearer {inspector}")
    assert denied.status_code == 403 and "不能导入" in denied.json()["error"]["message"]


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_queued_imports(users, settings):
    """What scripts/run deploys: the job waits in the database until `fupin db_worker` takes it (the worker closes
    its database connections after each task, hence a test with real transactions)."""
    from fupin.exchange import services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    upload = io.BytesIO(roster_file(person="秦四").read())
    job = services.start_import(users["county"], upload, "排队.csv", via="ui")
    assert job.status == ImportJob.Status.QUEUED and services.progress(job)["phase"] == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Member.objects.filter(name="秦四").exists()


def test_old_uploads_and_reports_are_pruned_but_the_job_and_audit_stay(users, run_import):
    """Uploads carry ID numbers: `fupin prune_imports` deletes the files of finished jobs past the retention."""
    from datetime import timedelta

    from django.utils import timezone

    from fupin.exchange import services

    bad = csv_text(
        ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系"), ("Q1", VILLAGE_A1, "秦九", "123", "户主")
    )
    old, recent = run_import(users["county"], bad), run_import(users["county"], bad)
    assert services.report_path(old).exists() and services.upload_path(old).exists()
    ImportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=91))
    call_command("prune_imports", "--days", "90", verbosity=0)
    old.refresh_from_db()
    assert not services.job_dir(old).exists() and old.report_name == "" and old.error_count == 1
    assert services.report_path(recent).exists()  # inside the retention: kept
