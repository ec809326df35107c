"""The funds home page (/funds/, funds:index), the nav link and the web home page's funds lines."""

from datetime import date

import pytest

from fupin.funds.services.figures import home_lines
from fupin.funds.views.index import ways_in
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1
from tests.funds import links_helpers as h


@pytest.fixture
def world(users):
    central = h.source("中央财政专项扶贫资金")
    h.budget(central, 2018, "2672.0000", date(2018, 3, 1))
    h.transfer(central, 2018, "600.5000", date(2018, 3, 20), COUNTY, TOWNSHIP_A)
    h.transfer(central, 2018, "70.0000", date(2018, 3, 20), COUNTY, VILLAGE_B1)
    road = h.project("东一村通村路", VILLAGE_A1, planned="97.050", stage="implementing")
    h.progress(road, date(2018, 11, 1), "42.700")
    h.project("西一村便道", VILLAGE_B1, stage="implementing")
    h.asset("光伏电站", VILLAGE_A1, "operating", "300", date(2018, 6, 1), owner_level="village")
    return central


def test_the_county_page(users, world, client):
    client.force_login(users["county"])
    page = client.get("/funds/?as_of=2018-12-31")
    assert page.status_code == 200
    text = page.content.decode()
    assert "示范县" in text and "截至 2018-12-31" in text
    assert "2672.0000" in text and "670.5000" in text  # the budget; 600.5 + 70 allocated down
    # 97.05 km + 西一村便道 1 km planned, 42.7 km done: 42.7 / 98.05 = 43.55% → 43.5
    assert "98.050" in text and "42.700" in text and "43.5%" in text
    assert 'href="/funds/"' in text  # the nav link 资金项目
    assert "县级预算比上年增长" in text


def test_a_township_sees_its_own(users, world, client):
    client.force_login(users["township_a"])
    text = client.get("/funds/?as_of=2018-12-31").content.decode()
    assert "东乡镇" in text and "600.5000" in text
    assert "670.5000" not in text and "西一村" not in text and "2672.0000" not in text
    assert client.get(f"/funds/?area={VILLAGE_B1}").status_code == 400  # not among its choices
    assert "东一村" in client.get(f"/funds/?area={VILLAGE_A1}&as_of=2018-12-31").content.decode()


def test_bad_date_is_refused_on_the_page(users, world, client):
    client.force_login(users["village_a1"])
    page = client.get("/funds/?as_of=2018-13-01")
    assert page.status_code == 400 and "截至日期" in page.content.decode()


def test_the_home_page_leads_into_every_topic(users, client):
    """The ledger, the project library and its bulletin, the standards and the assets, each linked from /funds/."""
    assert [way["url"] for way in ways_in()] == [
        "/funds/ledger/", "/funds/projects/", "/funds/projects/bulletin/", "/funds/standards/", "/funds/assets/",
    ]  # fmt: skip
    client.force_login(users["village_a1"])
    body = client.get("/funds/").content.decode()
    assert all(f'href="{way["url"]}"' in body for way in ways_in())


def test_home_lines(users, world, client):
    lines = {str(line["label"]): line["count"] for line in home_lines(users["county"], date(2018, 12, 31))}
    assert lines["实施中的项目"] == 2 and str(lines["本年度已下达资金（万元）"]) == "670.5000"
    assert lines["扶贫项目资产（项）"] == 1
    village = {str(line["label"]): line["count"] for line in home_lines(users["village_a1"], date(2018, 12, 31))}
    assert village["实施中的项目"] == 1
    client.force_login(users["township_a"])
    from django.urls import reverse

    text = client.get(reverse("web:home")).content.decode()
    assert "资金项目" in text and "实施中的项目" in text
