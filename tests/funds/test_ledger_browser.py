"""The ledger pages in a real browser, on a phone (360 px) and a desk (1366 px): the county clerk opens the ledger
(seed 004's 2018 allocation), goes down to a township, opens the batch and its publication form, and the batch
form; no page is wider than the screen (a wide table scrolls inside itself). Screenshots go to $LEDGER_SHOTS when
it is set (for a person to look at)."""

import os
import re
from pathlib import Path

import pytest

from tests.factories import TOWNSHIP_A
from tests.funds.ledger_helpers import seed_004
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # tests/conftest.py
SHOTS = os.environ.get("LEDGER_SHOTS")


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def look(page, name, width):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} at {width} px is {overflow} px wider than the screen"


@pytest.mark.parametrize("width", [360, 1366])
def test_a_county_clerk_reads_the_ledger(browser, live_server, users, width):
    province, county, batch = seed_004(users["county"])
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 740})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("county")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/funds/ledger/?as_of=2018-05-15&year=2018")
    look(page, "ledger-county", width)
    page.get_by_role("link", name="东乡镇").click()
    page.wait_for_url(re.compile(f"area={TOWNSHIP_A}"))
    assert "1285.4000" in page.content()
    look(page, "ledger-township", width)
    page.goto("/funds/sources/")
    assert "20.8%" in page.content()
    look(page, "sources", width)
    page.goto(f"/funds/batches/{batch.pk}/")
    look(page, "batch", width)
    page.get_by_role("link", name="记录结果公开").click()
    look(page, "publish", width)
    page.goto("/funds/batches/add")
    look(page, "batch-form", width)
    page.goto("/funds/transfers/add")
    look(page, "transfer-form", width)
    context.close()
