"""A large export in a real browser (Debian chromium through Playwright, as tests/web/test_browser.py): the clerk
clicks 导出Excel, lands on the job's page, which polls while the worker writes and offers the file when it is done;
the downloaded workbook holds the clerk's households. Screenshots at 1366 and 360 px: /tmp/fupin-export-*.png."""

import re

import pytest

from fupin.exchange import export_jobs
from fupin.exchange.models import ExportJob
from tests.exchange.test_exports import NUMBER_A1, homes  # noqa: F401 (homes: the fixture, used by pytestmark)
from tests.exchange.xlsx import records
from tests.web.test_browser import browser, log_in  # noqa: F401 (browser: the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("homes")]


@pytest.fixture
def context(browser, live_server):  # noqa: F811
    made = []

    def new(width=1366):
        made.append(
            browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 900})
        )
        made[-1].set_default_timeout(10_000)
        return made[-1].new_page()

    yield new
    for each in made:
        each.close()


def test_a_large_export_goes_to_its_page_and_downloads_the_workbook(context, settings, tmp_path):
    settings.EXPORT_IMMEDIATE_ROWS = 0  # every export is a job; jobs run inside the request (conftest)
    page = context()
    log_in(page, "township_a")
    page.get_by_role("link", name="导出Excel").click()
    page.wait_for_url(re.compile(r"/exchange/export/[0-9a-f-]+/$"))
    assert page.locator("#job-status").inner_text() == "已完成"
    page.screenshot(path="/tmp/fupin-export-done-1366.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载文件").click()
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".xlsx")
    assert sorted(r["户编号"] for r in records(path.read_bytes(), "农户")) == sorted([NUMBER_A1, "A2-0001"])
    page.get_by_role("link", name="返回农户名册").click()
    page.wait_for_url(re.compile(r"/$"))


def test_the_page_polls_a_running_job_and_offers_the_file_once_the_worker_is_done(context, users, settings):
    job = ExportJob.objects.create(
        user=users["township_a"], area_code=users["township_a"].area_id, format="xlsx", status="running"
    )
    export_jobs._set_progress(job, "members", 4, 9)
    for width in (1366, 360):
        page = context(width)
        log_in(page, "township_a")
        page.goto(f"/exchange/export/{job.pk}/")
        assert page.locator("#job-phase").inner_text() == "写出家庭成员"
        assert page.locator("#job-progress").get_attribute("value") == str(round(95 * 4 / 9, 1))
        page.screenshot(path=f"/tmp/fupin-export-running-{width}.png", full_page=True)
    done = export_jobs.run_export(
        ExportJob.objects.create(user=users["township_a"], area_code=job.area_code, format="xlsx")
    )
    export_jobs.file_path(job).parent.mkdir(parents=True, exist_ok=True)
    export_jobs.file_path(done).replace(export_jobs.file_path(job))  # the worker finishes the job being watched
    ExportJob.objects.filter(pk=job.pk).update(status="done", filename=done.filename, size=done.size, rows=done.rows)
    export_jobs._set_progress(job, "done", 1, 1)
    page.get_by_role("link", name="下载文件").wait_for()  # the page reloaded itself
    page.screenshot(path="/tmp/fupin-export-done-360.png", full_page=True)
