"""The web pages through Django's test client: roles, area scoping (404 outside), masking, reveal, audited edits,
exports, login audit."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Action, AuditEntry
from fupin.registry import codes, services
from fupin.registry.models import Household, IncomeAccount, LivingConditions, Member
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_id

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
PHONE_MASKED = "139****5678"
BANK = "6222020200112233445"
ID_A1 = make_id("19750315", seq=311)


@pytest.fixture
def homes(make_household, users):
    """One household in each village; the one in 东一村 has a full record (income, conditions, events)."""
    a1 = make_household(
        VILLAGE_A1,
        number="A1-0001",
        head_name="李春花",
        bank_account=BANK,
        members=[{"name": "李春花", "relation": "01", "id_number": ID_A1, "health": codes.Health.CHRONIC}],
    )
    IncomeAccount.objects.create(
        household=a1,
        year=2023,
        persons=1,
        wage_income=Decimal("6000"),
        dibao_income=Decimal("1200"),
        business_expense=Decimal("500"),
    )
    LivingConditions.objects.create(household=a1, year=2023, housing_safety=codes.HousingSafety.GRADE_C)
    services.record_event(
        users["county"], a1, codes.EventKind.IDENTIFIED, date(2015, 3, 1), reason="因病", approver="县扶贫办"
    )
    return {
        "a1": a1,
        "a2": make_household(VILLAGE_A2, number="A2-0001", head_name="王秋实"),
        "b1": make_household(VILLAGE_B1, number="B1-0001", head_name="赵冬生"),
    }


def login(client, user):
    client.force_login(user)
    return client


def export_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def form_data(form, **changes) -> dict:
    """What a browser would post back for an unchanged form, with `changes` on top."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.name] = "on"
        elif value is not None:
            data[bound.name] = value
    return {**data, **changes}


def household_urls(household) -> list[str]:
    member = household.members.first()
    return [
        reverse("registry:household-detail", args=[household.pk]),
        reverse("registry:household-edit", args=[household.pk]),
        reverse("registry:member-add", args=[household.pk]),
        reverse("registry:event-add", args=[household.pk]),
        reverse("registry:member-edit", args=[member.pk]),
    ]


# --- every page, every role -------------------------------------------------------------------------------------

OWN_HOUSEHOLD = {
    "county": "a1",
    "township_a": "a2",
    "village_a1": "a1",
    "village_a2": "a2",
    "village_b1": "b1",
    "cadre_a1": "a1",
    "inspector": "b1",
    "department": "a1",
}


@pytest.mark.parametrize("role", sorted(OWN_HOUSEHOLD))
def test_every_page_renders_for_its_role(client, users, homes, role):
    user = users[role]
    login(client, user)
    household = homes[OWN_HOUSEHOLD[role]]
    pages = [
        reverse("registry:household-list"),
        reverse("registry:duplicates"),
        reverse("exports:household-export"),
        reverse("exports:household-export-xlsx"),
        reverse("exchange:exchange-template"),
    ]
    for url in pages + household_urls(household)[:1]:
        assert client.get(url).status_code == 200, url
    for url in household_urls(household)[1:]:
        assert client.get(url).status_code == (200 if user.may_edit else 403), url
    header = client.get(reverse("registry:household-list")).content.decode()
    assert user.get_role_display() in header and user.area.full_name() in header


def test_header_shows_full_area_name_and_staff_link(client, users, homes):
    users["county"].is_staff = True
    users["county"].save()
    page = login(client, users["county"]).get("/").content.decode()
    assert "山西省示范市示范县" in page and "县级管理员" in page and 'href="/admin/"' in page
    page = login(client, users["village_a1"]).get("/").content.decode()
    assert "山西省示范市示范县东乡镇东一村" in page and 'href="/admin/"' not in page


