"""Import tests: each test's files in its own folder, jobs run inside the request."""

import pytest


@pytest.fixture(autouse=True)
def _exchange_dir(settings, tmp_path):
    """Each test's files apart; jobs run inside the request (one test runs the real database worker)."""
    settings.EXCHANGE_DIR = tmp_path / "exchange"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
