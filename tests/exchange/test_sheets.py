"""The sheet registry: the registry's three sheets registered by exchange, a kind registered once, a file's sheet
guessed among its book's sheets only, and another app's book kept out of the registry's template."""

import io

import pytest

from fupin.core.sheets import Column, Sheet
from fupin.exchange import sheets
from fupin.exchange.reading.base import guess_sheet
from fupin.exchange.template import write_template
from fupin.registry import sheets as registry_sheets
from fupin.registry.models import Member
from tests.exchange.xlsx import sheets as workbook_sheets

ALERTS = Sheet(
    kind="department_alerts",
    title="部门预警",
    model=Member,
    key=("id_number",),
    columns=(Column("id_number", "证件号码", "id", required=True), Column("source", "数据来源", "text")),
    book="monitoring",
    identified_by=("id_number",),
    precedence=9,
)


@pytest.fixture
def with_alerts(monkeypatch):
    """A second app's book registered for one test."""
    monkeypatch.setattr(sheets, "_SHEETS", dict(sheets._SHEETS))
    sheets.register(ALERTS)


def test_exchange_registers_the_registry_sheets_in_their_order():
    from fupin.monitoring.sheets import DEPARTMENT_SHEETS  # an app above exchange registers its own (its ready())

    registered = (*registry_sheets.SHEETS, *registry_sheets.IMPORTED_ONLY)
    others = tuple(
        sheet for sheet in sheets.sheets() if not sheet.book.startswith(("assistance", "funds", "supervision"))
    )  # their own tests
    assert others == (*registered, *DEPARTMENT_SHEETS.values())
    assert sheets.sheets("registry") == (
        registry_sheets.HOUSEHOLDS,
        registry_sheets.MEMBERS,
        registry_sheets.INCOMES,
        registry_sheets.STATUS_EVENTS,
        registry_sheets.VILLAGE_EVENTS,
        registry_sheets.MEMBER_EVENTS,
        registry_sheets.CONDITIONS,
        registry_sheets.POPULATIONS,
        registry_sheets.FACILITIES,
    )
    assert sheets.sheet("members") is registry_sheets.MEMBERS
    assert sheets.sheet("nothing") is None


def test_a_kind_is_registered_once(monkeypatch):
    monkeypatch.setattr(sheets, "_SHEETS", dict(sheets._SHEETS))
    sheets.register(registry_sheets.HOUSEHOLDS)  # the same declaration again: nothing changes
    from fupin.monitoring.sheets import DEPARTMENT_SHEETS  # an app above exchange registers its own (its ready())

    registered = (*registry_sheets.SHEETS, *registry_sheets.IMPORTED_ONLY)
    others = tuple(
        sheet for sheet in sheets.sheets() if not sheet.book.startswith(("assistance", "funds", "supervision"))
    )  # their own tests
    assert others == (*registered, *DEPARTMENT_SHEETS.values())
    with pytest.raises(ValueError, match="households"):
        sheets.register(Sheet(kind="households", title="别的", model=Member, key=(), columns=()))


@pytest.mark.parametrize(
    "headers, kind",
    [
        (["户编号", "证件号码", "行政区划代码"], "members"),  # a roster carries its household's columns
        (["户编号", "证件号码", "年度"], "members"),
        (["户编号", "年度", "行政区划代码"], "incomes"),
        (["户编号", "户主姓名"], "households"),
        (["户编号", "备注"], None),
        (["户编号", "证件号码", "变动类型", "日期"], "member_events"),
        (["户编号", "年度", "住房安全", "饮水安全"], "conditions"),
        (["区划代码", "年度", "农村户籍人口"], "populations"),  # 区划代码 is also an alias of the households' village
        (["行政区划代码", "年度", "通硬化路", "饮水安全"], "facilities"),
    ],
)
def test_a_sheet_is_guessed_by_its_identifying_columns_and_precedence(headers, kind):
    found = guess_sheet(headers)
    assert (found.kind if found else None) == kind


def test_another_book_is_neither_guessed_nor_in_the_registry_template(with_alerts):
    assert sheets.sheet("department_alerts") is ALERTS
    assert sheets.sheets("monitoring")[-1] is ALERTS  # after monitoring's own department sheets
    assert guess_sheet(["证件号码", "数据来源"]).kind == "members"
    assert guess_sheet([], title="部门预警") is None
    # a job that names the book reads its sheets, and only those
    assert guess_sheet(["证件号码", "数据来源"], book="monitoring") is ALERTS
    assert guess_sheet(["户编号", "户主姓名"], book="monitoring") is None
    stream = io.BytesIO()
    write_template(stream)
    assert "部门预警" not in workbook_sheets(stream.getvalue())
