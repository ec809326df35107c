"""Members through the API: birth date and sex read from the ID number, every bad ID refused with the reason
(422, in the error shape), scoped, audited."""

from datetime import date

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.registry.idcard import STORED_AS_FLOAT, STORED_AS_INT
from tests.factories import VILLAGE_B1, make_id
from tests.support import assert_error

pytestmark = pytest.mark.django_db


def test_add_list_read_and_update_a_member(api_as, make_household):
    household = make_household(members=[])
    caller = api_as("village_a1")
    number = make_id("19900307", seq=124)
    response = caller.post(
        f"/households/{household.pk}/members", {"name": "王芳", "relation": "02", "id_number": number}
    )
    assert response.status_code == 201, response.content
    member = response.json()
    assert member["birth_date"] == "1990-03-07" and member["sex"] == "2" and member["labels"]["sex"] == "女"
    assert member["household"] == household.pk and member["id_number"] != number
    assert [m["id"] for m in caller.get(f"/households/{household.pk}/members").json()] == [member["id"]]
    assert caller.get(f"/members/{member['id']}").json()["name"] == "王芳"
    response = caller.patch(f"/members/{member['id']}", {"education": "3", "work_months": 6})
    assert response.status_code == 200, response.content
    assert response.json()["labels"]["education"] == "初中" and response.json()["work_months"] == 6
    created, updated = AuditEntry.objects.filter(via="api", model="registry.member").order_by("id")
    assert created.action == Action.CREATE and created.changes["id_number"] == [None, number]
    assert updated.action == Action.UPDATE and updated.changes == {"education": ["", "3"], "work_months": [0, 6]}


def test_a_corrected_id_number_brings_its_birth_date_and_sex(api_as, make_household):
    household = make_household(members=[{"name": "张大山", "relation": "01", "id_number": make_id("19800101", seq=11)}])
    member = household.members.get()
    caller = api_as("county")
    corrected = make_id("19810202", seq=12)
    response = caller.patch(f"/members/{member.pk}", {"id_number": corrected, "birth_date": "1981-02-03"})
    error = assert_error(response, 422, "validation_error", "birth_date")
    assert "不一致" in error["message"]
    response = caller.patch(f"/members/{member.pk}", {"id_number": corrected})
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert member.id_number == corrected and member.birth_date == date(1981, 2, 2) and member.sex == "2"


def test_a_birth_date_that_disagrees_with_the_id_is_refused(api_as, make_household):
    household = make_household(members=[])
    body = {"name": "王芳", "relation": "02", "id_number": make_id("19900307"), "birth_date": "1990-03-08"}
    response = api_as("county").post(f"/households/{household.pk}/members", body)
    error = assert_error(response, 422, "validation_error", "birth_date")
    assert "不一致" in error["message"]


def _wrong_check_char():
    good = make_id()
    return good[:17] + ("0" if good[17] != "0" else "1")


def _future_id():
    return make_id(f"{date.today().year + 1}0101")


BAD_IDS = [
    pytest.param(_wrong_check_char, "校验码错误", id="wrong-check-char"),
    pytest.param(lambda: "110105199902300011", "不是有效日期", id="impossible-date"),
    pytest.param(_future_id, "晚于今天", id="future-date"),
    pytest.param(lambda: "11010519491231002", "应为18位", id="wrong-length"),
    pytest.param(lambda: "11010519491231002112345", "实际为23位", id="too-long"),
    pytest.param(lambda: "1.10105E+17", STORED_AS_FLOAT, id="excel-scientific"),
    pytest.param(lambda: 1.10105e17, STORED_AS_FLOAT, id="json-float"),
    pytest.param(lambda: 110105194912310021, STORED_AS_INT, id="json-integer"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_IDS)
def test_invalid_id_numbers_are_refused_with_the_reason(api_as, make_household, bad, reason):
    household = make_household(members=[])
    body = {"name": "错号", "relation": "01", "id_number": bad()}
    response = api_as("county").post(f"/households/{household.pk}/members", body)
    error = assert_error(response, 422, "validation_error", "id_number")
    assert reason in error["message"] and error["message"].startswith("证件号码：")
    assert household.members.count() == 0


@pytest.mark.parametrize(("bad", "reason"), BAD_IDS)
def test_an_invalid_id_number_does_not_replace_a_good_one(api_as, make_household, bad, reason):
    household = make_household()
    member = household.members.get()
    before = member.id_number
    response = api_as("village_a1").patch(f"/members/{member.pk}", {"id_number": bad()})
    error = assert_error(response, 422, "validation_error", "id_number")
    assert reason in error["message"]
    member.refresh_from_db()
    assert member.id_number == before
    assert not AuditEntry.objects.filter(via="api").exists()


def test_a_person_already_filed_elsewhere_is_a_conflict(api_as, make_household):
    person = make_id("19700101", seq=55)
    make_household(VILLAGE_B1, number="B-1", members=[{"name": "赵一", "relation": "01", "id_number": person}])
    household = make_household(members=[])
    body = {"name": "赵一", "relation": "01", "id_number": person}
    response = api_as("village_a1").post(f"/households/{household.pk}/members", body)
    error = assert_error(response, 409, "conflict", "id_number")
    assert "B-1" not in error["message"] and "本辖区以外" in error["message"]


def test_another_villages_member_is_not_found_and_unchanged(api_as, make_household):
    member = make_household(VILLAGE_B1).members.get()
    caller = api_as("village_a1")
    for response in (
        caller.get(f"/members/{member.pk}"),
        caller.patch(f"/members/{member.pk}", {"name": "改名"}),
        caller.post(f"/members/{member.pk}/reveal", {"field": "id_number"}),
    ):
        assert_error(response, 404, "not_found", None)
    member.refresh_from_db()
    assert member.name == "张大山"
    assert not AuditEntry.objects.filter(via="api").exists()


def test_member_patch_refuses_unknown_fields_and_bad_codes(api_as, make_household):
    member = make_household().members.get()
    caller = api_as("county")
    assert_error(caller.patch(f"/members/{member.pk}", {"nmae": "x"}), 422, "validation_error", "nmae")
    error = assert_error(caller.patch(f"/members/{member.pk}", {"health": "05"}), 422, "validation_error", "health")
    assert error["message"].startswith("健康状况（health）：“05”不在代码表中")
    response = caller.patch(f"/members/{member.pk}", {"work_months": 13})
    error = assert_error(response, 422, "validation_error", "work_months")
    assert "务工时间" in error["message"]
    member.refresh_from_db()
    assert member.health == "01" and member.work_months == 0
