"""A village clerk in a real browser (Debian chromium through Playwright) files a new household with its head,
trips over a wrong ID (the reason in Chinese next to the field), then adds the household's income account and reads
the computed per-capita income."""

import re

import pytest

from fupin.registry.models import Household
from tests.factories import VILLAGE_A1, make_id
from tests.web.test_browser import browser, log_in, page  # noqa: F401 (fixtures: one chromium, a fresh page)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_files_a_household_then_its_income(page, users):  # noqa: F811
    head_id = make_id("19810709", seq=531)
    log_in(page, "village_a1")
    page.get_by_role("link", name="新建农户").click()
    page.get_by_role("heading", name="新建农户").wait_for()
    assert page.get_by_label("行政村").input_value() == VILLAGE_A1  # the clerk's one village, already chosen
    page.get_by_label("户编号").fill("A1-0601")
    page.get_by_label("户主姓名").fill("宋春燕")
    page.get_by_label("证件号码").fill(head_id[:-1] + ("0" if head_id[-1] != "0" else "1"))  # a wrong check digit
    page.get_by_role("button", name="建档").click()
    error = page.locator(".field.has-error", has=page.get_by_label("证件号码"))
    assert "校验码错误" in error.locator(".errorlist").inner_text()
    assert not Household.objects.exists()

    page.get_by_label("证件号码").fill(head_id)
    page.get_by_role("button", name="建档").click()
    page.wait_for_url(re.compile(r"/households/\d+/$"))
    assert "已建档：A1-0601 宋春燕" in page.locator(".messages").inner_text()
    assert "宋春燕" in page.locator("table.grid", has_text="与户主关系").inner_text()

    page.get_by_role("link", name="新增收入台账").click()
    assert page.get_by_label("家庭人口数").input_value() == "1"  # the members of today
    page.get_by_label("工资性收入（含公益性岗位）").fill("8200")
    page.get_by_label("低保金").fill("1800.5")
    page.get_by_label("生产经营性支出").fill("300")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/incomes/\d{4}/edit/$"))
    # 8200 + 1800.50 − 300 = 9700.50, for one person
    assert "人均纯收入9700.50元" in page.locator(".messages").inner_text()
    assert page.locator("dl.computed").inner_text().count("9700.50") == 2
    household = Household.objects.get(number="A1-0601")
    assert household.members.get().id_number == head_id
    assert household.incomes.get().per_capita_net_income == 9700.5
