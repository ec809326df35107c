"""The fund and project that pay an assistance measure (services.measure_funding): set, changed, cleared by the
measure's keepers, refused for another county's source, a project outside the measure's village, township or
county, a refused project, an amount above the measure's; audited; shown on the measure's page (the panel) and
through the API."""

from datetime import date
from decimal import Decimal as D

import pytest

from fupin.accounts.models import AuditEntry
from fupin.areas.models import Area, Level
from fupin.assistance.services.measures import create_measure
from fupin.core.errors import NotFound, PermissionDenied
from fupin.funds.models import FundSource, MeasureFunding
from fupin.funds.services import measure_funding as service
from fupin.funds.services.common import FundsRefused
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.funds import links_helpers as h


@pytest.fixture
def world(users, make_household):
    household = make_household(VILLAGE_A1)
    measure = create_measure(
        users["county"], household, category="02", subtype="务工交通补贴", started_on=date(2024, 3, 1),
        status="in_place", amount="1200", via="test",
    )  # fmt: skip
    central = h.source("中央财政衔接资金")
    Area.objects.create(code="149902000000", name="邻县", level=Level.COUNTY, parent_id="149900000000")
    other_county = FundSource.objects.create(county_id="149902000000", name="邻县资金", level="county", kind="special")
    return {
        "measure": measure,
        "central": central,
        "other_county": other_county,
        "village": h.project("东一村务工补助", VILLAGE_A1, project_type="employment", unit="person"),
        "township": h.project("东乡镇劳务协作", TOWNSHIP_A, project_type="employment", unit="person"),
        "county": h.project("全县就业补助", COUNTY, project_type="employment", unit="person"),
        "neighbour": h.project("东二村项目", VILLAGE_A2),
        "west": h.project("西一村项目", VILLAGE_B1),
        "refused": h.project("东一村未通过项目", VILLAGE_A1, stage="refused"),
    }


def test_set_change_and_clear(users, world):
    measure, county = world["measure"], users["county"]
    row = service.set_funding(
        county, measure, source_id=world["central"].pk, project_id=world["county"].pk, amount="1200.00", via="test"
    )
    assert (row.source, row.project, row.amount) == (world["central"], world["county"], D("1200.00"))
    created = AuditEntry.objects.get(model="funds.measurefunding", action="create")
    assert created.area_code == VILLAGE_A1 and created.via == "test"
    again = service.set_funding(users["village_a1"], measure.pk, source_id=str(world["central"].pk), amount="")
    assert again.pk == row.pk and again.project is None and again.amount is None
    update = AuditEntry.objects.get(model="funds.measurefunding", action="update")
    assert set(update.changes) == {"project", "amount"}
    service.clear_funding(users["township_a"], measure, via="test")
    assert not MeasureFunding.objects.exists()
    assert AuditEntry.objects.filter(model="funds.measurefunding", action="delete", area_code=VILLAGE_A1).exists()
    with pytest.raises(NotFound):
        service.clear_funding(users["county"], measure)


def test_which_projects_a_keeper_may_name(users, world):
    measure = world["measure"]
    # the county sees its own, the township's and the village's; never another village's or a refused one
    names = {p.name for p in service.projects_for(users["county"], measure)}
    assert names == {"东一村务工补助", "东乡镇劳务协作", "全县就业补助"}
    # a village sees only what lies inside it (a township's or the county's project is not its to see)
    assert {p.name for p in service.projects_for(users["village_a1"], measure)} == {"东一村务工补助"}
    for name in ("neighbour", "west", "refused"):
        with pytest.raises(NotFound) as error:
            service.set_funding(users["county"], measure, source_id=world["central"].pk, project_id=world[name].pk)
        assert error.value.field == "project_id"
    with pytest.raises(NotFound):
        service.set_funding(
            users["village_a1"], measure, source_id=world["central"].pk, project_id=world["township"].pk
        )
    assert not MeasureFunding.objects.exists() and not AuditEntry.objects.filter(model="funds.measurefunding")


