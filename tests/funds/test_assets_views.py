"""The asset pages: each renders for a clerk; every action's form saves through its service, a refusal is shown by
its field with nothing written; another area's asset is "not found"; a role that may not write is refused; the
income form distributes into the households' property income in one step."""

from datetime import date
from decimal import Decimal

import pytest

from fupin.funds import codes
from fupin.funds.models import Asset, IncomePlan, Maintenance
from fupin.registry.models import IncomeAccount
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.funds.assets_helpers import project, station

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def asset(users):
    return station(users["county"])


def test_every_page_renders(client, users, asset):
    _as(client, users["township_a"])
    for url in ("/funds/assets/", "/funds/assets/?category=operating&area=" + VILLAGE_A1, "/funds/assets/add/",
                "/funds/assets/from-project/", "/funds/assets/import/", "/funds/assets/ledger/",
                "/funds/assets/ledger/?as_of=2020-01-01", "/funds/assets/ledger/detail/",
                f"/funds/assets/ledger/detail/?area={VILLAGE_A1}", f"/funds/assets/{asset.pk}/",
                f"/funds/assets/{asset.pk}/ownership/", f"/funds/assets/{asset.pk}/upkeep/",
                f"/funds/assets/{asset.pk}/state/", f"/funds/assets/{asset.pk}/income/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/funds/assets/{asset.pk}/").content.decode()
    assert "东一村光伏电站" in page and "中央财政专项扶贫资金" in page and "60.0000" in page  # the lineage
    assert "处置" not in page.split("<dl")[0].split("收益分配")[-1]  # the township has no disposal button


def test_the_ledger_exports_download(client, users, asset):
    _as(client, users["county"])
    response = client.get("/funds/assets/ledger/export/?as_of=2024-01-01")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert client.get(f"/funds/assets/ledger/detail/export/?area={VILLAGE_A1}").content[:2] == b"PK"


def test_create_from_a_project_through_the_form(client, users):
    made = project(cost="50")
    _as(client, users["county"])
    data = {"project": made.pk, "name": "产业园", "category": "operating", "value": "50.0001"}
    response = client.post("/funds/assets/from-project/", data)
    assert response.status_code == 400 and "超过项目投资 50.0000 万元" in response.content.decode()
    assert not Asset.objects.exists()
    response = client.post("/funds/assets/from-project/", {**data, "value": "50"})
    created = Asset.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/funds/assets/{created.pk}/"
    assert (created.project, created.area_id) == (made, VILLAGE_A1)


def test_a_project_not_accepted_is_not_offered(client, users):
    made = project(stage=codes.Stage.IMPLEMENTING)
    _as(client, users["county"])
    response = client.post("/funds/assets/from-project/", {"project": made.pk, "name": "x", "category": "public",
                                                            "value": "1"})  # fmt: skip
    assert response.status_code == 400 and not Asset.objects.exists()


def test_ownership_upkeep_state_and_disposal_through_the_forms(client, users, asset):
    _as(client, users["county"])
    url = f"/funds/assets/{asset.pk}/"
    refused = client.post(url + "ownership/", {"owner_level": "township", "owner_area_code": VILLAGE_A1,
                                               "on": "2021-01-01"})  # fmt: skip
    assert refused.status_code == 400 and "确权层级为“乡镇”" in refused.content.decode()
    done = client.post(url + "ownership/", {"owner_level": "village", "owner_area_code": VILLAGE_A1,
                                            "on": "2021-01-01", "operation": "光伏合作社"})  # fmt: skip
    assert done.status_code == 302
    asset.refresh_from_db()
    assert asset.rights == {"operation": "光伏合作社", "ownership": "东一村村集体"}
    assert client.post(url + "upkeep/", {"on": "2021-05-01", "work": "除草", "cost": "300"}).status_code == 302
    assert Maintenance.objects.get().cost == Decimal("300.00")
    assert client.post(url + "state/", {"state": "idle"}).status_code == 302
    assert client.post(url + "dispose/", {"on": "2022-01-01", "reason": "disaster", "approval": "示政〔2022〕1号"}
                       ).status_code == 302  # fmt: skip
    asset.refresh_from_db()
    assert asset.state == codes.AssetState.DISPOSED


