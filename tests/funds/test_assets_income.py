"""An operating asset's income distributed by its plan: the shares add up to the households' part to the fen (the
stated rounding), land in the households' 财产性收入 of that year through the registry's service, and the policy
engine's assessed income moves by exactly each share."""

from datetime import date
from decimal import Decimal

import pytest

from fupin.accounts.models import AuditEntry
from fupin.core.errors import NotFound
from fupin.funds import codes
from fupin.funds.services import asset_income
from fupin.funds.services.common import FundsRefused
from fupin.policy import compute
from fupin.policy.services.household import assess_household
from fupin.registry.models import IncomeAccount
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.funds.assets_helpers import station
from tests.policy.registry_data import income, member

pytestmark = pytest.mark.django_db
R = codes.ShareRule
DECIDED = date(2023, 12, 20)
PAID = date(2024, 1, 10)


def people(n):
    return [member("户主", "01")] + [member(f"成员{i}", "02" if i == 1 else "03") for i in range(1, n)]


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        ("100.00", [("a", 1), ("b", 1), ("c", 1)], ["33.34", "33.33", "33.33"]),  # 1 fen left: to the lowest key
        ("0.02", [("a", 1), ("b", 1), ("c", 1)], ["0.01", "0.01", "0.00"]),
        (
            "10.00",
            [("a", 1), ("b", 2), ("c", 4)],
            ["1.43", "2.86", "5.71"],
        ),  # 1.42|857…, 2.85|714…, 5.71|428…: 2 fen to a, b
        ("0.00", [("a", 1), ("b", 1)], ["0.00", "0.00"]),
        ("9000.00", [("a", 3), ("b", 5), ("c", 1)], ["3000.00", "5000.00", "1000.00"]),
    ],
)
def test_split_adds_up_to_the_fen(total, weights, expected):
    parts = asset_income.split(Decimal(total), [(k, Decimal(w)) for k, w in weights])
    assert [str(parts[k]) for k, _w in weights] == expected
    assert sum(parts.values()) == Decimal(total)


@pytest.fixture
def village(users, make_household):
    """东一村's photovoltaic station and three households of 1, 2 and 4 persons, 2023 income accounts on file for
    the first two (wage 3,000 yuan; the first has 500 yuan of property income already)."""
    asset = station(users["county"])
    one, two, four = (make_household(VILLAGE_A1, f"DY-{n}", members=people(n)) for n in (1, 2, 4))
    income(one, 2023, wage="3000", property_income="500")
    income(two, 2023, wage="3000")
    return asset, [one, two, four]


def test_a_distribution_by_head_lands_in_property_income(users, village):
    asset, (one, two, four) = village
    county = users["county"]
    plan = asset_income.create_plan(
        county, asset, year=2023, income="12000.00", collective_share="2000.00", rule=R.PER_PERSON,
        households=[four.number, one.pk, two.number], decided_on=DECIDED, approval="东一村村民代表大会决议", via="test",
    )  # fmt: skip
    # 10,000 yuan over 7 persons: 1,428.571…, 2,857.142…, 5,714.285… → 1,428.57 + 2,857.14 + 5,714.28 = 9,999.99,
    # the fen left to the largest part cut off: 5,714.28|57… of the household of four
    shares = {s.household.number: s.amount for s in plan.shares.select_related("household")}
    assert shares == {"DY-1": Decimal("1428.57"), "DY-2": Decimal("2857.14"), "DY-4": Decimal("5714.29")}
    assert sum(shares.values()) == plan.households_share == Decimal("10000.00")
    assert IncomeAccount.objects.get(household=one, year=2023).property_income == Decimal("500.00")  # not yet

    asset_income.distribute(county, plan, on=PAID, via="test")
    accounts = {a.household.number: a for a in IncomeAccount.objects.filter(year=2023).select_related("household")}
    assert accounts["DY-1"].property_income == Decimal("1928.57")  # 500 on file + 1,428.57
    assert accounts["DY-2"].property_income == Decimal("2857.14")
    assert (accounts["DY-4"].property_income, accounts["DY-4"].persons) == (Decimal("5714.29"), 4)  # a new account
    assert accounts["DY-2"].per_capita_net_income == Decimal("2928.57")  # (3,000 + 2,857.14) / 2 = 2,928.57
    registry = AuditEntry.objects.filter(model="registry.incomeaccount")
    assert registry.filter(action="update").count() == 2 and registry.filter(action="create").count() == 1
    with pytest.raises(FundsRefused, match="该方案已于 2024-01-10 分配"):
        asset_income.distribute(county, plan, on=PAID)


