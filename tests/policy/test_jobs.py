"""Assessments started from the web: the button's role, the job end to end (queued → running → a finished run, or
failed with its reason), its progress file and page, its audit entry, and who sees it."""

import json
from datetime import date

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.policy.models import AssessmentJob, AssessmentRun
from fupin.policy.services import jobs
from fupin.policy.services.explain import run_summary
from fupin.policy.services.scope import InvalidAssessment
from fupin.policy.tasks import run_assessment
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_B1
from tests.policy.registry_data import income, member

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
START = {"kind": "monitoring", "pack": "national-2023", "as_of": "2024-06-01", "area": ""}


@pytest.fixture
def homes(make_household):
    """A 边缘易致贫户 (one person, 5000 in 2023) in 东一村 and in 西一村."""
    for village in (VILLAGE_A1, VILLAGE_B1):
        income(make_household(village, members=[member("甲", "01")]), 2023, wage="5000")


def test_the_button_starts_a_job_that_ends_on_its_runs_page(client, users, homes, settings):
    settings.TASKS = IMMEDIATE  # the job runs inside the request
    client.force_login(users["county"])
    started = client.post("/assessments/", START)
    job = AssessmentJob.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/assessments/jobs/{job.pk}/"
    assert job.status == job.Status.DONE and job.run.households == 2 and job.run.passed == 2
    assert job.run.user == users["county"] and job.run.pack_id == "national-2023" and job.run.as_of == date(2024, 6, 1)
    followed = client.get(started["Location"])
    assert followed.status_code == 302 and followed["Location"] == f"/assessments/runs/{job.run_id}/"
    page = client.get(followed["Location"]).content.decode()
    assert "符合监测对象识别条件" in page and "边缘易致贫户" in page
    entry = AuditEntry.objects.get(model="policy.assessmentjob")
    assert (entry.action, entry.via, entry.area_code, entry.object_id) == (Action.CREATE, "ui", COUNTY, str(job.pk))
    assert entry.changes == {
        "kind": "monitoring",
        "pack": "national-2023",
        "as_of": "2024-06-01",
        "area": job.area_name,
    }
    assert not jobs.progress_path(job).exists()  # a finished job's state is its row


