"""Shared fixtures: a small county with two townships and three villages, users of every role, and
households built through the services (so fixtures exercise the same paths as the app)."""

import io
import os
import secrets
from datetime import date

import pytest

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
    make_id,
    next_number,
)
from tests.support import Caller

# `fupin` run in a subprocess (migrate, demo, serve, import) passes the system checks only with a real secret key
# (fupin.accounts.checks): one per test run, unless the caller set one; tests that want another set it themselves
os.environ.setdefault("FUPIN_SECRET_KEY", "tests-" + secrets.token_urlsafe(40))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~0.5 s per user on this machine; tests need not pay it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def areas(db):
    for code, name, level, parent in AREAS:
        Area.objects.create(code=code, name=name, level=level, parent_id=parent)
    return {code: Area.objects.get(code=code) for code, *_ in AREAS}


def _user(username, role, area_code):
    return User.objects.create_user(username=username, password="pw-12345678", role=role, area_id=area_code)


@pytest.fixture
def users(areas):
    return {
        "county": _user("county", Role.COUNTY_ADMIN, COUNTY),
        "township_a": _user("township_a", Role.TOWNSHIP, TOWNSHIP_A),
        "village_a1": _user("village_a1", Role.VILLAGE, VILLAGE_A1),
        "village_a2": _user("village_a2", Role.VILLAGE, VILLAGE_A2),
        "village_b1": _user("village_b1", Role.VILLAGE, VILLAGE_B1),
        "cadre_a1": _user("cadre_a1", Role.CADRE, VILLAGE_A1),
        "inspector": _user("inspector", Role.INSPECTOR, COUNTY),
        "department": _user("department", Role.DEPARTMENT, COUNTY),
    }


@pytest.fixture
def make_household(users):
    """make_household(village_code, number, members=[{...}], **fields) through the registry services."""
    from fupin.registry import services

    def build(village=VILLAGE_A1, number=None, members=None, **fields):
        admin = users["county"]
        number = number or f"{village}{next_number():04d}"
        household = services.create_household(
            admin,
            {"village": village, "number": number, "head_name": "张大山", "phone": "13912345678", **fields},
            via="test",
        )
        for member in members if members is not None else [{"name": "张大山", "relation": "01"}]:
            data = {"id_number": make_id(), **member}
            services.add_member(admin, household, data, via="test")
        return household

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
