"""The admin fails closed: every choice, every submitted key and every saved object stays inside the user's area;
admins that cannot be scoped are for superusers only; users' grants are a superuser's to change; /admin/ is
nothing to users who are not staff."""

from datetime import date

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from fupin.accounts.admin_scoping import (
    OUT_OF_SCOPE_CHOICE,
    ScopedAdmin,
    ScopedTabularInline,
    SuperuserOnlyAdmin,
    is_fail_closed,
)
from fupin.accounts.admin_site import FupinAdminSite
from fupin.accounts.models import Action, AuditEntry, User
from fupin.accounts.roles import Role
from fupin.areas.models import Area
from fupin.registry import codes, services
from fupin.registry.admin import HouseholdAdmin, IncomeAccountAdmin
from fupin.registry.models import Household, IncomeAccount, LivingConditions, Member, StatusEvent, VillageFacilities
from tests.factories import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, make_id

pytestmark = pytest.mark.django_db

MODELS = (
    "incomeaccount",
    "livingconditions",
    "villagefacilities",
    "area",
    "member",
    "household",
    "statusevent",
    "user",
    "auditentry",
)
REFUSED = "不能保存：该记录不在您管辖的区划内"


@pytest.fixture
def staff(users):
    """The township-A clerk, staff, with every admin permission on the area data and on users."""
    user = users["township_a"]
    user.is_staff = True
    user.save()
    codenames = [f"{verb}_{model}" for verb in ("add", "change", "view", "delete") for model in MODELS]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture
def homes(make_household):
    return {
        "a1": make_household(VILLAGE_A1, number="A1-0001", head_name="钱小满"),
        "b1": make_household(VILLAGE_B1, number="B1-0001", head_name="赵冬生"),
    }


