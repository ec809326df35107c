"""Assets through their services: an accepted project forms its assets (lineage kept), ownership (确权), upkeep,
state and disposal, with the refusals a clerk meets, scoping and audit."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fupin.accounts.models import AuditEntry
from fupin.core.errors import NotFound, PermissionDenied
from fupin.funds import codes
from fupin.funds.models import Asset
from fupin.funds.services import assets
from fupin.funds.services.common import FundsRefused
from tests.factories import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.funds.assets_helpers import ACCEPTED_ON, project, station

pytestmark = pytest.mark.django_db
C, OL = codes.AssetCategory, codes.OwnerLevel


def row(**fields):
    return {"name": "村道", "category": C.PUBLIC, "value": "30.5", **fields}


def test_an_accepted_project_forms_its_assets_with_their_lineage(users):
    made = project(VILLAGE_A1, cost="100.0000")
    rows = [row(name="光伏电站", category=C.OPERATING, value="69.4999"), row(value="30.5001", quantity="1.2")]
    station_, road = assets.create_from_project(users["county"], made, rows, via="test")
    assert (station_.project, station_.area_id, station_.county_id) == (made, VILLAGE_A1, COUNTY)
    assert station_.value == Decimal("69.4999") and road.quantity == Decimal("1.200")
    assert station_.formed_on == ACCEPTED_ON  # the acceptance day, when none is given
    lineage = assets.lineage(station_)
    assert lineage["project"] == made
    assert {f.source.name: f.amount for f in lineage["funding"]} == {
        "中央财政专项扶贫资金": Decimal("60.0000"),
        "县级财政专项扶贫资金": Decimal("40.0000"),
    }
    assert lineage["funding_total"] == Decimal("100.0000")
    entries = AuditEntry.objects.filter(model="funds.asset", action="create")
    assert entries.count() == 2 and set(entries.values_list("area_code", flat=True)) == {VILLAGE_A1}


def test_the_values_may_reach_the_project_cost_but_not_pass_it(users):
    made = project(cost="100.0000")
    assets.create_from_project(users["county"], made, [row(value="99.9999")], via="test")
    with pytest.raises(FundsRefused, match="资产价值合计 100.0001 万元超过项目投资 100.0000 万元"):
        assets.create_from_project(users["county"], made, [row(value="0.0002")], via="test")
    assets.create_from_project(users["county"], made, [row(value="0.0001")], via="test")
    assert Asset.objects.filter(project=made).count() == 2


@pytest.mark.parametrize("stage", [codes.Stage.PROPOSED, codes.Stage.PLANNED, codes.Stage.IMPLEMENTING])
def test_a_project_not_yet_accepted_forms_no_asset(users, stage):
    made = project(stage=stage)
    with pytest.raises(FundsRefused, match="尚未验收合格") as refused:
        assets.create_from_project(users["county"], made, [row()], via="test")
    assert refused.value.field == "project" and not Asset.objects.exists()


def test_a_failed_acceptance_forms_no_asset(users):
    made = project()
    made.acceptance_result = codes.AcceptanceResult.FAILED
    made.save()
    with pytest.raises(FundsRefused, match="尚未验收合格"):
        assets.create_from_project(users["county"], made, [row()], via="test")


def test_a_household_asset_needs_a_household(users, make_household):
    made = project()
    with pytest.raises(FundsRefused, match="到户类资产须填写所有权农户") as refused:
        assets.create_from_project(users["county"], made, [row(category=C.HOUSEHOLD)], via="test")
    assert refused.value.field == "owner_household"
    household = make_household(VILLAGE_A1)
    asset = assets.create_from_project(
        users["county"], made, [row(category=C.HOUSEHOLD, name="大棚", owner_household=household.number)]
    )[0]
    assert (asset.owner_level, asset.owner_household, asset.confirmed_on) == (OL.HOUSEHOLD, household, ACCEPTED_ON)


def test_the_second_row_is_named_in_the_refusal_and_nothing_is_written(users):
    made = project()
    with pytest.raises(FundsRefused, match="第2项资产：资产价值（万元）最多保留四位小数"):
        assets.create_from_project(users["county"], made, [row(value="1"), row(value="1.00001")], via="test")
    assert not Asset.objects.exists()


def test_a_village_user_may_not_record_assets_and_another_township_is_not_found(users):
    made = project(VILLAGE_A1)
    with pytest.raises(PermissionDenied):
        assets.create_from_project(users["village_a1"], made, [row()], via="test")
    township_b = users["township_a"].__class__.objects.create_user(
        username="township_b", password="pw-12345678", role="township", area_id=TOWNSHIP_B
    )
    with pytest.raises(NotFound):
        assets.create_from_project(township_b, made, [row()], via="test")
    assets.create_from_project(users["township_a"], made, [row()], via="test")


def test_an_older_asset_entered_directly(users):
    asset = assets.create_asset(
        users["township_a"], name="东二村蓄水池", category=C.PUBLIC, value="12.3456", area_code=VILLAGE_A2,
        formed_on=date(2015, 6, 1), code="ZC-2015-001", via="test",
    )  # fmt: skip
    assert asset.project is None and asset.value == Decimal("12.3456")
    assert assets.lineage(asset)["project"] is None
    with pytest.raises(FundsRefused, match="资产编号“ZC-2015-001”已在本县使用"):
        assets.create_asset(users["county"], name="重号", category=C.PUBLIC, value="1", area_code=VILLAGE_A1,
                            formed_on=date(2015, 6, 1), code="ZC-2015-001")  # fmt: skip
    with pytest.raises(FundsRefused, match="晚于今天"):
        assets.create_asset(users["county"], name="明日", category=C.PUBLIC, value="1", area_code=VILLAGE_A1,
                            formed_on=date.today() + timedelta(days=1))  # fmt: skip


def test_ownership_to_the_village_collective_with_its_rights(users):
    asset = station(users["county"])
    confirmed = assets.confirm_ownership(
        users["township_a"], asset, owner_level=OL.VILLAGE, owner_area_code=VILLAGE_A1, on=date(2021, 1, 5),
        rights={"operation": "东一村光伏合作社", "收益权": "东一村村集体", "supervision": "东乡镇人民政府"},
        maintainer="东一村村委会", via="test",
    )  # fmt: skip
    assert confirmed.owner_area_id == VILLAGE_A1 and confirmed.confirmed_on == date(2021, 1, 5)
    assert confirmed.rights == {
        "operation": "东一村光伏合作社",
        "income": "东一村村集体",
        "supervision": "东乡镇人民政府",
        "ownership": "东一村村集体",  # the owner's, as none was named
    }
    assert assets.owner_name(confirmed) == "东一村村集体" and confirmed.maintainer == "东一村村委会"
    entry = AuditEntry.objects.filter(model="funds.asset", action="update").get()
    assert entry.changes["confirmed_on"] == ["2020-11-20", "2021-01-05"]


@pytest.mark.parametrize(
    ("level", "code", "message"),
    [
        (OL.VILLAGE, TOWNSHIP_A, "确权层级为“村集体”，而“东乡镇”是乡镇"),
        (OL.TOWNSHIP, VILLAGE_A1, "确权层级为“乡镇”，而“东一村”是行政村"),
        (OL.VILLAGE, "140000000000", "确权层级为“村集体”，而“山西省”是省"),
        (OL.COUNTY, "149900000000", "确权层级为“县级”，而“示范市”是市"),
        (OL.VILLAGE, "999999999999", "未找到区划“999999999999”"),
    ],
)
def test_ownership_refusals(users, level, code, message):
    asset = station(users["county"])
    with pytest.raises((FundsRefused, NotFound), match=message):
        assets.confirm_ownership(users["county"], asset, owner_level=level, owner_area_code=code, on=ACCEPTED_ON)


def test_ownership_outside_the_county_is_refused(users, areas):
    from fupin.areas.models import Area, Level

    other = Area.objects.create(code="149902001001", name="邻县一村", level=Level.VILLAGE, parent=None)
    asset = station(users["county"])
    with pytest.raises(FundsRefused, match="“邻县一村”不在示范县，资产只能确权给本县的单位或农户"):
        assets.confirm_ownership(users["county"], asset, owner_level=OL.VILLAGE, owner_area_code=other.code,
                                 on=ACCEPTED_ON)  # fmt: skip


def test_ownership_to_the_county_by_default_and_not_before_the_asset_was_formed(users):
    asset = station(users["county"])
    with pytest.raises(FundsRefused, match="早于形成日期"):
        assets.confirm_ownership(users["county"], asset, owner_level=OL.COUNTY, on=ACCEPTED_ON - timedelta(days=1))
    done = assets.confirm_ownership(users["county"], asset, owner_level=OL.COUNTY, on=ACCEPTED_ON)
    assert done.owner_area_id == COUNTY and assets.owner_name(done) == "示范县"


def test_a_household_asset_is_confirmed_to_a_household_only(users, make_household):
    household = make_household(VILLAGE_B1)
    made = project()
    asset = assets.create_from_project(
        users["county"], made, [row(category=C.HOUSEHOLD, name="牛棚", owner_household=household.pk)]
    )[0]
    with pytest.raises(FundsRefused, match="到户类资产应确权到农户"):
        assets.confirm_ownership(users["county"], asset, owner_level=OL.VILLAGE, owner_area_code=VILLAGE_A1,
                                 on=ACCEPTED_ON)  # fmt: skip
    with pytest.raises(NotFound, match="未找到农户"):  # a household outside 东乡镇 for its user
        assets.confirm_ownership(users["township_a"], asset, owner_level=OL.HOUSEHOLD, owner_household=household.pk,
                                 on=ACCEPTED_ON)  # fmt: skip


def test_upkeep_state_and_disposal(users):
    asset = station(users["county"])
    upkeep = assets.record_maintenance(users["township_a"], asset, on=date(2021, 3, 1), work="清洗光伏板",
                                       cost="1200.50", via="test")  # fmt: skip
    assert upkeep.cost == Decimal("1200.50")
    with pytest.raises(FundsRefused, match="费用（元）须精确到分"):
        assets.record_maintenance(users["county"], asset, on=date(2021, 3, 1), work="x", cost="1.005")
    assets.set_state(users["county"], asset, state=codes.AssetState.DAMAGED)
    with pytest.raises(FundsRefused, match="处置资产请填写处置原因和批准文号"):
        assets.set_state(users["county"], asset, state=codes.AssetState.DISPOSED)
    with pytest.raises(PermissionDenied):  # the county approves a disposal
        assets.dispose(users["township_a"], asset, on=date(2022, 1, 1), reason="disaster", approval="示政〔2022〕1号")
    with pytest.raises(FundsRefused, match="请填写处置批准文号"):
        assets.dispose(users["county"], asset, on=date(2022, 1, 1), reason="disaster", approval=" ")
    with pytest.raises(FundsRefused, match="处置原因为“其他”时请填写处置说明"):
        assets.dispose(users["county"], asset, on=date(2022, 1, 1), reason="other", approval="示政〔2022〕1号")
    done = assets.dispose(users["county"], asset, on=date(2022, 1, 1), reason="disaster", approval="示政〔2022〕1号")
    assert (done.state, done.disposal_approved_by) == (codes.AssetState.DISPOSED, users["county"])
    with pytest.raises(FundsRefused, match="该资产已于 2022-01-01 处置"):
        assets.record_maintenance(users["county"], asset, on=date(2022, 3, 1), work="x")


def test_a_village_sees_its_own_assets_only(users):
    own = station(users["county"], area=VILLAGE_A1)
    station(users["county"], area=VILLAGE_A2)
    assert list(Asset.objects.restrict(users["village_a1"])) == [own]
    assert Asset.objects.restrict(users["township_a"]).count() == 2
    assert not Asset.objects.restrict(users["village_b1"]).exists()
    west = station(users["county"], area=VILLAGE_B1)
    with pytest.raises(NotFound, match="未找到该资产"):  # 西一村's asset, for 东乡镇's clerk
        assets.record_maintenance(users["township_a"], west, on=date(2021, 1, 1), work="x")


def test_a_township_confirms_to_the_county_above_or_inside_its_own_area_only(users):
    asset = station(users["county"])
    with pytest.raises(NotFound, match="未找到区划“149901002000”"):  # 西乡镇, for 东乡镇's clerk
        assets.confirm_ownership(users["township_a"], asset, owner_level=OL.TOWNSHIP, owner_area_code=TOWNSHIP_B,
                                 on=ACCEPTED_ON)  # fmt: skip
    done = assets.confirm_ownership(users["township_a"], asset, owner_level=OL.COUNTY, on=ACCEPTED_ON)
    assert done.owner_area_id == COUNTY
