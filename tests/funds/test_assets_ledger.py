"""The general ledger (总台账) and the detailed ledger (明细台账) as views of the same assets as of a date, summed
by hand; their .xlsx exports in the office layout (title, 填报单位, 截止日期, 单位：万元, merged headers, numbers as
numbers), audited."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import fastexcel
import pytest

from fupin.accounts.models import AuditEntry
from fupin.areas.models import Area
from fupin.funds import codes
from fupin.funds.models import Asset
from fupin.funds.services import asset_ledger, assets
from tests.factories import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

pytestmark = pytest.mark.django_db
C, OL = codes.AssetCategory, codes.OwnerLevel


def direct(user, name, category, value, area, formed, **fields):
    return assets.create_asset(user, name=name, category=category, value=value, area_code=area, formed_on=formed,
                               **fields)  # fmt: skip


@pytest.fixture
def book(users, make_household):
    """Five assets: 东一村 a station (operating, 100.1234, confirmed to the village 2020-03-01) and a road (public,
    20.5, unconfirmed); 东二村 a greenhouse (household, 3.3333, formed 2021-06-01); 东乡镇 itself a cold store
    (operating, 50, confirmed to the township), disposed of 2022-05-01; 西一村 a pond (public, 7.0001, to the
    county)."""
    county = users["county"]
    household = make_household(VILLAGE_A2, "DE-1")
    direct(county, "光伏电站", C.OPERATING, "100.1234", VILLAGE_A1, date(2019, 12, 1), owner_level=OL.VILLAGE,
           owner_area_code=VILLAGE_A1, confirmed_on=date(2020, 3, 1))  # fmt: skip
    direct(county, "村道", C.PUBLIC, "20.5", VILLAGE_A1, date(2019, 1, 1))
    direct(county, "大棚", C.HOUSEHOLD, "3.3333", VILLAGE_A2, date(2021, 6, 1), owner_household=household.number)
    store = direct(county, "冷库", C.OPERATING, "50", TOWNSHIP_A, date(2018, 1, 1), owner_level=OL.TOWNSHIP,
                   owner_area_code=TOWNSHIP_A)  # fmt: skip
    assets.dispose(county, store, on=date(2022, 5, 1), reason="end_of_life", approval="示政〔2022〕9号")
    direct(county, "山坪塘", C.PUBLIC, "7.0001", VILLAGE_B1, date(2017, 1, 1), owner_level=OL.COUNTY)
    return household


def test_the_county_ledger_today(users, book):
    ledger = asset_ledger.general_ledger(users["county"], Asset.objects.restrict(users["county"]), date(2024, 1, 1))
    lines = {line.code: line for line in ledger["lines"]}
    assert list(lines) == [TOWNSHIP_A, TOWNSHIP_B]  # no asset stands at the county itself
    east, west, total = lines[TOWNSHIP_A], lines[TOWNSHIP_B], ledger["total"]
    assert (east.name, east.count, east.value) == ("东乡镇", 3, Decimal("123.9567"))  # 100.1234 + 20.5 + 3.3333
    assert east.by_category[C.OPERATING] == [1, Decimal("100.1234")]
    assert east.by_owner == {"county": 0, "township": 0, "village": Decimal("100.1234"),
                             "household": Decimal("3.3333"), "unconfirmed": Decimal("20.5000")}  # fmt: skip
    assert east.by_state == {"in_use": 3, "idle": 0, "damaged": 0, "disposed": 1}
    assert east.disposed_value == Decimal("50.0000")
    assert (west.count, west.value, west.by_owner["county"]) == (1, Decimal("7.0001"), Decimal("7.0001"))
    assert (total.count, total.value, total.disposed_value) == (4, Decimal("130.9568"), Decimal("50.0000"))


def test_the_ledger_as_of_an_earlier_date(users, book):
    ledger = asset_ledger.general_ledger(users["county"], Asset.objects.restrict(users["county"]), date(2020, 2, 29))
    east = ledger["lines"][0]
    # the greenhouse is not formed yet, the store not yet disposed of, the station not yet confirmed (2020-03-01)
    assert (east.count, east.value) == (3, Decimal("170.6234"))  # 100.1234 + 20.5 + 50
    assert east.by_owner["unconfirmed"] == Decimal("120.6234") and east.by_owner["township"] == Decimal("50.0000")
    assert east.by_state["disposed"] == 0


def test_a_township_sees_its_villages_and_itself(users, book):
    user = users["township_a"]
    ledger = asset_ledger.general_ledger(user, Asset.objects.restrict(user), date(2024, 1, 1))
    assert [(x.name, x.count, x.value) for x in ledger["lines"]] == [
        ("东乡镇本级", 0, Decimal("0.0000")),  # the disposed store only
        ("东一村", 2, Decimal("120.6234")),
        ("东二村", 1, Decimal("3.3333")),
    ]
    village = users["village_a1"]
    only = asset_ledger.general_ledger(village, Asset.objects.restrict(village), date(2024, 1, 1))
    assert [(x.name, x.count) for x in only["lines"]] == [("东一村", 2)]


def test_the_detailed_ledger_lists_each_asset_with_its_owner_as_of_the_date(users, book):
    rows = Asset.objects.restrict(users["county"]).under(Area.objects.get(code=VILLAGE_A1).prefix)
    lines = asset_ledger.detail_rows(rows, date(2020, 2, 1))
    assert [(x["asset"].name, x["owner_level"], x["owner"]) for x in lines] == [
        ("光伏电站", "未确权", ""),
        ("村道", "未确权", ""),
    ]
    later = asset_ledger.detail_rows(rows, date(2020, 3, 1))
    assert (later[0]["owner_level"], later[0]["owner"]) == ("村集体", "东一村村集体")


def _cells(content):
    reader = fastexcel.read_excel(content)
    frame = reader.load_sheet(0, header_row=None).to_arrow()
    return [list(row.values()) for row in frame.to_pylist()]


def _xml(content) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()


def _number(sheet: str, ref: str) -> str:
    """The cell's stored number; a text cell (t="s") has none."""
    found = re.search(rf'<c r="{ref}"( s="\d+")?><v>([^<]+)</v>', sheet)
    return found.group(2) if found else ""


