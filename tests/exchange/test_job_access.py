"""Who sees an import job, its change preview and its error report (web and API), and that each report download
is audited.

The rule (exchange.models / services): a job is seen by its uploader and, inside their area, by the roles that
import (EDITORS); the preview's sensitive values are masked by the viewer's role; the report (every cell of the
file, unmasked) goes to the uploader and to those whose role may reveal every sensitive field the file has a column
of. Anyone else gets the 404 of a missing job, byte for byte.
"""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fupin.accounts import tokens
from fupin.accounts.models import Action, AuditEntry
from fupin.exchange.models import ImportJob
from tests.factories import VILLAGE_A1, make_id
from tests.support import csv_text

pytestmark = pytest.mark.django_db

ROSTER = ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系")
GOOD_ID = make_id(seq=777)
BAD_ID = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")  # the check digit wrong: an error, the ID in full


def bad_roster(*, health=False) -> bytes:
    """One member whose ID number is wrong, so the job ends INVALID with a report (optionally with 健康状况)."""
    headers, row = ROSTER, ("R1", VILLAGE_A1, "秦一", BAD_ID, "户主")
    if health:
        headers, row = (*headers, "健康状况"), (*row, "大病")
    return csv_text(headers, row).encode("utf-8")


def upload(client, user, content: bytes, name="花名册.csv", **extra) -> ImportJob:
    client.force_login(user)
    client.post(reverse("exchange:import"), {"file": SimpleUploadedFile(name, content), **extra})
    return ImportJob.objects.latest("created_at")


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue_token(user, 'test')}"}


def report_audits(job) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.EXPORT, model="exchange.importjob", object_id=str(job.pk)))


def page_text(response, job_id) -> str:
    """A 404 page as the user sees it: the path it names (its own URL) and the per-response CSRF token left out."""
    text = response.content.decode().replace(str(job_id), "<id>")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def same_404(client, name, job_id) -> bool:
    missing_id = uuid.uuid4()
    missing, refused = client.get(reverse(name, args=[missing_id])), client.get(reverse(name, args=[job_id]))
    return refused.status_code == missing.status_code == 404 and page_text(refused, job_id) == page_text(
        missing, missing_id
    )


def web_report(client, job):
    return client.get(reverse("exchange:import-report", args=[job.pk]))


def test_uploader_sees_their_job_and_each_report_download_is_audited(client, users):
    job = upload(client, users["village_a1"], bad_roster())
    assert job.status == ImportJob.Status.INVALID and job.sensitive_fields == ["id_number"]
    page = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert reverse("exchange:import-report", args=[job.pk]) in page and BAD_ID in page  # the village may see IDs
    response = web_report(client, job)
    assert response.status_code == 200 and BAD_ID in b"".join(response.streaming_content).decode("utf-8-sig")
    assert [(a.username, a.via, a.area_code) for a in report_audits(job)] == [("village_a1", "ui", VILLAGE_A1)]
    entry = report_audits(job)[0]
    assert entry.changes == {"report": job.report_name, "file": "花名册.csv", "unmasked": ["id_number"], "masked": []}
    auth = bearer(users["village_a1"])
    state = client.get(f"/api/imports/{job.pk}", **auth).json()
    assert state["has_report"] and not state["report_withheld"] and state["errors"][0]["value"] == BAD_ID
    api = client.get(f"/api/imports/{job.pk}/report", **auth)
    assert api.status_code == 200 and b"".join(api.streaming_content).decode("utf-8-sig").count("秦一") == 1
    assert sorted(a.via for a in report_audits(job)) == ["api", "ui"]


def test_an_editor_of_the_area_above_sees_the_job_and_its_report_audited_in_their_name(client, users):
    job = upload(client, users["village_a1"], bad_roster())
    client.force_login(users["township_a"])
    assert client.get(reverse("exchange:import-job", args=[job.pk])).status_code == 200
    assert "花名册.csv" in client.get(reverse("exchange:import")).content.decode()  # a colleague's job is listed
    assert web_report(client, job).status_code == 200
    assert client.get(f"/api/imports/{job.pk}/report", **bearer(users["township_a"])).status_code == 200
    assert [(a.username, a.via) for a in sorted(report_audits(job), key=lambda a: a.via)] == [
        ("township_a", "api"),
        ("township_a", "ui"),
    ]


def test_a_report_with_health_is_withheld_from_a_role_that_may_not_see_health(client, users):
    """The township may see ID numbers but not health: it sees the job (masked) but not the report."""
    job = upload(client, users["village_a1"], bad_roster(health=True))
    assert job.sensitive_fields == ["health", "id_number"]
    client.force_login(users["township_a"])
    page = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert reverse("exchange:import-report", args=[job.pk]) not in page and "错误报告含有您的角色不能查看的信息" in page
    assert same_404(client, "exchange:import-report", job.pk)
    auth = bearer(users["township_a"])
    state = client.get(f"/api/imports/{job.pk}", **auth).json()
    assert not state["has_report"] and state["report_withheld"]
    refused = client.get(f"/api/imports/{job.pk}/report", **auth)
    assert (
        refused.status_code == 404
        and refused.json() == client.get(f"/api/imports/{uuid.uuid4()}/report", **auth).json()
    )
    assert report_audits(job) == []
    # the county may see every field: it gets it, audited as a download with health unmasked
    client.force_login(users["county"])
    assert web_report(client, job).status_code == 200
    assert [a.changes["unmasked"] for a in report_audits(job)] == [["health", "id_number"]]


