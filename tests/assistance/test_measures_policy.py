"""The policy engine counts real measures: the registered SQL (hooks.MEASURES_IN_PLACE_SQL) gives the same
measures_in_place in a whole-registry assessment (the batch, from the profile) and for one household alone (the
API's path), equal to services.measures.measures_in_place, on the boundary dates."""

from datetime import date, timedelta

import pytest

from fupin.assistance import codes
from fupin.assistance.services.measures import create_measure, end_measure, measures_in_place
from fupin.policy.models import HouseholdDecision, Kind
from fupin.policy.services.batch import assess
from fupin.policy.services.household import assess_household
from fupin.registry import codes as registry_codes
from fupin.registry.services import record_event
from tests.factories import VILLAGE_A1

pytestmark = pytest.mark.django_db

C, S = codes.MeasureCategory, codes.MeasureStatus
START, END = date(2024, 3, 10), date(2024, 6, 30)
PACK = "national-2023"


@pytest.fixture
def measures_monitored(users, make_household):
    household = make_household(VILLAGE_A1)
    record_event(users["county"], household, registry_codes.EventKind.MONITORED, date(2024, 1, 10), category="2")
    admin = users["county"]
    create_measure(admin, household, category=C.INDUSTRY, started_on=START, status=S.IN_PLACE, via="test")
    ended = create_measure(admin, household, category=C.HEALTH, started_on=date(2024, 1, 15), status=S.IN_PLACE)
    end_measure(admin, ended, on=END, via="test")
    create_measure(admin, household, category=C.HOUSING, started_on=date(2024, 1, 15), via="test")  # planned
    return household


@pytest.mark.parametrize(
    ("as_of", "count"),
    [
        (START - timedelta(days=1), 1),  # the health measure alone
        (START, 2),  # the industry measure started that day
        (END, 2),  # the health measure ended that day
        (END + timedelta(days=1), 1),  # … and the day before
        (date(2024, 1, 14), 0),  # only the planned one would have started: never counted
    ],
)
def test_batch_and_single_household_count_the_measures_in_place(users, measures_monitored, as_of, count):
    admin, household = users["county"], measures_monitored
    run = assess(Kind.RISK_ELIMINATION, user=admin, pack_id=PACK, as_of=as_of)
    batch = HouseholdDecision.objects.get(run=run, household_id=household.pk)
    single = assess_household(admin, household.pk, Kind.RISK_ELIMINATION, pack_id=PACK, as_of=as_of)
    assert single.features["measures_in_place"] == count
    assert batch.measures_in_place == count
    assert measures_in_place(household, as_of) == count
