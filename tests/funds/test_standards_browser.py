"""The standards pages in a real browser at a desk's and a phone's width (1366 and 360 px; screenshots under
/tmp/fupin-standards-pages/), none wider than the screen; and a clerk computing a road's subsidy with the form."""

from pathlib import Path

import pytest

from tests.funds.standards_helpers import road_project
from tests.web.test_browser import browser, log_in  # noqa: F401 - the module's chromium and the login steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/fupin-standards-pages")
CALCULATION = (
    "pack=anyue-2018&standard=road_hardening&compute=1&length_km=2&width_m=4.49&road_class=village&cost_wan=160"
)
PAGES = (
    ("standards", "/funds/standards/?pack=anyue-2018"),
    ("standards-hequ", "/funds/standards/?pack=hequ-2019"),
    ("standards-none", "/funds/standards/"),
    ("calculator", "/funds/standards/calculator/?pack=anyue-2018"),
    ("calculation", f"/funds/standards/calculator/?{CALCULATION}"),
    ("refused", "/funds/standards/calculator/?pack=anyue-2018&standard=road_hardening&compute=1&width_m=3.49"),
    ("project", "/funds/standards/projects/{project}/"),
)


def _context(browser, live_server, width):  # noqa: F811 - the fixture imported above
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    return context


def test_every_standards_page_fits_a_desk_and_a_phone(browser, live_server, users):  # noqa: F811
    from fupin.accounts.models import User
    from fupin.accounts.roles import Role
    from tests.funds.standards_helpers import ANYUE

    project = road_project(km="2", width="4.5", cost="160")
    User.objects.create_user(username="anyue", password="pw-12345678", role=Role.COUNTY_ADMIN, area_id=ANYUE)
    SHOTS.mkdir(exist_ok=True)
    too_wide = []
    for width in (1366, 360):
        context = _context(browser, live_server, width)
        page = context.new_page()
        log_in(page, "anyue")
        for name, path in PAGES:
            response = page.goto(path.format(project=project.pk))
            assert response.status == 200, f"{name}: {response.status}"
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            body = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if body[0] > body[1]:
                too_wide.append(f"{name} at {width}: {body[0]} > {body[1]}")
        context.close()
    assert not too_wide, too_wide


def test_a_clerk_computes_a_road_with_the_form(browser, live_server, users):  # noqa: F811
    context = _context(browser, live_server, 1366)
    page = context.new_page()
    log_in(page, "county")
    page.goto("/funds/standards/calculator/?pack=anyue-2018")
    page.get_by_label("建设里程（公里）").fill("2")
    page.get_by_label("路面宽度（米）").fill("4.5")
    page.get_by_label("道路类别").select_option("village")
    page.get_by_label("工程总投资（万元）").fill("160")
    page.get_by_role("button", name="测算").click()
    table = page.locator("table.subsidy").inner_text()
    assert "150.0000" in table and "10.0000" in table  # 90 + 60; 160 − 150 to raise
    page.get_by_label("路面宽度（米）").fill("3.49")
    page.get_by_role("button", name="测算").click()
    assert "低于本标准最低的 3.5米" in page.locator("main").inner_text()
    assert page.get_by_label("路面宽度（米）").input_value() == "3.49"
    context.close()
