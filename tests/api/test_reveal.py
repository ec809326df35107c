"""Reveals: the plain value for a role allowed to see it, audited with via="api"; 403 for any other role and
nothing written; and the duplicate-person report, masked."""

from datetime import date

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.registry.models import Member
from tests.factories import VILLAGE_A2, make_id
from tests.support import assert_error

pytestmark = pytest.mark.django_db

ROLES_SEEING_A1 = {
    "county": "county_admin",
    "township_a": "township",
    "village_a1": "village",
    "cadre_a1": "cadre",
    "inspector": "inspector",
    "department": "department",
}
MEMBER_CASES = [(user, field) for user in ROLES_SEEING_A1 for field in ("id_number", "phone", "health")]
HOUSEHOLD_CASES = [(user, field) for user in ROLES_SEEING_A1 for field in ("phone", "bank_account")]


@pytest.fixture
def household(make_household):
    head = {"name": "张大山", "relation": "01", "phone": "13800001111", "health": "02"}
    return make_household(bank_account="6222020200112233445", members=[head])


@pytest.mark.parametrize(("username", "field"), MEMBER_CASES)
def test_member_reveal_follows_the_role_table(api_as, household, username, field):
    member = household.members.get()
    response = api_as(username).post(f"/members/{member.pk}/reveal", {"field": field})
    if ROLES_SEEING_A1[username] in SENSITIVE_FIELDS[field]:
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["field"] == field and body["value"] == getattr(member, field)
        assert body["label"] == ("长期慢性病" if field == "health" else None)
        entry = AuditEntry.objects.get(action=Action.REVEAL)
        assert (entry.via, entry.username, entry.model) == ("api", username, "registry.member")
        assert entry.object_id == str(member.pk)
        assert entry.changes == {"field": field}
    else:
        assert_error(response, 403, "permission_denied", None)
        assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


@pytest.mark.parametrize(("username", "field"), HOUSEHOLD_CASES)
def test_household_reveal_follows_the_role_table(api_as, household, username, field):
    response = api_as(username).post(f"/households/{household.pk}/reveal", {"field": field})
    if ROLES_SEEING_A1[username] in SENSITIVE_FIELDS[field]:
        assert response.json() == {"field": field, "value": getattr(household, field), "label": None}
        entry = AuditEntry.objects.get(action=Action.REVEAL)
        assert (entry.via, entry.model, entry.changes) == ("api", "registry.household", {"field": field})
    else:
        assert_error(response, 403, "permission_denied", None)
        assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


@pytest.mark.parametrize(
    ("path", "field"), [("members", "bank_account"), ("members", "name"), ("households", "id_number")]
)
def test_a_field_the_record_does_not_reveal_is_a_validation_error(api_as, household, path, field):
    pk = household.members.get().pk if path == "members" else household.pk
    response = api_as("county").post(f"/{path}/{pk}/reveal", {"field": field})
    error = assert_error(response, 422, "validation_error", "field")
    assert "应为以下之一" in error["message"]
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


def test_duplicates_are_listed_masked_within_the_scope(api_as, make_household):
    person = make_id("19650505", seq=77)
    make_household(members=[{"name": "钱二", "relation": "01", "id_number": person}])
    second = make_household(VILLAGE_A2, members=[])
    # a legacy duplicate (the services refuse new ones), written straight to the table
    Member.objects.create(
        household=second, name="钱二", sex="1", id_number=person, birth_date=date(1965, 5, 5), relation="01"
    )
    response = api_as("township_a").get("/duplicates")
    assert response.json() == [{"id_number": person[:6] + "********" + person[-4:], "households": 2}]
    assert person not in response.content.decode()
    assert api_as("village_b1").get("/duplicates").json() == []
