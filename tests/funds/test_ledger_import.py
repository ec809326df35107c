"""Budgets and batches from Excel (book "funds-ledger"): seed 004's 2018 allocation imported gives the same figures
as entered by hand; a wrong cell is named by sheet, row and column, and a file with any wrong row writes nothing."""

import io
from datetime import date

import pytest
import xlsxwriter
from django.urls import reverse

from fupin.accounts.models import Action, AuditEntry
from fupin.core.errors import PermissionDenied
from fupin.funds import codes
from fupin.funds.models import Batch, Budget, Transfer
from fupin.funds.services import funds
from fupin.funds.services.common import FundsRefused
from fupin.funds.services.ledger_import import import_ledger
from tests.factories import COUNTY
from tests.funds.ledger_helpers import COUNTY_LINES, PROVINCE_LINES, receiver, wan

pytestmark = pytest.mark.django_db

BUDGET_HEAD = ["资金名称", "年度", "预算金额（万元）", "文号", "下达日期"]
TOTALS_HEAD = ["年度", "批次", "批次名称", "文号", "印发日期", "资金名称", "文件金额（万元）", "其中提前下达（万元）",
               "提前下达年度"]  # fmt: skip
LINES_HEAD = ["年度", "批次", "资金名称", "资金用途", "接收单位区划代码", "接收部门", "金额（万元）"]
PROVINCE, COUNTY_FUND = "中央及省级财政专项扶贫资金", "县级财政专项扶贫资金"


@pytest.fixture
def sources(users):
    for name, level in ((PROVINCE, "province"), (COUNTY_FUND, "county")):
        funds.create_source(users["county"], county_code=COUNTY, name=name, level=level, kind="special")