@pytest.mark.parametrize("who", ["cadre_a1", "department", "inspector", "village_b1", "village_a2"])
def test_roles_that_do_not_import_and_other_areas_get_the_404_of_a_missing_job(client, users, who):
    """cadre_a1 is in the uploader's own village, department and inspector are county-wide: none of them imports
    (and none may see ID numbers); village_b1 and village_a2 are editors of other areas."""
    job = upload(client, users["village_a1"], bad_roster())
    client.force_login(users[who])
    assert same_404(client, "exchange:import-job", job.pk) and same_404(client, "exchange:import-report", job.pk)
    auth = bearer(users[who])
    for suffix in ("", "/report"):
        missing = client.get(f"/api/imports/{uuid.uuid4()}{suffix}", **auth)
        refused = client.get(f"/api/imports/{job.pk}{suffix}", **auth)
        assert refused.status_code == missing.status_code == 404 and refused.json() == missing.json(), suffix
    assert report_audits(job) == []
    assert users[who].may_edit or client.get(reverse("exchange:import")).status_code == 403


def test_the_preview_masks_what_the_viewer_may_not_reveal(client, users, make_household):
    """A dry run that changes a phone, a bank account and a member's health: each viewer sees the old and new values
    of what their role may reveal, the rest masked — the uploader included (old values come from the registry)."""
    person = make_id()
    make_household(
        number="M1",
        phone="13900001111",
        bank_account="6222000011112222",
        members=[{"name": "张大山", "relation": "01", "id_number": person, "health": "01"}],
    )
    households = csv_text(
        ("户编号", "行政区划代码", "户主姓名", "联系电话", "开户银行账号"),
        ("M1", VILLAGE_A1, "张大山", "13900002222", "6222000099998888"),
    ).encode()
    members = csv_text((*ROSTER, "健康状况"), ("M1", VILLAGE_A1, "张大山", person, "户主", "大病")).encode()
    money = upload(client, users["village_a1"], households, "农户.csv", dry_run="on")
    health = upload(client, users["village_a1"], members, "成员.csv", dry_run="on")
    assert money.status == health.status == ImportJob.Status.CHECKED

    def preview(user, job):
        changes = client.get(f"/api/imports/{job.pk}", **bearer(user)).json()["changes"]
        return {header: pair for change in changes for header, pair in change["changes"].items()}

    county = preview(users["county"], money)
    assert county == {
        "联系电话": ["13900001111", "13900002222"],
        "开户银行账号": ["6222000011112222", "6222000099998888"],
    }
    village = preview(users["village_a1"], money)  # phones yes, bank accounts no
    assert village == {
        "联系电话": ["13900001111", "13900002222"],
        "开户银行账号": ["************2222", "************8888"],
    }
    assert preview(users["village_a1"], health) == {"健康状况": ["01", "03"]}  # the village may see health
    assert preview(users["township_a"], health) == {"健康状况": ["***", "***"]}  # the township may not
    client.force_login(users["township_a"])
    page = client.get(reverse("exchange:import-job", args=[money.pk])).content.decode()
    assert "6222000099998888" not in page and "6222000011112222" not in page and "************8888" in page
    assert (
        "6222000099998888"
        not in client.get(reverse("exchange:import-job", args=[money.pk]) + "?format=json").content.decode()
    )


def test_error_values_are_masked_too(client, users):
    """An error's value is the file's cell: a bank account typed wrong shows masked to a role that may not see it."""
    households = csv_text(
        ("户编号", "行政区划代码", "户主姓名", "开户银行账号"), ("M2", VILLAGE_A1, "张二", "62220000ab11112222")
    ).encode()
    job = upload(client, users["village_a1"], households, "农户.csv")
    county = client.get(f"/api/imports/{job.pk}", **bearer(users["county"])).json()["errors"]
    assert [(e["column"], e["value"]) for e in county] == [("开户银行账号", "62220000ab11112222")]
    village = client.get(f"/api/imports/{job.pk}", **bearer(users["village_a1"])).json()["errors"]
    assert [(e["column"], e["value"]) for e in village] == [("开户银行账号", "**************2222")]
    assert [e["reason"] for e in village] == [e["reason"] for e in county]


def test_the_import_page_offers_nothing_to_a_cadre(client, users):
    client.force_login(users["cadre_a1"])
    listing = client.get(reverse("registry:household-list")).content.decode()
    assert reverse("registry:household-list") in listing and reverse("exchange:import") not in listing  # no menu entry
    page = client.get(reverse("exchange:import"))
    text = page.content.decode()
    assert page.status_code == 403 and "不能导入建档立卡数据" in text
    assert "<form" not in text.split("</header>")[1] and 'type="file"' not in text and "上传并校验" not in text
    refused = client.post(
        "/api/imports", {"file": SimpleUploadedFile("x.csv", bad_roster())}, **bearer(users["cadre_a1"])
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert not ImportJob.objects.exists()
    client.force_login(users["village_a1"])
    assert reverse("exchange:import") in client.get(reverse("registry:household-list")).content.decode()
