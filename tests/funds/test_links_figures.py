"""The funds figures (services.figures, GET /api/funds/figures): budgets, allocations and spending by source and
year, projects by stage and type with physical progress, assets by category and owner — for the county, a township
and a village, as of a date, each value worked out by hand below."""

from datetime import date
from decimal import Decimal as D

import pytest

from fupin.core.errors import NotFound
from fupin.funds.services.figures import funds_figures
from tests.factories import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.funds import links_helpers as h

END, MID = date(2018, 12, 31), date(2018, 6, 30)


@pytest.fixture
def world(users):
    central = h.source("中央财政专项扶贫资金")
    own = h.source("县级财政专项扶贫资金", level="county")
    h.budget(central, 2018, "2672.0000", date(2018, 3, 1))
    h.budget(own, 2018, "8377.5000", date(2018, 2, 1))
    h.budget(own, 2017, "6935.0000", date(2017, 2, 1))
    h.budget(central, 2019, "100.0000", date(2019, 2, 1))  # after both dates
    # county → its department: still at the county level, not yet allocated down
    h.transfer(central, 2018, "1000.0000", date(2018, 3, 10), COUNTY, COUNTY, to_department="rural")
    # the department → 东乡镇: allocated into 东乡镇
    h.transfer(central, 2018, "600.5000", date(2018, 3, 20), COUNTY, TOWNSHIP_A, from_department="rural")
    # 东乡镇 → 东一村: the same money again, counted once where it left the county
    h.transfer(central, 2018, "300.2500", date(2018, 4, 1), TOWNSHIP_A, VILLAGE_A1)
    # the 2018 budget's advance of November 2017 to 西一村
    h.transfer(own, 2018, "1320.0000", date(2017, 11, 1), COUNTY, VILLAGE_B1, kind="advance")
    h.transfer(own, 2018, "200.0000", date(2019, 1, 5), COUNTY, VILLAGE_A2)  # after both dates
    h.transfer(central, 2018, "-50.1234", date(2018, 10, 1), COUNTY, TOWNSHIP_B, kind="recall")
    road = h.project("东一村通村路", VILLAGE_A1, planned="97.050", cost="500", stage="implementing")
    bridge = h.project("西一村便道", VILLAGE_B1, planned="3.000", cost="1000", stage="accepted")
    h.project(
        "东二村花椒园",
        VILLAGE_A2,
        project_type="industry",
        unit="mu",
        planned="100",
        cost="50.5",
        planned_end=date(2018, 10, 31),
    )  # fmt: skip  (proposed, and late at the end of 2018)
    h.project("东一村2019年项目", VILLAGE_A1, year=2019, cost="9")  # a later year's plan
    h.progress(road, date(2018, 5, 1), "20.000")
    h.progress(road, date(2018, 11, 1), "42.700")
    h.progress(road, date(2019, 2, 1), "60.000")
    h.progress(bridge, date(2018, 12, 1), "3.000")
    h.disburse(central, 2018, "120.1111", date(2018, 5, 1), VILLAGE_A1, project=road)
    h.disburse(central, 2018, "80.0001", date(2018, 6, 1), TOWNSHIP_A)
    h.disburse(own, 2018, "1000.0000", END, VILLAGE_B1, project=bridge)  # on the day: counted
    h.disburse(own, 2018, "5.0000", date(2019, 1, 1), VILLAGE_B1, project=bridge)  # the day after: not
    h.disburse(central, 2018, "10.0000", date(2018, 7, 1), COUNTY, department="transport")
    h.asset("光伏电站", VILLAGE_A1, "operating", "300", date(2018, 6, 1), owner_level="village")
    h.asset("西一村便道", VILLAGE_B1, "public", "1000", END, owner_level="village")
    h.asset("到户牛棚", VILLAGE_A1, "household", "0.5", date(2018, 1, 1), owner_level="household")
    h.asset("旧加工厂", VILLAGE_A2, "operating", "20", date(2017, 1, 1), owner_level="village",
            disposed_on=date(2018, 9, 1), state="disposed")  # fmt: skip
    h.asset("2019年村道", VILLAGE_A1, "public", "10", date(2019, 1, 1), owner_level="village")
    h.asset("县级冷库", COUNTY, "public", "50", date(2018, 2, 1))  # not yet confirmed to an owner
    return {"central": central, "own": own}


