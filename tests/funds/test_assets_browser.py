"""The asset pages in a real browser (Debian chromium through Playwright, the live test server): 东乡镇's clerk, on a
phone (360 px), opens the photovoltaic station, records its 2023 income and distributes it at once; the shares land
in the households' property income. Every asset page fits the phone and the office screen (1366 px). Screenshots
are left in the test's folder (ASSETS_SHOTS=<dir> keeps them)."""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from fupin.registry.models import IncomeAccount
from tests.factories import VILLAGE_A1
from tests.funds.assets_helpers import station
from tests.monitoring.test_browser import browser, clerk  # noqa: F401 - the login of a clerk in chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: {scroll} px wide at a {width} px viewport"


def test_a_township_clerk_distributes_an_assets_income_on_the_phone(
    clerk,  # noqa: F811 - the fixture imported above
    users,
    make_household,
    tmp_path,
):
    shots = Path(os.environ.get("ASSETS_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    asset = station(users["county"])
    one, two = make_household(VILLAGE_A1, "DY-1"), make_household(VILLAGE_A1, "DY-2")
    pages = {
        "list": "/funds/assets/",
        "detail": f"/funds/assets/{asset.pk}/",
        "ledger": "/funds/assets/ledger/",
        "detail-ledger": "/funds/assets/ledger/detail/",
        "ownership": f"/funds/assets/{asset.pk}/ownership/",
        "from-project": "/funds/assets/from-project/",
        "import": "/funds/assets/import/",
    }
    for width in (1366, 360):
        page = clerk("township_a", width)
        for name, url in pages.items():
            page.goto(url)
            page.screenshot(path=shots / f"{name}-{width}.png", full_page=True)
            _fits(page, width)

    page.goto(f"/funds/assets/{asset.pk}/")
    page.get_by_role("link", name="收益分配").click()
    _fits(page, 360)
    page.get_by_label("收益年度").fill("2023")
    page.get_by_label("收益总额（元）").fill("1000.01")
    page.get_by_label("村集体留存（元）").fill("0")
    page.get_by_label("到户分配方式").select_option(label="按户平均")
    page.get_by_label("分配到户的农户").fill("DY-1\nDY-2")
    page.get_by_label("方案日期").fill("2023-12-20")
    page.get_by_label("分配日期（填写则立即分配到户）").fill("2024-01-05")
    page.screenshot(path=shots / "income-form-360.png", full_page=True)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/funds/assets/{asset.pk}/$"))
    assert "收益已分配到户，并记入各户2023年度财产性收入" in page.locator(".messages").inner_text()
    assert "已分配 2024-01-05" in page.locator("section.income-plan").inner_text()
    page.screenshot(path=shots / "distributed-360.png", full_page=True)
    _fits(page, 360)
    assert IncomeAccount.objects.get(household=one, year=2023).property_income == Decimal("500.01")
    assert IncomeAccount.objects.get(household=two, year=2023).property_income == Decimal("500.00")
