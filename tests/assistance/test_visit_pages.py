"""The visit pages and API: the household page's 走访 panel, the form posted by a browser and by the page's script
(JSON answer, idempotent), refusals by the field, the photo served in scope and audited, the service worker's
scope header, the API's visit (idempotent), photo and list."""

import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.accounts.models import Action, AuditEntry
from fupin.assistance.models import Visit, VisitPhoto
from fupin.monitoring.models import Clue
from fupin.registry.models import IncomeAccount
from tests.assistance.test_visit_photos import photos_jpeg
from tests.factories import VILLAGE_B1
from tests.support import assert_error, logged_in

pytestmark = pytest.mark.django_db
JSON = {"Accept": "application/json"}


@pytest.fixture
def pages_household(make_household):
    return make_household(members=[{"name": "张大山", "relation": "01"}, {"name": "李秀英", "relation": "02"}])


def _form(**extra):
    data = {
        "client_id": str(uuid.uuid4()),
        "visited_on": timezone.localdate().isoformat(),
        "met": "张大山",
        "check_food": "yes",
        "check_water": "no",
        "check_housing": "",
        "policies": ["medical"],
        "wage_income": "8000",
        "business_expense": "1000.5",
    }
    return {**data, **extra}


def test_the_household_page_shows_the_panel_with_a_button(users, pages_household):
    page = logged_in(users["cadre_a1"]).get(f"/households/{pages_household.pk}/")
    html = page.content.decode()
    assert (
        page.status_code == 200 and "记录走访" in html and f"/assistance/households/{pages_household.pk}/visit/" in html
    )
    assert "记录走访" not in logged_in(users["department"]).get(f"/households/{pages_household.pk}/").content.decode()


def test_the_visit_form_at_a_glance(users, pages_household):
    page = logged_in(users["cadre_a1"]).get(f"/assistance/households/{pages_household.pk}/visit/")
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("不愁吃", "饮水安全有保障", "医疗保障政策", "工资性收入", 'capture="environment"', 'data-persons="2"'):
        assert text in html
    assert (
        logged_in(users["cadre_a1"]).get(f"/assistance/households/{pages_household.pk + 999}/visit/").status_code == 404
    )


def test_a_browser_posts_the_form_with_a_photo(users, pages_household):
    photo = SimpleUploadedFile("p.jpg", photos_jpeg((100, 80)), content_type="image/jpeg")
    client = logged_in(users["cadre_a1"])
    answer = client.post(f"/assistance/households/{pages_household.pk}/visit/", {**_form(), "photos": [photo]})
    visit = Visit.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/assistance/visits/{visit.pk}/"
    assert visit.checks == {"food": True, "water": False} and visit.policies == ["medical"]
    assert visit.per_capita_income == Decimal("3499.75")  # (8000 − 1000.50) ÷ 2
    assert VisitPhoto.objects.count() == 1
    detail = client.get(answer["Location"]).content.decode()
    assert "3499.75" in detail and "/assistance/visit-photos/" in detail


def test_the_script_gets_json_and_a_resend_is_the_same_visit(users, pages_household):
    client, data = logged_in(users["cadre_a1"]), _form(risk_found="on", risk_types=["01"])
    url = f"/assistance/households/{pages_household.pk}/visit/"
    photo = lambda: SimpleUploadedFile("p.jpg", photos_jpeg((60, 60)), content_type="image/jpeg")  # noqa: E731
    first = client.post(url, {**data, "photos": [photo()]}, headers=JSON)
    again = client.post(url, {**data, "photos": [photo()]}, headers=JSON)
    assert first.status_code == 201 and first.json()["created"] is True
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert Visit.objects.count() == 1 and VisitPhoto.objects.count() == 1 and Clue.objects.count() == 1