def test_household_page_shows_every_part_of_the_record(client, users, homes):
    page = (
        login(client, users["county"]).get(reverse("registry:household-detail", args=[homes["a1"].pk])).content.decode()
    )
    for text in (
        "户编号",
        "A1-0001",
        "致贫/返贫风险等级",
        "整户无劳动能力兜底",
        "家庭成员",
        "李春花",
        "健康状况",
        "收入台账",
        "工资性收入（含公益性岗位）",
        "6000.00",
        "人均纯收入",
        "6700.00",
        "C级危房",
        "识别为贫困户",
        "县扶贫办",
        "因病",
        "山西省示范市示范县东乡镇东一村",
    ):
        assert text in page, text


# --- area scoping -----------------------------------------------------------------------------------------------


def test_village_user_gets_404_for_another_villages_household(client, users, homes):
    login(client, users["village_a1"])
    other = homes["b1"]
    for url in household_urls(other):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "不在您的管辖范围内" in response.content.decode()
    for url in household_urls(other)[1:]:
        assert client.post(url, {"head_name": "改名", "name": "改名"}).status_code == 404, url
    member = other.members.get()
    for kind, pk, field in (("member", member.pk, "id_number"), ("household", other.pk, "phone")):
        response = client.post(reverse("registry:reveal", args=[kind, pk, field]))
        assert response.status_code == 404 and "value" not in response.json()
    other.refresh_from_db()
    assert other.head_name == "赵冬生" and not AuditEntry.objects.filter(action=Action.REVEAL).exists()


def test_list_and_export_never_include_other_villages(client, users, homes):
    numbers = {key: household.number for key, household in homes.items()}
    expected = {"village_a1": {"a1"}, "village_b1": {"b1"}, "township_a": {"a1", "a2"}, "county": {"a1", "a2", "b1"}}
    for role, keys in expected.items():
        login(client, users[role])
        page = client.get(reverse("registry:household-list")).content.decode()
        exported = {row[0].strip() for row in export_rows(client.get(reverse("exports:household-export")))[1:]}
        assert exported == {numbers[k] for k in keys}, role
        for key, number in numbers.items():
            assert (number in page) == (key in keys), (role, number)


def test_filtering_by_a_village_outside_the_scope_shows_nothing(client, users, homes):
    login(client, users["village_a1"])
    page = client.get(reverse("registry:household-list"), {"area": VILLAGE_B1}).content.decode()
    assert "B1-0001" not in page and "A1-0001" not in page and "共 0 户" in page


def test_area_choices_are_the_users_townships_and_villages(client, users, homes):
    form = login(client, users["township_a"]).get(reverse("registry:household-list")).context["form"]
    codes_offered = [code for code, _label in form.fields["area"].widget.choices if code]
    assert codes_offered == ["149901001000", VILLAGE_A1, VILLAGE_A2]


# --- masking ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["county", "township_a", "village_a1", "cadre_a1", "inspector", "department"])
def test_ids_phones_and_accounts_are_masked_in_list_page_and_in_export_unless_the_role_may_see_them(
    client, users, homes, role
):
    user = users[role]
    login(client, user)
    household = homes["a1"]
    listing = client.get(reverse("registry:household-list")).content.decode()
    page = client.get(reverse("registry:household-detail", args=[household.pk])).content.decode()
    exported = export_rows(client.get(reverse("exports:household-export")))
    row = dict(zip(exported[0], next(r for r in exported if r[0].strip() == household.number)))
    for full in (PHONE, ID_A1, BANK):
        assert full not in listing and full not in page
    assert PHONE_MASKED in listing and PHONE_MASKED in page
    assert ID_A1[:6] + "********" + ID_A1[-4:] in page
    assert "长期慢性病" not in page  # health status is masked too
    # the export is a file for work: a role that may reveal a field gets it whole, and the audit log says so
    assert row["联系电话"].strip() == (PHONE if user.may_reveal("phone") else PHONE_MASKED)
    assert row["户主证件号码"].strip() == (
        ID_A1 if user.may_reveal("id_number") else ID_A1[:6] + "********" + ID_A1[-4:]
    )
    assert row["开户银行账号"].strip() == (BANK if user.may_reveal("bank_account") else "*" * 15 + BANK[-4:])