def _lines(figures):
    return {(line["source"], line["year"]): line for line in figures["money"]["by_source"]}


def test_county_money_by_source_and_year(users, world):
    figures = funds_figures(users["county"], as_of=END)
    lines = _lines(figures)
    assert set(lines) == {
        ("中央财政专项扶贫资金", 2018),
        ("县级财政专项扶贫资金", 2018),
        ("县级财政专项扶贫资金", 2017),
    }
    central = lines["中央财政专项扶贫资金", 2018]
    # allocated 600.5 − 50.1234 (the recall); spent 120.1111 + 80.0001 + 10
    assert (central["budget"], central["allocated"], central["spent"]) == (D("2672"), D("550.3766"), D("210.1112"))
    assert central["balance"] == D("340.2654")
    own = lines["县级财政专项扶贫资金", 2018]
    assert (own["budget"], own["allocated"], own["spent"]) == (D("8377.5"), D("1320"), D("1000"))
    assert lines["县级财政专项扶贫资金", 2017]["budget"] == D("6935")
    totals = figures["money"]["totals"]
    assert (totals["budget"], totals["allocated"], totals["spent"]) == (D("17984.5"), D("1870.3766"), D("1210.1112"))
    assert totals["spent_rate"] == D("64.7")  # 1,210.1112 / 1,870.3766 = 64.699…%
    years = {year["year"]: year for year in figures["money"]["by_year"]}
    assert years[2018]["budget"] == D("11049.5") and years[2017]["allocated"] == D("0")
    # seed 004's 双增长: the county's own budget 8,377.5 against 6,935 万元 — 1,442.5 万元, 20.8 %
    growth = years[2018]
    assert (growth["county_budget"], growth["county_growth"], growth["county_growth_rate"]) == (
        D("8377.5"), D("1442.5"), D("20.8"),
    )  # fmt: skip
    assert years[2017]["county_budget"] == D("6935") and years[2017]["county_growth"] is None
    assert str(central["allocated"]) == "550.3766"  # four places, exact


def test_county_money_in_the_middle_of_the_year(users, world):
    lines = _lines(funds_figures(users["county"], as_of=MID))
    central = lines["中央财政专项扶贫资金", 2018]
    assert (central["allocated"], central["spent"]) == (D("600.5"), D("200.1112"))  # the recall came in October
    assert lines["县级财政专项扶贫资金", 2018]["allocated"] == D("1320")  # the 2017 advance counts in 2018


def test_township_and_village_see_their_own(users, world):
    township = funds_figures(users["township_a"], as_of=END)
    assert township["area"]["code"] == TOWNSHIP_A
    assert list(_lines(township)) == [("中央财政专项扶贫资金", 2018)]
    line = _lines(township)["中央财政专项扶贫资金", 2018]
    # 东乡镇 received 600.5 from the county; its own and 东一村's spending: 80.0001 + 120.1111
    assert (line["budget"], line["allocated"], line["spent"]) == (None, D("600.5"), D("200.1112"))
    assert township["money"]["totals"]["budget"] is None
    assert "county_budget" not in township["money"]["by_year"][0]
    village = funds_figures(users["village_a1"], as_of=END)
    assert _lines(village)["中央财政专项扶贫资金", 2018]["spent"] == D("120.1111")
    # the county asks for 西乡镇: the recall and 西一村's advance and spending
    west = _lines(funds_figures(users["county"], area_code=TOWNSHIP_B, as_of=END))
    assert west["中央财政专项扶贫资金", 2018]["allocated"] == D("-50.1234")
    assert west["县级财政专项扶贫资金", 2018]["spent"] == D("1000")


