"""The import template: its sheets and headers as the importer reads them (python-calamine), and what Excel shows a
clerk — drop-downs from the hidden code sheet, text-formatted ID columns, number limits, red required headers,
a comment on every header — read from the workbook's XML."""

import io
import re

import pytest
from django.urls import reverse
from xlsxwriter.utility import xl_rowcol_to_cell

from fupin.exchange.columns import HOUSEHOLDS, INCOMES, MEMBERS, SHEETS
from fupin.exchange.template import write_template
from fupin.registry.sheets import IMPORTED_ONLY
from tests.exchange.xlsx import TEXT_FORMAT, Parts, column_index, sheets

RED = "FFC00000"


@pytest.fixture(scope="module")
def template() -> bytes:
    stream = io.BytesIO()
    write_template(stream)
    return stream.getvalue()


def position(sheet, name: str) -> int:
    return [c.name for c in sheet.columns].index(name)


def test_sheets_are_the_guide_the_forms_and_a_hidden_code_list(template):
    found = sheets(template)
    forms = [
        "农户",
        "家庭成员",
        "收入台账",
        "状态变更",
        "贫困村",
        "成员变动",
        "生产生活条件",
        "农村户籍人口",
        "村基础设施",
    ]
    assert list(found) == ["说明", *forms, "代码表"]
    for sheet in (*SHEETS, *IMPORTED_ONLY):
        assert found[sheet.title] == [[c.header for c in sheet.columns]], sheet.title  # the header row only
    assert Parts(template).states == {"说明": "visible", **dict.fromkeys(forms, "visible"), "代码表": "hidden"}
    guide = "\n".join(" ".join(str(cell) for cell in row) for row in found["说明"])
    assert (
        "“农户”“家庭成员”“收入台账”“状态变更”“贫困村”“成员变动”“生产生活条件”“农村户籍人口”“村基础设施”9张表" in guide
    )


def test_member_sheet_has_only_member_columns_and_the_guide_explains_the_roster(template):
    headers = sheets(template)["家庭成员"][0]
    assert "行政区划代码" not in headers and "户主姓名" not in headers
    guide = "\n".join(" ".join(str(cell) for cell in row) for row in sheets(template)["说明"])
    assert "家庭成员（可选的农户列） 行政区划代码 是" in guide  # listed, and required when a roster creates households
    assert "一张花名册就能同时建户和登记成员" in guide
    for phrase in (
        "列名不能改",
        "列的顺序可以调整",
        "多出的列",
        "也可以填代码",
        "2021/3/5",
        "空白单元格表示“不修改”",
        "按“户编号＋证件号码”识别家庭成员",
        "整个文件都不导入",
    ):
        assert phrase in guide, phrase
    described = [row[1] for row in sheets(template)["说明"] if row[0] == "收入台账"]
    assert described == [c.header for c in INCOMES.columns]


def test_code_columns_drop_down_their_labels_from_the_hidden_code_sheet(template):
    parts, codes = Parts(template), sheets(template)["代码表"]
    for sheet in SHEETS:
        validations = parts.validations(sheet.title)
        for index, column in enumerate(sheet.columns):
            if column.kind != "code":
                continue
            rule = validations[index]
            assert rule["type"] == "list" and rule["formula1"].startswith("代码表!$"), (column.header, rule)
            letters, top, same, bottom = re.fullmatch(
                r"代码表!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", rule["formula1"]
            ).groups()
            assert same == letters
            labels = [codes[row - 1][column_index(letters)] for row in range(int(top), int(bottom) + 1)]
            assert labels == [label for _code, label in column.choices], column.header
            assert rule.get("errorStyle") == "warning"  # a typed code ("01") is still allowed


def test_bool_int_and_money_columns_are_limited(template):
    validations = Parts(template).validations("家庭成员")
    assert validations[position(MEMBERS, "dibao")]["formula1"] == '"是,否"'
    months = validations[position(MEMBERS, "work_months")]
    assert (months["type"], months["formula1"], months["formula2"]) == ("whole", "0", "12")
    level = Parts(template).validations("农户")[position(HOUSEHOLDS, "risk_level")]
    assert (level["type"], level["formula1"], level["formula2"]) == ("whole", "1", "5")
    wage = Parts(template).validations("收入台账")[position(INCOMES, "wage_income")]
    assert (wage["type"], wage["operator"], wage["formula1"]) == ("decimal", "greaterThanOrEqual", "0")
    area = Parts(template).validations("农户")[position(HOUSEHOLDS, "village")]
    assert (area["type"], area["operator"], area["formula1"]) == ("textLength", "equal", "12")


@pytest.mark.parametrize(
    ("sheet", "names"),
    [
        (HOUSEHOLDS, ["number", "village", "phone", "bank_account", "household_type"]),
        (MEMBERS, ["number", "id_number", "phone", "disability_cert", "relation"]),
        (INCOMES, ["number"]),
    ],
)
def test_id_number_phone_account_and_area_columns_are_text_formatted(template, sheet, names):
    formats = Parts(template).column_formats(sheet.title)
    for name in names:
        assert formats[position(sheet, name)] == TEXT_FORMAT, name
    for name in {HOUSEHOLDS: ["risk_level", "relocated"], MEMBERS: ["work_months"], INCOMES: ["year", "persons"]}[
        sheet
    ]:
        assert formats[position(sheet, name)] != TEXT_FORMAT, name


def test_required_headers_are_red_and_every_header_has_a_comment(template):
    parts = Parts(template)
    for sheet in SHEETS:
        comments = parts.comments(sheet.title)
        for index, column in enumerate(sheet.columns):
            ref = xl_rowcol_to_cell(0, index)
            assert (parts.font_color(sheet.title, ref) == RED) == column.required, column.header
            assert comments[ref].strip(), column.header
    households, members = parts.comments("农户"), parts.comments("家庭成员")
    assert "新建记录时必填" in households["A1"] and "按“户编号”识别记录" in households["A1"]
    household_type = households[xl_rowcol_to_cell(0, position(HOUSEHOLDS, "household_type"))]
    assert "1 一般户；2 贫困户" in household_type and "新建记录留空时取“一般户”" in household_type
    id_comment = members[xl_rowcol_to_cell(0, position(MEMBERS, "id_number"))]
    assert "必须是文本" in id_comment and "按“户编号”＋“证件号码”识别记录" in id_comment
    assert "0至12" in members[xl_rowcol_to_cell(0, position(MEMBERS, "work_months"))]


def test_the_template_is_downloadable_by_any_logged_in_user(client, users):
    client.force_login(users["cadre_a1"])
    response = client.get(reverse("exchange:exchange-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    assert list(sheets(response.content))[:4] == ["说明", "农户", "家庭成员", "收入台账"]
    client.logout()
    assert client.get(reverse("exchange:exchange-template")).status_code == 302
