"""系统筛查: a monitoring run's flagged households get a clue each, accepted at once for a township or county clerk;
a household the run did not flag, or one with an open case for the risk, refuses the whole batch."""

from datetime import date

import pytest

from fupin.core.errors import NotFound
from fupin.monitoring.models import Case, Clue
from fupin.monitoring.services import clues
from fupin.monitoring.services.common import DuplicateCase, MonitoringRefused
from fupin.policy.services.batch import assess
from fupin.registry import codes
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.policy.registry_data import conditions, income, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(make_household, users):
    """Two never-poor households in range (东一村, 西一村), flagged as 边缘易致贫户 by the county's run; one with a
    high income, not flagged."""
    found = {}
    for key, village, wage in (("a1", VILLAGE_A1, "5000"), ("b1", VILLAGE_B1, "5000"), ("rich", VILLAGE_A1, "90000")):
        household = make_household(village, members=[member("甲", "01", health=codes.Health.SERIOUS)])
        income(household, 2023, wage=wage)
        conditions(household, 2023)
        found[key] = household
    run = assess("monitoring", user=users["county"], pack_id="national-2023", as_of=date(2024, 6, 1))
    return run, found


def test_cases_start_from_the_run(users, screened):
    run, homes = screened
    cases = clues.start_cases_from_run(users["county"], run, [homes["a1"].pk, homes["b1"].pk], on=date(2026, 11, 2))
    assert [(c.household, c.category, c.risk_type, c.step) for c in cases] == [
        (homes["a1"], "2", "99", "verify"),
        (homes["b1"], "2", "99", "verify"),
    ]
    assert {(c.clue.channel, c.clue.source_ref, c.clue.state) for c in cases} == {
        ("system", f"run:{run.pk}", "accepted")
    }
    with pytest.raises(DuplicateCase, match="不能重复立案"):
        clues.start_cases_from_run(users["county"], run, [homes["a1"].pk], on=date(2026, 11, 3))
    assert Case.objects.count() == 2


def test_a_village_clerk_raises_clues_only(users, screened):
    run, homes = screened
    assert clues.start_cases_from_run(users["village_a1"], run, [homes["a1"].pk], on=date(2026, 11, 2)) == []
    clue = Clue.objects.get()
    assert (clue.household, clue.state, clue.channel) == (homes["a1"], "pending", "system")
    with pytest.raises(NotFound, match="有 1 户不存在或不在您的管辖范围内"):
        clues.start_cases_from_run(users["village_a1"], run, [homes["b1"].pk], on=date(2026, 11, 2))


def test_a_household_not_flagged_refuses_the_batch(users, screened):
    run, homes = screened
    with pytest.raises(MonitoringRefused, match="以下农户未被该批次评估列为监测对象"):
        clues.start_cases_from_run(
            users["county"], run, [homes["a1"].pk, homes["rich"].pk], on=date(2026, 11, 2), risk_type="01"
        )
    assert not Clue.objects.exists() and not Case.objects.exists()