def test_projects_by_stage_type_and_progress(users, world):
    projects = funds_figures(users["county"], as_of=END)["projects"]
    stages = {line["code"]: line for line in projects["by_stage"]}
    assert {code: (s["count"], s["cost"], s["disbursed"]) for code, s in stages.items()} == {
        "proposed": (1, D("50.5"), D("0")),
        "implementing": (1, D("500"), D("120.1111")),
        "accepted": (1, D("1000"), D("1000")),  # the 5 万元 of 2019-01-01 not yet
    }
    assert projects["count"] == 3 and projects["late"] == 1
    types = {line["code"]: (line["count"], line["cost"], line["disbursed"]) for line in projects["by_type"]}
    assert types == {"road": (2, D("1500"), D("1120.1111")), "industry": (1, D("50.5"), D("0"))}
    progress = {(p["project_type"], p["unit"]): p for p in projects["progress"]}
    road = progress["road", "km"]
    # 42.7 km (November's report, not February 2019's) + 3 km of 97.05 + 3 km: 45.7 / 100.05 = 45.68%
    assert (road["count"], road["planned"], road["done"], road["rate"]) == (2, D("100.05"), D("45.7"), D("45.7"))
    assert road["unit_label"] == "公里"
    assert (progress["industry", "mu"]["done"], progress["industry", "mu"]["rate"]) == (D("0"), D("0.0"))


def test_seed_004_road_progress(users, world):
    """The road of 东一村 alone: 42.7 km done of 97.05 km planned is 44.0 % (seed 004's figures)."""
    projects = funds_figures(users["county"], area_code=VILLAGE_A1, as_of=END)["projects"]
    road = projects["progress"][0]
    assert (road["planned"], road["done"], road["rate"]) == (D("97.05"), D("42.7"), D("44.0"))
    earlier = funds_figures(users["county"], area_code=VILLAGE_A1, as_of=date(2018, 10, 31))["projects"]
    assert earlier["progress"][0]["done"] == D("20")


def test_assets_by_category_and_owner(users, world):
    assets = funds_figures(users["county"], as_of=END)["assets"]
    by_category = {line["code"]: (line["count"], line["value"]) for line in assets["by_category"]}
    assert by_category == {"operating": (1, D("300")), "public": (2, D("1050")), "household": (1, D("0.5"))}
    by_owner = {line["code"]: (line["count"], line["value"]) for line in assets["by_owner"]}
    assert by_owner == {"village": (2, D("1300")), "household": (1, D("0.5")), "": (1, D("50"))}
    assert (assets["count"], assets["value"]) == (4, D("1350.5"))
    earlier = funds_figures(users["county"], as_of=MID)["assets"]  # the factory not yet disposed of, 便道 not formed
    assert {line["code"]: (line["count"], line["value"]) for line in earlier["by_category"]} == {
        "operating": (2, D("320")),
        "public": (1, D("50")),
        "household": (1, D("0.5")),
    }
    township = funds_figures(users["township_a"], as_of=END)["assets"]
    assert (township["count"], township["value"]) == (2, D("300.5"))


@pytest.mark.parametrize(
    ("username", "area"), [("township_a", COUNTY), ("village_b1", VILLAGE_A1), ("county", "14990100100x")]
)
def test_another_area_is_not_found(users, world, username, area):
    with pytest.raises(NotFound):
        funds_figures(users[username], area_code=area, as_of=END)


def test_api(api_as, world):
    answer = api_as("county").get("/funds/figures?as_of=2018-12-31")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["money"]["totals"] == {
        "budget": "17984.5000", "allocated": "1870.3766", "spent": "1210.1112", "spent_rate": "64.7",
    }  # fmt: skip
    assert body["as_of"] == "2018-12-31"
    township = api_as("township_a").get(f"/funds/figures?area={VILLAGE_A1}&as_of=2018-12-31").json()
    assert township["assets"]["count"] == 2 and township["money"]["totals"]["budget"] is None
    missing = api_as("village_a1").get(f"/funds/figures?area={VILLAGE_A2}")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "area"
    assert api_as(None).get("/funds/figures").status_code == 401
