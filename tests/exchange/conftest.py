"""Import helpers: run a file through the same service calls the CLI and the web use."""

import io

import pytest

from fupin.exchange import services


@pytest.fixture(autouse=True)
def _exchange_dir(settings, tmp_path):
    """Each test's files apart; jobs run inside the request (one test runs the real database worker)."""
    settings.EXCHANGE_DIR = tmp_path / "exchange"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_import():
    def run(user, content, filename="导入.csv", *, dry_run=False):
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        job = services.start_import(user, io.BytesIO(data), filename, dry_run=dry_run, via="test", enqueue=False)
        if job.status == job.Status.QUEUED:
            job = services.run_import(job)
        return job

    return run


def csv_text(*rows) -> str:
    return "\n".join(",".join(str(c) for c in row) for row in rows) + "\n"
