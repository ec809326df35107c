"""Shared fixtures: a small county with two townships and three villages, users of every role, and
households built through the services (so fixtures exercise the same paths as the app). The county and its users
are built once for a module whose database tests all take them (module_data), else once for each test."""

import io
import os
import secrets
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from fupin.accounts import tokens
from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.areas.models import Area
from fupin.exchange import services as exchange_services
from tests.factories import (
    AREAS,
    COUNTY,
    TOWNSHIP_A,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    build_household,
)
from tests.support import Caller

# `fupin` run in a subprocess (migrate, demo, serve, import) passes the system checks only with a real secret key
# (fupin.accounts.checks): one per test run, unless the caller set one; tests that want another set it themselves
os.environ.setdefault("FUPIN_SECRET_KEY", "tests-" + secrets.token_urlsafe(40))


#: the test county's users: username → (role, area code)
USERS = {
    "county": (Role.COUNTY_ADMIN, COUNTY),
    "township_a": (Role.TOWNSHIP, TOWNSHIP_A),
    "village_a1": (Role.VILLAGE, VILLAGE_A1),
    "village_a2": (Role.VILLAGE, VILLAGE_A2),
    "village_b1": (Role.VILLAGE, VILLAGE_B1),
    "cadre_a1": (Role.CADRE, VILLAGE_A1),
    "inspector": (Role.INSPECTOR, COUNTY),
    "department": (Role.DEPARTMENT, COUNTY),
}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~0.5 s per user on this machine; tests need not pay it."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in English (the language cookie) leaves its thread in
    English, and a test after it would read the messages of services and packs in English."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _assessment_jobs_dir(settings, tmp_path):
    """Assessment jobs' progress files in the test's own folder, never the working directory."""
    settings.POLICY_JOBS_DIR = tmp_path / "assessments"
    settings.MONITORING_FILES_DIR = tmp_path / "monitoring"  # evidence files, department reports
    settings.ASSISTANCE_FILES_DIR = tmp_path / "assistance"  # visit photos
    settings.FUNDS_FILES_DIR = tmp_path / "funds"  # projects' files
    settings.SUPERVISION_FILES_DIR = tmp_path / "supervision"  # problems' evidence files


def _build_areas():
    for code, name, level, parent in AREAS:
        Area.objects.create(code=code, name=name, level=level, parent_id=parent)


def _build_users():
    return {
        username: User.objects.create_user(username=username, password="pw-12345678", role=role, area_id=area)
        for username, (role, area) in USERS.items()
    }


TRANSACTIONAL_OPTIONS = ("transaction", "reset_sequences", "serialized_rollback")


def _uses_database(item) -> bool:
    names = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}
    return item.get_closest_marker("django_db") is not None or bool(names & set(item.fixturenames))


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.args[:1] == (True,) or any(marker.kwargs.get(key) for key in TRANSACTIONAL_OPTIONS)):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames))


class ModuleData:
    """What the module's tests share: `shared` names the fixtures built once for it ("areas", "users");
    build(make) runs make() inside the module's transaction, for a module-scoped fixture of a test module."""

    def __init__(self, shared: set[str], blocker):
        self.shared, self._blocker = shared, blocker

    def build(self, make):
        if "users" not in self.shared:
            raise pytest.UsageError(
                "module data needs every database test of the module to take `users`, and none to be transactional"
            )
        with self._blocker.unblock():
            return make()


@pytest.fixture(scope="module")
def module_data(request, django_db_setup, django_db_blocker):
    """The areas and users built once for the module when every database test in it takes them and none is
    transactional: inside a transaction open for the module and rolled back after it, each test running in a
    savepoint of it (pytest-django's `db`), so what a test writes is gone before the next. This is Django's
    TestCase.setUpTestData for a module; in any other module each test builds its own."""
    tests = [item for item in request.session.items if getattr(item, "module", None) is request.module]
    tests = [item for item in tests if _uses_database(item)]
    shared = set()
    if tests and not any(_transactional(item) for item in tests):
        shared = {name for name in ("areas", "users") if all(name in item.fixturenames for item in tests)}
    if not shared:
        yield ModuleData(shared, django_db_blocker)
        return
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            _build_areas()
            if "users" in shared:
                _build_users()
        with django_db_blocker.block():  # the tests unblock it themselves (`db`), as before
            yield ModuleData(shared, django_db_blocker)
        transaction.set_rollback(True)


@pytest.fixture
def areas(module_data, db):
    if "areas" not in module_data.shared:
        _build_areas()
    return {code: Area.objects.get(code=code) for code, *_ in AREAS}


@pytest.fixture
def users(module_data, areas):
    """The users of USERS; fresh objects for each test, so what one test changes on them is its own."""
    if "users" not in module_data.shared:
        return _build_users()
    found = User.objects.in_bulk(USERS, field_name="username")
    return {username: found[username] for username in USERS}


@pytest.fixture
def make_household(users):
    """make_household(village_code, number, members=[{...}], **fields) through the registry services."""

    def build(village=VILLAGE_A1, number=None, members=None, **fields):
        return build_household(users["county"], village, number, members, **fields)

    return build


@pytest.fixture
def today():
    return date.today()


@pytest.fixture
def api_as(users, client):
    """api_as("village_a1") → a Caller with a fresh token of that user; api_as(None) → no credentials."""

    def caller(username):
        return Caller(client, tokens.issue_token(users[username], "tests", via="test") if username else None)

    return caller


@pytest.fixture
def run_import():
    """run_import(user, content) → the finished import job: a file through the same service calls the CLI and the
    web use."""

    def run(user, content, filename="导入.csv", *, dry_run=False):
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        job = exchange_services.start_import(
            user, io.BytesIO(data), filename, dry_run=dry_run, via="test", enqueue=False
        )
        if job.status == job.Status.QUEUED:
            job = exchange_services.run_import(job)
        return job

    return run
