"""Login lockout (django-axes, accounts.lockout): 5 wrong passwords lock a username from that address for 30 minutes
— the right password is refused then, with the Chinese message, 429 — and the failures and the lockout are in the
audit log; a success resets the count; another user, or the same user from another address, is not locked; a
county administrator or a superuser lifts it in the admin or with `fupin unlock`, audited; nobody else can."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from fupin.accounts import lockout
from fupin.accounts.models import Action, AuditEntry, Lockout, User
from fupin.accounts.roles import Role
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1

pytestmark = pytest.mark.django_db

PASSWORD = "pw-12345678"  # tests/conftest.py
LOCKED = "登录失败次数过多，该账户已被暂时锁定，请 30 分钟后再试"
WRONG = "用户名或密码不正确"


def attempt(client, username, password="wrong-password", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    for _ in range(times):
        response = attempt(client, username, **extra)
    return response


def logged_in(client) -> bool:
    return client.get(reverse("registry:household-list")).status_code == 200


def staff(user, superuser=False):
    user.is_staff, user.is_superuser = True, superuser
    user.save()
    return user


def audit(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_five_wrong_passwords_lock_the_user_out_and_the_right_one_is_refused(client, users):
    response = fail(client, "village_a1", 4)
    assert response.status_code == 200 and WRONG in response.content.decode()

    fifth = attempt(client, "village_a1")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    assert WRONG not in fifth.content.decode()
    assert 'name="username"' in fifth.content.decode()  # the login form is still there, for later
    right = attempt(client, "village_a1", PASSWORD)
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert not logged_in(client)

    assert AccessAttempt.objects.get(username="village_a1").failures_since_start == 5  # refused attempts not counted
    failed = audit(Action.LOGIN_FAILED)
    assert [e.changes for e in failed] == [{"ip": "127.0.0.1"}] * 5 + [{"ip": "127.0.0.1", "locked": True}]
    assert {(e.username, e.area_code, e.user_id) for e in failed} == {
        ("village_a1", VILLAGE_A1, users["village_a1"].pk)
    }
    (locked,) = audit(Action.LOCKOUT)
    assert (locked.username, locked.area_code, locked.changes, locked.via) == (
        "village_a1",
        VILLAGE_A1,
        {"ip": "127.0.0.1", "failures": 5},
        "ui",
    )
    assert not audit(Action.LOGIN)


def test_four_wrong_passwords_then_the_right_one_logs_in_and_the_count_starts_again(client, users):
    fail(client, "village_a1", 4)
    assert attempt(client, "village_a1", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="village_a1").exists()
    client.logout()
    assert fail(client, "village_a1", 4).status_code == 200  # 4 again: not locked, the earlier 4 were forgotten
    assert attempt(client, "village_a1").status_code == 429
    assert not audit(Action.LOCKOUT)[1:]  # one lockout only


def test_another_user_behind_the_same_address_and_the_same_user_elsewhere_are_not_locked(client, users):
    fail(client, "village_a1", 5)
    assert attempt(client, "village_a1", PASSWORD).status_code == 429
    assert attempt(client, "village_a2", PASSWORD).status_code == 302  # the county's NAT: one address for all
    client.logout()
    assert attempt(client, "village_a1", PASSWORD, REMOTE_ADDR="10.20.30.41").status_code == 302


def test_a_lockout_ends_after_the_cooloff(client, users):
    fail(client, "village_a1", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert attempt(client, "village_a1", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=30, seconds=5))
    assert attempt(client, "village_a1", PASSWORD).status_code == 302


def test_an_unknown_username_is_locked_and_audited_too(client, users):
    fail(client, "nobody", 5)
    (locked,) = audit(Action.LOCKOUT)
    assert (locked.username, locked.user_id, locked.object_id, locked.area_code) == ("nobody", None, "", "")


def test_the_lockout_page_in_english_for_a_user_who_chose_it(client, users):
    client.cookies["django_language"] = "en"
    page = fail(client, "village_a1", 5).content.decode()
    assert "Too many failed logins" in page and "30 minutes" in page and LOCKED not in page


# ── behind the proxy ────────────────────────────────────────────────────────────────────────────────────────────


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(client, users, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    office, other = {"HTTP_X_FORWARDED_FOR": "10.0.0.5"}, {"HTTP_X_FORWARDED_FOR": "10.0.0.6"}
    fail(client, "village_a1", 5, **office)
    assert AccessAttempt.objects.get().ip_address == "10.0.0.5"
    # a client writing its own X-Forwarded-For does not escape: the proxy appends the address it saw
    assert attempt(client, "village_a1", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.6, 10.0.0.5").status_code == 429
    assert attempt(client, "village_a1", PASSWORD, **other).status_code == 302
    assert audit(Action.LOGIN)[0].changes == {"ip": "10.0.0.6"}


def test_client_ip_believes_x_forwarded_for_only_from_a_trusted_proxy(settings):
    factory = RequestFactory()
    settings.TRUSTED_PROXIES = []
    assert lockout.client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="10.0.0.5")) == "127.0.0.1"
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.9.9.9"]
    assert lockout.client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.5")) == "10.0.0.5"
    assert lockout.client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="10.0.0.5, 10.9.9.9")) == "10.0.0.5"  # 2 proxies
    assert lockout.client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="10.0.0.5, junk")) == "127.0.0.1"
    assert lockout.client_ip(factory.get("/")) == "127.0.0.1"
    assert lockout.client_ip(factory.get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.1.1.1")) == "10.0.0.7"


# ── lifting ─────────────────────────────────────────────────────────────────────────────────────────────────────


def test_a_county_administrator_lifts_a_lockout_in_the_admin_and_it_is_audited(client, users):
    fail(client, "village_a1", 5)
    admin = staff(users["county"])
    client.force_login(admin)
    listing = client.get("/admin/accounts/lockout/")
    assert listing.status_code == 200 and "village_a1" in listing.content.decode()
    assert "锁定中" in listing.content.decode()
    pk = Lockout.objects.get().pk
    response = client.post("/admin/accounts/lockout/", {"action": "lift_selected", "_selected_action": [pk]})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    (lifted,) = audit(Action.UNLOCK)
    assert (lifted.user_id, lifted.username, lifted.via) == (admin.pk, "county", "admin")
    assert (lifted.model, lifted.object_id, lifted.area_code) == (
        "accounts.user",
        str(users["village_a1"].pk),
        VILLAGE_A1,
    )
    assert lifted.changes == {"username": "village_a1", "ip": "127.0.0.1", "failures": 5, "locked": True}

    client.logout()
    assert attempt(client, "village_a1", PASSWORD).status_code == 302


def test_a_superuser_lifts_one_on_its_delete_page(client, users):
    fail(client, "village_a1", 5)
    root = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(root)
    pk = Lockout.objects.get().pk
    assert client.post(f"/admin/accounts/lockout/{pk}/delete/", {"post": "yes"}).status_code == 302
    (lifted,) = audit(Action.UNLOCK)
    assert (lifted.username, lifted.changes["username"]) == ("root", "village_a1")
    client.logout()
    assert attempt(client, "village_a1", PASSWORD).status_code == 302


def test_axes_own_admins_are_not_on_the_site_only_the_scoped_one():
    assert not {AccessAttempt, AccessLog, AccessFailureLog} & set(admin.site._registry)
    assert Lockout in admin.site._registry


def test_staff_who_are_not_administrators_neither_see_nor_lift_lockouts(client, users):
    fail(client, "village_a1", 5)
    township = staff(users["township_a"])
    client.force_login(township)
    assert client.get("/admin/accounts/lockout/").status_code == 403
    assert "登录锁定" not in client.get("/admin/").content.decode()
    pk = Lockout.objects.get().pk
    client.post("/admin/accounts/lockout/", {"action": "lift_selected", "_selected_action": [pk]})
    assert client.post(f"/admin/accounts/lockout/{pk}/delete/", {"post": "yes"}).status_code in (403, 404)
    assert AccessAttempt.objects.exists() and not audit(Action.UNLOCK)


def test_a_county_administrator_may_not_lift_a_superusers_or_another_areas_lockout(client, users):
    root = User.objects.create_superuser("root", password=PASSWORD, area_id=COUNTY)
    fail(client, "root", 5)
    fail(client, "village_b1", 5)
    fail(client, "nobody", 5)
    admin = staff(users["county"])
    by_name = {a.username: a for a in Lockout.objects.all()}
    assert not lockout.may_lift(admin, by_name["root"]) and not lockout.may_lift(admin, by_name["nobody"])
    assert lockout.may_lift(admin, by_name["village_b1"])
    assert lockout.may_lift(root, by_name["nobody"]) is False  # a superuser with an area sees his area only
    east = User.objects.create_user(
        "east_admin", password=PASSWORD, role=Role.COUNTY_ADMIN, area_id=TOWNSHIP_A, is_staff=True
    )
    assert not lockout.may_lift(east, by_name["village_b1"])

    client.force_login(east)
    listing = client.get("/admin/accounts/lockout/").content.decode()
    assert "village_b1" not in listing and "root" not in listing
    assert client.get(f"/admin/accounts/lockout/{by_name['village_b1'].pk}/change/").status_code == 404
    client.force_login(admin)
    assert client.post(f"/admin/accounts/lockout/{by_name['root'].pk}/delete/", {"post": "yes"}).status_code == 403
    client.post("/admin/accounts/lockout/", {"action": "lift_selected", "_selected_action": [by_name["root"].pk]})
    assert Lockout.objects.filter(username="root").exists() and not audit(Action.UNLOCK)


def test_fupin_unlock_lifts_it_audited_and_axes_reset_is_refused(client, users, capsys):
    fail(client, "village_a1", 5)
    for name in ("axes_reset", "axes_reset_username", "axes_reset_ip", "axes_reset_ip_username"):
        with pytest.raises(CommandError, match="fupin unlock"):
            call_command(name, "village_a1")
    with pytest.raises(CommandError, match="--by"):
        call_command("unlock", "village_a1")
    with pytest.raises(CommandError, match="无权"):
        call_command("unlock", "village_a1", "--by", "township_a")
    with pytest.raises(CommandError, match="没有登录失败记录"):
        call_command("unlock", "village_a1", "--by", "county", "--ip", "10.9.9.9")
    assert AccessAttempt.objects.exists() and not audit(Action.UNLOCK)

    call_command("unlock", "--list")
    assert "village_a1  127.0.0.1  失败 5 次" in capsys.readouterr().out
    call_command("unlock", "village_a1", "--by", "county")
    (lifted,) = audit(Action.UNLOCK)
    assert (lifted.username, lifted.via, lifted.changes["username"], lifted.area_code) == (
        "county",
        "cli",
        "village_a1",
        VILLAGE_A1,
    )
    assert attempt(client, "village_a1", PASSWORD).status_code == 302
