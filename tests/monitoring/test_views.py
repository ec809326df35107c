"""The monitoring pages: each role's inbox (by deadline, filtered, exported and audited), recording a clue,
accepting and rejecting it, the case page (deadlines, steps, evidence, buttons) and its actions, refusals shown in
Chinese with nothing changed, another township's case like a missing one, notices with their PDF, the home page's
counts and policy's 发起监测."""

from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from fupin.accounts.models import AuditEntry, User
from fupin.accounts.roles import Role
from fupin.monitoring.codes import CaseState, ClueState, StepCode
from fupin.monitoring.models import Case, CaseStep, Clue, Evidence, Notice
from fupin.policy.services.batch import assess
from tests.factories import TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1
from tests.monitoring.web_support import START, case_at, clock_fixture, new_clue, upload  # noqa: F401
from tests.policy.registry_data import conditions, income, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def township_b(areas):
    return User.objects.create_user(username="township_b", password=None, role=Role.TOWNSHIP, area_id=TOWNSHIP_B)


def page(client, user, url, **data):
    client.force_login(user)
    response = client.get(url, data)
    return response, response.content.decode()


def snapshot():
    return (
        list(Case.objects.values_list("pk", "step", "state", "step_due", "category")),
        list(Clue.objects.values_list("pk", "state", "reject_reason")),
        CaseStep.objects.count(),
        AuditEntry.objects.count(),
    )


# ── inboxes ─────────────────────────────────────────────────────────────────────────────────────────────────────


def test_each_role_sees_its_own_steps_by_deadline_and_never_another_townships(
    client, users, make_household, clock, township_b
):
    clock(START + timedelta(days=30))
    early = make_household(VILLAGE_A1, head_name="赵早")
    late = make_household(VILLAGE_A1, head_name="钱晚")
    west = make_household(VILLAGE_B1, head_name="孙西")
    case_at(users, late, StepCode.VERIFY, on=START + timedelta(days=2))
    case_at(users, early, StepCode.VERIFY, on=START)
    case_at(users, west, StepCode.CROSSCHECK, village=VILLAGE_B1)

    _, body = page(client, users["village_a1"], "/monitoring/", box="verify")
    assert body.index("赵早") < body.index("钱晚"), "sorted by the step's deadline"
    assert "孙西" not in body
    _, body = page(client, users["county"], "/monitoring/", box="crosscheck")
    assert "孙西" in body and "赵早" not in body
    _, body = page(client, users["county"], "/monitoring/", box="open", area=VILLAGE_A1)
    assert "赵早" in body and "孙西" not in body
    _, body = page(client, township_b, "/monitoring/", box="open")
    assert "孙西" in body and "赵早" not in body and "钱晚" not in body
    # the step deadline of a case verified from START is START + 3 days (national pack): red, 逾期, on day 30
    _, body = page(client, users["village_a1"], "/monitoring/", box="overdue")
    assert 'class="overdue"' in body and "赵早" in body


def test_the_inbox_exported_is_the_filtered_box_and_audited(client, users, make_household, clock):
    clock(START + timedelta(days=5))
    case_at(users, make_household(VILLAGE_A1, head_name="赵早"), StepCode.VERIFY)
    case_at(users, make_household(VILLAGE_B1, head_name="孙西"), StepCode.VERIFY, village=VILLAGE_B1)
    client.force_login(users["county"])
    response = client.get("/monitoring/export.csv", {"box": "open", "area": VILLAGE_A1})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "赵早" in text and "孙西" not in text and len(text.strip().splitlines()) == 2
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.model, entry.via) == ("export", "monitoring.case", "ui")
    assert entry.changes["filters"] == {"area": VILLAGE_A1} and entry.changes["rows"] == 1
    response = client.get("/monitoring/export.xlsx", {"box": "open"})
    assert response.content[:2] == b"PK"
    assert client.get("/monitoring/export.pdf").status_code == 404


# ── clues ───────────────────────────────────────────────────────────────────────────────────────────────────────


