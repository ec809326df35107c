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
from tests.monitoring.test_browser import browser, clerk  # noqa: F401 - the login of a clerk in chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: {scroll} px wide at a {width} px viewport"


def test_a_clerk_pairs_and_assigns_on_the_phone_and_the_cadre_finds_the_household(
    clerk,  # noqa: F811 - the fixture imported above
    users,
    make_household,
    tmp_path,
):
    shots = Path(os.environ.get("PAIRINGS_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    household = make_household(VILLAGE_A1, number="A1-0201", head_name="韩春生")
    me = cadre(COUNTY, "郝帮扶", user=users["cadre_a1"])
    cadre(VILLAGE_A1, "郑村干")

    for width in (360, 1366):
        page = clerk("village_a1", width)
        page.goto(f"/households/{household.pk}/")
        assert "帮扶情况" in page.locator("section.assistance-pairings").inner_text()
        page.screenshot(path=shots / f"panel-{width}.png", full_page=True)
        _fits(page, width)
        if width == 1366:
            break
        page.locator("section.assistance-pairings").get_by_role("link", name="登记结对帮扶").click()
        _fits(page, width)
        page.get_by_label("帮扶干部").select_option(label="郝帮扶")
        page.get_by_label("结对日期").fill("2024-01-01")
        page.screenshot(path=shots / "pair-360.png", full_page=True)
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(re.compile(rf"/households/{household.pk}/$"))
        assert "已登记结对帮扶：郝帮扶" in page.locator(".messages").inner_text()
        page.locator("section.assistance-pairings").get_by_role("link", name="指定/变更责任人").click()
        page.get_by_label("责任人类别").select_option(label="政策保障责任人")
        page.locator("select[name=cadre]").select_option(label="郑村干")
        page.get_by_label("起始日期").fill("2024-02-01")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(re.compile(rf"/households/{household.pk}/$"))
        page.goto(f"/assistance/households/{household.pk}/responsible/")
        page.screenshot(path=shots / "responsible-360.png", full_page=True)
        _fits(page, width)
        pairing = Pairing.objects.get(household=household)
        page.goto(f"/assistance/pairings/{pairing.pk}/end/")
        page.screenshot(path=shots / "end-360.png", full_page=True)
        _fits(page, width)
    assert Pairing.objects.get(household=household).started_on == date(2024, 1, 1)
    assert Responsibility.objects.get(household=household).cadre.name == "郑村干"

    phone = clerk("cadre_a1", 360)
    phone.get_by_role("link", name="我的帮扶户").click()
    phone.wait_for_url(re.compile(r"/assistance/mine/$"))
    phone.screenshot(path=shots / "mine-360.png", full_page=True)
    _fits(phone, 360)
    phone.get_by_role("link", name="韩春生").click()
    phone.wait_for_url(re.compile(rf"/households/{household.pk}/$"))
    assert me.pk
    unlinked = clerk("cadre_a1", 360)
    me.user = None
    me.save()
    unlinked.goto("/assistance/mine/")
    unlinked.screenshot(path=shots / "mine-unlinked-360.png", full_page=True)
    assert "县级管理员" in unlinked.content()
