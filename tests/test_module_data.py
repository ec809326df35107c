"""The county built once for a module (conftest's module_data) is the same for every test: what one test changes
in it — a user's role, an area's name, a new user — is rolled back before the next, and each test gets its own
objects. Both cases change the county and both check it is untouched, so neither depends on the other's order."""

import pytest

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.areas.models import Area
from tests.factories import VILLAGE_A1


@pytest.mark.parametrize("turn", [1, 2])
def test_a_change_to_the_shared_county_is_gone_by_the_next_test(module_data, users, areas, turn):
    assert module_data.shared == {"areas", "users"}
    county = users["county"]
    assert county.role == Role.COUNTY_ADMIN and areas[VILLAGE_A1].name == "东一村"
    assert not User.objects.filter(username="extra").exists() and User.objects.count() == len(users)
    county.role = Role.VILLAGE
    county.save()
    Area.objects.filter(code=VILLAGE_A1).update(name=f"改名{turn}")
    User.objects.create_user(username="extra", password="pw-12345678", role=Role.VILLAGE, area_id=VILLAGE_A1)
