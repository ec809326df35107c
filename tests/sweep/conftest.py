"""The sweep's data, built once for the package inside a transaction that is rolled back after it; each test runs
in a savepoint of it (pytest-django's `db`), so a write by one test is gone before the next."""

import pytest
from django.db import transaction
from django.test.utils import override_settings

from tests.sweep.world import build


@pytest.fixture(scope="package")
def sweep_monitoring_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sweep-monitoring")


@pytest.fixture(scope="package")
def sweep_assistance_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sweep-assistance")


@pytest.fixture(scope="package")
def sweep_funds_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sweep-funds")


@pytest.fixture(autouse=True)
def _world_files(settings, sweep_monitoring_dir, sweep_assistance_dir, sweep_funds_dir):
    """The world's department report, visit photos and project files stay where they were written
    (tests/conftest.py gives each test its own)."""
    settings.MONITORING_FILES_DIR = sweep_monitoring_dir
    settings.ASSISTANCE_FILES_DIR = sweep_assistance_dir
    settings.FUNDS_FILES_DIR = sweep_funds_dir


@pytest.fixture(scope="package")
def world(
    django_db_setup, django_db_blocker, tmp_path_factory, sweep_monitoring_dir, sweep_assistance_dir, sweep_funds_dir
):
    exchange_dir = tmp_path_factory.mktemp("sweep-exchange")
    jobs_dir = tmp_path_factory.mktemp("sweep-assessments")
    monitoring_dir = sweep_monitoring_dir
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        django_db_blocker.unblock(),
        override_settings(
            EXCHANGE_DIR=exchange_dir,
            POLICY_JOBS_DIR=jobs_dir,
            MONITORING_FILES_DIR=monitoring_dir,
            ASSISTANCE_FILES_DIR=sweep_assistance_dir,
            FUNDS_FILES_DIR=sweep_funds_dir,
            TASKS=immediate,
        ),
    ):
        with transaction.atomic():
            yield build()
            transaction.set_rollback(True)