def test_a_refusal_names_the_field_and_writes_nothing(users, pages_household):
    client, url = logged_in(users["cadre_a1"]), f"/assistance/households/{pages_household.pk}/visit/"
    bad_photo = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")
    answer = client.post(url, {**_form(), "photos": [bad_photo]}, headers=JSON)
    assert answer.status_code == 422 and answer.json()["field"] == "photo" and "JPEG" in answer.json()["message"]
    assert not Visit.objects.exists() and not IncomeAccount.objects.exists()
    page = client.post(url, _form(wage_income="-3"))
    assert page.status_code == 422 and "工资性收入" in page.content.decode()
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    answer = client.post(url, _form(visited_on=tomorrow), headers=JSON)
    assert answer.status_code == 422 and answer.json()["field"] == "visited_on"
    assert not Visit.objects.exists()


def test_another_villages_household_and_a_non_visitor_are_refused(users, make_household, pages_household):
    other = make_household(village=VILLAGE_B1)
    assert logged_in(users["cadre_a1"]).post(f"/assistance/households/{other.pk}/visit/", _form()).status_code == 404
    assert logged_in(users["department"]).get(f"/assistance/households/{pages_household.pk}/visit/").status_code == 403
    assert logged_in(users["department"]).get("/assistance/visits/").status_code == 403
    assert not Visit.objects.exists()


def test_the_photo_is_served_in_scope_and_audited(users, pages_household):
    photo = SimpleUploadedFile("p.jpg", photos_jpeg((50, 50)), content_type="image/jpeg")
    logged_in(users["cadre_a1"]).post(
        f"/assistance/households/{pages_household.pk}/visit/", {**_form(), "photos": [photo]}
    )
    stored = VisitPhoto.objects.get()
    answer = logged_in(users["township_a"]).get(f"/assistance/visit-photos/{stored.pk}/")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert b"".join(answer.streaming_content)[:2] == b"\xff\xd8"
    assert AuditEntry.objects.filter(model="assistance.visitphoto", action=Action.EXPORT).count() == 1
    assert logged_in(users["village_b1"]).get(f"/assistance/visit-photos/{stored.pk}/").status_code == 404
    assert AuditEntry.objects.filter(model="assistance.visitphoto", action=Action.EXPORT).count() == 1


def test_the_service_worker_covers_the_visit_pages(users):
    answer = logged_in(users["cadre_a1"]).get("/assistance/sw.js")
    assert answer.status_code == 200 and answer["Service-Worker-Allowed"] == "/assistance/"
    assert answer["Content-Type"].startswith("text/javascript") and b"fetch" in answer.content


def test_the_api_records_once_adds_a_photo_and_lists(users, api_as, pages_household, client):
    api = api_as("cadre_a1")
    body = {
        "household_id": pages_household.pk,
        "client_id": str(uuid.uuid4()),
        "visited_on": timezone.localdate().isoformat(),
        "checks": {"food": True},
        "income": {"wage_income": "6001"},
    }
    first, again = api.post("/assistance/visits", body), api.post("/assistance/visits", body)
    assert first.status_code == 201 and again.status_code == 200 and first.json()["id"] == again.json()["id"]
    assert first.json()["per_capita_income"] in ("3000.50", 3000.5)  # 6001 ÷ 2
    visit_id = first.json()["id"]
    upload = SimpleUploadedFile("x.jpg", photos_jpeg((2000, 1000)), content_type="image/jpeg")
    photo = client.post(
        f"/api/assistance/visits/{visit_id}/photos", {"file": upload}, headers={"Authorization": f"Bearer {api.token}"}
    )
    assert photo.status_code == 201, photo.content
    assert (photo.json()["width"], photo.json()["height"]) == (1600, 800)
    assert photo.json()["latitude"] in ("37.510000", 37.51)
    listed = api.get(f"/assistance/households/{pages_household.pk}/visits").json()
    assert [row["id"] for row in listed] == [visit_id] and listed[0]["photos"] == 1
    assert_error(api_as("village_b1").get(f"/assistance/households/{pages_household.pk}/visits"), 404, "not_found")
    assert_error(api_as("cadre_a1").post("/assistance/visits", {**body, "client_id": "x"}), 422, "validation_error")
    assert_error(
        api_as("department").post("/assistance/visits", {**body, "client_id": str(uuid.uuid4())}),
        403,
        "assistance_not_yours",
    )
    assert Visit.objects.count() == 1
