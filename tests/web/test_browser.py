"""The web app in a real browser (Debian chromium through Playwright) against the live test server: the clerk's
path from login to an audited reveal, and the 404 a village user gets for another village's household."""

import re

import pytest

from fupin.accounts.models import Action, AuditEntry
from tests.factories import VILLAGE_A1, VILLAGE_B1, make_id
from tests.support import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/fupin-household-page.png"
PASSWORD = "pw-12345678"  # tests/conftest.py


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def log_in(page, username):
    page.goto("/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))


def test_clerk_filters_searches_opens_a_household_and_reveals_an_id(page, users, make_household):
    person_id = make_id("19680412", seq=517)
    make_household(
        VILLAGE_A1,
        number="A1-0007",
        head_name="孙桂兰",
        members=[{"name": "孙桂兰", "relation": "01", "id_number": person_id}],
    )
    make_household(VILLAGE_A1, number="A1-0008", head_name="周建国")
    make_household("149901001002", number="A2-0003", head_name="孙志强")

    log_in(page, "township_a")
    assert page.locator("header .area").inner_text() == "山西省示范市示范县东乡镇"
    page.get_by_label("区划").select_option(VILLAGE_A1)
    page.get_by_label("查找").fill("孙")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 1 and "孙桂兰" in rows.first.inner_text()
    assert "共 1 户" in page.locator(".total").inner_text()

    page.get_by_role("link", name="A1-0007").click()
    page.get_by_role("heading", name=re.compile("孙桂兰")).wait_for()
    id_cell = page.locator("table.grid tbody tr", has_text="孙桂兰").locator(".sensitive").first
    masked = person_id[:6] + "********" + person_id[-4:]
    assert id_cell.locator(".value").inner_text() == masked
    page.screenshot(path=SCREENSHOT, full_page=True)

    id_cell.get_by_role("button", name="显示").click()
    page.wait_for_function("id => document.body.innerText.includes(id)", arg=person_id)
    assert id_cell.locator(".value").inner_text() == person_id
    entry = AuditEntry.objects.get(action=Action.REVEAL)
    assert (entry.username, entry.changes, entry.via) == ("township_a", {"field": "id_number"}, "ui")


def test_village_user_typing_another_villages_household_url_sees_a_404_page(page, users, make_household):
    other = make_household(VILLAGE_B1, number="B1-0009", head_name="钱多多")
    log_in(page, "village_a1")
    response = page.goto(f"/households/{other.pk}/")
    assert response.status == 404
    assert "不在您的管辖范围内" in page.locator("main").inner_text()
    assert "钱多多" not in page.content()


def test_clerk_uploads_a_roster_with_a_mistake_fixes_it_and_imports_it(page, users, settings, tmp_path):
    """The import as a clerk does it: upload, read the error table, fix the row, upload again, see the counts."""
    settings.EXCHANGE_DIR = tmp_path / "exchange"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from fupin.registry.models import Member

    good = make_id("19700101", seq=611)
    header = "户编号,行政区划代码,姓名,证件号码,与户主关系\n"
    bad_file, fixed_file = tmp_path / "花名册.csv", tmp_path / "花名册-改.csv"
    bad_file.write_bytes(
        (header + f"Z1,{VILLAGE_A1},钟一,{good},户主\nZ1,{VILLAGE_A1},钟二,1.10105E+17,配偶\n").encode("gb18030")
    )
    fixed_file.write_bytes((header + f"Z1,{VILLAGE_A1},钟一,{good},户主\n").encode("gb18030"))
    log_in(page, "village_a1")
    page.get_by_role("link", name="导入数据").click()
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(str(bad_file))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url(re.compile(r"/exchange/import/[0-9a-f-]+/$"))
    errors = page.locator("#import-errors")
    assert "科学计数法" in errors.inner_text() and "D 证件号码" in errors.inner_text()
    assert page.get_by_text("有错误，未导入").count() >= 1
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告").click()
    assert download.value.suggested_filename == "花名册-错误报告.csv"
    assert not Member.objects.filter(name__startswith="钟").exists()
    page.get_by_role("link", name="返回导入页面").click()
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(str(fixed_file))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url(re.compile(r"/exchange/import/[0-9a-f-]+/$"))
    assert page.locator("#job-status").inner_text() == "已导入"
    assert Member.objects.get(name="钟一").id_number == good


def test_the_progress_page_follows_a_queued_job_until_the_worker_finishes_it(page, users, settings, tmp_path):
    """With the real queue: the page shows the bar while the job waits, polls, and shows the outcome by itself
    once `fupin db_worker` has run the job (here in the test's thread while the browser keeps polling)."""
    from django.core.management import call_command

    settings.EXCHANGE_DIR = tmp_path / "exchange"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    roster = tmp_path / "排队.csv"
    roster.write_bytes(
        (
            f"户编号,行政区划代码,姓名,证件号码,与户主关系\nZ5,{VILLAGE_A1},钟五,{make_id('19800505', seq=615)},户主\n"
        ).encode("gb18030")
    )
    log_in(page, "village_a1")
    page.goto("/exchange/import/")
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(str(roster))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url(re.compile(r"/exchange/import/[0-9a-f-]+/$"))
    assert page.locator("#job-status").inner_text() == "排队中"
    assert page.locator("#job-progress").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page.locator("#job-status", has_text="已导入").wait_for(timeout=15_000)  # the page reloaded itself
    assert page.locator("#job-progress").count() == 0
    assert "家庭成员" in page.content()


def test_the_pages_raise_no_content_security_policy_violation(page, users, make_household):
    """The clerk's pages and the API's Swagger page under the real policy (settings.CONTENT_SECURITY_POLICY), as
    chromium enforces it: no violation reported on the console, no script error. The control: an inline script
    added to the page is refused and reported, so the recorder would see one."""
    make_household(
        VILLAGE_A1,
        number="A1-0031",
        head_name="郑秀英",
        members=[{"name": "郑秀英", "relation": "01", "id_number": make_id("19710301", seq=531)}],
    )
    console, errors = [], []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, "village_a1")
    page.get_by_role("link", name="A1-0031").click()
    page.get_by_role("heading", name=re.compile("郑秀英")).wait_for()
    cell = page.locator("table.grid tbody tr", has_text="郑秀英").locator(".sensitive").first
    cell.get_by_role("button", name="显示").click()  # reveal.js: the page's own script runs
    cell.locator(".value", has_text="19710301").wait_for()
    page.goto("/api/docs")
    page.locator(".swagger-ui .info").wait_for()  # Swagger UI drawn by its own bundle, from our static files
    page.locator(".opblock").first.wait_for()
    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == [] and errors == []

    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.head.append(s); }"
    )
    page.wait_for_function("() => true")
    assert any("Content Security Policy" in text for text in console)
    assert page.evaluate("() => window.x") is None