def workbook(budgets, totals, lines) -> bytes:
    """Amounts as numbers, the way a clerk types them into a plain cell."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for title, head, rows in (("年度预算", BUDGET_HEAD, budgets), ("批次文件金额", TOTALS_HEAD, totals),
                              ("批次分配明细", LINES_HEAD, lines)):  # fmt: skip
        if rows is None:
            continue
        sheet = book.add_worksheet(title)
        sheet.write_row(0, 0, head)
        for n, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, (int, float)):
                    sheet.write_number(n, c, value)
                elif value is not None:
                    sheet.write_string(n, c, str(value))
    book.close()
    return out.getvalue()


def seed_rows():
    budgets = [[COUNTY_FUND, 2017, 6935, "", "2017-01-20"], [COUNTY_FUND, 2018, 8377.5, "安财1号", "2018-01-22"],
               [PROVINCE, 2018, 2744, "", "2018-02-05"]]  # fmt: skip
    head = [2018, 1, "2018年第一批财政专项扶贫资金", "安扶组〔2018〕5号", "2018-04-02"]
    totals = [[*head, PROVINCE, 2672, None, None], [*head, COUNTY_FUND, 6555.8557, 1320, 2017]]
    lines = [
        [2018, 1, name, str(category.label), receiver(category)[0],
         str(codes.Department(receiver(category)[1]).label) if receiver(category)[1] else None, float(amount)]
        for name, group in ((PROVINCE, PROVINCE_LINES), (COUNTY_FUND, COUNTY_LINES))
        for category, amount in group
    ]  # fmt: skip
    return budgets, totals, lines


def _run(user, content, tmp_path):
    path = tmp_path / "预算.xlsx"
    path.write_bytes(content)
    return import_ledger(user, path, filename="预算.xlsx", via="test")


def test_seed_004_imported_to_the_last_digit(users, sources, tmp_path):
    counts = _run(users["county"], workbook(*seed_rows()), tmp_path)
    assert counts == {"年度预算": 3, "批次文件金额": 2, "批次分配明细": 20}
    county = Budget.objects.get(year=2018, source__name=COUNTY_FUND).source
    assert funds.remaining(county, 2018) == wan("3141.6443")
    batch = Batch.objects.get()
    lines = Transfer.objects.filter(batch=batch, source=county)
    assert sum(t.amount for t in lines) == wan("6555.8560")
    assert lines.get(category=codes.UseCategory.CLINIC).amount == wan("126.836")
    assert lines.get(category=codes.UseCategory.POND).to_department == "water"
    entry = AuditEntry.objects.get(action=Action.IMPORT, model="funds.ledger")
    assert entry.area_code == COUNTY and entry.changes["rows"]["批次分配明细"] == 20


def test_a_wrong_cell_is_named_and_nothing_is_written(users, sources, tmp_path):
    budgets, totals, lines = seed_rows()
    budgets[1][2] = "8377.50001"  # C3: a fifth decimal
    lines[4][3] = "修路"  # D6: not a category
    lines.append([2018, 2, COUNTY_FUND, "山坪塘建设", COUNTY, "水利局", 1])  # a line of a batch with no totals
    with pytest.raises(FundsRefused) as refused:
        _run(users["county"], workbook(budgets, totals, lines), tmp_path)
    errors = refused.value.details["errors"]
    assert any(e.startswith("批次分配明细 第 6 行 资金用途（D 列）") for e in errors), errors
    assert (Budget.objects.count(), Batch.objects.count(), Transfer.objects.count()) == (0, 0, 0)
    lines.pop(4)
    with pytest.raises(FundsRefused) as refused:
        _run(users["county"], workbook(budgets, totals, lines), tmp_path)
    errors = refused.value.details["errors"]
    assert "年度预算 第 3 行 预算金额（万元）（C 列）：预算金额最多保留四位小数（万元），实际是 8377.50001" in errors
    assert any(e.startswith("批次分配明细 第 21 行：“批次文件金额”中没有2018年第2批") for e in errors), errors
    assert (Budget.objects.count(), Batch.objects.count(), Transfer.objects.count()) == (0, 0, 0)
    assert not AuditEntry.objects.exclude(model="funds.fundsource").filter(model__startswith="funds.").exists()


def test_unknown_source_and_over_budget_are_placed_at_their_rows(users, sources, tmp_path):
    budgets, totals, lines = seed_rows()
    totals[1][6] = 8377.5 + 1320 + 0.0001  # G3: more than 2018 leaves after the advance
    lines[0][2] = "不存在的资金"  # C2
    with pytest.raises(FundsRefused) as refused:
        _run(users["county"], workbook(budgets, totals, lines), tmp_path)
    errors = refused.value.details["errors"]
    assert any(e.startswith("批次分配明细 第 2 行 资金名称（C 列）：本县没有资金来源“不存在的资金”") for e in errors)
    lines[0][2] = PROVINCE
    with pytest.raises(FundsRefused) as refused:
        _run(users["county"], workbook(budgets, totals, lines), tmp_path)
    assert any(
        "剩余 8377.5000 万元" in e and e.startswith("批次文件金额 第 2 行") for e in refused.value.details["errors"]
    )
    assert Budget.objects.count() == 0


def test_only_the_county_imports(users, sources, tmp_path):
    with pytest.raises(PermissionDenied):
        _run(users["township_a"], workbook(*seed_rows()), tmp_path)


def test_the_import_page_and_its_template(client, users, sources):
    client.force_login(users["county"])
    template = client.get(reverse("funds:ledger-template"))
    assert template.status_code == 200 and template.content.startswith(b"PK")
    page = client.post(reverse("funds:ledger-import"), {"file": _named(workbook(*seed_rows()))})
    assert page.status_code == 302
    assert Batch.objects.get().document_date == date(2018, 4, 2)
    bad = workbook([[COUNTY_FUND, 2019, "1.00001", "", "2019-01-01"]], None, None)
    page = client.post(reverse("funds:ledger-import"), {"file": _named(bad)})
    assert page.status_code == 400 and "第 2 行 预算金额（万元）（C 列）" in page.content.decode()


def _named(content):
    handle = io.BytesIO(content)
    handle.name = "预算.xlsx"
    return handle


def test_a_csv_of_budgets(users, sources, tmp_path):
    path = tmp_path / "预算.csv"
    path.write_text(
        f"资金名称,年度,预算金额（万元）,下达日期\n{COUNTY_FUND},2019,123.4567,2019-01-05\n", encoding="utf-8"
    )
    assert import_ledger(users["county"], path, filename="预算.csv", via="test") == {"预算.csv": 1}  # a CSV: its name
    assert Budget.objects.get(year=2019).amount == wan("123.4567")
