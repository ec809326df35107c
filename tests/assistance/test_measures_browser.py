"""The measure pages in a real browser, on a phone (360 px) and a desk (1366 px): a village clerk opens a household,
picks 扶贫小额信贷 (the form then shows only a loan's fields), types one fen over the pack's ceiling and is told so
by the field, corrects it and sees the loan on the household's page, the area list and the micro-loans page.
Screenshots go to $MEASURE_SHOTS when it is set (for a person to look at)."""

import os
import re
from pathlib import Path

import pytest

from fupin.assistance.models import Measure
from tests.factories import VILLAGE_A1
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # tests/conftest.py
SHOTS = os.environ.get("MEASURE_SHOTS")


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("width", [360, 1366])
def test_a_clerk_records_a_micro_loan(browser, live_server, users, make_household, width):
    household = make_household(VILLAGE_A1, head_name="赵大河")
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 740})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("village_a1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/households/{household.pk}/")
    shot(page, f"household-panel-{width}")
    page.get_by_role("link", name="新增帮扶措施").click()
    page.get_by_role("link", name="扶贫小额信贷").click()
    assert page.locator("[name=loan_amount]").count() == 1 and page.locator("[name=post_months]").count() == 0
    page.locator("[name=subtype]").fill("养殖贷款")
    page.locator("[name=loan_amount]").fill("50000.01")
    page.locator("[name=loan_date]").fill("2024-03-01")
    page.locator("[name=loan_term_months]").fill("36")
    page.locator("[name=loan_interest_subsidy]").fill("0")
    page.locator("[name=loan_balance]").fill("50000")
    page.locator("[name=started_on]").fill("")
    page.get_by_role("button", name="保存").click()
    error = page.locator(".has-error .errorlist")
    assert "不超过 50000 元" in error.inner_text()
    shot(page, f"loan-refused-{width}")
    assert not Measure.objects.exists()

    page.locator("[name=loan_amount]").fill("50000")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/measures/$"))
    assert "养殖贷款" in page.content()
    shot(page, f"household-measures-{width}")
    measure = Measure.objects.get()
    assert (measure.kind, str(measure.started_on)) == ("micro_loan", "2024-03-01")

    page.goto("/assistance/measures/")
    assert "赵大河" in page.content()
    shot(page, f"measure-list-{width}")
    page.goto("/assistance/measures/micro-loans/")
    assert "5.00 万元" in page.content()
    shot(page, f"micro-loans-{width}")
    page.goto("/assistance/measures/import/")
    assert page.locator("input[type=file]").count() == 1
    shot(page, f"import-{width}")
    context.close()
