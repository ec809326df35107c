"""The project library's pages through the client: a proposal typed in, each step taken by its form, the
implementation's forms, the file served scoped and audited, the list's filters, the bulletin and the exports, and
refusals shown on the form (with nothing written) or as 403/404."""

from datetime import date

import pytest
from django.urls import reverse

from fupin.accounts.models import AuditEntry
from fupin.funds.models import Disbursement, Project, ProjectFile, ProjectStep
from fupin.funds.services import projects
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.funds.projects_helpers import pdf, proposal, sources, walk_to_plan

pytestmark = pytest.mark.django_db


def _form(household):
    central, own = sources()
    return {
        "area_code": VILLAGE_A1, "name": "东一村光伏电站", "year": "2025", "project_type": "industry",
        "category": "collective", "department": "rural", "unit": "place", "planned_quantity": "1", "cost": "80.25",
        "benefit_mechanism": "收益的 60% 分配给脱贫户", "target_0_indicator": "装机容量", "target_0_target": "100千瓦",
        "household_0": household.number, "household_0_way": "dividend",
        "funding_0_source": str(central.pk), "funding_0_amount": "80.25",
    }  # fmt: skip


def test_a_proposal_through_the_pages(client, users, make_household):
    household = make_household()
    client.force_login(users["township_a"])
    assert client.get(reverse("funds:project-add")).status_code == 200
    response = client.post(reverse("funds:project-add"), _form(household))
    assert response.status_code == 302
    project = Project.objects.get(name="东一村光伏电站")
    assert (project.step, str(project.cost), project.beneficiaries.get().household_id) == (
        "apply",
        "80.2500",
        household.pk,
    )
    page = client.get(reverse("funds:project-detail", args=[project.pk])).content.decode()
    assert "办理“户申请”" in page and household.head_name in page and "stepper" in page
    url = reverse("funds:project-step", args=[project.pk])
    assert client.post(url, {"decision": "approve", "on": "2025-03-01"}).status_code == 302
    # the village notice: its start is asked for, and an early pass is refused on the form
    response = client.post(url, {"decision": "approve", "on": "2025-03-05", "notice_from": "2025-03-02"})
    assert response.status_code == 400 and "公示期满后" in response.content.decode()
    assert client.post(url, {"decision": "approve", "on": "2025-03-13", "notice_from": "2025-03-02"}).status_code == 302
    assert client.post(url, {"decision": "approve", "on": "2025-03-14"}).status_code == 302  # 队帮扶
    criteria = {f"criterion_{n}": "yes" for n in range(9)}
    response = client.post(url, {"decision": "approve", "on": "2025-03-15", **criteria, "criterion_4": "no"})
    assert response.status_code == 400 and "“可行性”不符合" in response.content.decode()
    assert client.post(url, {"decision": "approve", "on": "2025-03-15", **criteria}).status_code == 302
    assert client.get(url).status_code == 403  # 县审定 is the county's
    assert ProjectStep.objects.filter(project=project).count() == 4
    client.force_login(users["county"])
    county = {"criterion_0": "yes", "criterion_1": "yes"}
    assert (
        client.post(url, {"decision": "approve", "on": "2025-03-27", "notice_from": "2025-03-16", **county}).status_code
        == 302
    )
    assert client.post(url, {"decision": "approve", "on": "2025-03-28"}).status_code == 302
    project.refresh_from_db()
    assert project.stage == "planned"


@pytest.fixture
def planned(users, make_household):
    return walk_to_plan(users, projects.propose(users["village_a1"], **proposal(make_household())))


