"""The Django admin is one more path: it goes through the same scoping and the same audit log."""

import pytest
from django.contrib.auth.models import Permission

from fupin.accounts.models import Action, AuditEntry
from tests.factories import VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_township(users):
    user = users["township_a"]
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_household", "change_household", "view_area"])
    )
    return user


def test_admin_list_shows_only_households_in_the_users_area(client, staff_township, make_household):
    mine = make_household(VILLAGE_A1, number="MINE-1")
    theirs = make_household(VILLAGE_B1, number="THEIRS-1")
    client.force_login(staff_township)
    page = client.get("/admin/registry/household/").content.decode()
    assert mine.number in page and theirs.number not in page
    assert "农户" in page  # the admin speaks Chinese


def test_admin_change_page_of_another_area_is_not_found(client, staff_township, make_household):
    theirs = make_household(VILLAGE_B1)
    client.force_login(staff_township)
    response = client.get(f"/admin/registry/household/{theirs.pk}/change/")
    assert response.status_code == 404 and theirs.number not in response.content.decode()
    missing = client.get(f"/admin/registry/household/{theirs.pk + 1000}/change/")
    assert missing.status_code == 404  # answered exactly as an object that does not exist


def test_admin_edit_is_audited(client, staff_township, make_household):
    household = make_household(VILLAGE_A1)
    client.force_login(staff_township)
    url = f"/admin/registry/household/{household.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "head_name": "改过的名字",
            "village": household.village_id,
            "members-TOTAL_FORMS": 1,
            "members-INITIAL_FORMS": 1,
            "members-0-id": household.members.get().pk,
            "members-0-household": household.pk,
        }
    )
    for key in ("risk_eliminated", "relocated", "no_labour_household"):
        if not data.get(key):
            data.pop(key, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(action=Action.UPDATE, via="admin").get()
    assert entry.changes["head_name"] == ["张大山", "改过的名字"]


def test_audit_log_in_admin_is_read_only_and_scoped(client, users, make_household):
    make_household(VILLAGE_B1)
    admin = users["county"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/accounts/auditentry/").status_code == 200
    assert client.get("/admin/accounts/auditentry/add/").status_code == 403


def test_user_admin_is_scoped_and_never_logs_password_hashes(client, users):
    admin_user = users["county"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    township = users["township_a"]
    township.is_staff = True
    township.save()
    township.user_permissions.add(*Permission.objects.filter(codename__in=["view_user"]))
    client.force_login(township)
    listed = client.get("/admin/accounts/user/").content.decode()
    assert "village_a1" in listed and "village_b1" not in listed

    client.force_login(admin_user)
    url = f"/admin/accounts/user/{users['village_a1'].pk}/password/"
    response = client.post(
        url, {"password1": "new-pass-98765", "password2": "new-pass-98765", "usable_password": "true"}
    )
    assert response.status_code == 302
    users["village_a1"].refresh_from_db()
    assert users["village_a1"].check_password("new-pass-98765")


def test_audit_snapshot_keeps_only_a_fingerprint_of_the_password(users):
    from fupin.accounts import audit

    user = users["village_a1"]
    before = audit.snapshot(user)
    user.set_password("another-pass-123")
    after = audit.snapshot(user)
    change = audit.diff(before, after)["password"]
    assert change[0] != change[1] and all(v.startswith("sha256:") and len(v) == 15 for v in change)
    assert user.password not in str(after)
