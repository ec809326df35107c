"""The project library in a real browser at a phone's width and a desk's: a township clerk files a village's
proposal and takes the village and township steps (the village notice, the township's criteria); the county
approves it (县审定 with its notice, then the plan); the month's progress bulletin shows it. The project page is
saved as a PNG at 360 and 1366 px under the test's folder (and PROJECT_SHOTS where set) to look at."""

import os
import re
import shutil
from pathlib import Path

import pytest

from fupin.funds.models import Project
from tests.factories import VILLAGE_A1
from tests.funds.projects_helpers import sources
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # tests/conftest.py


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def shot(page, folder: Path, name: str):
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    extra = os.environ.get("PROJECT_SHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)


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


def take(page, step: str, on: str, *, notice: str = "", criteria: int = 0):
    page.get_by_role("link", name=f"办理“{step}”").click()
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("办理日期").fill(on)
    if notice:
        page.get_by_label("公示开始日期").fill(notice)
    for n in range(criteria):
        page.check(f"input[name=criterion_{n}][value=yes]")
    page.get_by_role("button", name="提交").click()
    page.get_by_text(f"“{step}”已办理").wait_for()


@pytest.mark.parametrize("width", [360, 1366])
def test_a_township_proposal_is_approved_and_bulletined(browser, live_server, users, make_household, tmp_path, width):
    household = make_household(number=f"DY-{width}")
    central, _own = sources()
    context, township = login(browser, live_server, "township_a", width)
    township.goto("/funds/projects/")
    township.get_by_role("link", name="申报项目").click()
    township.get_by_label("项目地点").select_option(VILLAGE_A1)
    township.get_by_label("项目名称").fill("东一村通组路")
    township.get_by_label("计划年度").fill("2025")
    township.get_by_label("项目类型").select_option("road")
    township.get_by_label("资金用途").select_option("group_road")
    township.get_by_label("计量单位").select_option("km")
    township.get_by_label("计划建设规模").fill("2.5")
    township.get_by_label("投资估算（万元）").fill("120.5")
    township.get_by_label("计划完工日期").fill("2025-09-30")
    township.get_by_label("联农带农机制").fill("建设期吸纳脱贫户务工")
    township.locator("input[name=target_0_indicator]").fill("硬化道路长度")
    township.locator("input[name=target_0_target]").fill("2.5公里")
    township.locator("input[name=household_0]").fill(household.number)
    township.locator("select[name=household_0_way]").select_option("wage")
    township.locator("select[name=funding_0_source]").select_option(str(central.pk))
    township.locator("input[name=funding_0_amount]").fill("120.5")
    shot(township, tmp_path, f"proposal-{width}")
    township.get_by_role("button", name="保存").click()
    township.get_by_text("项目申报已保存").wait_for()
    take(township, "户申请", "2025-03-01")
    take(township, "村提议", "2025-03-13", notice="2025-03-02")
    take(township, "队帮扶", "2025-03-14")
    take(township, "乡统筹", "2025-03-15", criteria=9)
    assert township.get_by_role("link", name="办理“县审定”").count() == 0  # the county's step
    context.close()

    context, county = login(browser, live_server, "county", width)
    project = Project.objects.get(name="东一村通组路")
    county.goto(f"/funds/projects/{project.pk}/")
    take(county, "县审定", "2025-03-27", notice="2025-03-16", criteria=2)
    take(county, "入年度计划", "2025-03-28")
    assert county.locator(".status", has_text="已入年度计划").is_visible()
    assert county.get_by_text(household.head_name).first.is_visible()
    shot(county, tmp_path, f"project-{width}")
    county.get_by_role("link", name="进度通报").first.click()
    county.locator("input[name=month]").fill("2025-03")
    county.get_by_role("button", name="查询").click()
    county.get_by_text("2025年3月项目进度通报").wait_for()
    row = county.locator("table.bulletin tbody tr", has_text="东乡镇")
    assert row.locator("td").nth(1).inner_text() == "1"
    assert row.locator("td").nth(4).inner_text() == "120.5000"
    shot(county, tmp_path, f"bulletin-{width}")
    context.close()
    project.refresh_from_db()
    assert (project.stage, project.steps.count()) == ("planned", 6)
