"""The export's own sheet XML (exchange.sheet_xml): dates counted as Excel counts them, text that survives XML, and
a workbook whose autofilter reaches its last row, read back by calamine (what the importer reads)."""

from datetime import date, datetime

import pytest

from fupin.exchange import sheet_xml
from fupin.exchange.columns import HOUSEHOLDS
from tests.exchange.test_exports import NUMBER_A1, XLSX, export, homes  # noqa: F401 (homes: a fixture)
from tests.exchange.xlsx import NS, Parts, records


@pytest.mark.parametrize(
    ("day", "serial"),
    [
        (date(1900, 1, 1), 1),
        (date(1900, 2, 28), 59),
        (date(1900, 3, 1), 61),  # Excel's 29 February 1900 is serial 60
        (date(2021, 3, 5), 44260),
        (datetime(2021, 3, 5, 12, 0), 44260.5),
    ],
)
def test_dates_are_excel_serials_counted_as_excel_does(day, serial):
    assert sheet_xml.excel_serial(day) == serial


def test_markup_and_control_characters_become_xml_that_reads_back():
    assert sheet_xml.xml_text("A&B <c>") == "A&amp;B &lt;c&gt;"
    assert sheet_xml.xml_text("铃\x07声") == "铃_x0007_声"
    assert sheet_xml.xml_text("平常的字") == "平常的字"


@pytest.mark.django_db
def test_text_keeps_its_spaces_and_markup_and_the_filter_reaches_the_last_row(client, users, homes, make_household):  # noqa: F811
    make_household(number="SP-0001", address="  东&<西> 街 ", members=[{"name": "甲", "relation": "01"}])
    body = export(client, users["county"], XLSX)
    rows = records(body, "农户")
    assert next(r for r in rows if r["户编号"] == "SP-0001")["住址"] == "  东&<西> 街 "
    assert NUMBER_A1 in {r["户编号"] for r in rows} and len(rows) == 4
    parts = Parts(body)
    last = sheet_xml.xl_col_to_name(len(HOUSEHOLDS.columns) + len(HOUSEHOLDS.readonly) - 1)
    sheet = parts.sheet("农户")
    assert sheet.find("m:dimension", NS) is None  # optional; it would have to come before the rows
    assert sheet.find("m:autoFilter", NS).get("ref") == f"A1:{last}5"
    names = {n.get("localSheetId"): n.text for n in parts.xml("xl/workbook.xml").iter(f"{{{NS['m']}}}definedName")}
    assert names["0"].endswith(f"!$A$1:${last}$5")
    members = parts.sheet("家庭成员")
    assert members.find("m:autoFilter", NS).get("ref").endswith("6")  # 5 members and the header


@pytest.mark.django_db
def test_the_hidden_code_list_holds_every_label_for_the_drop_downs(client, users, homes):  # noqa: F811
    """xlsxwriter's constant_memory dropped the code list's earlier rows (it is written column by column): exports
    offered drop-downs with most labels missing. The layout is now written whole."""
    from fupin.registry import codes
    from tests.exchange.xlsx import sheets

    listed = {cell for row in sheets(export(client, users["county"], XLSX))["代码表"] for cell in row}
    assert {str(label) for _code, label in codes.Health.choices} <= listed
    assert {str(label) for _code, label in codes.PovertyCause.choices} <= listed
