"""A visit on a phone in a real browser (Debian chromium through Playwright, the live test server, 360×740): the
cadre opens the household, records the visit with a photo (a JPEG with EXIF made here) and the income (the
per-capita shown as it is typed), the draft survives a reload, the phone goes offline and the visit is saved on
it, the network returns and the visit arrives once (one visit, one photo, the income in the registry), the draft
gone. Screenshots at 360 and 1366 px (VISIT_SHOTS=<folder> keeps them)."""

import os
import re
import shutil
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.assistance.models import Cadre, Visit, VisitPhoto
from fupin.registry.models import IncomeAccount
from tests.assistance.test_visit_photos import photos_jpeg
from tests.factories import VILLAGE_A1
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # tests/conftest.py


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def shots(tmp_path):
    folder = tmp_path / "shots"
    folder.mkdir()
    yield folder
    keep = os.environ.get("VISIT_SHOTS")
    if keep:
        shutil.copytree(folder, keep, dirs_exist_ok=True)


def _login(browser, live_server, username, width, height):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))
    return context, page, errors


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"


def test_a_visit_recorded_offline_arrives_once(browser, live_server, users, make_household, shots):
    household = make_household(
        VILLAGE_A1,
        head_name="韩春生",
        members=[{"name": "韩春生", "relation": "01"}, {"name": "韩小雨", "relation": "03"}],
    )
    Cadre.objects.create(area_id=VILLAGE_A1, name="王帮扶", user=users["cadre_a1"])
    context, page, errors = _login(browser, live_server, "cadre_a1", 360, 740)

    page.goto(f"/households/{household.pk}/")
    page.get_by_role("link", name="记录走访").click()
    page.wait_for_url(re.compile(r"/visit/$"))
    page.get_by_label("见到的家庭成员").fill("韩春生")
    for check, answer in (("不愁吃", "是"), ("不愁穿", "是"), ("住房安全有保障", "否")):
        page.locator(".toggle-row", has_text=check).get_by_text(answer, exact=True).click()
    page.get_by_text("医疗保障政策").click()
    page.get_by_label("工资性收入（含公益性岗位）").fill("12000")
    page.get_by_label("生产经营性支出").fill("1000")
    # (12000 − 1000) ÷ 2 members, shown as it is typed
    assert page.locator("#per-capita").inner_text() == "5500.00"
    page.get_by_label("生产经营性收入").fill("333.33")
    assert page.locator("#per-capita").inner_text() == "5666.67"  # 11333.33 ÷ 2 = 5666.665 → 5666.67
    page.set_input_files(
        "#visit-photos", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photos_jpeg()}]
    )
    page.get_by_label("发现返贫致贫风险").check()
    page.locator("#risk-types").get_by_text("因病", exact=True).click()
    page.get_by_text("草稿已保存在手机上").wait_for()
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "visit-360.png"), full_page=True)

    page.reload()  # the draft is on the phone: the fields and the photo come back
    page.get_by_text("已恢复上次未填完的草稿").wait_for()
    assert page.get_by_label("工资性收入（含公益性岗位）").input_value() == "12000"
    assert page.locator("#per-capita").inner_text() == "5666.67"
    assert page.locator("#photo-count").inner_text() == "已选 1 张照片"
    assert page.locator(".toggle-row", has_text="住房安全有保障").get_by_label("否").is_checked()

    context.set_offline(True)
    page.get_by_role("button", name="保存走访").click()
    page.get_by_text("已保存在手机上：还有 1 条走访记录待发送，联网后自动发送").wait_for()
    page.screenshot(path=str(shots / "visit-360-offline.png"), full_page=False)
    assert not Visit.objects.exists()

    context.set_offline(False)
    page.get_by_text("走访记录已发送").wait_for(timeout=30_000)
    visit = Visit.objects.get()
    assert visit.household == household and visit.cadre.name == "王帮扶" and visit.met == "韩春生"
    assert visit.checks == {"food": True, "clothing": True, "housing": False} and visit.policies == ["medical"]
    assert visit.per_capita_income == Decimal("5666.67") and visit.risk_types == ["01"] and visit.clue_ref
    photo = VisitPhoto.objects.get()
    assert (photo.width, photo.height) == (1600, 800) and photo.latitude == Decimal("37.510000")
    account = IncomeAccount.objects.get(household=household, year=timezone.localdate().year)
    assert account.wage_income == Decimal("12000.00") and account.business_income == Decimal("333.33")
    left = page.evaluate("idbKeyval.keys().then(keys => keys.map(String))")
    assert left == [], left  # neither the draft nor the outbox keeps anything
    assert page.locator("#per-capita").inner_text() == "0.00"  # a fresh form for the next visit
    page.wait_for_timeout(500)
    assert Visit.objects.count() == 1 and VisitPhoto.objects.count() == 1

    page.goto(f"/assistance/visits/{visit.pk}/")
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "visit-detail-360.png"), full_page=True)
    page.goto("/assistance/visits/")
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "visit-list-360.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    context.close()

    context, page, errors = _login(browser, live_server, "village_a1", 1366, 900)
    page.goto(f"/households/{household.pk}/")
    page.screenshot(path=str(shots / "household-1366.png"), full_page=True)
    page.get_by_role("link", name="记录走访").click()
    page.wait_for_url(re.compile(r"/visit/$"))
    page.locator("#per-capita").wait_for()
    page.screenshot(path=str(shots / "visit-1366.png"), full_page=True)
    page.goto(f"/assistance/visits/{visit.pk}/")
    page.screenshot(path=str(shots / "visit-detail-1366.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    context.close()
