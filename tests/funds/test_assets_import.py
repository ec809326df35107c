"""Assets from a file through exchange's reading and checks: a village's old ledger and a project's assets recorded
through services.assets, all rows or none — a wrong cell names its row and column, a rule's refusal its row and
header, and nothing is written."""

from decimal import Decimal

import pytest
import xlsxwriter

from fupin.accounts.models import AuditEntry
from fupin.core.errors import PermissionDenied
from fupin.funds.models import Asset
from fupin.funds.services.asset_import import import_assets
from fupin.funds.services.common import FundsRefused
from tests.factories import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1
from tests.funds.assets_helpers import project

pytestmark = pytest.mark.django_db

HEAD = (
    "资产编号,资产名称,资产类别,坐落地点（区划代码）,资产价值（万元）,形成日期,确权层级,所有权单位（区划代码）,"
    "来源项目编号,经营权人\n"
)


def upload(tmp_path, text, name="资产台账.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_ledger_is_recorded(tmp_path, users):
    made = project(cost="30")
    made.code = "XM-2019-01"
    made.save()
    text = HEAD + (
        f"ZC-001,东一村蓄水池,公益性资产,{VILLAGE_A1},12.3456,2015-06-01,村集体,{VILLAGE_A1},,\n"
        f"ZC-002,东一村茶园,经营性资产,{VILLAGE_A1},30,2020-12-01,乡镇,{TOWNSHIP_A},XM-2019-01,茶叶合作社\n"
    )
    assert import_assets(users["township_a"], upload(tmp_path, text)) == 2
    pond, tea = Asset.objects.order_by("code")
    assert (pond.value, pond.project, pond.owner_area_id, pond.category) == (Decimal("12.3456"), None, VILLAGE_A1,
                                                                              "public")  # fmt: skip
    assert (tea.project, tea.rights["operation"], tea.owner_level) == (made, "茶叶合作社", "township")
    entry = AuditEntry.objects.get(action="import", model="funds.asset")
    assert entry.changes["rows"] == 2 and entry.via == "import"
    assert AuditEntry.objects.filter(action="create", model="funds.asset", via="import").count() == 2


def test_a_wrong_cell_names_its_row_and_column(tmp_path, users):
    text = HEAD + f"ZC-001,蓄水池,公益性资产,{VILLAGE_A1},1,2015-13-01,,,,\n"
    text += f"ZC-002,茶园,某类资产,{VILLAGE_A1},1,2015-01-01,,,,\n"
    with pytest.raises(FundsRefused) as refused:
        import_assets(users["county"], upload(tmp_path, text))
    errors = refused.value.details["errors"]
    assert any(e.startswith("第 2 行 形成日期（F 列）") for e in errors), errors
    assert any(e.startswith("第 3 行 资产类别（C 列）") for e in errors), errors
    assert not Asset.objects.exists()


def test_a_rule_refusal_names_the_row_and_nothing_is_written(tmp_path, users):
    text = HEAD + (
        f"ZC-001,蓄水池,公益性资产,{VILLAGE_A1},1.5,2015-06-01,,,,\n"
        f"ZC-002,茶园,公益性资产,{VILLAGE_A1},1.00001,2015-06-01,,,,\n"
        f"ZC-003,西村路,公益性资产,{VILLAGE_B1},1,2015-06-01,,,,\n"
        f"ZC-004,大棚,到户类资产,{VILLAGE_A1},1,2015-06-01,,,,\n"
    )
    with pytest.raises(FundsRefused) as refused:
        import_assets(users["township_a"], upload(tmp_path, text))
    errors = refused.value.details["errors"]
    assert errors == [
        "第 3 行 资产价值（万元）：资产价值（万元）最多保留四位小数（万元），实际是 1.00001",
        "第 4 行 坐落地点（区划代码）：未找到区划“149901002001”，或不在您的管辖范围内",
        "第 5 行 所有权农户（户编号）：到户类资产须填写所有权农户",
    ]
    assert not Asset.objects.exists() and not AuditEntry.objects.filter(model="funds.asset").exists()


def test_an_xlsx_ledger_and_the_roles(tmp_path, users):
    path = tmp_path / "台账.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("扶贫项目资产")
    for column, header in enumerate(["资产名称", "资产类别", "坐落地点（区划代码）", "资产价值（万元）", "形成日期"]):
        sheet.write_string(0, column, header)
    sheet.write_row(1, 0, ["村道", "公益性资产", VILLAGE_A1, "8.25", "2016-09-30"])
    book.close()
    with pytest.raises(PermissionDenied):
        import_assets(users["village_a1"], path)
    assert import_assets(users["county"], path) == 1
    assert Asset.objects.get().value == Decimal("8.2500")


def test_the_import_page(client, users, tmp_path):
    client.force_login(users["county"])
    text = HEAD + f"ZC-001,蓄水池,公益性资产,{VILLAGE_A1},1.00001,2015-06-01,,,,\n"
    with upload(tmp_path, text).open("rb") as file:
        response = client.post("/funds/assets/import/", {"file": file})
    assert response.status_code == 400 and "第 2 行 资产价值（万元）" in response.content.decode()
    with upload(tmp_path, text.replace("1.00001", "1")).open("rb") as file:
        response = client.post("/funds/assets/import/", {"file": file})
    assert response.status_code == 302 and Asset.objects.count() == 1