@pytest.mark.parametrize(
    ("role", "buttons"),
    [("county", 4), ("village_a1", 3), ("cadre_a1", 1), ("department", 0)],  # phone, bank account, ID, health
)
def test_reveal_buttons_only_for_fields_the_role_may_see(client, users, homes, role, buttons):
    page = login(client, users[role]).get(reverse("registry:household-detail", args=[homes["a1"].pk])).content.decode()
    assert page.count('class="reveal"') == buttons


# --- reveal -----------------------------------------------------------------------------------------------------


def test_reveal_is_refused_with_a_chinese_message_for_a_role_without_the_permission(client, users, homes):
    member = homes["a1"].members.get()
    login(client, users["department"])
    for kind, pk, field in (("member", member.pk, "id_number"), ("household", homes["a1"].pk, "phone")):
        response = client.post(reverse("registry:reveal", args=[kind, pk, field]))
        assert response.status_code == 403
        assert response.json() == {
            "error": {"code": "permission_denied", "message": "您的角色无权查看该信息", "field": None, "details": None}
        }
    login(client, users["cadre_a1"])
    assert client.post(reverse("registry:reveal", args=["member", member.pk, "health"])).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


def test_reveal_returns_the_value_and_is_audited(client, users, homes):
    member = homes["a1"].members.get()
    login(client, users["village_a1"])
    response = client.post(reverse("registry:reveal", args=["member", member.pk, "id_number"]))
    assert response.status_code == 200 and response.json() == {"value": ID_A1}
    assert client.post(reverse("registry:reveal", args=["member", member.pk, "health"])).json() == {
        "value": "长期慢性病"
    }
    entries = AuditEntry.objects.filter(action=Action.REVEAL).order_by("id")
    assert [(e.username, e.object_id, e.changes["field"], e.via, e.area_code) for e in entries] == [
        ("village_a1", str(member.pk), "id_number", "ui", VILLAGE_A1),
        ("village_a1", str(member.pk), "health", "ui", VILLAGE_A1),
    ]


def test_reveal_needs_post_and_a_known_sensitive_field(client, users, homes):
    login(client, users["county"])
    household = homes["a1"]
    assert client.get(reverse("registry:reveal", args=["household", household.pk, "phone"])).status_code == 405
    assert client.post(reverse("registry:reveal", args=["household", household.pk, "head_name"])).status_code == 422
    assert client.post(reverse("registry:reveal", args=["user", users["county"].pk, "phone"])).status_code == 404
    assert client.post(reverse("registry:reveal", args=["household", household.pk, "bank_account"])).json() == {
        "value": BANK
    }


def test_reveal_refuses_a_post_without_the_csrf_token(users, homes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["county"])
    assert client.post(reverse("registry:reveal", args=["household", homes["a1"].pk, "phone"])).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


# --- edits ------------------------------------------------------------------------------------------------------


def test_household_edit_is_saved_through_the_service_and_audited_with_before_and_after(client, users, homes):
    household = homes["a1"]
    login(client, users["village_a1"])
    url = reverse("registry:household-edit", args=[household.pk])
    form = client.get(url).context["form"]
    assert PHONE not in client.get(url).content.decode()  # the stored phone is not sent back in the form
    response = client.post(url, form_data(form, head_name="李春华", address="东一村三组"))
    assert response.status_code == 302 and response.url == reverse("registry:household-detail", args=[household.pk])
    household.refresh_from_db()
    assert household.head_name == "李春华" and household.phone == PHONE and household.bank_account == BANK
    entry = AuditEntry.objects.filter(action=Action.UPDATE, model="registry.household", username="village_a1").get()
    assert entry.changes == {"head_name": ["李春花", "李春华"], "address": ["", "东一村三组"]} and entry.via == "ui"


def test_household_edit_can_change_the_hidden_phone(client, users, homes):
    household = homes["a1"]
    login(client, users["village_a1"])
    url = reverse("registry:household-edit", args=[household.pk])
    client.post(url, form_data(client.get(url).context["form"], phone="13800001111"))
    household.refresh_from_db()
    assert household.phone == "13800001111"
    assert AuditEntry.objects.get(action=Action.UPDATE, username="village_a1").changes == {
        "phone": [PHONE, "13800001111"]
    }


