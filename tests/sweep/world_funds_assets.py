"""The sweep's funds records (assets), all in 东一村 (or the county where the record is the county's own), and the
markers of 东一村 they show. Joined into tests/sweep/world.py: an accepted project of 东一村 (room left under its
cost for the create routes), its photovoltaic station confirmed to the village collective with an upkeep record,
panels on 东一村's household (a household asset), and a 2023 income plan of the station, not yet distributed, with a
share to that household."""

from datetime import date

from fupin.funds import codes
from fupin.funds.services import asset_income, assets
from tests.factories import VILLAGE_A1
from tests.funds.assets_helpers import project

ASSET_A1 = "东一村扶贫光伏电站"
PROJECT_A1 = "东一村光伏扶贫项目"
PANELS_A1 = "东一村到户光伏板"  # a household's asset: its owner shown by 户编号 and 户主, nothing sensitive


def build(users, household) -> tuple[dict, list[str]]:
    """(the world's objects by name, 东一村's markers)."""
    county = users["county"]
    made = project(VILLAGE_A1, name=PROJECT_A1, cost="500")
    station = assets.create_from_project(
        county, made,
        [{"name": ASSET_A1, "category": codes.AssetCategory.OPERATING, "kind": "光伏电站", "value": "100",
          "owner_level": codes.OwnerLevel.VILLAGE, "owner_area_code": VILLAGE_A1, "maintainer": "东一村村委会"}],
        via="test",
    )[0]  # fmt: skip
    panels = assets.create_from_project(
        county, made,
        [{"name": PANELS_A1, "category": codes.AssetCategory.HOUSEHOLD, "value": "0.5",
          "owner_household": household.pk}],
        via="test",
    )[0]  # fmt: skip
    upkeep = assets.record_maintenance(county, station, on=date(2021, 3, 1), work="清洗光伏板", cost="100", via="test")
    plan = asset_income.create_plan(
        county, station, year=2023, income="1000", collective_share="400", rule=codes.ShareRule.EQUAL,
        households=[household.pk], decided_on=date(2023, 12, 20), via="test",
    )  # fmt: skip
    objects = {
        "asset_project": made,
        "asset": station,
        "asset_household": panels,
        "asset_upkeep": upkeep,
        "asset_plan": plan,
        "asset_share": plan.shares.get(),
    }
    return objects, [ASSET_A1, PROJECT_A1, PANELS_A1]
