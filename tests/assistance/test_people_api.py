"""The people API: units, cadres (phones masked), teams with members, the village's set on a date; refusals in
the one error shape and nothing written."""

from datetime import date

import pytest

from fupin.assistance.models import Cadre, TeamMember, Unit
from fupin.assistance.services import people
from fupin.registry.codes import VillageEventKind
from fupin.registry.models import VillageEvent
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2
from tests.support import assert_error

pytestmark = pytest.mark.django_db


def test_units_and_cadres_are_created_listed_and_masked(api_as, users):
    county = api_as("county")
    made = county.post("/assistance/units", {"area": COUNTY, "name": "县卫健局", "kind": "department"})
    assert made.status_code == 201, made.json()
    unit_id = made.json()["id"]
    cadre = county.post(
        "/assistance/cadres",
        {"area": VILLAGE_A1, "name": "欧阳帮扶", "unit": unit_id, "phone": "13700000001", "first_secretary": True},
    )
    assert cadre.status_code == 201, cadre.json()
    body = cadre.json()
    assert body["phone"] == "137****0001" and body["unit"] == unit_id and body["labels"]["level"] == "一般干部"
    listed = api_as("village_a1").get("/assistance/cadres", first_secretary="1").json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "欧阳帮扶"
    assert api_as("village_a2").get("/assistance/cadres").json()["count"] == 0
    assert api_as("village_a2").get(f"/assistance/cadres/{body['id']}").status_code == 404
    patched = api_as("village_a1").patch(f"/assistance/cadres/{body['id']}", {"post": "驻村第一书记"})
    assert patched.status_code == 200 and patched.json()["post"] == "驻村第一书记"


def test_a_refusal_names_the_field_and_writes_nothing(api_as, users):
    refused = api_as("township_a").post("/assistance/units", {"area": COUNTY, "name": "越权", "kind": "social"})
    assert_error(refused, 404, "not_found", field="area_code")
    bad = api_as("county").post("/assistance/cadres", {"area": COUNTY, "name": "某人", "phone": "123"})
    assert_error(bad, 422, "assistance_refused", field="phone")
    role = api_as("cadre_a1").post("/assistance/units", {"area": VILLAGE_A1, "name": "自建", "kind": "social"})
    assert role.status_code == 403
    assert not Unit.objects.exists() and not Cadre.objects.exists()


def test_a_team_with_a_first_secretary_completes_the_village_set(api_as, users):
    county = users["county"]
    VillageEvent.objects.create(village_id=VILLAGE_A1, kind=VillageEventKind.POOR, date=date(2014, 10, 31))
    secretary = people.create_cadre(county, area_code=COUNTY, name="书记甲", via="test")
    api = api_as("village_a1")
    team = api.post("/assistance/teams", {"village": VILLAGE_A1, "batch": 1, "started_on": "2021-05-01"})
    assert team.status_code == 201, team.json()
    member = api.post(
        f"/assistance/teams/{team.json()['id']}/members",
        {"cadre": secretary.pk, "role": "first_secretary", "joined_on": "2021-05-03"},
    )
    assert member.status_code == 201, member.json()
    shown = api.get(f"/assistance/villages/{VILLAGE_A1}/set", on="2021-05-03").json()
    assert shown["poor_village"] is True
    assert shown["missing"] == ["contact_leader", "unit", "agronomist"]
    posts = {part["part"]: part["post"] for part in shown["parts"]}
    assert posts["first_secretary"]["cadre"] == secretary.pk and posts["team"]["team"] == team.json()["id"]
    before = api.get(f"/assistance/villages/{VILLAGE_A1}/set", on="2021-05-02").json()
    assert before["missing"] == ["contact_leader", "unit", "first_secretary", "agronomist"]
    teams = api.get("/assistance/teams").json()
    assert teams["count"] == 1 and teams["items"][0]["members"][0]["role"] == "first_secretary"
    assert api_as("village_a2").get(f"/assistance/villages/{VILLAGE_A1}/set").status_code == 404
    assert api_as("village_a2").get("/assistance/teams").json()["count"] == 0
    other = api_as("village_a2").post(
        f"/assistance/teams/{team.json()['id']}/members",
        {"cadre": secretary.pk, "role": "member", "joined_on": "2021-05-03"},
    )
    assert other.status_code == 404 and TeamMember.objects.count() == 1
    assert api_as("village_a1").get(f"/assistance/villages/{VILLAGE_A2}/set").status_code == 404