def clue_form(**fields):
    return {
        "village": VILLAGE_A1,
        "channel": "self_report",
        "via_channel": "hotline",
        "risk_types": ["01", "09"],
        "description": "12317 来电：住院",
        "reported_on": "2024-03-04",
        **fields,
    }


def test_a_village_clerk_records_a_clue_for_a_household_by_its_number(client, users, make_household, clock):
    clock(START)
    household = make_household(VILLAGE_A1, number="A1-0031", head_name="李秀英")
    client.force_login(users["village_a1"])
    response = client.post("/monitoring/clues/add/", clue_form(household="A1-0031"))
    assert response.status_code == 302
    clue = Clue.objects.get()
    assert (clue.household, clue.channel, clue.via) == (household, "self_report", "hotline")
    assert clue.risk_types == ["01", "09"]
    assert clue.accept_due == date(2024, 3, 6)  # clue_accept_days 2, calendar days
    body = client.get(response["Location"]).content.decode()
    assert "李秀英" in body and "因病、因学" in body


def test_a_clue_without_a_household_or_a_person_is_refused_in_chinese(client, users, clock):
    clock(START)
    client.force_login(users["village_a1"])
    response = client.post("/monitoring/clues/add/", clue_form())
    assert response.status_code == 400
    assert "请填写已登记农户，或未登记申报人的姓名和证件号码" in response.content.decode()
    response = client.post("/monitoring/clues/add/", clue_form(household="没有这户"))
    assert "本村没有户编号或户主姓名为“没有这户”的农户" in response.content.decode()
    assert not Clue.objects.exists()


def test_the_township_rejects_only_with_a_reason_and_accepts_into_a_case(client, users, make_household, clock):
    clock(START + timedelta(days=1))
    clue = new_clue(users["village_a1"], make_household(VILLAGE_A1))
    client.force_login(users["township_a"])
    body = client.get(f"/monitoring/clues/{clue.pk}/").content.decode()
    assert "受理并立案" in body and "不予受理" in body
    before = snapshot()
    response = client.post(f"/monitoring/clues/{clue.pk}/reject/", {"reason": ""})
    assert response.status_code == 400 and "不予受理须填写理由" in response.content.decode()
    assert snapshot() == before
    response = client.post(f"/monitoring/clues/{clue.pk}/accept/", {"category": "2"})
    case = Case.objects.get()
    assert response["Location"] == f"/monitoring/cases/{case.pk}/"
    assert (case.step, case.category, case.clue_id) == (StepCode.VERIFY, "2", clue.pk)
    clue.refresh_from_db()
    assert clue.state == ClueState.ACCEPTED


def test_a_village_clerk_gets_no_accept_buttons(client, users, make_household, clock):
    clock(START)
    clue = new_clue(users["village_a1"], make_household(VILLAGE_A1))
    _, body = page(client, users["village_a1"], f"/monitoring/clues/{clue.pk}/")
    assert "受理并立案" not in body


# ── the case page ───────────────────────────────────────────────────────────────────────────────────────────────


def test_the_case_page_shows_deadlines_steps_evidence_and_the_allowed_buttons(client, users, make_household, clock):
    household = make_household(VILLAGE_A1, head_name="周建国")
    case, day = case_at(users, household, StepCode.REVIEW)
    clock(day)
    response, body = page(client, users["village_a1"], f"/monitoring/cases/{case.pk}/")
    assert response.status_code == 200
    assert "周建国" in body and "村级民主评议" in body
    assert "入户核实" in body and "县级信息比对" in body  # the steps taken
    assert "承诺授权书.pdf" in body and f"/monitoring/evidence/{case.evidence.first().pk}/" in body
    assert 'value="pass"' in body and 'value="reject"' in body and 'value="back"' in body
    assert f"剩 {(case.step_due - day).days} 天" in body
    # the county's own step is not the village's: no buttons for the village clerk at 县级信息比对
    crosscheck, day = case_at(users, make_household(VILLAGE_A1), StepCode.CROSSCHECK)
    clock(day)
    _, body = page(client, users["village_a1"], f"/monitoring/cases/{crosscheck.pk}/")
    assert 'value="pass"' not in body