def test_the_general_export_in_the_office_layout(users, book):
    user = users["county"]
    ledger = asset_ledger.general_ledger(user, Asset.objects.restrict(user), date(2024, 1, 1))
    content, name, kind = asset_ledger.export_general(user, ledger, via="test")
    assert name == "资产总台账-示范县-20240101.xlsx" and kind.endswith("spreadsheetml.sheet")
    rows = _cells(content)
    assert rows[0][0] == "示范县扶贫项目资产总台账"
    assert rows[1][0] == "填报单位：示范县" and "截止日期：2024-01-01" in rows[1] and rows[1][-1] == "单位：万元"
    assert rows[2][:4] == ["单位", "资产合计", None, "经营性资产"] and rows[3][1:3] == ["个数", "价值"]
    assert rows[4][:3] == ["东乡镇", "3", "123.9567"] and rows[-1][:3] == ["合计", "4", "130.9568"]
    sheet = _xml(content)
    assert _number(sheet, "C5") == "123.9567" and _number(sheet, "B7") == "4"  # numbers, not text
    merged = set(re.findall(r'<mergeCell ref="([A-Z0-9:]+)"', sheet))
    assert {"A1:S1", "A3:A4", "B3:C3", "D3:E3", "J3:N3", "S3:S4"} <= merged  # 19 columns
    entry = AuditEntry.objects.get(action="export", model="funds.asset")
    assert entry.changes == {"ledger": "general", "as_of": "2024-01-01", "rows": 2, "format": "xlsx"}
    assert entry.area_code == COUNTY


def test_the_detail_export(users, book):
    user = users["township_a"]
    area = Area.objects.get(code=TOWNSHIP_A)
    lines = asset_ledger.detail_rows(Asset.objects.restrict(user), date(2024, 1, 1))
    content, name, _kind = asset_ledger.export_detail(user, area, lines, date(2024, 1, 1), via="test")
    rows = _cells(content)
    assert rows[0][0] == "东乡镇扶贫项目资产明细台账" and rows[1][0] == "填报单位：东乡镇"
    names = [row[2] for row in rows[4:-1]]
    assert names == ["冷库", "光伏电站", "村道", "大棚"]  # by place: the township, then its villages
    assert rows[-1][0] == "合计" and rows[-1][9] == "123.9567"  # the disposed store out of the total
    assert rows[5][9] == "100.1234" and rows[4][-1] == "已处置"
    assert _number(_xml(content), "J6") == "100.1234" and _number(_xml(content), "J9") == "123.9567"
    assert "DE-1" in rows[7][14] and "1390000" not in str(rows)  # the household by number and head, no phone
