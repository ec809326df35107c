"""The project library's API: a proposal, its steps (out of order, wrong role, another township's refused in the one
error shape), the implementation's records and the bulletin, amounts in 万元 exact as decimal strings."""

import pytest

from fupin.funds.models import ProjectStep
from tests.factories import VILLAGE_A1
from tests.funds.projects_helpers import ALL_MET, WALK, sources
from tests.support import assert_error

pytestmark = pytest.mark.django_db


def _body(household, area=VILLAGE_A1):
    central, own = sources()
    return {
        "area_code": area, "name": "东一村产业路", "year": 2025, "project_type": "road", "category": "group_road",
        "department": "transport", "unit": "km", "planned_quantity": "1.25", "cost": "60.0001",
        "benefit_mechanism": "务工", "targets": [{"indicator": "长度", "target": "1.25公里"}],
        "beneficiaries": [{"household_id": household.pk, "way": "wage"}],
        "funding": [{"source_id": central.pk, "amount": "60"}, {"source_id": own.pk, "amount": "0.0001"}],
    }  # fmt: skip


def test_a_project_through_the_api(api_as, users, make_household):
    household = make_household()
    village = api_as("village_a1")
    answer = village.post("/funds/projects", _body(household))
    assert answer.status_code == 201, answer.content
    record = answer.json()
    assert (record["cost"], record["step"], record["labels"]["step"]) == ("60.0001", "apply", "户申请")
    assert record["funding"][1]["amount"] == "0.0001" and record["beneficiaries"][0]["household"] == household.pk
    pk = record["id"]
    early = {"step": "team", "decision": "approve", "on": "2025-03-01"}
    assert_error(village.post(f"/funds/projects/{pk}/steps", early), 422, "funds_refused", "step")
    for step, who, on, notice in WALK[:3]:
        body = {"step": step, "decision": "approve", "on": on.isoformat(), "criteria": {}}
        if notice:
            body["notice_from"] = notice.isoformat()
        assert api_as(who).post(f"/funds/projects/{pk}/steps", body).status_code == 201
    township = {"step": "township", "decision": "approve", "on": "2025-03-15", "criteria": ALL_MET}
    assert_error(village.post(f"/funds/projects/{pk}/steps", township), 403, "funds_not_yours")
    assert_error(api_as("village_b1").post(f"/funds/projects/{pk}/steps", township), 404, "not_found")
    answer = api_as("township_a").post(f"/funds/projects/{pk}/steps", township)
    assert answer.status_code == 201 and answer.json()["criteria"]["可行性"] is True
    assert ProjectStep.objects.count() == 4
    record = api_as("county").get(f"/funds/projects/{pk}").json()
    assert [s["step"] for s in record["steps"]] == ["apply", "village", "team", "township"]
    assert record["steps"][1]["notice_to"] == "2025-03-12"
    page = api_as("township_a").get("/funds/projects", stage="proposed").json()
    assert page["count"] == 1 and page["items"][0]["id"] == pk
    assert api_as("village_b1").get("/funds/projects").json()["count"] == 0


def test_implementation_and_bulletin_through_the_api(api_as, users, make_household):
    household = make_household()
    county = api_as("county")
    pk = county.post("/funds/projects", _body(household)).json()["id"]
    for step, _who, on, notice in WALK:
        body = {"step": step, "decision": "approve", "on": on.isoformat(), "criteria": ALL_MET}
        if notice:
            body["notice_from"] = notice.isoformat()
        assert county.post(f"/funds/projects/{pk}/steps", body).status_code == 201
    assert county.post(f"/funds/projects/{pk}/start", {"on": "2025-04-01"}).json()["stage"] == "implementing"
    answer = county.post(f"/funds/projects/{pk}/progress", {"month": "2025-05-17", "quantity_done": "0.5"})
    assert answer.status_code == 201 and answer.json()["month"] == "2025-05-01"
    central, _ = sources()
    pay = {"source_id": central.pk, "amount": "30.0001", "on": "2025-05-02"}
    assert_error(county.post(f"/funds/projects/{pk}/disbursements", {**pay, "amount": "60.0001"}), 422, "funds_refused")
    answer = county.post(f"/funds/projects/{pk}/disbursements", pay)
    assert answer.status_code == 201 and answer.json()["amount"] == "30.0001"
    figures = county.get("/funds/project-bulletin", month="2025-05-01").json()
    assert figures["total"]["funds_planned"] == "60.0001" and figures["total"]["paid_rate"] == "0.5000"
    assert figures["total"]["physical_rate"] == "0.4000" and figures["rows"][0]["name"] == "东乡镇"
    assert api_as("village_b1").get("/funds/project-bulletin", month="2025-05-01").json()["total"]["planned"] == 0
    passed = {"on": "2025-06-01", "result": "passed", "record": "合格"}
    assert_error(county.post(f"/funds/projects/{pk}/acceptance", passed), 422, "funds_refused", "files")
    assert_error(api_as("village_a1").post(f"/funds/projects/{pk}/audit", {"on": "2025-06-01", "opinion": "x"}),
                 403, "funds_not_yours")  # fmt: skip
    assert_error(api_as("village_b1").get(f"/funds/projects/{pk}"), 404, "not_found")
    assert api_as("village_b1").post("/funds/projects", _body(household, VILLAGE_A1)).status_code == 404