def test_an_overdue_case_is_red_with_the_days_over(client, users, make_household, clock):
    case, day = case_at(users, make_household(VILLAGE_A1), StepCode.VERIFY)
    clock(case.step_due + timedelta(days=4))
    _, body = page(client, users["village_a1"], f"/monitoring/cases/{case.pk}/")
    assert "已逾期 4 天" in body and 'class="overdue"' in body


def test_a_cross_check_without_the_signed_consent_is_refused_on_the_page(client, users, make_household, clock):
    clock(START)
    clue = new_clue(users["village_a1"], make_household(VILLAGE_A1))
    client.force_login(users["township_a"])
    client.post(f"/monitoring/clues/{clue.pk}/accept/", {})
    case = Case.objects.get()
    client.force_login(users["village_a1"])
    client.post(f"/monitoring/cases/{case.pk}/evidence/", {"kind": "survey", "upload": upload()})
    before = snapshot()
    response = client.post(f"/monitoring/cases/{case.pk}/act/", {"step": "verify", "decision": "pass"})
    assert response.status_code == 422
    assert "没有承诺授权书，不能开展信息比对" in response.content.decode()
    assert snapshot() == before
    client.post(f"/monitoring/cases/{case.pk}/evidence/", {"kind": "consent", "upload": upload("授权书.jpg")})
    response = client.post(f"/monitoring/cases/{case.pk}/act/", {"step": "verify", "decision": "pass"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.step == StepCode.CROSSCHECK


def test_a_return_needs_a_reason_and_a_rejection_ends_the_case(client, users, make_household, clock):
    case, day = case_at(users, make_household(VILLAGE_A1), StepCode.REVIEW)
    clock(day)
    client.force_login(users["village_a1"])
    before = snapshot()
    response = client.post(f"/monitoring/cases/{case.pk}/act/", {"step": "review", "decision": "back"})
    assert "退回上一环节须填写理由" in response.content.decode() and snapshot() == before
    response = client.post(
        f"/monitoring/cases/{case.pk}/act/", {"step": "review", "decision": "reject", "comment": "评议未通过：收入稳定"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.close_reason) == (CaseState.REJECTED, "评议未通过：收入稳定")


def test_a_township_acting_outside_its_area_gets_404_and_nothing_changes(
    client, users, make_household, clock, township_b
):
    case, day = case_at(users, make_household(VILLAGE_A1), StepCode.TOWNSHIP)
    clock(day)
    clue = new_clue(users["village_a1"], make_household(VILLAGE_A1), on=day)
    client.force_login(township_b)
    before = snapshot()
    for url, data in (
        (f"/monitoring/cases/{case.pk}/", None),
        (f"/monitoring/cases/{case.pk}/act/", {"step": "township", "decision": "pass"}),
        (f"/monitoring/cases/{case.pk}/category/", {"category": "1"}),
        (f"/monitoring/cases/{case.pk}/evidence/", {"kind": "other", "upload": upload()}),
        (f"/monitoring/clues/{clue.pk}/accept/", {}),
        (f"/monitoring/clues/{clue.pk}/reject/", {"reason": "不属实"}),
        (f"/monitoring/evidence/{case.evidence.first().pk}/", None),
    ):
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code == 404, url
    assert snapshot() == before
    client.force_login(users["township_a"])
    assert client.post(f"/monitoring/cases/{case.pk}/act/", {"step": "township", "decision": "pass"}).status_code == 302


def test_evidence_downloads_are_audited_and_refused_to_a_department(client, users, make_household, clock):
    case, day = case_at(users, make_household(VILLAGE_A1), StepCode.CROSSCHECK)
    clock(day)
    item = Evidence.objects.filter(case=case).first()
    client.force_login(users["village_a1"])
    response = client.get(f"/monitoring/evidence/{item.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.model, entry.object_id) == ("export", "monitoring.evidence", str(item.pk))
    client.force_login(users["department"])
    assert client.get(f"/monitoring/evidence/{item.pk}/").status_code == 403


# ── notices ─────────────────────────────────────────────────────────────────────────────────────────────────────


def test_a_notice_of_the_village_is_posted_printed_and_downloaded_without_ids(client, users, make_household, clock):
    household = make_household(
        VILLAGE_A1, head_name="吴桂芳", members=[member("吴桂芳", "01"), member("吴小明", "03", "20100101")]
    )
    case, day = case_at(users, household, StepCode.NOTICE)
    clock(day)
    client.force_login(users["village_a1"])
    body = client.get("/monitoring/notices/add/", {"village": VILLAGE_A1, "kind": "village"}).content.decode()
    assert f'value="{case.pk}"' in body
    response = client.post(
        "/monitoring/notices/add/",
        {"village": VILLAGE_A1, "kind": "village", "cases": [case.pk], "posted_on": day.isoformat(),
         "contact": "村委会 张主任 0350-1234567"},
    )  # fmt: skip
    notice = Notice.objects.get()
    assert response["Location"] == f"/monitoring/notices/{notice.pk}/"
    assert notice.objection_until == day + timedelta(days=5)
    body = client.get(f"/monitoring/notices/{notice.pk}/").content.decode()
    assert "吴桂芳" in body and "边缘易致贫户" in body
    pdf = client.get(f"/monitoring/notices/{notice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    import io

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "吴桂芳" in text
    for member_row in household.members.all():
        assert member_row.id_number not in text
    assert "13912345678" not in text
    # the review cannot pass while the notice runs: on its last day still refused, the day after allowed
    clock(notice.objection_until)
    response = client.post(f"/monitoring/cases/{case.pk}/act/", {"step": "notice", "decision": "pass"})
    assert "尚在公示期内" in response.content.decode()
    clock(notice.objection_until + timedelta(days=1))
    assert client.post(f"/monitoring/cases/{case.pk}/act/", {"step": "notice", "decision": "pass"}).status_code == 302


# ── home and policy's 发起监测 ──────────────────────────────────────────────────────────────────────────────────


def test_the_home_page_counts_what_waits_for_each_role(client, users, make_household, clock):
    case, day = case_at(users, make_household(VILLAGE_A1), StepCode.TOWNSHIP)
    clock(day)
    new_clue(users["village_a1"], make_household(VILLAGE_A1), on=day)
    _, body = page(client, users["township_a"], "/home/")
    assert "<b>1</b> 乡镇审核" in body and "<b>1</b> 待受理线索" in body
    _, body = page(client, users["village_a1"], "/home/")
    assert "<b>1</b> 已登记、待乡镇受理的线索" in body
    assert "/monitoring/departments/upload/" not in body
    _, body = page(client, users["department"], "/home/")
    assert 'href="/monitoring/departments/upload/"' in body and 'href="/monitoring/departments/"' in body


def test_the_flagged_list_starts_monitoring_for_a_household(client, users, make_household, clock):
    clock(date(2024, 6, 1))
    household = make_household(VILLAGE_A1, head_name="郑低收", members=[member("郑低收", "01")])
    income(household, 2023, wage="3000")
    conditions(household, 2023)
    run = assess("monitoring", user=users["county"], pack_id="national-2023", as_of=date(2024, 6, 1))
    client.force_login(users["township_a"])
    body = client.get("/assessments/flagged/", {"kind": "monitoring"}).content.decode()
    assert "发起监测" in body and 'form="flagged-actions"' in body
    response = client.post(
        "/monitoring/from-run/", {"run": run.pk, "one": household.pk, "next": "/assessments/flagged/?kind=monitoring"}
    )
    assert response["Location"] == "/assessments/flagged/?kind=monitoring"
    case = Case.objects.get()
    assert (case.household, case.clue.channel, case.step) == (household, "system", StepCode.VERIFY)
    response = client.post("/monitoring/from-run/", {"run": run.pk, "one": household.pk, "next": "https://evil/"})
    assert response["Location"] == "/monitoring/" and Case.objects.count() == 1
