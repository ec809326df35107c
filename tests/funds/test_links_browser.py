"""The funds home page and a measure's fund in a real browser, on a phone (360 px) and a desk (1366 px): the county
clerk opens 资金项目 from the nav and reads the area's figures without the page scrolling sideways (wide tables
scroll inside themselves); a village clerk names the fund and project of a measure on its page, is told by the
field when the amount is over the measure's, corrects it and sees it on the measure's page. Screenshots go to
$FUNDS_SHOTS when it is set (for a person to look at)."""

import os
import re
from datetime import date
from pathlib import Path

import pytest

from fupin.assistance.services.measures import create_measure
from fupin.funds.models import MeasureFunding
from tests.factories import TOWNSHIP_A, VILLAGE_A1
from tests.funds import links_helpers as h
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # tests/conftest.py
SHOTS = os.environ.get("FUNDS_SHOTS")


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def login(browser, live_server, username, width):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 740})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [360, 1366])
def test_the_funds_home_page(browser, live_server, users, width):
    central = h.source("中央财政专项扶贫资金")
    h.budget(central, 2018, "2672.0000", date(2018, 3, 1))
    h.transfer(central, 2018, "600.5000", date(2018, 3, 20), "149901000000", TOWNSHIP_A)
    road = h.project("东一村通村硬化路建设项目", VILLAGE_A1, planned="97.050", stage="implementing")
    h.progress(road, date(2018, 11, 1), "42.700")
    h.asset("光伏电站", VILLAGE_A1, "operating", "300", date(2018, 6, 1), owner_level="village")
    page = login(browser, live_server, "county", width)
    if width > 600:
        page.get_by_role("link", name="资金项目").first.click()
    else:
        page.goto("/funds/")
    page.locator("[name=as_of]").fill("2018-12-31")
    page.get_by_role("button", name="查看").click()
    assert "2672.0000" in page.content() and "44.0%" in page.content()
    no_sideways_scroll(page)
    shot(page, f"funds-index-{width}")


@pytest.mark.parametrize("width", [360, 1366])
def test_a_clerk_names_the_fund_of_a_measure(browser, live_server, users, make_household, width):
    household = make_household(VILLAGE_A1, head_name="赵大河")
    measure = create_measure(
        users["county"], household, category="02", subtype="务工交通补贴", started_on=date(2024, 3, 1),
        status="in_place", amount="1200", via="test",
    )  # fmt: skip
    central = h.source("中央财政衔接资金")
    project = h.project("东一村务工补助", VILLAGE_A1, project_type="employment", unit="person")
    page = login(browser, live_server, "village_a1", width)
    page.goto(f"/assistance/measures/{measure.pk}/edit/")
    panel = page.locator(".funds-measure-funding")
    panel.locator("[name=source_id]").select_option(str(central.pk))
    panel.locator("[name=project_id]").select_option(str(project.pk))
    panel.locator("[name=amount]").fill("1200.01")
    panel.get_by_role("button", name="保存资金来源").click()
    assert "超过措施金额" in page.locator(".has-error .errorlist").inner_text()
    no_sideways_scroll(page)
    shot(page, f"measure-funding-refused-{width}")
    page.locator("[name=amount]").fill("1200")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/assistance/measures/{measure.pk}/edit/"))
    assert "中央财政衔接资金" in page.locator(".funds-measure-funding").inner_text()
    no_sideways_scroll(page)
    shot(page, f"measure-funding-{width}")
    assert MeasureFunding.objects.get(measure=measure).amount == 1200
