"""Every field that holds an ID number is masked as one, by the one list (accounts.roles.SENSITIVE_FIELDS): the
disability certificate number (残疾证号, the ID number plus category and grade) on the API, the web pages and
forms and in the reveal, alike for every role."""

import pytest
from django.urls import reverse

from fupin.accounts.masking import mask_value, shown
from fupin.accounts.models import Action, AuditEntry
from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.registry import services
from tests.factories import VILLAGE_A1, make_id

pytestmark = pytest.mark.django_db

CHILD_ID = make_id("20100601", seq=313)
CERT = CHILD_ID + "32"  # category 3, grade 2
CERT_22 = "1" * 22  # the older 22-character certificates
MASKED = CERT[:6] + "*" * 10 + CERT[-4:]


@pytest.fixture
def child(make_household, users):
    household = make_household(VILLAGE_A1, members=[{"name": "户主", "relation": "01"}])
    member = services.add_member(
        users["county"],
        household,
        {"name": "王小明", "relation": "03", "id_number": CHILD_ID, "disability_cert": CERT, "disability_level": 2},
        via="test",
    )
    return member


def test_the_certificate_is_in_the_list_every_path_reads_and_readable_by_whoever_reads_ids():
    assert SENSITIVE_FIELDS["disability_cert"] == SENSITIVE_FIELDS["id_number"]
    assert mask_value("disability_cert", CERT) == mask_value("id_number", CERT) == MASKED
    assert mask_value("disability_cert", CERT_22) == "111111" + "*" * 12 + "1111"
    assert shown("disability_cert", CERT) == MASKED and shown("disability_cert", CERT, revealed=True) == CERT


@pytest.mark.parametrize("username", ["county", "village_a1", "cadre_a1", "department"])
def test_the_api_reads_the_certificate_masked_for_every_role(api_as, child, username):
    caller = api_as(username)
    one = caller.get(f"/members/{child.pk}")
    listed = caller.get(f"/households/{child.household_id}/members")
    assert one.status_code == listed.status_code == 200
    assert one.json()["disability_cert"] == MASKED
    assert [m["disability_cert"] for m in listed.json() if m["name"] == "王小明"] == [MASKED]
    assert CERT not in one.content.decode() and CERT not in listed.content.decode()
    assert CHILD_ID not in one.content.decode()


def test_api_me_lists_the_certificate_among_what_the_role_may_reveal(api_as):
    assert "disability_cert" in api_as("village_a1").get("/me").json()["may_reveal"]
    assert "disability_cert" not in api_as("cadre_a1").get("/me").json()["may_reveal"]


@pytest.mark.parametrize("username", ["county", "village_a1", "cadre_a1"])
def test_the_household_page_never_holds_the_full_certificate(client, users, child, username):
    client.force_login(users[username])
    page = client.get(reverse("registry:household-detail", args=[child.household_id]))
    assert page.status_code == 200 and CERT not in page.content.decode()


def test_the_member_form_hides_the_stored_certificate_and_keeps_it_when_left_empty(client, users, child):
    client.force_login(users["village_a1"])
    url = reverse("registry:member-edit", args=[child.pk])
    page = client.get(url)
    body = page.content.decode()
    assert CERT not in body and MASKED in body  # the masked value as the field's hint
    form = page.context["form"]
    data = {
        name: value for name, value in ((b.name, b.value()) for b in form) if value is not None and value is not False
    }
    data = {name: ("on" if value is True else value) for name, value in data.items()}
    response = client.post(url, {**data, "work_place": "县城"})
    assert response.status_code == 302, response.context["form"].errors
    child.refresh_from_db()
    assert (child.disability_cert, child.work_place) == (CERT, "县城")


def test_the_certificate_is_revealed_only_to_roles_that_see_ids_and_each_reveal_is_audited(client, users, child):
    url = reverse("registry:reveal", args=["member", child.pk, "disability_cert"])
    client.force_login(users["cadre_a1"])
    refused = client.post(url)
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "您的角色无权查看该信息"
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()
    client.force_login(users["village_a1"])
    assert client.post(url).json() == {"value": CERT}
    entry = AuditEntry.objects.get(action=Action.REVEAL)
    assert (entry.username, entry.changes, entry.area_code) == ("village_a1", {"field": "disability_cert"}, VILLAGE_A1)