def form_data(response, **values) -> dict:
    """What the browser would post back from an admin form page: each field's value as shown, empty inline
    formsets, then `values`."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or value == "" or value == []:
            continue
        widget = form.fields[name].widget
        if isinstance(widget, forms.MultiWidget):  # a date and a time, as two inputs
            data.update({name + suffix: part for suffix, part in zip(widget.widgets_names, widget.decompress(value))})
        else:
            data[name] = "on" if value is True else value
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(values)
    return data


# --- every admin fails closed --------------------------------------------------------------------------------------


def test_every_admin_on_the_site_is_scoped_by_area_or_for_superusers_only():
    assert isinstance(admin.site._wrapped if hasattr(admin.site, "_wrapped") else admin.site, FupinAdminSite)
    assert len(admin.site._registry) >= 10
    for model, model_admin in admin.site._registry.items():
        assert is_fail_closed(model_admin), model._meta.label
        if isinstance(model_admin, ScopedAdmin):
            assert hasattr(model._default_manager.all(), "restrict"), model._meta.label
            assert all(issubclass(inline, ScopedTabularInline) for inline in model_admin.inlines), model._meta.label
    assert isinstance(admin.site._registry[Group], SuperuserOnlyAdmin)  # Django's own, wrapped by the site


def test_a_scoped_admin_of_a_model_without_restrict_is_refused_at_registration():
    site = AdminSite(name="t")
    with pytest.raises(ImproperlyConfigured, match="restrict"):
        site.register(Group, ScopedAdmin)

    class PlainInline(admin.TabularInline):
        model = Member

    with pytest.raises(ImproperlyConfigured, match="PlainInline"):
        site.register(Household, type("H", (ScopedAdmin,), {"inlines": [PlainInline]}))


def test_a_plain_model_admin_registered_on_the_site_becomes_superuser_only(client, staff, users):
    site = FupinAdminSite(name="t")
    site.register(Group)
    assert isinstance(site._registry[Group], SuperuserOnlyAdmin)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_group", "change_group"]))
    client.force_login(User.objects.get(pk=staff.pk))
    assert client.get("/admin/auth/group/").status_code == 403
    assert "auth/group" not in client.get("/admin/").content.decode()
    boss = users["county"]
    boss.is_staff = boss.is_superuser = True
    boss.save()
    client.force_login(boss)
    assert client.get("/admin/auth/group/").status_code == 200


# --- foreign keys into another township -------------------------------------------------------------------------

CASES = {
    # model url, foreign key, key in township B, key in township A, other fields
    "income account": ("registry/incomeaccount", "household", "b1", "a1", {"year": 2023, "persons": 2}),
    "living conditions": ("registry/livingconditions", "household", "b1", "a1", {"year": 2023}),
    "village facilities": ("registry/villagefacilities", "village", VILLAGE_B1, VILLAGE_A1, {"year": 2023}),
    "area": ("areas/area", "parent", TOWNSHIP_B, TOWNSHIP_A, {"name": "新建村", "level": 5}),
    "member": (
        "registry/member",
        "household",
        "b1",
        "a1",
        {"name": "新成员", "sex": "1", "relation": "03", "birth_date": "2010-01-01"},
    ),
    "household": ("registry/household", "village", VILLAGE_B1, VILLAGE_A1, {"head_name": "新户主"}),
}
COUNT = {
    "registry/incomeaccount": IncomeAccount,
    "registry/livingconditions": LivingConditions,
    "registry/villagefacilities": VillageFacilities,
    "areas/area": Area,
    "registry/member": Member,
    "registry/household": Household,
}


def _key(homes, key):
    return homes[key].pk if key in homes else key


@pytest.mark.parametrize("case", list(CASES))
def test_an_add_form_with_a_key_into_another_township_is_refused_and_writes_nothing(client, staff, homes, case):
    url, field, theirs, mine, fields = CASES[case]
    model = COUNT[url]
    client.force_login(staff)
    page = client.get(f"/admin/{url}/add/")
    assert page.status_code == 200
    extra = {"code": "149901002009"} if model is Area else {"number": "NEW-0001"} if model is Household else {}
    before = model.objects.count()

    response = client.post(f"/admin/{url}/add/", form_data(page, **fields, **extra, **{field: _key(homes, theirs)}))
    assert response.status_code == 200  # the form again, with its error
    assert model.objects.count() == before
    body = response.content.decode()
    assert str(OUT_OF_SCOPE_CHOICE) in body
    for secret in ("B1-0001", "赵冬生", "西乡镇", "西一村"):  # the other township's records, by number, name, label
        assert secret not in body, secret
    assert not AuditEntry.objects.filter(via="admin").exists()

    extra = {"code": "149901001009"} if model is Area else extra
    response = client.post(f"/admin/{url}/add/", form_data(page, **fields, **extra, **{field: _key(homes, mine)}))
    assert response.status_code == 302, (response.context["adminform"].form.errors, response.context["errors"])  # saved
    assert model.objects.count() == before + 1
    entry = AuditEntry.objects.get(via="admin", action=Action.CREATE)
    assert entry.area_code.startswith(TOWNSHIP_A[:9])  # filed where township A's auditors see it


def test_the_re_rendered_form_labels_a_key_only_when_it_is_in_scope(client, staff, homes):
    client.force_login(staff)
    page = client.get("/admin/registry/incomeaccount/add/")
    mine = client.post("/admin/registry/incomeaccount/add/", form_data(page, household=homes["a1"].pk)).content.decode()
    assert "A1-0001 钱小满" in mine  # the raw-id field names its household: the missing year is the error here
    theirs = client.post("/admin/registry/incomeaccount/add/", form_data(page, household=homes["b1"].pk))
    assert "B1-0001" not in theirs.content.decode() and "赵冬生" not in theirs.content.decode()


def test_a_change_that_moves_an_object_into_another_township_is_refused(client, staff, homes):
    income = IncomeAccount.objects.create(household=homes["a1"], year=2023, persons=1)
    client.force_login(staff)
    url = f"/admin/registry/incomeaccount/{income.pk}/change/"
    response = client.post(url, form_data(client.get(url), household=homes["b1"].pk))
    assert response.status_code == 200 and str(OUT_OF_SCOPE_CHOICE) in response.content.decode()
    income.refresh_from_db()
    assert income.household_id == homes["a1"].pk


def test_an_area_whose_code_or_parent_lies_outside_the_users_scope_is_refused(client, staff):
    client.force_login(staff)
    page = client.get("/admin/areas/area/add/")
    for code, parent in (("149901002009", TOWNSHIP_A), ("149901001009", None), ("149901003000", COUNTY)):
        data = form_data(page, code=code, name="越界", level=5)
        if parent:
            data["parent"] = parent
        body = client.post("/admin/areas/area/add/", data).content.decode()
        assert (str(OUT_OF_SCOPE_CHOICE) if parent == COUNTY else REFUSED) in body, (code, parent)
        assert not Area.objects.filter(code=code).exists()
    # the township's own record belongs to the county above it: seen, not changed
    url = f"/admin/areas/area/{TOWNSHIP_A}/change/"
    body = client.post(url, form_data(client.get(url), name="改名")).content.decode()
    assert REFUSED in body and Area.objects.get(code=TOWNSHIP_A).name == "东乡镇"


def test_a_superuser_of_the_whole_tree_may_add_a_top_level_area(client, users):
    boss = User.objects.create_superuser("root", password="pw-12345678")
    client.force_login(boss)
    page = client.get("/admin/areas/area/add/")
    response = client.post("/admin/areas/area/add/", form_data(page, code="150000000000", name="邻省", level=1))
    assert response.status_code == 302 and Area.objects.filter(code="150000000000").exists()


@pytest.mark.parametrize(
    "url",
    [
        "registry/incomeaccount/{income}",
        "registry/livingconditions/{conditions}",
        "registry/villagefacilities/{facilities}",
        "registry/member/{member}",
        "registry/statusevent/{event}",
        "registry/household/{household}",
        "areas/area/" + TOWNSHIP_B,
        "areas/area/" + VILLAGE_B1,
        "accounts/user/{user}",
    ],
)
def test_the_change_page_of_an_object_of_another_township_is_not_found(client, staff, homes, users, url):
    b1 = homes["b1"]
    services.record_event(users["county"], b1, codes.EventKind.IDENTIFIED, date(2020, 3, 1), reason="因病")
    keys = {
        "income": IncomeAccount.objects.create(household=b1, year=2023, persons=1).pk,
        "conditions": LivingConditions.objects.create(household=b1, year=2023).pk,
        "facilities": VillageFacilities.objects.create(village_id=VILLAGE_B1, year=2023).pk,
        "member": b1.members.get().pk,
        "event": StatusEvent.objects.get(household=b1).pk,
        "household": b1.pk,
        "user": users["village_b1"].pk,
    }
    client.force_login(staff)
    for view in ("change/", "delete/", "history/", ""):  # "" : Django's redirect to the change page
        response = client.get(f"/admin/{url.format(**keys)}/{view}")
        assert response.status_code == 404, view
        assert "B1-0001" not in response.content.decode()


def test_an_inline_adds_no_member_and_shows_no_health(client, staff, homes):
    client.force_login(staff)
    url = f"/admin/registry/household/{homes['a1'].pk}/change/"
    page = client.get(url)
    assert "健康状况" not in page.content.decode()  # masked data stays off the admin
    data = form_data(
        page,
        **{
            "members-TOTAL_FORMS": 2,
            "members-INITIAL_FORMS": 1,
            "members-0-id": homes["a1"].members.get().pk,
            "members-0-household": homes["a1"].pk,
            "members-1-name": "偷加的",
            "members-1-sex": "1",
            "members-1-relation": "03",
            "members-1-birth_date": "2010-01-01",
            "members-1-household": homes["a1"].pk,
        },
    )
    client.post(url, data)
    assert homes["a1"].members.count() == 1


def test_a_scoped_inline_lists_and_saves_rows_only_under_the_users_own_records(client, staff, homes):
    class IncomeInline(ScopedTabularInline):
        model = IncomeAccount
        fields = ("year", "persons")

    site = FupinAdminSite(name="admin")
    household_admin = type("H", (HouseholdAdmin,), {"inlines": [IncomeInline]})(Household, site)
    IncomeAccount.objects.create(household=homes["b1"], year=2023, persons=1)
    request = RequestFactory().get("/")
    request.user = staff
    (inline,) = household_admin.get_inline_instances(request, homes["a1"])
    assert not inline.get_queryset(request).filter(household=homes["b1"]).exists()
    rows = {"incomes-TOTAL_FORMS": 1, "incomes-INITIAL_FORMS": 0, "incomes-0-year": 2024, "incomes-0-persons": 2}
    formset = inline.get_formset(request, homes["a1"])(data=rows, instance=homes["a1"], prefix="incomes")
    assert formset.is_valid(), formset.errors
    household_admin.save_formset(request, None, formset, change=True)
    assert homes["a1"].incomes.get().year == 2024
    entry = AuditEntry.objects.get(model="registry.incomeaccount", action=Action.CREATE)
    assert entry.area_code == VILLAGE_A1 and entry.via == "admin"


def test_autocomplete_choices_and_the_autocomplete_view_are_scoped(staff, homes):
    site = FupinAdminSite(name="admin")  # its widgets' links reverse the admin's URL names
    site.register(Household, HouseholdAdmin)
    site.register(
        IncomeAccount, type("A", (IncomeAccountAdmin,), {"raw_id_fields": (), "autocomplete_fields": ("household",)})
    )
    request = RequestFactory().get("/")
    request.user = staff
    form = site._registry[IncomeAccount].get_form(request)(
        data={"household": homes["b1"].pk, "year": 2023, "persons": 1}
    )
    assert list(form.fields["household"].queryset) == [homes["a1"]]
    assert not form.is_valid() and form.errors["household"] == [str(OUT_OF_SCOPE_CHOICE)]
    assert "B1-0001" not in str(form["household"])  # the selected option is not rendered either

    query = {"app_label": "registry", "model_name": "incomeaccount", "field_name": "household", "term": "0001"}
    request = RequestFactory().get("/autocomplete/", query)
    request.user = staff
    found = site.autocomplete_view(request)
    assert [item["text"] for item in __import__("json").loads(found.content)["results"]] == ["A1-0001 钱小满"]


def test_a_list_filter_on_a_relation_lists_only_related_objects_of_the_users_rows(staff, homes):
    site = AdminSite(name="t")
    site.register(IncomeAccount, type("A", (IncomeAccountAdmin,), {"list_filter": ("household", "year")}))
    request = RequestFactory().get("/")
    request.user = staff
    assert site._registry[IncomeAccount].get_list_filter(request) == [
        ("household", admin.RelatedOnlyFieldListFilter),
        "year",
    ]


# --- users: grants are a superuser's ----------------------------------------------------------------------------

GRANTS = {"role": Role.COUNTY_ADMIN, "area": COUNTY, "is_staff": "on", "is_superuser": "on"}


def test_a_staff_user_cannot_change_role_area_staff_or_superuser_even_by_a_crafted_post(client, staff, users):
    target = users["village_a1"]
    client.force_login(staff)
    for user in (target, staff):  # another user, and himself
        url = f"/admin/accounts/user/{user.pk}/change/"
        page = client.get(url)
        assert "is_superuser" not in page.context["adminform"].form.fields
        data = form_data(page, first_name="改名", **GRANTS)
        data["groups"] = [Group.objects.create(name=f"g{user.pk}").pk]
        data["user_permissions"] = [Permission.objects.get(codename="change_group").pk]
        assert client.post(url, data).status_code == 302
        user = User.objects.get(pk=user.pk)
        assert user.first_name == "改名"  # the post went through: only the grants were ignored
        assert (user.role, user.area_id, user.is_superuser) == (
            Role.VILLAGE if user.pk == target.pk else Role.TOWNSHIP,
            target.area_id if user.pk == target.pk else TOWNSHIP_A,
            False,
        )
        assert user.is_staff == (user.pk == staff.pk) and not user.groups.exists()
        assert not user.user_permissions.filter(codename="change_group").exists()


def test_a_superuser_may_change_role_and_area(client, users):
    boss = User.objects.create_superuser("root", password="pw-12345678")
    client.force_login(boss)
    target = users["village_a1"]
    url = f"/admin/accounts/user/{target.pk}/change/"
    assert client.post(url, form_data(client.get(url), role=Role.TOWNSHIP, area=TOWNSHIP_B)).status_code == 302
    target.refresh_from_db()
    assert (target.role, target.area_id) == (Role.TOWNSHIP, TOWNSHIP_B)


def test_a_user_change_is_audited_under_the_users_area_for_that_areas_auditors(client, staff, users):
    target = users["village_a1"]
    client.force_login(staff)
    url = f"/admin/accounts/user/{target.pk}/change/"
    client.post(url, form_data(client.get(url), last_name="周"))
    entry = AuditEntry.objects.get(model="accounts.user", action=Action.UPDATE, via="admin")
    assert entry.area_code == VILLAGE_A1 and entry.changes["last_name"] == ["", "周"]
    assert AuditEntry.objects.restrict(users["village_a1"]).filter(pk=entry.pk).exists()
    assert not AuditEntry.objects.restrict(users["village_b1"]).filter(pk=entry.pk).exists()

    password = f"/admin/accounts/user/{target.pk}/password/"
    client.post(password, {"password1": "new-pass-98765", "password2": "new-pass-98765", "usable_password": "true"})
    entry = AuditEntry.objects.filter(model="accounts.user", action=Action.UPDATE).latest("id")
    assert entry.area_code == VILLAGE_A1 and set(entry.changes) == {"password"}
    assert all(value.startswith("sha256:") for value in entry.changes["password"])


@pytest.mark.parametrize(
    "role, area, allowed",
    [
        (Role.VILLAGE, VILLAGE_A1, True),
        (Role.TOWNSHIP, TOWNSHIP_A, True),
        (Role.COUNTY_ADMIN, VILLAGE_A1, False),
        (Role.INSPECTOR, TOWNSHIP_A, False),
        (Role.VILLAGE, VILLAGE_B1, False),
        (Role.VILLAGE, COUNTY, False),
        (Role.VILLAGE, None, False),
    ],
)
def test_a_staff_user_creates_users_only_in_his_area_and_at_most_his_rank(client, staff, role, area, allowed):
    client.force_login(staff)
    data = {
        "username": "new_clerk",
        "password1": "pw-Long-98765",
        "password2": "pw-Long-98765",
        "usable_password": "true",
        "role": role,
        "is_staff": "on",
        "is_superuser": "on",
    }
    if area:
        data["area"] = area
    response = client.post("/admin/accounts/user/add/", data)
    created = User.objects.filter(username="new_clerk").first()
    assert (created is not None) == allowed, response.content.decode()[-2000:]
    if created:
        assert (created.role, created.area_id, created.is_staff, created.is_superuser) == (role, area, False, False)
        assert AuditEntry.objects.get(model="accounts.user", action=Action.CREATE).area_code == area
    else:
        assert response.status_code == 200
        body = response.content.decode()
        assert str(OUT_OF_SCOPE_CHOICE) in body or REFUSED in body or "选择一个有效的选项" in body


def test_superusers_and_higher_roles_in_the_area_are_beyond_a_staff_users_change_and_password_pages(client, staff):
    above = User.objects.create_superuser("root_a", password="pw-12345678", area_id=VILLAGE_A1)
    inspector = User.objects.create_user("insp_a", password="pw-12345678", role=Role.INSPECTOR, area_id=TOWNSHIP_A)
    client.force_login(staff)
    for user in (above, inspector):
        url = f"/admin/accounts/user/{user.pk}/"
        assert client.post(url + "change/", {"username": "taken", "first_name": "x"}).status_code == 403
        assert client.post(url + "password/", {"password1": "x-98765432", "password2": "x-98765432"}).status_code == 403
        user.refresh_from_db()
        assert user.username != "taken" and user.check_password("pw-12345678")


def test_the_audit_log_in_the_admin_masks_what_the_viewers_role_may_not_see(client, users, make_household):
    id_number = make_id("19700101")
    make_household(VILLAGE_A1, members=[{"name": "孙一", "relation": "01", "id_number": id_number}])
    entry = AuditEntry.objects.get(model="registry.member", action=Action.CREATE)
    for name, sees in (("inspector", False), ("county", True)):
        user = users[name]
        user.is_staff = True
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
        client.force_login(User.objects.get(pk=user.pk))
        body = client.get(f"/admin/accounts/auditentry/{entry.pk}/change/").content.decode()
        assert (id_number in body) == sees and id_number[-4:] in body, name


# --- /admin/ is for staff -----------------------------------------------------------------------------------------


def test_admin_sends_anonymous_users_to_the_apps_login_page(client):
    for url in ("/admin/", "/admin/registry/household/", "/admin/login/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/admin/"), url
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 302


def test_admin_is_a_plain_404_for_logged_in_users_who_are_not_staff(client, users):
    client.force_login(users["village_a1"])
    for url in (
        "/admin/",
        "/admin/login/",
        "/admin/registry/household/",
        "/admin/accounts/user/1/change/",
        "/admin/password_change/",
        "/admin/nothing-here/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert 'name="password"' not in response.content.decode()


def test_staff_still_reach_the_admin(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"
