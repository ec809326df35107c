"""The pairing pages in a real browser (Debian chromium through Playwright, the live test server): a village
clerk at a phone's width pairs a cadre and assigns a responsible person from the household page's panel; the
cadre, logged in on the phone, finds the household under 我的帮扶户. No page is wider than the phone. Screenshots
are left in the test's folder (PAIRINGS_SHOTS=<dir> keeps them)."""

import os
import re
from datetime import date
from pathlib import Path

import pytest

from fupin.assistance.models import Pairing, Responsibility
from tests.assistance.pairing_helpers import cadre
from tests.factories import COUNTY, VILLAGE_A1
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # tests/conftest.py


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def login(browser, live_server):
    contexts = []

    def open_as(username, width):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 740}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"/$"))
        return page

    yield open_as
    for context in contexts:
        context.close()


def _fits(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: {scroll} px wide at a {width} px viewport"


def test_a_clerk_pairs_and_assigns_on_the_phone_and_the_cadre_finds_the_household(
    login, users, make_household, tmp_path
):
    shots = Path(os.environ.get("PAIRINGS_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    household = make_household(VILLAGE_A1, number="A1-0201", head_name="韩春生")
    me = cadre(COUNTY, "郝帮扶", user=users["cadre_a1"])
    cadre(VILLAGE_A1, "郑村干")

    for width in (360, 1366):
        clerk = login("village_a1", width)
        clerk.goto(f"/households/{household.pk}/")
        assert "帮扶情况" in clerk.locator("section.assistance-pairings").inner_text()
        clerk.screenshot(path=shots / f"panel-{width}.png", full_page=True)
        _fits(clerk, width)
        if width == 1366:
            break
        clerk.locator("section.assistance-pairings").get_by_role("link", name="登记结对帮扶").click()
        _fits(clerk, width)
        clerk.get_by_label("帮扶干部").select_option(label="郝帮扶")
        clerk.get_by_label("结对日期").fill("2024-01-01")
        clerk.screenshot(path=shots / "pair-360.png", full_page=True)
        clerk.get_by_role("button", name="保存").click()
        clerk.wait_for_url(re.compile(rf"/households/{household.pk}/$"))
        assert "已登记结对帮扶：郝帮扶" in clerk.locator(".messages").inner_text()
        clerk.locator("section.assistance-pairings").get_by_role("link", name="指定/变更责任人").click()
        clerk.get_by_label("责任人类别").select_option(label="政策保障责任人")
        clerk.locator("select[name=cadre]").select_option(label="郑村干")
        clerk.get_by_label("起始日期").fill("2024-02-01")
        clerk.get_by_role("button", name="保存").click()
        clerk.wait_for_url(re.compile(rf"/households/{household.pk}/$"))
        clerk.goto(f"/assistance/households/{household.pk}/responsible/")
        clerk.screenshot(path=shots / "responsible-360.png", full_page=True)
        _fits(clerk, width)
        pairing = Pairing.objects.get(household=household)
        clerk.goto(f"/assistance/pairings/{pairing.pk}/end/")
        clerk.screenshot(path=shots / "end-360.png", full_page=True)
        _fits(clerk, width)
    assert Pairing.objects.get(household=household).started_on == date(2024, 1, 1)
    assert Responsibility.objects.get(household=household).cadre.name == "郑村干"

    phone = login("cadre_a1", 360)
    phone.get_by_role("link", name="我的帮扶户").click()
    phone.wait_for_url(re.compile(r"/assistance/mine/$"))
    phone.screenshot(path=shots / "mine-360.png", full_page=True)
    _fits(phone, 360)
    phone.get_by_role("link", name="韩春生").click()
    phone.wait_for_url(re.compile(rf"/households/{household.pk}/$"))
    assert me.pk
    unlinked = login("cadre_a1", 360)
    me.user = None
    me.save()
    unlinked.goto("/assistance/mine/")
    unlinked.screenshot(path=shots / "mine-unlinked-360.png", full_page=True)
    assert "县级管理员" in unlinked.content()