def test_the_income_form_distributes_at_once(client, users, asset, make_household):
    one = make_household(VILLAGE_A1, "DY-1")
    two = make_household(VILLAGE_A1, "DY-2")
    _as(client, users["township_a"])
    data = {"year": "2023", "income": "1000.01", "collective_share": "0.00", "rule": "equal",
            "households": "DY-1\nDY-2", "decided_on": "2023-12-20", "distribute_on": "2024-01-05"}  # fmt: skip
    response = client.post(f"/funds/assets/{asset.pk}/income/", data)
    assert response.status_code == 302
    assert IncomeAccount.objects.get(household=one, year=2023).property_income == Decimal("500.01")
    assert IncomeAccount.objects.get(household=two, year=2023).property_income == Decimal("500.00")
    page = client.get(f"/funds/assets/{asset.pk}/").content.decode()
    assert "已分配 2024-01-05" in page and "500.01" in page


def test_named_amounts_and_a_later_distribution(client, users, asset, make_household):
    make_household(VILLAGE_A1, "DY-1")
    _as(client, users["county"])
    data = {"year": "2023", "income": "900", "collective_share": "300", "rule": "fixed", "households": "DY-1",
            "decided_on": "2023-12-20"}  # fmt: skip
    response = client.post(f"/funds/assets/{asset.pk}/income/", data)
    assert response.status_code == 400 and "应写作“户编号 金额”" in response.content.decode()
    response = client.post(f"/funds/assets/{asset.pk}/income/", {**data, "households": "DY-1 600"})
    plan = IncomePlan.objects.get()
    assert response.status_code == 302 and plan.distributed_on is None
    assert client.post(f"/funds/assets/income/{plan.pk}/distribute/", {"on": "2024-01-02"}).status_code == 302
    plan.refresh_from_db()
    assert plan.distributed_on == date(2024, 1, 2)


def test_other_areas_and_other_roles(client, users, asset):
    west = station(users["county"], area=VILLAGE_B1)
    _as(client, users["township_a"])
    assert client.get(f"/funds/assets/{west.pk}/").status_code == 404
    assert client.post(f"/funds/assets/{west.pk}/upkeep/", {"on": "2021-05-01", "work": "x"}).status_code == 404
    assert client.get(f"/funds/assets/{asset.pk}/dispose/").status_code == 403  # the county approves
    _as(client, users["village_a1"])
    assert client.get(f"/funds/assets/{asset.pk}/").status_code == 200  # its own asset, to read
    assert client.get(f"/funds/assets/{asset.pk}/upkeep/").status_code == 403
    _as(client, users["village_b1"])
    listing = client.get("/funds/assets/").content.decode()
    assert "光伏电站" in listing  # 西一村's own
    assert f"/funds/assets/{asset.pk}/" not in listing and client.get(f"/funds/assets/{asset.pk}/").status_code == 404


def test_the_household_page_shows_its_assets_and_dividends(client, users, asset, make_household):
    from fupin.funds.services import asset_income, assets

    household = make_household(VILLAGE_A1, "DY-9")
    assets.create_from_project(
        users["county"], project(name="到户项目"),
        [{"name": "到户光伏板", "category": "household", "value": "0.5", "owner_household": household.pk}],
    )  # fmt: skip
    plan = asset_income.create_plan(users["county"], asset, year=2023, income="300", collective_share="0",
                                    rule="equal", households=[household.pk], decided_on=date(2023, 12, 1))  # fmt: skip
    asset_income.distribute(users["county"], plan, on=date(2023, 12, 5))
    page = _as(client, users["village_a1"]).get(f"/households/{household.pk}/").content.decode()
    assert "扶贫项目资产与收益分红" in page and "到户光伏板" in page and "300.00" in page and "2023-12-05" in page
    other = make_household(VILLAGE_A1, "DY-10")
    assert "扶贫项目资产与收益分红" not in client.get(f"/households/{other.pk}/").content.decode()


def test_the_project_panel(rf, users, asset):
    from django.template.loader import render_to_string

    from fupin.registry.panels import panels_of

    request = rf.get("/")
    request.user = users["township_a"]
    (panel,) = [p for p in panels_of("funds.project", request, asset.project) if "assets" in p["context"]]
    html = render_to_string(panel["template"], {"panel": panel["context"]})
    assert "光伏电站" in html and f"?project={asset.project_id}" in html


def test_the_detailed_ledger_pages_with_the_total_of_all(client, users, asset, monkeypatch):
    from fupin.funds.views import assets as views

    station(users["county"], value="2.5", name="第二座")
    monkeypatch.setattr(views, "DETAIL_PAGE", 1)
    _as(client, users["county"])
    first = client.get(f"/funds/assets/ledger/detail/?area={VILLAGE_A1}").content.decode()
    second = client.get(f"/funds/assets/ledger/detail/?area={VILLAGE_A1}&page=2").content.decode()
    assert "102.5000" in first and "102.5000" in second  # 100 + 2.5, on every page
    assert ">第二座<" not in first and ">第二座<" in second and '<td class="num">2</td>' in second
