"""Department data through its doors: the clerk's pages, `fupin department_import` and the API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.accounts import tokens
from fupin.monitoring.models import Clue, DepartmentDesk, DepartmentUpload
from tests.factories import VILLAGE_A1

MEDICAL = "证件号码,姓名,三重保障后个人负担（元）\n"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MONITORING_FILES_DIR = tmp_path / "monitoring"


@pytest.fixture
def clerk(users):
    DepartmentDesk.objects.create(user=users["department"], department="medical")
    return users["department"]


@pytest.fixture
def member(make_household):
    household = make_household(VILLAGE_A1, members=[{"name": "张大山", "relation": "01"}])
    return household.members.get()


def test_the_clerk_uploads_on_the_page_and_sees_the_result(client, clerk, member):
    client.force_login(clerk)
    page = client.get("/monitoring/departments/upload/")
    assert page.status_code == 200 and '<option value="medical" selected>医保</option>' in page.content.decode()
    assert 'value="civil"' not in page.content.decode()  # a desk uploads its own department's data only
    upload = SimpleUploadedFile("医保.csv", (MEDICAL + f"{member.id_number},张大山,30000\n").encode())
    answer = client.post(
        "/monitoring/departments/upload/", {"department": "medical", "period": "2026-11", "file": upload}
    )
    done = DepartmentUpload.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/monitoring/departments/{done.pk}/"
    result = client.get(answer["Location"]).content.decode()
    assert "生成线索</th><td>1</td>" in result and "医保数据（2026-11）：个人负担 30,000.00 元" in result
    listing = client.get("/monitoring/departments/").content.decode()
    assert "医保.csv" in listing and "待受理" in listing
    report = client.get(f"/monitoring/departments/{done.pk}/report/")
    assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")


def test_a_clerk_without_a_desk_is_told_so(client, users):
    client.force_login(users["department"])
    page = client.get("/monitoring/departments/upload/").content.decode()
    assert "您的账号还没有指定所属部门" in page and 'enctype="multipart/form-data"' not in page


def test_a_refused_file_is_shown_on_the_form_and_writes_nothing(client, clerk):
    client.force_login(clerk)
    upload = SimpleUploadedFile("民政.csv", "证件号码,姓名,救助类型\n110105199003071239,甲,低保\n".encode())
    page = client.post(
        "/monitoring/departments/upload/", {"department": "medical", "period": "2026-11", "file": upload}
    )
    assert page.status_code == 200 and "不是所选的“医保医疗费用”" in page.content.decode()
    assert not DepartmentUpload.objects.exists()


def test_the_command(users, member, tmp_path):
    path = tmp_path / "医保.csv"
    path.write_text(MEDICAL + f"{member.id_number},张大山,30000\n", encoding="utf-8")
    out = io.StringIO()
    call_command("department_import", str(path), department="medical", period="2026-11", user="county", stdout=out)
    assert "1 行，匹配 1" in out.getvalue() and "生成线索 1" in out.getvalue()
    assert DepartmentUpload.objects.get().via == "cli" and Clue.objects.count() == 1
    with pytest.raises(CommandError, match="您不能上传医保的预警数据"):
        call_command("department_import", str(path), department="medical", period="2026-11", user="village_a1")


def test_the_api(client, clerk, member, users):
    token = tokens.issue_token(clerk, "tests", via="test")
    headers = {"Authorization": f"Bearer {token}"}
    upload = SimpleUploadedFile("医保.csv", (MEDICAL + f"{member.id_number},张大山,30000\n").encode())
    answer = client.post(
        "/api/department-uploads", {"department": "medical", "period": "2026-11", "file": upload}, headers=headers
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["counts"]["clues_raised"] == 1 and body["department_label"] == "医保"
    again = client.get(f"/api/department-uploads/{body['id']}", headers=headers)
    assert again.status_code == 200 and again.json()["counts"] == body["counts"]
    other = tokens.issue_token(users["village_a1"], "tests", via="test")
    hidden = client.get(f"/api/department-uploads/{body['id']}", headers={"Authorization": f"Bearer {other}"})
    assert hidden.status_code == 404
