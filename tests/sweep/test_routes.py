"""One sweep over every route (issue 10), as NetBox's view and API test base classes do: the URL resolver and the
OpenAPI document are enumerated, every route must be in tests/sweep/routes.py, and each one is exercised as a user
of another area and as roles that may not see a field:

- a read of 东一村's record by 东二村 (the same township) or 西乡镇 answers exactly as for a record that does not
  exist; a write by them changes no row and no audit entry, and answers as for a missing record or village;
- a list, count or download names nothing of an area the user is neither inside nor above;
- no answer of any route holds a full value (ID number, 残疾证号, phone, bank account, health status) the role
  may not reveal — HTML, JSON, CSV, XLSX and headers alike;
- a write (and an audited read) by an allowed user leaves exactly its audit entries, with action, via and area,
  and the same call by a role that may not make it leaves none and changes nothing.

A failure names the route (the test id is the URL name or "METHOD /api/path", #n for its n-th variant)."""

import json
import re

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver

from fupin.api import api
from fupin.registry.models import Household, Member
from tests.factories import VILLAGE_A1
from tests.sweep.http import changed_tables, explain, normalized, raw, request, state, text
from tests.sweep.routes import ADMIN_MODELS, ADMIN_SITE, API, WEB, cases
from tests.sweep.world import MISSING_VILLAGE

pytestmark = pytest.mark.django_db

OUTSIDERS = ("village_a2", "township_b")  # a sibling village of 东一村, and the other township
LISTERS = ("village_a2", "township_a", "township_b", "village_b1")
MASKED_ROLES = ("department", "cadre_a1", "township_a")  # may reveal nothing; only phones; IDs and phones
MISSING_PK = 987654321
MISSING_JOB = "00000000-0000-4000-8000-000000000000"
CASES = cases()


def params(predicate, roles=None):
    chosen = [case for case in CASES if predicate(case.route)]
    if roles is None:
        return [pytest.param(case, id=case.id) for case in chosen]
    return [pytest.param(case, role, id=f"{case.id}-{role}") for case in chosen for role in roles]


def missing(case):
    return MISSING_JOB if case.route.target in ("job", "assessment_job") else MISSING_PK


def leaks(world, username, response) -> list[str]:
    """Markers of areas hidden from the user, found in the answer."""
    body = text(response)
    return [marker for marker in world.hidden_markers(world.users[username]) if marker in body]


def unmasked(world, username, response) -> list[str]:
    """Full values the user's role may not reveal, found in the answer (drop-downs left out: they list every
    health status's label whatever the record holds)."""
    body = text(response, forms=False)
    return [
        f"{rule} {value}"
        for rule, values in world.forbidden_values(world.users[username]).items()
        for value in values
        if value in body
    ]


def figures_beyond_scope(world, username, response) -> list[str]:
    """Figures of a JSON answer that cannot have been counted inside the user's area: a page's count that is not
    the number of its items (when they all fit on it), households or persons beyond all the area holds."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return []
    user = world.users[username]
    limits = {"households": Household.objects.restrict(user).count(), "persons": Member.objects.restrict(user).count()}
    limits["passed"], limits["passed_persons"] = limits["households"], limits["persons"]
    found = []

    def walk(value, where):
        if isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")
        elif isinstance(value, dict):
            items = value.get("items")
            if isinstance(items, list) and "count" in value and value["count"] <= value.get("page_size", 0):
                if value["count"] != len(items):
                    found.append(f"{where}.count {value['count']} for {len(items)} items")
            for key, inner in value.items():
                if key in limits and isinstance(inner, int) and inner > limits[key]:
                    found.append(f"{where}.{key} {inner} > {limits[key]} in {username}'s area")
                walk(inner, f"{where}.{key}")

    walk(json.loads(raw(response) or b"null"), "body")
    return found


def alike(case, response, pk):
    """Status and text of an answer with what differs by construction between two requests (the path asked for,
    and an id long enough to be replaced safely) made alike."""
    replacements = [(case.path(pk), "<path>")] + ([(pk, "<pk>")] if len(str(pk)) > 8 else [])
    return normalized(response, *replacements)


# ── every route is in the table ─────────────────────────────────────────────────────────────────────────────────


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name


def openapi_path(route: str) -> str:
    """'api/households/<int:household_id>' → '/api/households/{household_id}', as the OpenAPI document writes it."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def admin_labels() -> dict[tuple[str, str], str]:
    return {(model._meta.app_label, model._meta.model_name): model._meta.label_lower for model in admin.site._registry}


def test_every_url_pattern_is_in_the_sweeps_table():
    operations = set(api.get_openapi_schema()["paths"])
    models = admin_labels()
    unswept = []
    for route, name in walk(get_resolver().url_patterns):
        if name in WEB or name in ADMIN_SITE or route in ADMIN_SITE:
            continue
        if route.startswith("api/") and openapi_path(route) in operations:
            continue  # an API operation: the next test holds the OpenAPI document to the table
        model = re.fullmatch(r"admin/(\w+)/(\w+)/.*", route)
        if model and models.get(model.groups()) in ADMIN_MODELS:
            continue
        unswept.append(f"{name or '(unnamed)'} ({route})")
    assert not unswept, f"routes missing from tests/sweep/routes.py (add how to sweep each): {', '.join(unswept)}"


def test_every_api_operation_is_in_the_sweeps_table():
    schema = api.get_openapi_schema()
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert not operations - set(API), (
        f"API operations missing from tests/sweep/routes.py: {sorted(operations - set(API))}"
    )
    assert not set(API) - operations, (
        f"tests/sweep/routes.py lists operations that are gone: {sorted(set(API) - operations)}"
    )


