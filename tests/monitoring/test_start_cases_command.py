"""`fupin start_cases`: the bulk door onto 系统筛查 — every flagged household of the run gets a clue and, for a
township or county clerk, a case; households already in an open case are skipped and said so."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from fupin.monitoring.models import Case, Clue
from fupin.monitoring.services import clues
from tests.monitoring.test_system_screening import screened  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def run_command(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("start_cases", *args, stdout=out)
    return out.getvalue()


def test_the_county_starts_every_flagged_household(users, screened):  # noqa: F811
    run, homes = screened
    clues.start_cases_from_run(users["county"], run, [homes["a1"].pk], on=date(2026, 11, 2))
    out = run_command("--user", "county", "--run", str(run.pk), "--on", "2026-11-03")
    assert "列出 2 户，其中 1 户已有办理中的监测事项（跳过）" in out
    assert "已登记 1 条系统筛查线索并受理立案 1 件" in out
    assert set(Case.objects.values_list("household_id", flat=True)) == {homes["a1"].pk, homes["b1"].pk}
    assert Case.objects.get(household=homes["b1"]).opened_on == date(2026, 11, 3)
    assert "没有需要发起的农户" in run_command("--user", "county", "--run", str(run.pk))


def test_a_dry_run_writes_nothing_and_a_township_sees_its_own(users, screened):  # noqa: F811
    run, _homes = screened
    out = run_command("--user", "township_a", "--run", str(run.pk), "--dry-run")
    assert "列出 1 户" in out and "将发起 1 户" in out
    assert not Clue.objects.exists()


def test_a_household_not_listed_is_refused(users, screened):  # noqa: F811
    run, homes = screened
    with pytest.raises(CommandError, match=homes["rich"].number):
        run_command("--user", "county", "--run", str(run.pk), "--household", homes["rich"].number)
    with pytest.raises(CommandError, match="没有启用的用户"):
        run_command("--user", "nobody")
    assert not Clue.objects.exists()
