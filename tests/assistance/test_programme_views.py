"""The programme pages and API: each page renders for a clerk, a record form saves through the service and shows
a refusal by its field with nothing written, another area's site or training is "not found"."""

from datetime import date

import pytest

from fupin.assistance.models import Attendance, EnterprisePairing, Relocation, RelocationSite, SocialAid, Unit
from fupin.assistance.services import programmes, relocation
from tests.factories import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1

pytestmark = pytest.mark.django_db


@pytest.fixture
def programmes_site(users):
    return relocation.create_site(
        users["county"], area_code=TOWNSHIP_A, name="幸福小区", planned_households=2,
        construction_started_on=date(2018, 1, 1), construction_completed_on=date(2019, 6, 30), via="test",
    )  # fmt: skip


@pytest.fixture
def programmes_training(users):
    return programmes.create_training(
        users["county"], area_code=TOWNSHIP_A, course="电焊", started_on=date(2023, 3, 1), via="test"
    )


def _as(client, user):
    client.force_login(user)
    return client


PAGES = [
    "/assistance/relocation/",
    "/assistance/relocation/add/",
    "/assistance/relocation/figures/",
    "/assistance/relocation/figures/?as_of=2019-07-01&area=" + VILLAGE_A1,
    "/assistance/relocation/sites/",
    "/assistance/relocation/sites/add/",
    "/assistance/trainings/",
    "/assistance/trainings/add/",
    "/assistance/enterprises/",
    "/assistance/enterprises/add/",
    "/assistance/social-aid/",
    "/assistance/social-aid/add/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_for_a_village_clerk(client, users, programmes_site, url):
    response = _as(client, users["village_a1"]).get(url)
    assert response.status_code == 200, response.content[:500]


def test_a_reader_gets_the_lists_but_not_the_forms(client, users, programmes_site):
    client = _as(client, users["inspector"])
    assert client.get("/assistance/relocation/").status_code == 200
    assert client.get("/assistance/relocation/add/").status_code == 403


def test_the_site_page_shows_its_households_and_rates(client, users, programmes_site, make_household):
    household = make_household(VILLAGE_A1, number="DY-7001")
    relocation.record_relocation(
        users["village_a1"], household, site=programmes_site, persons=1, moved_in_on=date(2019, 7, 1), via="test"
    )
    page = _as(client, users["village_a1"]).get(f"/assistance/relocation/sites/{programmes_site.pk}/?as_of=2019-07-01")
    body = page.content.decode()
    assert "DY-7001" in body and "50.0%" in body and "搬迁入住率" in body  # 1 of 2 planned households


def test_recording_a_relocation_through_the_form(client, users, programmes_site, make_household):
    household = make_household(VILLAGE_A1, number="DY-7002")
    client = _as(client, users["village_a1"])
    data = {"village": VILLAGE_A1, "household": "DY-7002", "site": programmes_site.pk, "persons": 1}
    early = client.post("/assistance/relocation/add/", {**data, "moved_in_on": "2019-06-29"})
    assert early.status_code == 400 and "早于安置点" in early.content.decode()
    assert not Relocation.objects.exists()
    done = client.post("/assistance/relocation/add/", {**data, "moved_in_on": "2019-06-30"})
    assert done.status_code == 302 and Relocation.objects.get().household == household


def test_another_townships_site_and_training_are_not_found(client, users):
    west = relocation.create_site(users["county"], area_code=TOWNSHIP_B, name="西区", planned_households=1, via="test")
    course = programmes.create_training(
        users["county"], area_code=TOWNSHIP_B, course="厨师", started_on=date(2023, 3, 1), via="test"
    )
    client = _as(client, users["village_a1"])
    assert client.get(f"/assistance/relocation/sites/{west.pk}/").status_code == 404
    assert client.get(f"/assistance/trainings/{course.pk}/").status_code == 404
    assert client.post(f"/assistance/trainings/{course.pk}/attendees/", {"member": 1}).status_code == 404


def test_adding_an_attendee_by_household_and_member(client, users, programmes_training, make_household):
    household = make_household(VILLAGE_A1, number="DY-7003")
    member = household.members.get()
    client = _as(client, users["village_a1"])
    picker = client.get(f"/assistance/trainings/{programmes_training.pk}/?household=DY-7003").content.decode()
    assert member.name in picker
    other = client.get(f"/assistance/trainings/{programmes_training.pk}/?household=XY-0000").content.decode()
    assert "没有这个户编号" in other
    url = f"/assistance/trainings/{programmes_training.pk}/attendees/"
    done = client.post(url, {"household": "DY-7003", "member": member.pk, "certified": "on"})
    assert done.status_code == 302
    attended = Attendance.objects.get()
    assert attended.member == member and attended.certified and not attended.employed


def test_enterprise_and_social_aid_forms(client, users):
    firm = Unit.objects.create(area_id=TOWNSHIP_A, name="东方建材", kind="enterprise")
    client = _as(client, users["village_a1"])
    data = {"village": VILLAGE_A1, "unit": firm.pk, "started_on": "2021-01-01", "projects": 1, "amount": "100.00"}
    assert client.post("/assistance/enterprises/add/", data).status_code == 302
    assert EnterprisePairing.objects.count() == 1
    aid = {"village": VILLAGE_A1, "donor": "爱心人士", "given_on": "2022-01-01", "content": "米面油", "amount": "-1"}
    assert client.post("/assistance/social-aid/add/", aid).status_code == 400 and not SocialAid.objects.exists()
    assert client.post("/assistance/social-aid/add/", {**aid, "amount": "50"}).status_code == 302
    assert "米面油" in client.get("/assistance/social-aid/").content.decode()


def test_the_api_creates_and_lists(api_as, users, programmes_site, make_household):
    household = make_household(VILLAGE_A1)
    clerk = api_as("village_a1")
    body = {"household_id": household.pk, "site_id": programmes_site.pk, "persons": 1, "moved_in_on": "2019-06-29"}
    refused = clerk.post("/assistance/relocations", body)
    assert refused.status_code == 422 and "早于" in str(refused.json())
    assert clerk.post("/assistance/relocations", {**body, "moved_in_on": "2019-07-01"}).status_code == 201
    assert clerk.get("/assistance/relocations").json()["count"] == 1
    assert clerk.get("/assistance/relocation/sites").json()["count"] == 1
    figures = clerk.get("/assistance/programme-figures?as_of=2019-07-01").json()
    assert figures["relocation"]["occupancy"] == {
        "numerator": 1, "denominator": 2, "rate": 0.5, "definition": figures["relocation"]["occupancy"]["definition"]
    }  # fmt: skip
    assert api_as("township_a").get("/assistance/relocations").json()["count"] == 1
    assert api_as("village_a2").get("/assistance/relocations").json()["count"] == 0
    assert RelocationSite.objects.count() == 1


def test_an_attendee_is_marked_employed_later(client, users, programmes_training, make_household):
    member = make_household(VILLAGE_A1).members.get()
    attended = programmes.add_attendance(users["village_a1"], programmes_training, member, certified=True, via="test")
    client = _as(client, users["village_a1"])
    done = client.post(f"/assistance/trainings/attendees/{attended.pk}/", {"certified": "on", "employed": "on"})
    assert done.status_code == 302
    attended.refresh_from_db()
    assert attended.certified and attended.employed
    assert (
        _as(client, users["village_a2"]).post(f"/assistance/trainings/attendees/{attended.pk}/", {}).status_code == 404
    )
    attended.refresh_from_db()
    assert attended.certified
