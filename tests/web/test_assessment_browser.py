"""The assessment pages in a real browser: a county clerk starts an assessment with the button, watches its
progress while the background worker runs it, lands on its results and opens the list; and every page of the
assessment at a desk's and a phone's width (screenshots under /tmp/fupin-assessment-pages/), none wider than the
screen."""

import re
from datetime import date
from pathlib import Path

import pytest

from fupin.policy.models import AssessmentJob
from fupin.policy.services.batch import assess
from fupin.policy.tasks import run_assessment
from tests.factories import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.policy.registry_data import income, member
from tests.web.test_browser import browser, log_in  # noqa: F401 - the module's chromium and the login steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/fupin-assessment-pages")
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # jobs wait for the worker: the test is it


@pytest.fixture
def homes(make_household):
    """边缘易致贫户 (one person, 5000 in 2023) in 东一村 and 西一村; a 6600 household (2 persons) in 东二村."""
    for village, wage, persons in ((VILLAGE_A1, "5000", 1), (VILLAGE_B1, "5000", 1), (VILLAGE_A2, "13200", 2)):
        household = make_household(
            village, members=[member(f"甲{i}", "01" if i == 0 else "03") for i in range(persons)]
        )
        income(household, 2023, wage=wage)


def _context(browser, live_server, width):  # noqa: F811 - the fixture imported above
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    return context


def test_clerk_starts_an_assessment_watches_it_and_reads_the_results(browser, live_server, users, homes, settings):  # noqa: F811
    settings.TASKS = QUEUED
    context = _context(browser, live_server, 1366)
    page = context.new_page()
    log_in(page, "county")
    page.get_by_role("link", name="评估", exact=True).click()
    page.get_by_label("评估类型").first.select_option("monitoring")
    page.get_by_label("标准包").select_option("national-2023")
    page.get_by_label("评估基准日").fill("2024-06-01")
    page.get_by_role("button", name="开始评估").click()
    page.wait_for_url(re.compile(r"/assessments/jobs/[0-9a-f-]+/$"))
    assert page.locator("#job-status").inner_text() == "排队中"
    assert page.locator("#job-progress").is_visible()
    job = AssessmentJob.objects.get()
    assert run_assessment.call(str(job.pk)) == "done"  # the worker, while the page polls
    page.wait_for_url(re.compile(r"/assessments/runs/\d+/$"))  # the page saw it finish and went to the results
    summary = page.locator("table.summary").inner_text()
    assert re.search(r"符合监测对象识别条件\s+2\s+2", summary) and re.search(r"边缘易致贫户\s+2\s+2", summary)
    page.get_by_role("link", name="查看名单").click()
    page.wait_for_url(re.compile(r"/assessments/flagged/"))
    assert page.get_by_label("评估类型").input_value() == "monitoring"
    assert "共 2 户" in page.locator(".total").inner_text()
    context.close()


PAGES = (
    ("runs", "county", "/assessments/"),
    ("runs-village", "village_a1", "/assessments/"),
    ("run", "township_a", "/assessments/runs/{run}/"),
    ("flagged", "township_a", "/assessments/flagged/?kind=monitoring"),
    ("flagged-none", "township_a", "/assessments/flagged/?kind=data_check"),
    ("flagged-none-village", "village_a1", "/assessments/flagged/?kind=data_check"),
    ("job", "county", "/assessments/jobs/{job}/"),
    ("whatif-form", "county", "/assessments/whatif/"),
    (
        "whatif",
        "county",
        "/assessments/whatif/?kind=monitoring&against=national-2023&parameter=monitoring_line&value=7100"
        "&as_of=2024-06-01",
    ),
    (
        "whatif-households",
        "county",
        "/assessments/whatif/households/?kind=monitoring&against=national-2023&parameter=monitoring_line"
        "&value=7100&as_of=2024-06-01&direction=added",
    ),
    ("household", "county", "/households/{household}/"),
)


def test_every_assessment_page_fits_a_desk_and_a_phone(browser, live_server, users, homes, settings):  # noqa: F811
    from fupin.policy.services import jobs
    from fupin.registry.models import Household

    run = assess("monitoring", user=users["county"], pack_id="national-2023", as_of=date(2024, 6, 1))
    job = jobs.start_assessment(users["county"], "data_check", pack_id="national-2023", enqueue=False)
    ids = {"run": run.pk, "job": job.pk, "household": Household.objects.filter(village_id=VILLAGE_A1).get().pk}
    SHOTS.mkdir(exist_ok=True)
    too_wide = []
    for width in (1366, 360):
        context = _context(browser, live_server, width)
        page = context.new_page()
        current = None
        for name, username, path in PAGES:
            if username != current:
                context.clear_cookies()
                log_in(page, username)
                current = username
            response = page.goto(path.format(**ids))
            assert response.status == 200, f"{name}: {response.status}"
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            body = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if body[0] > body[1]:
                too_wide.append(f"{name} at {width}: {body[0]} > {body[1]}")
            text = page.locator("main").inner_text()
            assert "fupin assess" not in text and "ordinary" not in text and "monitoring_line" not in text, name
        context.close()
    assert not too_wide, too_wide
