"""The admin of pairings: a county's administrator sets the county's responsible-person roles (a county area
only), a township's staff may not; pairings and responsibilities are there to look at only."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission

from fupin.accounts.models import AuditEntry, User
from fupin.accounts.roles import Role
from fupin.assistance.models import ResponsibleRole
from fupin.assistance.services import pairings
from fupin.assistance.services.roles import responsible_roles
from tests.assistance.pairing_helpers import cadre
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1
from tests.support import logged_in

pytestmark = pytest.mark.django_db
ROLE = {"code": "first", "name": "第一责任人", "order": "1", "default_from": "first_secretary", "active": "on"}


def _staff(username, role, area):
    user = User.objects.create_user(username=username, password=None, role=role, area_id=area, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="assistance"))
    return logged_in(user)


def test_a_county_administrator_sets_the_countys_roles(areas):
    client = _staff("county_staff", Role.COUNTY_ADMIN, COUNTY)
    assert client.get("/admin/assistance/responsiblerole/").status_code == 200
    refused = client.post("/admin/assistance/responsiblerole/add/", {**ROLE, "area": VILLAGE_A1})
    assert refused.status_code == 200 and "请选择县级区划" in refused.content.decode()
    assert not ResponsibleRole.objects.exists()
    added = client.post("/admin/assistance/responsiblerole/add/", {**ROLE, "area": COUNTY})
    assert added.status_code == 302
    assert [(r.code, r.name, r.default_from) for r in responsible_roles(VILLAGE_A1)] == [
        ("first", "第一责任人", "first_secretary")
    ]
    assert AuditEntry.objects.filter(model="assistance.responsiblerole", via="admin", area_code=COUNTY).count() == 1


def test_a_townships_staff_may_not(areas):
    client = _staff("township_staff", Role.TOWNSHIP, TOWNSHIP_A)
    for path in ("/admin/assistance/responsiblerole/", "/admin/assistance/responsiblerole/add/"):
        assert client.get(path).status_code == 403, path
    assert client.post("/admin/assistance/responsiblerole/add/", {**ROLE, "area": COUNTY}).status_code == 403
    assert not ResponsibleRole.objects.exists()


def test_pairings_are_read_only_in_the_admin(users, make_household):
    pairing = pairings.pair(
        users["county"], make_household(VILLAGE_A1), cadre(VILLAGE_A1, "甲"), started_on=date(2024, 1, 1), via="t"
    )
    client = _staff("township_staff", Role.TOWNSHIP, TOWNSHIP_A)
    page = client.get(f"/admin/assistance/pairing/{pairing.pk}/change/")
    assert page.status_code == 200 and "甲" in page.content.decode()
    assert client.get("/admin/assistance/pairing/add/").status_code == 403
    assert client.post(f"/admin/assistance/pairing/{pairing.pk}/delete/", {"post": "yes"}).status_code == 403