@pytest.mark.parametrize(
    ("amount", "field"),
    [("1200.01", "amount"), ("-1", "amount"), ("12.345", "amount"), ("一千", "amount"), (None, None)],
)
def test_amount_bounds(users, world, amount, field):
    """Up to the measure's 1,200 元 exactly, to the fen; one fen over is refused."""
    call = {"source_id": world["central"].pk, "amount": amount}
    if field is None:
        assert service.set_funding(users["county"], world["measure"], **{**call, "amount": "1200"}).amount == D("1200")
        return
    with pytest.raises(FundsRefused) as error:
        service.set_funding(users["county"], world["measure"], **call)
    assert error.value.field == field


def test_refusals(users, world):
    measure, central = world["measure"], world["central"]
    with pytest.raises(NotFound):  # another county's source reads as missing
        service.set_funding(users["county"], measure, source_id=world["other_county"].pk)
    with pytest.raises(FundsRefused):
        service.set_funding(users["county"], measure, source_id="")
    for username in ("cadre_a1", "department", "inspector"):
        with pytest.raises(PermissionDenied):
            service.set_funding(users[username], measure, source_id=central.pk)
    for username in ("village_a2", "village_b1"):  # another village's measure is "not found"
        with pytest.raises(NotFound):
            service.set_funding(users[username], measure, source_id=central.pk)
    assert not MeasureFunding.objects.exists()


def test_the_measure_page_shows_the_panel_and_the_form_saves(users, world, client):
    measure = world["measure"]
    client.force_login(users["village_a1"])
    page = client.get(f"/assistance/measures/{measure.pk}/edit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "尚未登记支付该措施的资金来源" in text and f"/funds/measures/{measure.pk}/funding/" in text
    assert "东一村务工补助" in text and "全县就业补助" not in text
    bad = client.post(f"/funds/measures/{measure.pk}/funding/", {"source_id": world["central"].pk, "amount": "9999"})
    assert bad.status_code == 400 and "超过措施金额" in bad.content.decode()
    assert 'value="9999"' in bad.content.decode()  # what was typed stays
    saved = client.post(
        f"/funds/measures/{measure.pk}/funding/",
        {"source_id": world["central"].pk, "project_id": world["village"].pk, "amount": "600"},
    )
    assert saved.status_code == 302 and saved["Location"] == f"/assistance/measures/{measure.pk}/edit/"
    shown = client.get(f"/assistance/measures/{measure.pk}/edit/").content.decode()
    assert "中央财政衔接资金" in shown and "600.00" in shown
    client.post(f"/funds/measures/{measure.pk}/funding/delete/")
    assert not MeasureFunding.objects.exists()


def test_pages_refuse_outsiders(users, world, client):
    measure = world["measure"]
    client.force_login(users["village_b1"])
    assert client.get(f"/funds/measures/{measure.pk}/funding/").status_code == 404
    client.force_login(users["cadre_a1"])
    assert client.post(f"/funds/measures/{measure.pk}/funding/", {"source_id": "1"}).status_code == 403


def test_api(api_as, world):
    measure = world["measure"]
    path = f"/funds/measures/{measure.pk}/funding"
    assert api_as("village_a1").get(path).status_code == 404
    body = {"source_id": world["central"].pk, "project_id": world["village"].pk, "amount": "1200.00"}
    put = api_as("village_a1").request("PUT", path, body)
    assert put.status_code == 200, put.content
    assert put.json() == {
        "measure_id": measure.pk, "source_id": world["central"].pk, "source": "中央财政衔接资金",
        "project_id": world["village"].pk, "project": "东一村务工补助", "amount": "1200.00",
    }  # fmt: skip
    assert api_as("township_a").get(path).json()["amount"] == "1200.00"
    assert api_as("village_b1").get(path).status_code == 404
    over = api_as("county").request("PUT", path, {**body, "amount": "1200.01"})
    assert over.status_code == 422 and over.json()["error"]["field"] == "amount"
    assert api_as("cadre_a1").request("DELETE", path).status_code == 403
    assert api_as("county").request("DELETE", path).status_code == 204
    assert api_as("county").request("DELETE", path).status_code == 404
