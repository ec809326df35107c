"""The programme pages in a real browser at a phone's width (360 px) and a desk's (1366 px): a village clerk
records a relocated household through the form and finds it on its site's page with the rates; no page is wider
than the screen (a wide table scrolls inside it). Screenshots go to $PROGRAMME_SHOTS when it is set."""

import os
import re
from datetime import date
from pathlib import Path

import pytest

from fupin.assistance.models import Relocation
from fupin.assistance.services import programmes, relocation
from tests.factories import TOWNSHIP_A, VILLAGE_A1
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # tests/conftest.py
PAGES = (
    "/assistance/relocation/sites/",
    "/assistance/relocation/",
    "/assistance/relocation/figures/",
    "/assistance/trainings/",
    "/assistance/enterprises/",
    "/assistance/social-aid/",
    "/assistance/social-aid/add/",
)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _login(browser, live_server, width):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("village_a1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))
    return context, page


def _shot(page, name):
    folder = os.environ.get("PROGRAMME_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("width", [360, 1366])
def test_a_clerk_records_a_relocation_and_reads_the_rates(browser, live_server, users, make_household, width):
    site = relocation.create_site(
        users["county"], area_code=TOWNSHIP_A, name="东乡镇幸福小区", planned_households=4, location="镇政府东侧",
        construction_started_on=date(2018, 3, 1), construction_completed_on=date(2019, 6, 30), via="test",
    )  # fmt: skip
    make_household(VILLAGE_A1, number="DY-8001", members=[{"name": "王大川", "relation": "01"}])
    course = programmes.create_training(
        users["county"], area_code=TOWNSHIP_A, course="电焊工培训", started_on=date(2023, 3, 1), via="test"
    )
    context, page = _login(browser, live_server, width)
    try:
        page.goto("/assistance/relocation/add/")
        page.get_by_label("行政村").select_option(VILLAGE_A1)
        page.get_by_label("农户（户编号或户主姓名）").fill("DY-8001")
        page.get_by_label("安置点").select_option(str(site.pk))
        page.get_by_label("搬迁人数").fill("1")
        page.get_by_label("入住日期").fill("2019-06-01")
        page.get_by_role("button", name="保存").click()
        page.get_by_text("早于安置点").wait_for()
        _shot(page, f"relocation_refused_{width}")
        _fits(page, width)
        page.get_by_label("入住日期").fill("2019-07-01")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(re.compile(rf"/assistance/relocation/sites/{site.pk}/$"))
        assert Relocation.objects.get().household.number == "DY-8001"
        page.get_by_text("DY-8001").wait_for()
        page.goto(f"/assistance/relocation/sites/{site.pk}/?as_of=2019-07-01")
        assert "25.0%" in page.content()  # 搬迁入住率: 1 of 4 planned households
        _shot(page, f"site_{width}")
        _fits(page, width)
        page.goto(f"/assistance/trainings/{course.pk}/?household=DY-8001")
        _shot(page, f"training_{width}")
        _fits(page, width)
        for path in PAGES:
            page.goto(path)
            _shot(page, path.strip("/").replace("/", "_") + f"_{width}")
            _fits(page, width)
    finally:
        context.close()
