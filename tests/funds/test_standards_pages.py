"""The standards pages, the calculator, the project's subsidy panel and the API: what they show, the refusals
they answer with, and their scope (a county outside the user's area, another area's project: not found)."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from fupin.accounts.models import AuditEntry, User
from fupin.accounts.roles import Role
from fupin.funds.views.standards import subsidy_panel_context
from tests.funds.standards_helpers import ANYUE, ANYUE_TOWN, anyue_areas, road_project
from tests.support import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def anyue_user():
    anyue_areas()
    return User.objects.create_user(username="anyue", password="pw-12345678", role=Role.COUNTY_ADMIN, area_id=ANYUE)


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_standards_of_the_users_county_for_a_year(client, anyue_user):
    response = page(client, anyue_user, f"/funds/standards/?county={ANYUE}&year=2018")
    body = response.content.decode()
    assert response.status_code == 200
    assert "贫困村通村通社公路硬化补助" in body and "3.5 米宽通村公路每公里 25 万元以内" in body
    assert "路面宽度 3.5 米 档；道路类别：通村路（建制村）" in body
    assert "预脱贫户产业发展到户资金" in body


def test_a_county_pack_less_year_says_it_has_no_standards(client, anyue_user):
    body = page(client, anyue_user, f"/funds/standards/?county={ANYUE}&year=2019").content.decode()
    assert "标准包 national-2019 中没有补助标准" in body
    assert f'本县有补助标准的年度：<a href="?county={ANYUE}&amp;year=2018">2018</a></p>' in body


def test_another_county_is_not_found(client, users, anyue_user):
    assert page(client, users["county"], f"/funds/standards/?county={ANYUE}&year=2018").status_code == 404
    assert page(client, anyue_user, "/funds/standards/?county=149901000000&year=2018").status_code == 404


def test_a_township_user_reads_their_own_countys_standards(client, anyue_user):
    anyue_areas()
    clerk = User.objects.create_user(username="tianma", password="pw-12345678", role=Role.TOWNSHIP, area_id=ANYUE_TOWN)
    body = page(client, clerk, "/funds/standards/?year=2018").content.decode()
    assert "安岳县 2018 年扶贫标准与补助标准" in body


def test_any_pack_by_its_id(client, users):
    body = page(client, users["village_a1"], "/funds/standards/?pack=hequ-2019").content.decode()
    assert "从第 11 天起每天 50 元，最高 500 元" in body
    assert page(client, users["village_a1"], "/funds/standards/?pack=nowhere-2018").status_code == 404


def test_the_calculator_shows_the_computation_line_by_line(client, users):
    url = "/funds/standards/calculator/?pack=anyue-2018&standard=road_hardening&compute=1"
    client.force_login(users["county"])
    before = AuditEntry.objects.count()
    body = client.get(url + "&length_km=2&width_m=4.49&road_class=village&cost_wan=160").content.decode()
    assert "2 公里" in body and "每公里 25 万元以内" in body
    assert "80.0000" in body  # the total; remainder 160 − 80
    assert "属于 3.5米 档" in body
    assert AuditEntry.objects.count() == before  # a computation stores and reveals nothing


def test_the_calculator_refuses_a_too_narrow_road_at_its_field(client, users):
    url = "/funds/standards/calculator/?pack=anyue-2018&standard=road_hardening&compute=1"
    body = page(client, users["county"], url + "&length_km=2&width_m=3.49&road_class=village").content.decode()
    assert 'aria-invalid="true"' in body and "路面宽度 3.49米 低于本标准最低的 3.5米" in body
    assert 'value="3.49"' in body  # nothing typed is lost


def test_the_project_panel_shows_the_computation(anyue_user):
    project = road_project(km="2", width="4.5", cost="160")
    panel = subsidy_panel_context(project)
    assert panel["result"].total_wan == Decimal("150.0000") and panel["problem"] == ""
    html = render_to_string("funds/standards/_project_subsidy.html", {"panel": panel})
    assert "合计 150.0000 万元" in html and "10.0000" in html  # the remainder


def test_the_project_panel_says_why_it_cannot_compute(anyue_user):
    assert subsidy_panel_context(road_project(standard_code=""))["problem"] == "未选择补助标准"
    assert "低于本标准最低" in subsidy_panel_context(road_project(width="3.4"))["problem"]


def test_the_project_subsidy_page_is_scoped(client, users, anyue_user):
    project = road_project()
    assert page(client, anyue_user, f"/funds/standards/projects/{project.pk}/").status_code == 200
    assert page(client, users["county"], f"/funds/standards/projects/{project.pk}/").status_code == 404


# ── the API ─────────────────────────────────────────────────────────────────────────────────────────────────────


def test_the_api_lists_a_packs_standards(api_as):
    body = api_as("village_a1").get("/funds/standards", pack="yangcheng-2020").json()
    assert body["pack"] == "yangcheng-2020"
    [standard] = body["standards"]
    assert standard["code"] == "employment_startup" and standard["lines"][0]["when"] == "就业创业收入 ≥ 5000 元"


def test_the_api_computes(api_as):
    payload = {"pack": "anyue-2018", "standard": "road_hardening",
               "facts": {"length_km": 2, "width_m": 4.5, "road_class": "village", "cost_wan": "160"}}  # fmt: skip
    body = api_as("county").post("/funds/standards/compute", payload).json()
    assert (body["total_wan"], body["remainder_wan"]) == ("150.0000", "10.0000")
    assert [line["amount_wan"] for line in body["lines"] if line["applies"]] == ["90.0000", "60.0000"]


def test_the_api_refuses_with_the_field(api_as):
    payload = {"pack": "anyue-2018", "standard": "road_hardening", "facts": {"length_km": 2, "width_m": 3.49}}
    error = assert_error(api_as("county").post("/funds/standards/compute", payload), 422, "funds_refused", "width_m")
    assert "3.49米" in error["message"]
    missing = {"pack": "anyue-2018", "standard": "bridges", "facts": {}}
    assert_error(api_as("county").post("/funds/standards/compute", missing), 404, "not_found", "standard")
    assert_error(api_as("county").get("/funds/standards", county=ANYUE, year=2018), 404, "not_found", "county")


def test_the_api_gives_a_projects_subsidy_in_scope(api_as, users, anyue_user):
    project = road_project(km="2", width="3.5", cost="160")
    assert_error(api_as("county").get(f"/funds/standards/projects/{project.pk}"), 404, "not_found")


def test_the_panel_is_registered_for_the_project_page(anyue_user, rf):
    from fupin.registry.panels import panels_of

    request = rf.get("/")
    request.user = anyue_user  # the other panels of the page (the project's assets) read the user
    [panel] = [p for p in panels_of("funds.project", request, road_project()) if "_project_subsidy" in p["template"]]
    assert panel["context"]["result"].total_wan == Decimal("80.0000")


def test_picking_another_standard_shows_its_form_not_a_refusal(client, users):
    url = "/funds/standards/calculator/?pack=hequ-2019&standard=hospital_stay&compute=1"
    body = page(client, users["county"], url).content.decode()
    assert 'name="hospital_days"' in body and "请填写" not in body
    body = page(client, users["county"], url + "&hospital_days=16&hospital_grade=level2a").content.decode()
    assert "4300" in body  # 6 × 50 + 4000


def test_the_api_refuses_a_fact_the_standard_does_not_have(api_as):
    payload = {"pack": "anyue-2018", "standard": "road_hardening",
               "facts": {"length_km": 2, "width_m": 3.5, "road_class": "village", "cost": 100}}  # fmt: skip
    error = assert_error(api_as("county").post("/funds/standards/compute", payload), 422, "funds_refused", "cost")
    assert "没有参数 cost；可用：length_km（建设里程）" in error["message"]
