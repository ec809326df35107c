"""The assets API: create from an accepted project, ownership, upkeep, an income plan distributed at once, the
ledger; refusals as the error shape with their field; another area's asset is "not found"; the household owner
travels by number and head's name only."""

import pytest

from fupin.registry.models import IncomeAccount
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.funds.assets_helpers import project, station

pytestmark = pytest.mark.django_db


def test_the_walk_through_the_api(api_as, users, make_household):
    made = project(cost="80")
    county = api_as("county")
    response = county.post("/funds/assets", {"project_id": made.pk, "name": "光伏电站", "category": "operating",
                                                 "value": "80.0001"})  # fmt: skip
    assert response.status_code == 422 and response.json()["error"]["field"] == "value"
    response = county.post("/funds/assets", {"project_id": made.pk, "name": "光伏电站", "category": "operating",
                                                 "value": "80"})  # fmt: skip
    assert response.status_code == 201, response.json()
    asset = response.json()
    assert (asset["value"], asset["area"], asset["project"], asset["owner"]) == ("80.0000", VILLAGE_A1, made.pk, "")
    path = f"/funds/assets/{asset['id']}"
    done = county.post(path + "/ownership", {"owner_level": "village", "owner_area_code": VILLAGE_A1,
                                             "on": "2021-01-01", "rights": {"operation": "合作社"}})  # fmt: skip
    assert done.status_code == 200 and done.json()["owner"] == "东一村村集体"
    assert county.post(path + "/maintenance", {"on": "2021-02-01", "work": "巡查"}).status_code == 201
    household = make_household(VILLAGE_A1, "DY-7")
    plan = county.post(path + "/income-plans", {"year": 2023, "income": "300", "collective_share": "100",
                                                "rule": "equal", "households": ["DY-7"], "decided_on": "2023-12-01",
                                                "distribute_on": "2023-12-10"})  # fmt: skip
    assert plan.status_code == 201, plan.json()
    assert plan.json()["shares"] == [{"household_id": household.pk, "household_number": "DY-7", "amount": "200.00"}]
    assert str(IncomeAccount.objects.get(household=household, year=2023).property_income) == "200.00"
    detail = county.get(path).json()
    assert detail["lineage"]["funding"][0] == {"source": "中央财政专项扶贫资金", "amount": "60.0000"}
    assert len(detail["maintenance"]) == 1 and detail["plans"][0]["distributed_on"] == "2023-12-10"
    ledger = county.get("/funds/asset-ledger?as_of=2024-01-01").json()
    assert ledger["lines"][-1]["value"] == "80.0000" and ledger["lines"][-1]["by_owner"]["village"] == "80.0000"


def test_other_areas_and_roles(api_as, users):
    west = station(users["county"], area=VILLAGE_B1)
    own = station(users["county"])
    township = api_as("township_a")
    assert township.get(f"/funds/assets/{west.pk}").status_code == 404
    assert township.post(f"/funds/assets/{west.pk}/state", {"state": "idle"}).status_code == 404
    assert township.post(f"/funds/assets/{own.pk}/disposal", {"on": "2022-01-01", "reason": "disaster",
                                                                  "approval": "x"}).status_code == 403  # fmt: skip
    listed = township.get("/funds/assets").json()
    assert [a["id"] for a in listed["items"]] == [own.pk]
    village = api_as("village_a1")
    assert village.get(f"/funds/assets/{own.pk}").status_code == 200
    assert village.post(f"/funds/assets/{own.pk}/state", {"state": "idle"}).status_code == 403
    assert api_as("village_b1").get(f"/funds/assets?area={VILLAGE_A1}").json()["count"] == 0