def test_household_edit_cannot_move_it_to_a_village_outside_the_scope(client, users, homes):
    household = homes["a1"]
    login(client, users["township_a"])
    url = reverse("registry:household-edit", args=[household.pk])
    response = client.post(url, form_data(client.get(url).context["form"], village=VILLAGE_B1))
    assert response.status_code == 200 and "village" in response.context["form"].errors
    household.refresh_from_db()
    assert household.village_id == VILLAGE_A1


def test_member_edit_is_audited_and_keeps_hidden_values(client, users, homes):
    member = homes["a1"].members.get()
    login(client, users["village_a1"])
    url = reverse("registry:member-edit", args=[member.pk])
    page = client.get(url)
    assert ID_A1 not in page.content.decode()
    response = client.post(url, form_data(page.context["form"], work_place="广东东莞", work_months="8"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.work_place, member.work_months, member.id_number, member.health) == ("广东东莞", 8, ID_A1, "02")
    entry = AuditEntry.objects.get(action=Action.UPDATE, model="registry.member", username="village_a1")
    assert entry.changes == {"work_place": ["", "广东东莞"], "work_months": [0, 8]}


def test_add_member_fills_birth_date_and_sex_from_the_id(client, users, homes):
    household = homes["a1"]
    login(client, users["village_a1"])
    url = reverse("registry:member-add", args=[household.pk])
    new_id = make_id("20120901", seq=402)
    response = client.post(
        url, form_data(client.get(url).context["form"], name="李小雨", relation="03", id_number=new_id)
    )
    assert response.status_code == 302
    member = household.members.get(name="李小雨")
    assert member.birth_date == date(2012, 9, 1) and member.sex == codes.Sex.FEMALE
    assert AuditEntry.objects.filter(action=Action.CREATE, model="registry.member", username="village_a1").exists()


@pytest.mark.parametrize(
    ("id_number", "reason"),
    [("110105194912310021", "校验码错误：应为"), ("1.10105E+17", "科学计数法"), ("11010519491231002", "应为18位")],
)
def test_invalid_id_on_add_member_shows_the_chinese_reason_and_saves_nothing(client, users, homes, id_number, reason):
    household = homes["a1"]
    login(client, users["village_a1"])
    url = reverse("registry:member-add", args=[household.pk])
    before = AuditEntry.objects.count()
    response = client.post(
        url, form_data(client.get(url).context["form"], name="错号", relation="03", id_number=id_number)
    )
    assert response.status_code == 200
    assert reason in response.context["form"].errors["id_number"][0]
    assert reason in response.content.decode()
    assert household.members.count() == 1 and AuditEntry.objects.count() == before


def test_a_person_filed_elsewhere_is_refused_without_naming_a_household_outside_the_scope(client, users, homes):
    other_id = homes["b1"].members.get().id_number
    login(client, users["village_a1"])
    url = reverse("registry:member-add", args=[homes["a1"].pk])
    response = client.post(
        url, form_data(client.get(url).context["form"], name="赵冬生", relation="08", id_number=other_id)
    )
    error = response.context["form"].errors["id_number"][0]
    assert "同一人不能重复建档" in error and "B1-0001" not in error
    assert homes["a1"].members.count() == 1


def test_status_event_moves_the_status_and_refusals_land_on_the_field(client, users, homes):
    household = homes["a2"]
    login(client, users["township_a"])
    url = reverse("registry:event-add", args=[household.pk])
    response = client.post(url, {"kind": "monitored", "date": "2024-05-01", "reason": "因病"})
    assert response.status_code == 200
    assert response.context["form"].errors["monitoring_category"] == ["纳入监测须选择监测对象类别"]
    assert not household.events.exists()
    response = client.post(
        url, {"kind": "monitored", "date": "2024-05-01", "monitoring_category": "2", "approver": "县乡村振兴局"}
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.status == codes.Status.MONITORED and household.monitoring_category == "2"
    page = client.get(reverse("registry:household-detail", args=[household.pk])).content.decode()
    assert "纳入监测" in page and "县乡村振兴局" in page and "township_a" in page


def test_read_only_roles_cannot_post_edits(client, users, homes):
    household = homes["a1"]
    login(client, users["inspector"])
    assert (
        client.post(reverse("registry:household-edit", args=[household.pk]), {"head_name": "改名"}).status_code == 403
    )
    household.refresh_from_db()
    assert household.head_name == "李春花"
    assert "修改农户信息" not in client.get(reverse("registry:household-detail", args=[household.pk])).content.decode()


# --- list, filters, export -------------------------------------------------------------------------------------


def test_list_filters_by_village_status_and_search(client, users, homes):
    login(client, users["county"])
    url = reverse("registry:household-list")

    def numbers(**params):
        return {h.number for h in client.get(url, params).context["table"].page_records()}

    assert numbers() == {"A1-0001", "A2-0001", "B1-0001"}
    assert numbers(area=VILLAGE_A2) == {"A2-0001"}
    assert numbers(area="149901001000") == {"A1-0001", "A2-0001"}
    assert numbers(status="poor") == {"A1-0001"}
    assert numbers(q="王秋实") == {"A2-0001"}
    assert numbers(q=ID_A1[-6:]) == {"A1-0001"}
    assert numbers(q="B1-0001") == {"B1-0001"}


def test_list_pages_by_fifty_with_the_total(client, users, areas):
    Household.objects.bulk_create(
        Household(number=f"{VILLAGE_A1}{i:04d}", village_id=VILLAGE_A1, head_name=f"户主{i}") for i in range(1, 121)
    )
    login(client, users["village_a1"])
    first = client.get(reverse("registry:household-list"))
    assert len(first.context["page"]) == 50 and "共 120 户" in first.content.decode()
    third = client.get(reverse("registry:household-list"), {"page": 3, "q": "户主"})
    assert len(third.context["page"]) == 20
    assert 'href="?page=2&amp;q=%E6%88%B7%E4%B8%BB"' in third.content.decode()  # page links keep the filters


def test_export_is_utf8_with_bom_keeps_numbers_as_text_filters_and_is_audited(client, users, homes):
    login(client, users["county"])
    response = client.get(reverse("exports:household-export"), {"area": "149901001000", "q": "李"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    header, *rows = export_rows(response)
    assert header[:4] == ["户编号", "行政区划代码", "村民小组", "户主姓名"]  # the import template's columns first
    assert [row[0] for row in rows] == ["\tA1-0001"]  # leading tab: Excel keeps it as text
    row = dict(zip(header, rows[0]))
    assert row["行政区划代码"] == "\t" + VILLAGE_A1 and row["户类型"] == "贫困户" and row["当前状态"] == "未脱贫"
    assert row["行政村"] == "东一村"
    assert row["家庭成员数"] == "1" and row["最近收入年度"] == "2023" and row["人均纯收入（元）"] == "6700.00"
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.changes == {
        "filters": {"area": "149901001000", "q": "李"},
        "format": "csv",
        "rows": {"households": 1},
        "unmasked": ["bank_account", "id_number", "phone"],
        "masked": [],
    }
    assert entry.username == "county" and entry.area_code == COUNTY and entry.via == "ui"


def test_export_guards_free_text_against_formulas(client, users, make_household):
    make_household(head_name='=HYPERLINK("http://x")', address="+86 东一村")
    header, row = export_rows(login(client, users["county"]).get(reverse("exports:household-export")))
    row = dict(zip(header, row))
    assert row["户主姓名"].startswith("'=") and row["住址"].startswith("'+")


def test_export_runs_a_fixed_number_of_queries(client, users, make_household, django_assert_max_num_queries):
    for _ in range(12):
        make_household(members=[{"name": "甲", "relation": "01"}, {"name": "乙", "relation": "02"}])
    login(client, users["county"])
    with django_assert_max_num_queries(8):
        assert len(export_rows(client.get(reverse("exports:household-export")))) == 13


# --- duplicates -------------------------------------------------------------------------------------------------


def test_duplicate_persons_page_masks_the_id_and_links_the_households_in_scope(client, users, homes):
    person = homes["a1"].members.get()
    Member.objects.create(
        household=homes["a2"],
        name=person.name,
        sex=person.sex,
        id_number=person.id_number,
        birth_date=person.birth_date,
        relation="06",
    )  # legacy data from before the duplicate check
    page = login(client, users["township_a"]).get(reverse("registry:duplicates")).content.decode()
    assert ID_A1 not in page and ID_A1[:6] + "********" + ID_A1[-4:] in page
    for household in (homes["a1"], homes["a2"]):
        assert reverse("registry:household-detail", args=[household.pk]) in page
    page = login(client, users["village_b1"]).get(reverse("registry:duplicates")).content.decode()
    assert "没有发现重复登记的人员" in page


# --- login, logout, language, admin -----------------------------------------------------------------------------


def test_unauthenticated_requests_go_to_the_login_page(client, homes):
    member = homes["a1"].members.get()
    urls = [
        reverse("registry:household-list"),
        reverse("exports:household-export"),
        reverse("exports:household-export-xlsx"),
        reverse("exchange:exchange-template"),
        reverse("registry:duplicates"),
        *household_urls(homes["a1"]),
        reverse("registry:reveal", args=["member", member.pk, "id_number"]),
    ]
    for url in urls:
        response = client.post(url) if "reveal" in url else client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login") + "?next="), url
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()
    assert "登录" in client.get(reverse("login")).content.decode()


def test_login_and_failed_login_are_audited(client, users):
    url = reverse("login")
    response = client.post(url, {"username": "village_a1", "password": "wrong-password"})
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    client.post(url, {"username": "nobody", "password": "x"})
    response = client.post(url, {"username": "village_a1", "password": "pw-12345678"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302 and response.url == reverse("registry:household-list")
    entries = AuditEntry.objects.filter(action__in=[Action.LOGIN, Action.LOGIN_FAILED]).order_by("id")
    assert [(e.action, e.username, e.area_code, e.user_id) for e in entries] == [
        (Action.LOGIN_FAILED, "village_a1", VILLAGE_A1, users["village_a1"].pk),
        (Action.LOGIN_FAILED, "nobody", "", None),
        (Action.LOGIN, "village_a1", VILLAGE_A1, users["village_a1"].pk),
    ]
    assert entries.last().changes == {"ip": "10.1.2.3"}


def test_logout_is_a_post(client, users):
    login(client, users["county"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get(reverse("registry:household-list")).status_code == 302


def test_language_switch(client, users):
    login(client, users["county"])
    assert 'lang="zh-hans"' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


def test_admin_works_in_chinese_for_staff(client, users, homes):
    admin = users["county"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    login(client, admin)
    index = client.get("/admin/").content.decode()
    assert "基础数据管理" in index and "农户" in index
    listing = client.get("/admin/registry/household/").content.decode()
    assert "A1-0001" in listing and "户编号" in listing
    assert client.get(f"/admin/registry/household/{homes['a1'].pk}/change/").status_code == 200


# --- panels of higher apps on the household page ---------------------------------------------------------------


def test_the_household_page_draws_each_registered_panel_in_registration_order(client, users, homes, monkeypatch):
    from fupin.registry import panels

    monkeypatch.setattr(panels, "_panels", {page: dict(named) for page, named in panels._panels.items()})
    seen = []

    def second(request, household):
        seen.append((request.user.username, household.pk))
        return {"assessments": []}

    panels.register("test.second", "policy/_household_assessments.html", second)
    household = homes["a1"]
    page = login(client, users["county"]).get(reverse("registry:household-detail", args=[household.pk]))
    names = list(panels._panels["household"])  # policy's first, then the apps above (assistance's visits…), ours last
    assert names[0] == "policy.assessments" and names[-1] == "test.second" and "assistance.visits" in names
    assert seen == [(users["county"].username, household.pk)]
    assert page.content.decode().count("评估结论") == 2
