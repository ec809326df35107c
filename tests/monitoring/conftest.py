"""Monitoring's fixtures: evidence files in the test's own folder, and the pack in force replaceable by a test
(a working-days province, the no-labour option) through `pack_values`."""

import pytest

from fupin.monitoring.services import deadlines


@pytest.fixture(autouse=True)
def _monitoring_files(settings, tmp_path):
    settings.MONITORING_FILES_DIR = tmp_path / "monitoring"


@pytest.fixture
def pack_values(monkeypatch):
    """pack_values(case_limit_days=20, count_working_days=True): the pack in force everywhere, with these values
    (Pack.with_values, as a province's pack would set them)."""
    real = deadlines.pack_in_force

    def use(**values):
        monkeypatch.setattr(deadlines, "pack_in_force", lambda area, day: real(area, day).with_values(values))

    return use