def test_a_job_of_a_village_inside_the_users_area(client, users, homes, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(users["township_a"])
    client.post("/assessments/", {**START, "area": VILLAGE_A1})
    run = AssessmentRun.objects.get()
    assert (run.area_code, run.households) == (VILLAGE_A1, 1)
    refused = client.post("/assessments/", {**START, "area": VILLAGE_B1})  # 西一村 is not the township's
    assert refused.status_code == 200 and "不在可用的选项中" in refused.content.decode()
    assert AssessmentJob.objects.count() == 1


def test_a_role_without_the_right_sees_the_runs_but_no_button(client, users, homes):
    client.force_login(users["village_a1"])
    page = client.get("/assessments/").content.decode()
    assert "开始评估" not in page and "请联系县级管理员或乡镇管理员" in page
    refused = client.post("/assessments/", START)
    assert refused.status_code == 403 and AssessmentJob.objects.count() == 0
    assert not AuditEntry.objects.filter(model="policy.assessmentjob").exists()
    with pytest.raises(Exception, match="不能发起评估"):
        jobs.start_assessment(users["department"], "monitoring")


def test_a_pack_without_rules_of_the_kind_is_refused_at_once(client, users, homes):
    client.force_login(users["county"])
    page = client.post("/assessments/", {**START, "kind": "exit"}).content.decode()
    assert "没有“贫困户退出”的规则" in page and AssessmentJob.objects.count() == 0


def test_a_queued_job_shows_its_progress_and_the_worker_runs_it(client, users, homes, settings):
    settings.TASKS = QUEUED
    client.force_login(users["county"])
    location = client.post("/assessments/", START)["Location"]
    job = AssessmentJob.objects.get()
    state = client.get(location, {"format": "json"}).json()
    assert (state["status"], state["finished"], state["progress"]) == (
        "queued",
        False,
        {"phase": "queued", "done": 0, "total": 1, "percent": 0, "label": "排队等待"},
    )
    page = client.get(location).content.decode()
    assert 'id="job-progress"' in page and "web/job.js" in page
    assert "排队中" in client.get("/assessments/").content.decode()  # listed while queued
    township = client_for(users["township_a"])
    assert str(job.pk) in township.get("/assessments/").content.decode()  # the county's job, seen below it
    assert client_for(users["village_b1"]).get(location).status_code == 200
    assert run_assessment.call(str(job.pk)) == "done"  # what `fupin db_worker` does
    assert client.get(location)["Location"] == f"/assessments/runs/{AssessmentJob.objects.get().run_id}/"
    assert run_assessment.call(str(job.pk)) == "done"  # a retried task runs nothing twice
    assert AssessmentRun.objects.count() == 1


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_progress_of_the_phases(users, homes):
    job = jobs.start_assessment(users["county"], "monitoring", pack_id="national-2023", enqueue=False)
    report = jobs.JobProgress(job)
    report.phase("更新农户汇总", 1)
    assert jobs.progress(job)["percent"] == 0
    report.advance("更新农户汇总", 1)
    report.phase("评估", 2)
    report.advance("评估", 1)
    state = json.loads(jobs.progress_path(job).read_text())
    assert state == {"phase": "评估", "done": 1, "total": 2, "percent": 65.0}  # 30 for the profile + 70 × ½
    assert jobs.progress(job)["label"] == "逐户评估"


def test_a_job_that_fails_says_why_and_keeps_no_run(client, users, homes, monkeypatch, settings):
    settings.TASKS = IMMEDIATE

    def refuse(*args, **kwargs):
        raise InvalidAssessment("标准包已被删除")

    monkeypatch.setattr(jobs, "assess", refuse)
    client.force_login(users["county"])
    client.post("/assessments/", START)
    job = AssessmentJob.objects.get()
    assert (job.status, job.message, job.run) == ("failed", "标准包已被删除", None)
    page = client.get("/assessments/").content.decode()
    assert "失败" in page and "标准包已被删除" in page
    assert "标准包已被删除" in client.get(f"/assessments/jobs/{job.pk}/").content.decode()


def test_an_internal_error_is_a_failed_job_with_its_number(users, homes, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "assess", crash)
    job = jobs.run_job(jobs.start_assessment(users["county"], "monitoring", pack_id="national-2023", enqueue=False))
    assert job.status == "failed" and str(job.pk) in job.message and "disk full" not in job.message


def test_another_areas_job_is_not_found(client, users, homes):
    job = jobs.start_assessment(users["township_a"], "monitoring", area=VILLAGE_A1, enqueue=False)
    client.force_login(users["village_b1"])
    assert client.get(f"/assessments/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/assessments/jobs/{job.pk}/", {"format": "json"}).status_code == 404
    client.force_login(users["village_a1"])
    assert client.get(f"/assessments/jobs/{job.pk}/").status_code == 200


def test_a_village_exit_job_ends_on_a_run_page_that_counts_areas(client, users, homes, settings):
    settings.TASKS = IMMEDIATE
    job = jobs.start_assessment(users["county"], "village_exit", pack_id="national-2023", as_of=date(2024, 6, 1))
    assert job.status == job.Status.DONE and job.run.kind == "village_exit"
    client.force_login(users["county"])
    page = client.get(f"/assessments/runs/{job.run_id}/").content.decode()
    assert "区划数" in page and "符合贫困村退出条件" in page and "查看名单" not in page
    lines = [(line.label, line.count) for line in run_summary(job.run)]
    assert sum(count for _label, count in lines) == job.run.households


def test_a_failed_job_leaves_the_runs_list_after_a_week(users, homes):
    from datetime import timedelta

    from django.utils import timezone

    job = jobs.start_assessment(users["county"], "monitoring", pack_id="national-2023", enqueue=False)
    AssessmentJob.objects.filter(pk=job.pk).update(status="failed", finished_at=timezone.now() - timedelta(days=6))
    assert [j.pk for j in jobs.open_jobs(users["county"])] == [job.pk]
    AssessmentJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert jobs.open_jobs(users["county"]) == [] and jobs.get_job(users["county"], job.pk).status == "failed"


def test_a_job_left_running_by_a_dead_worker_is_marked_failed_when_looked_at(users, homes):
    from datetime import timedelta

    from django.utils import timezone

    job = jobs.start_assessment(users["county"], "monitoring", pack_id="national-2023", enqueue=False)
    started = timezone.now() - timedelta(hours=11, minutes=59)
    AssessmentJob.objects.filter(pk=job.pk).update(status="running", started_at=started)
    assert jobs.get_job(users["county"], job.pk).status == "running"  # just under 12 hours: still running
    AssessmentJob.objects.filter(pk=job.pk).update(started_at=started - timedelta(minutes=2))
    seen = jobs.get_job(users["county"], job.pk)
    assert seen.status == "failed" and "已中断" in seen.message
