"""Households through the API: list with the shared filters, detail, create, partial update, status events —
scoped to the caller's area, masked for every role, audited with via="api"."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.registry import codes, services
from fupin.registry.models import Household, IncomeAccount, LivingConditions
from tests.factories import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_id
from tests.support import assert_error

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
BANK = "6222020200112233445"
#: roles that can see a household of VILLAGE_A1
SEEING_A1 = ["county", "township_a", "village_a1", "cadre_a1", "inspector", "department"]


def test_list_is_scoped_paginated_and_labelled(api_as, make_household):
    for _ in range(3):
        make_household(VILLAGE_A1)
    make_household(VILLAGE_A2)
    make_household(VILLAGE_B1)
    response = api_as("village_a1").get("/households", page=2, page_size=2)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["page_size"], len(body["items"])) == (3, 2, 2, 1)
    item = body["items"][0]
    assert item["village"] == VILLAGE_A1 and item["village_name"] == "东一村"
    assert item["household_type"] == "1" and item["labels"]["household_type"] == "一般户"
    assert item["status"] == "ordinary" and item["labels"]["status"] == "一般农户"
    assert api_as("township_a").get("/households").json()["count"] == 4
    assert api_as("county").get("/households").json()["count"] == 5


def test_list_takes_exactly_the_household_filter(api_as, make_household, users):
    from fupin.registry.filters import HouseholdFilterSet

    poor = make_household(VILLAGE_A1, members=[{"name": "李四", "relation": "01"}])
    make_household(VILLAGE_A2)
    services.record_event(users["county"], poor, codes.EventKind.IDENTIFIED, date(2015, 3, 1))
    county = api_as("county")
    assert [i["id"] for i in county.get("/households", status="poor").json()["items"]] == [poor.pk]
    assert [i["id"] for i in county.get("/households", household_type="2").json()["items"]] == [poor.pk]
    assert [i["id"] for i in county.get("/households", q="李四").json()["items"]] == [poor.pk]
    assert county.get("/households", area=VILLAGE_A2).json()["count"] == 1
    assert county.get("/households", monitoring_category="1").json()["count"] == 0
    parameters = county.client.get("/api/openapi.json").json()["paths"]["/api/households"]["get"]["parameters"]
    names = {p["name"] for p in parameters}
    assert names == set(HouseholdFilterSet.base_filters) | {"page", "page_size"}


def test_an_area_filter_cannot_widen_the_scope(api_as, make_household):
    make_household(VILLAGE_B1)
    assert api_as("village_a1").get("/households", area=VILLAGE_B1).json()["count"] == 0


@pytest.mark.parametrize("page_size", [0, 201])
def test_page_size_is_limited(api_as, page_size):
    error = assert_error(api_as("county").get("/households", page_size=page_size), 422, "validation_error", "page_size")
    assert "每页条数" in error["message"]


def test_detail_has_members_incomes_conditions_and_events(api_as, make_household, users):
    household = make_household(members=[{"name": "张大山", "relation": "01"}, {"name": "王芳", "relation": "02"}])
    IncomeAccount.objects.create(
        household=household,
        year=2024,
        persons=3,
        wage_income=Decimal("9000"),
        business_income=Decimal("2500"),
        dibao_income=Decimal("1800"),
        business_expense=Decimal("1500"),
    )
    LivingConditions.objects.create(household=household, year=2024, housing_safety=codes.HousingSafety.GRADE_C)
    services.record_event(users["county"], household, codes.EventKind.IDENTIFIED, date(2016, 5, 1), approver="县扶贫办")
    body = api_as("village_a1").get(f"/households/{household.pk}").json()
    assert [m["name"] for m in body["members"]] == ["张大山", "王芳"]
    assert body["members"][1]["labels"]["relation"] == "配偶"
    [income] = body["incomes"]
    assert Decimal(income["net_income"]) == Decimal("11800.00")  # 9000 + 2500 + 1800 − 1500
    assert Decimal(income["per_capita_net_income"]) == Decimal("3933.33")
    [conditions] = body["conditions"]
    assert conditions["housing_safety"] == "2" and conditions["labels"]["housing_safety"] == "C级危房"
    [event] = body["events"]
    assert event["kind"] == "identified" and event["labels"]["kind"] == "识别为贫困户"
    assert event["recorded_by"] == "county" and event["approver"] == "县扶贫办"
    assert body["status"] == "poor" and body["labels"]["household_type"] == "贫困户"


@pytest.mark.parametrize("role", SEEING_A1)
def test_sensitive_fields_are_masked_for_every_role(api_as, make_household, role):
    head = {"name": "张大山", "relation": "01", "phone": "13800001111", "health": "03"}
    household = make_household(bank_account=BANK, members=[head])
    member = household.members.get()
    caller = api_as(role)
    listing = caller.get("/households")
    detail = caller.get(f"/households/{household.pk}")
    members = caller.get(f"/households/{household.pk}/members")
    one = caller.get(f"/members/{member.pk}")
    for response in (listing, detail, members, one):
        assert response.status_code == 200
        text = response.content.decode()
        for secret in (PHONE, BANK, member.id_number, "13800001111", "大病"):
            assert secret not in text, (role, secret)
    body = detail.json()
    assert body["phone"] == "139****5678" and body["bank_account"].endswith("3445") and "*" in body["bank_account"]
    assert listing.json()["items"][0]["phone"] == "139****5678"
    shown = body["members"][0]
    assert shown["id_number"] == member.id_number[:6] + "********" + member.id_number[-4:]
    assert shown["health"] == "***" and "health" not in shown["labels"]


def test_create_is_validated_and_audited(api_as, users):
    body = {"number": "A1-0001", "village": VILLAGE_A1, "head_name": "刘一", "phone": PHONE, "relocated": True}
    response = api_as("village_a1").post("/households", body)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "A1-0001" and body["relocated"] is True and body["phone"] == "139****5678"
    assert body["members"] == [] and body["status"] == "ordinary"
    entry = AuditEntry.objects.get(action=Action.CREATE, model="registry.household")
    assert entry.via == "api" and entry.username == "village_a1" and entry.object_id == str(body["id"])
    assert entry.changes["head_name"] == [None, "刘一"] and entry.changes["phone"] == [None, PHONE]


def test_create_in_another_village_is_refused(api_as):
    response = api_as("village_a1").post("/households", {"number": "B1-9", "village": VILLAGE_B1, "head_name": "刘一"})
    error = assert_error(response, 422, "validation_error", "village")
    assert "不在您的管辖范围内" in error["message"]
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("household_type", "9", "户类型"),
        ("monitoring_category", "7", "监测对象类别"),
        ("risk_type", "02", "主要返贫致贫风险"),
    ],
)
def test_code_list_fields_are_checked_with_a_chinese_message(api_as, field, value, label):
    body = {"number": "A1-0002", "village": VILLAGE_A1, "head_name": "刘一", field: value}
    error = assert_error(api_as("county").post("/households", body), 422, "validation_error", field)
    assert label in error["message"] and f"“{value}”不在代码表中" in error["message"]
    assert not Household.objects.exists()


def test_missing_required_fields_are_named(api_as):
    response = api_as("county").post("/households", {"number": "A1-3", "village": VILLAGE_A1})
    error = assert_error(response, 422, "validation_error", "head_name")
    assert error["message"] == "户主姓名（head_name）：必须填写"
    assert error["details"]["errors"][0]["loc"] == ["body", "payload", "head_name"]


def test_patch_changes_only_what_was_sent_and_is_audited(api_as, make_household):
    household = make_household(address="东一村3组")
    response = api_as("village_a1").patch(f"/households/{household.pk}", {"head_name": "张小山", "risk_level": 2})
    assert response.status_code == 200, response.content
    household.refresh_from_db()
    assert (household.head_name, household.risk_level, household.address) == ("张小山", 2, "东一村3组")
    entry = AuditEntry.objects.filter(action=Action.UPDATE, model="registry.household").get()
    assert entry.via == "api" and entry.changes == {"head_name": ["张大山", "张小山"], "risk_level": [None, 2]}


@pytest.mark.parametrize("body", [{"head_nmae": "张小山"}, {"status": "exited"}, {"id": 5}])
def test_patch_refuses_unknown_or_read_only_fields(api_as, make_household, body):
    household = make_household()
    response = api_as("county").patch(f"/households/{household.pk}", body)
    error = assert_error(response, 422, "validation_error", next(iter(body)))
    assert "不是可提交的字段" in error["message"]
    household.refresh_from_db()
    assert household.head_name == "张大山" and household.status == "ordinary"


def test_patch_refuses_null_for_a_text_field(api_as, make_household):
    household = make_household()
    response = api_as("county").patch(f"/households/{household.pk}", {"head_name": None})
    error = assert_error(response, 422, "validation_error", "head_name")
    assert "应为文本" in error["message"]


def test_read_only_roles_cannot_change(api_as, make_household):
    household = make_household()
    for role in ("inspector", "department", "cadre_a1"):
        assert_error(api_as(role).patch(f"/households/{household.pk}", {"head_name": "改"}), 403, "permission_denied")
        response = api_as(role).post("/households", {"number": "X", "village": VILLAGE_A1, "head_name": "改"})
        assert_error(response, 403, "permission_denied")
    household.refresh_from_db()
    assert household.head_name == "张大山"
    assert not AuditEntry.objects.filter(via="api").exists()


def test_another_villages_household_is_not_found_and_unchanged(api_as, make_household):
    household = make_household(VILLAGE_B1)
    before = Household.objects.filter(pk=household.pk).values().get()
    caller = api_as("village_a1")
    responses = [
        caller.get(f"/households/{household.pk}"),
        caller.patch(f"/households/{household.pk}", {"head_name": "改名"}),
        caller.get(f"/households/{household.pk}/members"),
        caller.post(f"/households/{household.pk}/members", {"name": "外人", "relation": "03", "id_number": make_id()}),
        caller.post(f"/households/{household.pk}/events", {"kind": "identified", "date": "2020-01-01"}),
        caller.post(f"/households/{household.pk}/reveal", {"field": "phone"}),
    ]
    for response in responses:
        error = assert_error(response, 404, "not_found", None)
        assert error["message"].startswith("未找到")
    assert caller.get("/households").json()["count"] == 0
    assert Household.objects.filter(pk=household.pk).values().get() == before
    assert household.members.count() == 1 and not household.events.exists()
    assert not AuditEntry.objects.filter(via="api").exists()


def test_status_events_move_the_status(api_as, make_household):
    household = make_household()
    caller = api_as("village_a1")
    events = f"/households/{household.pk}/events"
    response = caller.post(events, {"kind": "identified", "date": "2015-10-01", "approver": "县扶贫办"})
    assert response.status_code == 201, response.content
    assert response.json()["labels"]["kind"] == "识别为贫困户" and response.json()["recorded_by"] == "village_a1"
    response = caller.post(events, {"kind": "exited", "date": "2018-12-01", "reason": "两不愁三保障达标"})
    assert response.status_code == 201
    household.refresh_from_db()
    assert household.status == codes.Status.EXITED and household.first_identified_on == date(2015, 10, 1)
    entries = AuditEntry.objects.filter(via="api", model="registry.household", action=Action.UPDATE)
    assert [e.changes["household_type"] for e in entries.order_by("id")] == [["1", "2"], ["2", "3"]]
    assert AuditEntry.objects.filter(via="api", model="registry.statusevent", action=Action.CREATE).count() == 2


def test_a_refused_event_names_the_reason(api_as, make_household):
    household = make_household()
    caller = api_as("village_a1")
    response = caller.post(f"/households/{household.pk}/events", {"kind": "exited", "date": "2018-12-01"})
    error = assert_error(response, 422, "validation_error", "kind")
    assert "不能“脱贫退出”" in error["message"]
    future = (date.today() + timedelta(days=2)).isoformat()
    response = caller.post(f"/households/{household.pk}/events", {"kind": "identified", "date": future})
    assert_error(response, 422, "validation_error", "date")
    response = caller.post(f"/households/{household.pk}/events", {"kind": "graduated", "date": "2018-12-01"})
    error = assert_error(response, 422, "validation_error", "kind")
    assert "事件" in error["message"] and "不在代码表中" in error["message"]
    assert not household.events.exists()


def test_list_and_detail_cost_a_fixed_number_of_queries(api_as, make_household, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    caller = api_as("county")
    household = make_household()
    caller.get("/me")  # the token's first use writes last_used_at; later calls only read it

    def cost(path):
        with CaptureQueriesContext(connection) as queries:
            assert caller.get(path).status_code == 200
        return len(queries)

    few = cost("/households"), cost(f"/households/{household.pk}")
    for _ in range(4):
        make_household()
        services.add_member(users["county"], household, {"name": "乙", "relation": "03", "id_number": make_id()})
        services.record_event(users["county"], household, codes.EventKind.MERGED, date(2020, 1, 1))
    assert (cost("/households"), cost(f"/households/{household.pk}")) == few