def test_the_policy_engine_sees_exactly_the_share(users, village):
    asset, (one, two, _four) = village
    county = users["county"]
    as_of, kind, pack = date(2024, 6, 1), "risk_elimination", "national-2023"

    def judged(household):
        features = compute.household_features(household.pk, ["net_income", "income_per_capita"], as_of, 2023)
        single = assess_household(county, household.pk, kind, pack_id=pack, as_of=as_of)
        return Decimal(str(features["net_income"])), Decimal(str(single.features["income_per_capita"]))

    before = {h.number: judged(h) for h in (one, two)}
    plan = asset_income.create_plan(
        county, asset, year=2023, income="1000.01", collective_share="0", rule=R.EQUAL,
        households=[one.pk, two.pk], decided_on=DECIDED, via="test",
    )  # fmt: skip
    asset_income.distribute(county, plan, on=PAID, via="test")
    after = {h.number: judged(h) for h in (one, two)}
    # 1,000.01 yuan over two households: 500.005 each, cut to 500.00, the fen to the lower number (DY-1)
    assert after["DY-1"][0] - before["DY-1"][0] == Decimal("500.01")
    assert after["DY-2"][0] - before["DY-2"][0] == Decimal("500.00")
    assert after["DY-1"][1] - before["DY-1"][1] == Decimal("500.01")  # a household of one
    assert after["DY-2"][1] - before["DY-2"][1] == Decimal("250")  # 500.00 over 2 persons


def test_named_amounts_must_add_up(users, village):
    asset, (one, two, four) = village
    county = users["county"]
    with pytest.raises(FundsRefused, match="逐户金额合计 999.99 元，不等于分配到户的 1000.00 元"):
        asset_income.create_plan(county, asset, year=2023, income="1500", collective_share="500", rule=R.FIXED,
                                 households={one.pk: "600", two.pk: "399.99"}, decided_on=DECIDED)  # fmt: skip
    plan = asset_income.create_plan(county, asset, year=2023, income="1500", collective_share="500", rule=R.FIXED,
                                    households={one.pk: "600", four.number: "400"}, decided_on=DECIDED)  # fmt: skip
    assert {s.household_id: s.amount for s in plan.shares.all()} == {one.pk: Decimal("600"), four.pk: Decimal("400")}


def test_all_to_the_collective_writes_no_household(users, village):
    asset, _households = village
    plan = asset_income.create_plan(users["county"], asset, year=2023, income="800", collective_share="800",
                                    rule=R.EQUAL, households=[], decided_on=DECIDED)  # fmt: skip
    asset_income.distribute(users["county"], plan, on=PAID)
    assert not plan.shares.exists() and not AuditEntry.objects.filter(model="registry.incomeaccount").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"collective_share": "12000.01"}, "村集体留存 12000.01 元超过收益总额 12000.00 元"),
        ({"income": "100.001"}, "收益总额（元）须精确到分"),
        ({"income": "-1"}, "收益总额（元）不能为负数"),
        ({"year": 2019}, "收益年度早于资产形成年度（2020）"),
        ({"rule": ""}, "请选择到户分配方式"),
        ({"year": date.today().year + 1}, "收益年度应在2010年至今年之间"),
        ({"households": []}, "请选择分配到户的农户"),
    ],
)
def test_plan_refusals(users, village, fields, message):
    asset, households = village
    values = {"year": 2023, "income": "12000", "collective_share": "0", "rule": R.EQUAL,
              "households": [h.pk for h in households], "decided_on": DECIDED, **fields}  # fmt: skip
    with pytest.raises(FundsRefused, match=message):
        asset_income.create_plan(users["county"], asset, **values)


def test_only_an_operating_asset_and_only_households_in_reach(users, village, make_household):
    asset, households = village
    road = station(users["county"], category=codes.AssetCategory.PUBLIC, name="村道")
    with pytest.raises(FundsRefused, match="只有经营性资产有收益分配"):
        asset_income.create_plan(users["county"], road, year=2023, income="1", collective_share="1", rule=R.EQUAL,
                                 households=[], decided_on=DECIDED)  # fmt: skip
    west = make_household(VILLAGE_B1, "XY-1")
    with pytest.raises(NotFound, match="未找到农户“XY-1”"):  # 西一村's household, for 东乡镇's clerk
        asset_income.create_plan(users["township_a"], asset, year=2023, income="10", collective_share="0",
                                 rule=R.EQUAL, households=[households[0].pk, west.number],
                                 decided_on=DECIDED)  # fmt: skip
    with pytest.raises(FundsRefused, match="同一农户列了两次"):
        asset_income.create_plan(users["county"], asset, year=2023, income="10", collective_share="0", rule=R.EQUAL,
                                 households=[households[0].pk, households[0].number], decided_on=DECIDED)  # fmt: skip


def test_a_distribution_not_before_its_plan(users, village):
    asset, households = village
    plan = asset_income.create_plan(users["county"], asset, year=2023, income="10", collective_share="0",
                                    rule=R.EQUAL, households=[households[0].pk], decided_on=DECIDED)  # fmt: skip
    with pytest.raises(FundsRefused, match="分配日期2023-12-19早于方案日期（2023-12-20）"):
        asset_income.distribute(users["county"], plan, on=date(2023, 12, 19))
    assert asset_income.distribute(users["county"], plan, on=DECIDED).distributed_on == DECIDED
