"""DONE-WHEN (issue 15): seed 004's 2018 allocation entered through the services gives back, to the last digit, the
totals, the county budget's growth (1,442.5 万元, 20.8 %) and the 3,141.6443 万元 left for the second batch."""

from datetime import date

import pytest

from fupin.areas.models import Area
from fupin.funds import codes
from fupin.funds.models import Transfer
from fupin.funds.services import funds, ledger
from tests.factories import COUNTY
from tests.funds.ledger_helpers import COUNTY_LINES, PROVINCE_LINES, seed_004, wan

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(users):
    return seed_004(users["county"])


def test_the_batch_totals_to_the_last_digit(seeded):
    province, county, batch = seeded
    summary = ledger.batch_summary(batch)
    rows = {row["source"].pk: row for row in summary["sources"]}
    # the province's 8 categories add up to its 2,672 万元 exactly
    assert rows[province.pk]["declared"] == wan("2672")
    assert rows[province.pk]["lines"] == wan("2672.0000")
    assert rows[province.pk]["difference"] == wan("0")
    assert len(rows[province.pk]["categories"]) == 8
    # the county's 12 add up to 6,555.8560, 0.0003 more than the document's 6,555.8557: both kept, the gap shown
    assert rows[county.pk]["declared"] == wan("6555.8557")
    assert rows[county.pk]["lines"] == wan("6555.8560")
    assert rows[county.pk]["difference"] == wan("0.0003")
    assert rows[county.pk]["advanced"] == wan("1320") and rows[county.pk]["advanced_year"] == 2017
    assert len(rows[county.pk]["categories"]) == 12
    # the whole batch: 第一批共计安排 9,227.8557 万元
    assert summary["total"]["declared"] == wan("9227.8557")
    assert summary["total"]["lines"] == wan("9227.8560")
    assert Transfer.objects.filter(batch=batch).count() == len(PROVINCE_LINES) + len(COUNTY_LINES) == 20


def test_remaining_for_the_second_batch(seeded):
    province, county, batch = seeded
    # 8,377.5 − (6,555.8557 − 1,320 advanced from 2017's budget) = 3,141.6443
    assert funds.remaining(county, 2018) == wan("3141.6443")
    assert ledger.batch_summary(batch)["sources"][1]["remaining"] == wan("3141.6443")
    # the advance is charged to 2017: 6,935 − 1,320
    assert funds.remaining(county, 2017) == wan("5615")
    # the province's 2,744 received, 2,672 allocated
    assert funds.remaining(province, 2018) == wan("72")


def test_growth_of_the_county_budget(seeded):
    figure = ledger.growth(Area.objects.get(code=COUNTY), 2018)
    assert figure["amount"] == wan("8377.5") and figure["amount_before"] == wan("6935")
    assert figure["increase"] == wan("1442.5")
    assert str(figure["rate"]) == "20.8"  # 1,442.5 / 6,935 = 20.80029 %
    assert figure["rate_before"] is None and figure["double"] is None  # no 2016 budget: the rate's growth unknown


def test_the_ledger_of_the_rows(seeded):
    province, county, batch = seeded
    rows = ledger.four_level(Area.objects.get(code=COUNTY), date(2018, 5, 15), year=2018)
    county_rows = [r for r in rows if r.holder_level == codes.HolderLevel.COUNTY]
    by_source = ledger.by_source(county_rows)
    # the county received its budgets and allocated every line of the batch (the document's lines as entered)
    assert by_source[county.pk].received == wan("8377.5")
    assert by_source[county.pk].allocated == wan("6555.8560")
    assert by_source[province.pk].received == wan("2744")
    assert by_source[province.pk].allocated == wan("2672")
    assert by_source[province.pk].balance == wan("72")
    # what the departments and townships received adds up to what the county allocated
    below = sum((r.received for r in rows if r.holder_level != codes.HolderLevel.COUNTY), wan("0"))
    assert below == wan("9227.8560")
    water = [r for r in rows if r.department == codes.Department.WATER]
    assert sum((r.received for r in water), wan("0")) == wan("51.977") + wan("388") + wan("806.65")
    # before the document's date nothing was allocated; before the 2018 budget, nothing received
    early = ledger.by_source(ledger.four_level(Area.objects.get(code=COUNTY), date(2018, 1, 21), year=2018))
    assert early == {}
