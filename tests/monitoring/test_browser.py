"""One case through the monitoring pages in a real browser (Debian chromium through Playwright, the live test
server): a village clerk records the clue, the township accepts it, the clerk uploads the survey and the signed
authorisation and passes the home check, the county cross-checks, the village reviews and posts the notice (its
PDF downloaded and read: the names, never an ID number), the period runs out (the clock moved), the township
reviews, the county approves, the village posts the announcement, the county enters it: the household is
monitored."""

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from fupin.monitoring.codes import CaseState
from fupin.monitoring.models import Case
from fupin.registry.models import Household
from tests.factories import VILLAGE_A1
from tests.monitoring.web_support import clock_fixture  # noqa: F401
from tests.policy.registry_data import member
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-12345678"  # tests/conftest.py
DAY = date(2024, 3, 4)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def clerk(browser, live_server):
    """clerk(username) → a page logged in as that user, in a context of its own (a phone's width for the village)."""
    contexts = []

    def open_as(username, width=1366):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 900}, accept_downloads=True
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


def decide(page, button, comment=""):
    if comment:
        page.get_by_label("意见").fill(comment)
    page.locator("section.decide").get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    assert not page.locator("p.form-error").count(), page.locator("p.form-error").inner_text()


def test_a_case_from_the_clue_to_monitored_through_three_clerks(clerk, users, make_household, clock, tmp_path):
    clock(DAY)
    household = make_household(
        VILLAGE_A1,
        number="A1-0101",
        head_name="韩春生",
        members=[member("韩春生", "01"), member("韩小雨", "03", "20120301")],
    )
    ids = list(household.members.values_list("id_number", flat=True))

    village = clerk("village_a1", width=360)
    village.goto("/monitoring/")
    village.get_by_role("link", name="新增线索").click()
    village.get_by_label("农户（户编号或户主姓名）").fill("A1-0101")
    village.get_by_label("发现渠道").select_option(label="基层干部排查")
    village.get_by_label("因病", exact=True).check()
    village.get_by_label("情况说明").fill("户主住院，自付费用高")
    village.get_by_role("button", name="登记线索").click()
    village.wait_for_url(re.compile(r"/monitoring/clues/\d+/$"))
    assert "韩春生" in village.content()

    township = clerk("township_a")
    township.goto("/monitoring/?box=clues")
    township.get_by_role("link", name=re.compile(r"^X\d+$")).first.click()
    township.get_by_label("监测对象类别").select_option(label="边缘易致贫户")
    township.get_by_role("button", name="受理并立案").click()
    township.wait_for_url(re.compile(r"/monitoring/cases/\d+/$"))
    case_url = township.url
    case = Case.objects.get()

    survey, consent = tmp_path / "排查表.pdf", tmp_path / "承诺授权书.jpg"
    survey.write_bytes(b"%PDF-1.4 survey")
    consent.write_bytes(b"\xff\xd8\xff signed")
    village.goto(case_url)
    for kind, path in (("防止返贫动态监测排查表", survey), ("承诺授权书", consent)):
        village.get_by_label("材料类型").select_option(label=kind)
        village.get_by_label("文件").set_input_files(str(path))
        village.get_by_role("button", name="上传").click()
        village.wait_for_load_state()
    assert village.get_by_role("link", name="承诺授权书.jpg").count() == 1
    decide(village, "通过", "已入户核实")

    county = clerk("county")
    county.goto("/monitoring/?box=crosscheck")
    county.get_by_role("link", name=f"J{case.pk}").click()
    decide(county, "通过", "部门比对无异常")

    village.goto(case_url)
    decide(village, "通过", "评议通过")
    village.goto("/monitoring/notices/add/")
    village.get_by_label("公示类型").select_option(label="村内公示")
    village.get_by_role("button", name="列出待公示事项").click()
    village.get_by_label(re.compile(f"J{case.pk}")).check()
    village.get_by_label("异议受理联系人及电话").fill("村委会 王主任 0350-7654321")
    village.get_by_role("button", name="生成公示").click()
    village.wait_for_url(re.compile(r"/monitoring/notices/\d+/$"))
    with village.expect_download() as download:
        village.get_by_role("link", name="下载PDF").click()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages)
    assert "韩春生" in text and "因病" in text
    assert not [number for number in ids if number in text] and "13912345678" not in text

    village.goto(case_url)
    buttons = village.locator("section.decide")
    assert buttons.get_by_role("button", name="通过", exact=True).count() == 0  # the period still runs
    assert buttons.get_by_role("button", name="不通过（办结）").count() == 1
    assert "尚在公示期内" in buttons.inner_text()
    clock(DAY + timedelta(days=6))
    village.reload()
    decide(village, "通过")

    township.goto("/monitoring/?box=township")
    township.get_by_role("link", name=f"J{case.pk}").click()
    decide(township, "通过", "乡镇审核同意")

    county.goto(case_url)
    decide(county, "通过", "县级审批同意")

    village.goto("/monitoring/notices/add/")
    village.get_by_label("公示类型").select_option(label="结果公告")
    village.get_by_role("button", name="列出待公示事项").click()
    village.get_by_label(re.compile(f"J{case.pk}")).check()
    village.get_by_label("异议受理联系人及电话").fill("村委会 王主任 0350-7654321")
    village.get_by_role("button", name="生成公示").click()
    village.wait_for_url(re.compile(r"/monitoring/notices/\d+/$"))
    village.goto(case_url)
    decide(village, "通过")

    county.goto(case_url)
    decide(county, "通过", "录入系统")
    assert "已办结（通过）" in county.content()
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED and case.result_event is not None
    household = Household.objects.get(pk=household.pk)
    assert (household.status, household.monitoring_category) == ("monitored", "2")
