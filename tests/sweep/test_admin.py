"""The admin swept like every other path, model by model from admin.site._registry (tests/sweep/routes.py
ADMIN_MODELS names what to use for each): a staff user of 西乡镇 with every model permission gets, for 东一村's
record, the 404 of a missing one on its change, delete and history pages; changes, deletes and records filed
under it change nothing; changelists and searches name nothing of 东乡镇; a model without an area is refused to
any staff user who is not a superuser; no admin page holds a value the staff user's role may not see; an allowed
change, addition and deletion each leave exactly their audit entry."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories import VILLAGE_A1
from tests.sweep.http import browser, changed_tables, explain, last_audit_id, new_audit, normalized, state, text
from tests.sweep.routes import ADMIN_MODELS, form_values
from tests.sweep.world import MISSING_VILLAGE

pytestmark = pytest.mark.django_db

OUTSIDER, INSIDER = "staff_b", "staff_a"
MASKED_STAFF = ("staff_department", "staff_a")
MISSING_PK = 987654321
SCOPED = [label for label, model in ADMIN_MODELS.items() if model.target]
UNSCOPED = [label for label, model in ADMIN_MODELS.items() if not model.target]
OBJECT_PAGES = ("change", "delete", "history")


def staff(world, username):
    return browser(world.users[username])


def url(label, action, pk=None) -> str:
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{action}", args=[] if pk is None else [pk])


def target(world, label):
    return world.objects[ADMIN_MODELS[label].target]


def missing(label):
    return MISSING_VILLAGE if label == "areas.area" else MISSING_PK


def alike(response, path, pk):
    """Status and text, with the path asked for (and an id long enough to replace safely) made alike."""
    return normalized(response, (path, "<path>"), *([(pk, "<pk>")] if len(str(pk)) > 8 else []))


def leaks(world, username, response) -> list[str]:
    body = text(response)
    return [marker for marker in world.hidden_markers(world.users[username]) if marker in body]


def unmasked(world, username, response) -> list[str]:
    body = text(response, forms=False)
    return [
        f"{rule} {value}"
        for rule, values in world.forbidden_values(world.users[username]).items()
        for value in values
        if value in body
    ]


def admin_form(response) -> dict:
    """What the admin page's form would post as shown, inline formsets and their management forms included."""
    data = form_values(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        data.update(form_values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_values(form))
    return data


def fk_alike(response, spec, fk):
    """A re-rendered add form with the foreign key's value in its own input made alike."""
    (name,) = [key for key, value in spec.add(fk).items() if value == fk]
    status, body = normalized(response)
    return status, re.sub(rf'(name="{name}"[^>]*? value=")[^"]*"', r'\1<fk>"', body)


def like_missing(world, label, client, path_of):
    """The outsider's answer for 东一村's record equals the one for a missing record; returns the answer."""
    pk = target(world, label).pk
    refused, absent = client.get(path_of(pk)), client.get(path_of(missing(label)))
    assert refused.status_code == 404, f"{path_of(pk)}: {OUTSIDER} got {refused.status_code}, not 404"
    mine, theirs = alike(refused, path_of(pk), pk), alike(absent, path_of(missing(label)), missing(label))
    assert mine == theirs, f"{path_of(pk)}: {OUTSIDER} can tell the record exists\n{explain(mine, theirs)}"
    return refused


# ── another area's records ──────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("action", [*OBJECT_PAGES, "redirect"])
@pytest.mark.parametrize("label", SCOPED)
def test_object_pages_of_another_areas_record_are_like_a_missing_one(world, label, action):
    def path_of(pk):
        return url(label, "change", pk).removesuffix("change/") if action == "redirect" else url(label, action, pk)

    control = staff(world, INSIDER).get(path_of(target(world, label).pk)).status_code  # 403: a read-only model's delete
    assert control in (200, 302, 403), f"the control: {INSIDER} got {control}"
    refused = like_missing(world, label, staff(world, OUTSIDER), path_of)
    assert not leaks(world, OUTSIDER, refused)


@pytest.mark.parametrize("label", SCOPED)
def test_changelists_and_searches_name_nothing_of_another_area(world, label):
    client = staff(world, OUTSIDER)
    for query in ("", "?q=欧阳", "?q=DY-00", f"?q={VILLAGE_A1}", "?_popup=1"):  # none a marker itself
        response = client.get(url(label, "changelist") + query)
        assert response.status_code in (200, 403), f"{label}{query}: {response.status_code}"
        assert not leaks(world, OUTSIDER, response), f"{label}{query}: {OUTSIDER} is shown 东乡镇's records"
    if label in ("registry.household", "registry.member"):  # the control: 东乡镇's staff finds them
        assert "欧阳东明" in text(staff(world, INSIDER).get(url(label, "changelist") + "?q=欧阳"))


@pytest.mark.parametrize("label", SCOPED)
def test_a_change_or_delete_by_another_area_changes_nothing(world, label):
    record = target(world, label)
    shown = staff(world, INSIDER).get(url(label, "change", record.pk))
    data = {**admin_form(shown), **ADMIN_MODELS[label].change} if "adminform" in shown.context else {}
    client = staff(world, OUTSIDER)
    for action, body in (("change", data), ("delete", {"post": "yes"})):
        before, since = state(), last_audit_id()
        refused = client.post(url(label, action, record.pk), body)
        assert changed_tables(before, state()) == [], f"{label} {action} by {OUTSIDER} changed rows"
        assert new_audit(since) == [], f"{label} {action} by {OUTSIDER} was audited as done"
        absent = client.post(url(label, action, missing(label)), body)
        assert refused.status_code == 404, f"{label} {action}: {OUTSIDER} got {refused.status_code}, not 404"
        mine = alike(refused, url(label, action, record.pk), record.pk)
        theirs = alike(absent, url(label, action, missing(label)), missing(label))
        assert mine == theirs, f"{label} {action}: unlike a missing one\n{explain(mine, theirs)}"


@pytest.mark.parametrize("label", [label for label in SCOPED if ADMIN_MODELS[label].add])
def test_a_record_filed_under_another_areas_record_is_refused(world, label):
    spec = ADMIN_MODELS[label]
    parent = world.objects[spec.add_under]
    client = staff(world, OUTSIDER)
    shown = client.get(url(label, "add"))
    assert shown.status_code == 200, f"{label}: {OUTSIDER} cannot open the add page"
    form = admin_form(shown)
    before, since = state(), last_audit_id()
    refused = client.post(url(label, "add"), {**form, **spec.add(parent.pk)})
    assert changed_tables(before, state()) == [], f"{label}: {OUTSIDER} filed a record under 东一村's {spec.add_under}"
    assert new_audit(since) == []
    assert not leaks(world, OUTSIDER, refused), f"{label}: the refused form shows 东一村's record"
    nowhere = MISSING_VILLAGE if spec.add_under == "village" else MISSING_PK
    absent = client.post(url(label, "add"), {**form, **spec.add(nowhere)})
    mine, theirs = fk_alike(refused, spec, parent.pk), fk_alike(absent, spec, nowhere)
    assert mine == theirs, f"{label}: unlike a record filed under a missing one\n{explain(mine, theirs)}"


@pytest.mark.parametrize("label", UNSCOPED)
def test_a_model_without_an_area_is_refused_to_staff_who_are_not_superusers(world, label):
    client = staff(world, OUTSIDER)
    for action in ("changelist", "add"):
        response = client.get(url(label, action))
        assert response.status_code in (403, 404), f"{label} {action}: {OUTSIDER} got {response.status_code}"


# ── masking ─────────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("username", MASKED_STAFF)
@pytest.mark.parametrize("label", SCOPED)
def test_no_admin_page_holds_a_value_the_role_may_not_see(world, label, username):
    client, pk = staff(world, username), target(world, label).pk
    for path in (
        url(label, "changelist"),
        url(label, "changelist") + "?q=欧阳",
        *(url(label, a, pk) for a in OBJECT_PAGES),
    ):
        response = client.get(path)
        assert response.status_code < 500, path
        assert not unmasked(world, username, response), f"{path}: {username} is shown values their role may not see"


# ── the audit of allowed writes ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("label", [label for label in SCOPED if ADMIN_MODELS[label].change])
def test_an_admin_change_leaves_one_audit_entry_with_the_area(world, label):
    record = target(world, label)
    client = staff(world, INSIDER)
    data = {**admin_form(client.get(url(label, "change", record.pk))), **ADMIN_MODELS[label].change}
    since = last_audit_id()
    response = client.post(url(label, "change", record.pk), data)
    assert response.status_code == 302, f"{label}: {text(response)[:400]}"
    assert new_audit(since) == [("update", label, "admin", VILLAGE_A1)], label


@pytest.mark.parametrize("label", [label for label in SCOPED if ADMIN_MODELS[label].delete])
def test_an_admin_addition_and_deletion_each_leave_one_audit_entry(world, label):
    spec = ADMIN_MODELS[label]
    client = staff(world, INSIDER)
    since = last_audit_id()
    added = client.post(
        url(label, "add"), {**admin_form(client.get(url(label, "add"))), **spec.add(world.objects[spec.add_under].pk)}
    )
    assert added.status_code == 302, f"{label}: {text(added)[:400]}"
    assert new_audit(since) == [("create", label, "admin", VILLAGE_A1)], label
    since = last_audit_id()
    deleted = client.post(url(label, "delete", target(world, label).pk), {"post": "yes"})
    assert deleted.status_code == 302, label
    assert new_audit(since) == [("delete", label, "admin", VILLAGE_A1)], label


# ── the admin site's own pages ──────────────────────────────────────────────────────────────────────────────────


def test_the_index_and_app_pages_name_nothing_of_another_area(world):
    client = staff(world, OUTSIDER)
    for path in ["/admin/", *(f"/admin/{app}/" for app in ("accounts", "areas", "registry", "policy"))]:
        response = client.get(path)
        assert response.status_code == 200 and not leaks(world, OUTSIDER, response), path


def test_autocomplete_finds_nothing_of_another_area(world):
    client = staff(world, OUTSIDER)
    for model, field_name in (("incomeaccount", "household"), ("household", "village"), ("member", "household")):
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": "registry", "model_name": model, "field_name": field_name, "term": "欧阳"},
        )
        assert response.status_code in (200, 403, 404) and not leaks(world, OUTSIDER, response), model


def test_view_on_site_of_another_areas_record_is_like_a_missing_one(world):
    household = world.objects["household"]
    kind = ContentType.objects.get_for_model(household).pk
    client = staff(world, OUTSIDER)
    refused, absent = client.get(f"/admin/r/{kind}/{household.pk}/"), client.get(f"/admin/r/{kind}/{MISSING_PK}/")
    assert refused.status_code == absent.status_code == 404
    mine = alike(refused, f"/admin/r/{kind}/{household.pk}/", household.pk)
    theirs = alike(absent, f"/admin/r/{kind}/{MISSING_PK}/", MISSING_PK)
    assert mine == theirs, explain(mine, theirs)


def test_another_areas_user_password_page_is_like_a_missing_one_and_the_password_stays(world):
    user = world.objects["user"]
    client = staff(world, OUTSIDER)
    like_missing(world, "accounts.user", client, lambda pk: f"/admin/accounts/user/{pk}/password/")
    before = type(user).objects.get(pk=user.pk).password
    client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "taken-over-123", "password2": "taken-over-123", "usable_password": "true"},
    )
    assert type(user).objects.get(pk=user.pk).password == before