def test_the_implementation_forms(client, users, planned):
    pk = planned.pk
    client.force_login(users["township_a"])
    assert client.post(reverse("funds:project-start", args=[pk]), {"on": "2025-04-02"}).status_code == 302
    response = client.post(reverse("funds:project-progress", args=[pk]), {"month": "2025-05", "quantity_done": "3"})
    assert response.status_code == 400 and "超过计划建设规模" in response.content.decode()
    assert (
        client.post(
            reverse("funds:project-progress", args=[pk]), {"month": "2025-05", "quantity_done": "1.25"}
        ).status_code
        == 302
    )
    central, _ = sources()
    pay = {"source_id": str(central.pk), "amount": "50.5", "on": "2025-05-03", "voucher": "记-15"}
    assert client.post(reverse("funds:project-pay", args=[pk]), pay).status_code == 302
    assert Disbursement.objects.get(project_id=pk).amount == 50.5
    upload = {"kind": "acceptance", "upload": pdf()}
    assert client.post(reverse("funds:project-file-add", args=[pk]), upload).status_code == 302
    row = ProjectFile.objects.get(project_id=pk)
    download = client.get(reverse("funds:project-file", args=[row.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="export", model="funds.projectfile").count() == 1
    client.force_login(users["village_b1"])
    assert client.get(reverse("funds:project-file", args=[row.pk])).status_code == 404
    assert client.get(reverse("funds:project-detail", args=[pk])).status_code == 404
    client.force_login(users["county"])
    targets = {f"actual_{t.pk}": t.target for t in planned.targets.all()}
    accept = {"on": "2025-10-10", "result": "passed", "record": "工程质量合格", **targets}
    assert client.post(reverse("funds:project-accept", args=[pk]), accept).status_code == 302
    client.force_login(users["inspector"])
    assert client.get(reverse("funds:project-complete", args=[pk])).status_code == 403
    assert (
        client.post(reverse("funds:project-audit", args=[pk]), {"on": "2025-11-01", "opinion": "规范"}).status_code
        == 302
    )
    client.force_login(users["county"])
    assert client.post(reverse("funds:project-complete", args=[pk]), {"on": "2025-11-05"}).status_code == 302
    planned.refresh_from_db()
    assert planned.stage == "completed"
    page = client.get(reverse("funds:project-detail", args=[pk])).content.decode()
    assert "工程质量合格" in page and "记-15" in page and "50.5000" in page


def test_the_list_filters_bulletin_and_exports(client, users, planned, make_household):
    projects.propose(users["village_b1"], **proposal(make_household(VILLAGE_B1), area_code=VILLAGE_B1, name="西一村路"))
    client.force_login(users["county"])
    page = client.get(reverse("funds:project-list")).content.decode()
    assert "东一村三组通组硬化路" in page and "西一村路" in page
    page = client.get(reverse("funds:project-list"), {"township": "149901002000", "stage": "proposed"}).content.decode()
    assert "西一村路" in page and "东一村三组通组硬化路" not in page
    assert "共 0 个项目" in client.get(reverse("funds:project-list"), {"year": "20x5"}).content.decode()
    client.force_login(users["township_a"])
    assert "西一村路" not in client.get(reverse("funds:project-list")).content.decode()
    page = client.get(reverse("funds:project-bulletin"), {"month": "2025-04"}).content.decode()
    assert "2025年4月项目进度通报" in page and "东乡镇" in page and "0.00%" in page
    response = client.get(reverse("funds:project-bulletin-xlsx"), {"month": "2025-04", "by": "department"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    response = client.get(reverse("funds:project-export"), {"stage": "planned"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="export", model="funds.project").count() == 2


def test_a_returned_proposal_is_revised_on_its_page(client, users, make_household):
    project = projects.propose(users["village_a1"], **proposal(make_household()))
    client.force_login(users["village_a1"])
    url = reverse("funds:project-step", args=[project.pk])
    response = client.post(url, {"decision": "return", "on": "2025-03-01"})
    assert response.status_code == 400 and "须填写意见" in response.content.decode()
    assert client.post(url, {"decision": "return", "on": "2025-03-01", "comment": "补充受益户"}).status_code == 302
    edit = reverse("funds:project-edit", args=[project.pk])
    form = client.get(edit)
    assert form.status_code == 200 and "东一村三组通组硬化路" in form.content.decode()
    client.force_login(users["cadre_a1"])
    assert client.get(edit).status_code == 403
    assert client.get(reverse("funds:project-add")).status_code == 403


def test_the_import_page(client, users, make_household):
    household = make_household(number="H-001")
    central, own = sources()
    header = (
        "项目名称,计划年度,项目地点代码,项目类型,资金用途,计量单位,计划建设规模,投资估算（万元）,联农带农机制,"
        "绩效目标,资金筹措（万元）,受益农户户编号,带动方式"
    )
    good = (
        f"东一村蓄水池,2025,{VILLAGE_A1},农田水利,蓄水池建设,口,2,12.3456,务工,蓄水量：200立方米,"
        f"{central.name}：12.3456,{household.number},务工就业"
    )
    bad = f"东一村便道,2025,{VILLAGE_A1},农田水利,蓄水池建设,口,2,1.23456,务工,,,,"
    client.force_login(users["township_a"])
    assert client.get(reverse("funds:project-import")).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = f"{header}\n{good}\n{bad}\n".encode()
    response = client.post(reverse("funds:project-import"), {"upload": SimpleUploadedFile("项目.csv", data)})
    text = response.content.decode()
    assert response.status_code == 400 and "第 3 行 投资估算（万元）（H 列）：投资估算最多保留四位小数" in text
    assert not Project.objects.exists()
    data = f"{header}\n{good}\n".encode()
    response = client.post(reverse("funds:project-import"), {"upload": SimpleUploadedFile("项目.csv", data)})
    assert response.status_code == 302, response.content.decode()[-3000:]
    project = Project.objects.get()
    assert (project.cost, project.step, project.funding.get().amount) == (
        project.cost.__class__("12.3456"),
        "apply",
        project.cost.__class__("12.3456"),
    )
    assert project.targets.get().target == "200立方米" and project.beneficiaries.get().way == "wage"
    client.force_login(users["village_a1"])
    assert client.get(reverse("funds:project-import")).status_code == 403


def test_a_submitted_proposal_is_not_offered_for_editing(client, users, make_household):
    project = projects.propose(users["village_a1"], **proposal(make_household()))
    projects.take_step(users["village_a1"], project, step="apply", decision="approve", on=date(2025, 3, 1))
    client.force_login(users["village_a1"])
    page = client.get(reverse("funds:project-detail", args=[project.pk])).content.decode()
    assert "修改申报" not in page and "办理“村提议”" in page
    response = client.get(reverse("funds:project-edit", args=[project.pk]), follow=True)
    assert "只有退回申报人后才能修改" in response.content.decode()


def test_the_board_notices(client, users, planned):
    client.force_login(users["village_a1"])
    page = client.get(reverse("funds:project-notice", args=[planned.pk, "village"])).content.decode()
    assert "关于东一村三组通组硬化路的项目公示" in page and "东一村村民委员会" in page
    assert "公示期：2025年3月2日至2025年3月12日" in page and "120.5000 万元" in page and "受益农户 1 户" in page
    head = planned.beneficiaries.get().household.head_name
    assert head not in page  # a board notice names no household
    page = client.get(reverse("funds:project-notice", args=[planned.pk, "county"])).content.decode()
    assert "公示期：2025年3月16日至2025年3月26日" in page and "示范县巩固拓展脱贫攻坚成果和乡村振兴领导小组" in page
    assert client.get(reverse("funds:project-notice", args=[planned.pk, "nonsense"])).status_code == 404
    client.force_login(users["village_b1"])
    assert client.get(reverse("funds:project-notice", args=[planned.pk, "village"])).status_code == 404


def test_a_proposal_is_withdrawn_while_with_its_proposer(client, users, make_household):
    project = projects.propose(users["village_a1"], **proposal(make_household()))
    client.force_login(users["village_a1"])
    url = reverse("funds:project-withdraw", args=[project.pk])
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400
    assert client.post(url, {"reason": "与东一村产业路重复"}).status_code == 302
    project.refresh_from_db()
    assert project.stage == "withdrawn"
    entry = AuditEntry.objects.filter(model="funds.project", action="update").latest("id")
    assert entry.changes == {"stage": "withdrawn", "reason": "与东一村产业路重复"}
    response = client.post(url, {"reason": "再撤一次"})
    assert response.status_code == 400 and "才能撤回" in response.content.decode()