def test_every_model_admin_is_in_the_sweeps_table_and_nothing_stale():
    registered = set(admin_labels().values())
    assert not registered - set(ADMIN_MODELS), (
        f"model admins missing from ADMIN_MODELS: {sorted(registered - set(ADMIN_MODELS))}"
    )
    assert not set(ADMIN_MODELS) - registered, (
        f"ADMIN_MODELS lists admins that are gone: {set(ADMIN_MODELS) - registered}"
    )
    known = {item for route, name in walk(get_resolver().url_patterns) for item in (route, name)}
    assert not (set(WEB) | set(ADMIN_SITE)) - known, f"stale names: {(set(WEB) | set(ADMIN_SITE)) - known}"


# ── reads of another area's record ──────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("case", params(lambda r: r.target and not r.writes))
def test_a_read_of_another_areas_record_is_like_a_missing_one(world, case):
    pk = world.pk(case.route.target)
    control = request(world, case, case.route.writer, pk)
    assert control.status_code == 200, f"{case.id}: {case.route.writer} cannot read their own record"
    for outsider in OUTSIDERS:
        refused, absent = request(world, case, outsider, pk), request(world, case, outsider, missing(case))
        assert refused.status_code == 404, f"{case.id}: {outsider} got {refused.status_code}, not 404"
        mine, theirs = alike(case, refused, pk), alike(case, absent, missing(case))
        assert mine == theirs, f"{case.id}: {outsider} can tell it exists\n{explain(mine, theirs)}"
        assert not leaks(world, outsider, refused), case.id


# ── writes by another area ──────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("case", params(lambda r: r.writes and r.outsider))
def test_a_write_by_another_area_changes_nothing(world, case):
    route = case.route
    own_job = {"exchange.importjob"} if not route.like_missing else set()  # an outsider's upload is their job
    for outsider in OUTSIDERS:
        pk = world.pk(route.target) if route.target else None
        before = state(ignore=own_job)
        refused = request(world, case, outsider, pk, VILLAGE_A1)
        assert refused.status_code < 500, f"{case.id}: {outsider} got {refused.status_code}"
        assert changed_tables(before, state(ignore=own_job)) == [], f"{case.id}: {outsider}'s write changed rows"
        assert refused.audit == [], f"{case.id}: {outsider}'s refused write was audited as done"
        assert not leaks(world, outsider, refused), case.id
        if not route.like_missing:
            continue
        if route.target:
            assert refused.status_code == 404, f"{case.id}: {outsider} got {refused.status_code}, not 404"
            absent = request(world, case, outsider, missing(case), VILLAGE_A1)
            mine, theirs = alike(case, refused, pk), alike(case, absent, missing(case))
        else:
            absent = request(world, case, outsider, None, MISSING_VILLAGE)
            mine, theirs = (
                normalized(refused, (VILLAGE_A1, "<village>")),
                normalized(absent, (MISSING_VILLAGE, "<village>")),
            )
        assert mine == theirs, f"{case.id}: {outsider} can tell 东一村's record exists\n{explain(mine, theirs)}"


# ── the audit of allowed writes, and refused ones ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize("case", params(lambda r: r.writes or r.audit))
def test_a_write_leaves_exactly_its_audit_entries(world, case):
    route = case.route
    pk = world.pk(route.target) if route.target else None
    response = request(world, case, route.writer, pk, VILLAGE_A1)
    assert response.status_code == route.ok, (
        f"{case.id}: {route.writer} got {response.status_code}: {text(response)[:300]}"
    )
    expected = [(action, model, via[0] if via else case.via, route.audit_area) for action, model, *via in route.audit]
    assert response.audit == expected, f"{case.id}: audit entries of one call by {route.writer}"
    assert not unmasked(world, route.writer, response), case.id
    if route.refused:
        before = state()
        refused = request(world, case, route.refused, pk, VILLAGE_A1)
        assert refused.status_code in (403, 404), f"{case.id}: {route.refused} got {refused.status_code}"
        assert refused.audit == [], f"{case.id}: {route.refused}'s refused call was audited"
        assert changed_tables(before, state()) == [], f"{case.id}: {route.refused}'s refused call changed rows"


# ── lists, counts and downloads ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("case", params(lambda r: r.lists))
def test_a_list_holds_nothing_of_another_area(world, case):
    if case.route.shows:  # the control: the same request by 东一村's user names 东一村's records
        control = text(request(world, case, case.route.writer))
        records = [marker for marker in world.markers[VILLAGE_A1] if marker != "东一村"]  # not merely the area's name
        assert any(marker in control for marker in records), f"{case.id}: the control shows nothing of 东一村"
    for user in LISTERS:
        response = request(world, case, user)
        assert response.status_code < 500, f"{case.id}: {user} got {response.status_code}"
        assert not leaks(world, user, response), f"{case.id}: {user} is shown another area's records"
        assert not figures_beyond_scope(world, user, response), f"{case.id}: {user} is given figures from outside"


# ── masking ─────────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("case", "role"), params(lambda r: True, MASKED_ROLES))
def test_no_answer_holds_a_value_the_role_may_not_see(world, case, role):
    pk = world.pk(case.route.target) if case.route.target else None
    response = request(world, case, role, pk, VILLAGE_A1)
    assert response.status_code < 500, f"{case.id}: {role} got {response.status_code}"
    assert not unmasked(world, role, response), f"{case.id}: {role} is shown values their role may not see"
