"""The people pages in a real browser at a phone's width and a desk's: the county clerk imports the workbook and
lists the cadres; the village clerk opens his village's set, sees the missing part in red and posts it. With
PEOPLE_SHOTS set to a folder, each page is also saved there as a PNG (to look at)."""

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest

from fupin.assistance.models import SetPost
from fupin.registry.codes import VillageEventKind
from fupin.registry.models import VillageEvent
from tests.assistance.test_people_import import full
from tests.factories import VILLAGE_A1
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # tests/conftest.py


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def shot(page, name):
    folder = os.environ.get("PEOPLE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def login(browser, live_server, username, width):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))
    return context, page


@pytest.mark.parametrize("width", [360, 1366])
def test_a_clerk_imports_the_people_and_completes_a_villages_set(browser, live_server, users, tmp_path, width):
    VillageEvent.objects.create(village_id=VILLAGE_A1, kind=VillageEventKind.POOR, date=date(2014, 10, 31))
    workbook = tmp_path / "帮扶力量.xlsx"
    stream = full()
    workbook.write_bytes(stream.getvalue() if isinstance(stream, io.BytesIO) else stream)
    context, county = login(browser, live_server, "county", width)
    county.goto("/assistance/")
    shot(county, f"index-{width}")
    county.get_by_role("link", name="导入帮扶力量（Excel）").click()
    county.set_input_files("input[type=file]", str(workbook))
    county.get_by_role("button", name="上传并导入").click()
    county.get_by_text("导入完成").wait_for()
    shot(county, f"import-{width}")
    county.goto("/assistance/cadres/")
    assert county.get_by_text("钱县长").is_visible()
    assert county.get_by_text("139****0001").is_visible()
    shot(county, f"cadres-{width}")
    county.get_by_role("link", name="孙书记").click()
    shot(county, f"cadre-{width}")
    county.goto("/assistance/teams/")
    shot(county, f"teams-{width}")
    county.goto("/assistance/units/")
    shot(county, f"units-{width}")
    context.close()

    context, village = login(browser, live_server, "village_a1", width)
    village.goto("/assistance/sets/")
    assert village.get_by_text("五个一").is_visible()
    missing = village.locator("td span.overdue", has_text="缺")
    assert missing.count() == 0  # the workbook posted all five: leader, unit, team, first secretary, agronomist
    village.goto("/assistance/sets/?on=2021-05-15")
    village.goto(f"/assistance/sets/{VILLAGE_A1}/?on=2021-05-15")
    assert village.locator("td span.overdue", has_text="缺").count() == 1  # the agronomist came on 2021-06-01
    shot(village, f"set-{width}")
    village.get_by_role("link", name="登记").click()
    village.get_by_label("干部").select_option(label="李农技")
    village.get_by_label("起始日期").fill("2021-05-10")
    shot(village, f"set-form-{width}")
    village.get_by_role("button", name="保存").click()
    village.get_by_text("起始日期应晚于该日").or_(village.get_by_text("已有在任的记录")).wait_for()
    shot(village, f"set-refused-{width}")
    assert SetPost.objects.filter(part="agronomist").count() == 1
    context.close()
