"""Files that must be refused with a clear Chinese message and change nothing."""

import io
import re
import zipfile
from datetime import date

import numpy as np
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from fupin.exchange.models import ImportJob
from fupin.exchange.validation import plain_valid_ids
from fupin.registry.idcard import is_valid_id_number
from fupin.registry.models import Household, Member
from tests.factories import VILLAGE_A1, make_id
from tests.support import csv_text

pytestmark = pytest.mark.django_db
HEADER = ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系")


def workbook(rows, *, merge=None, formula=None, numeric_id=None, title=None) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("家庭成员")
    start = 0
    if title:
        sheet.merge_range(0, 0, 0, len(HEADER) - 1, title)
        start = 1
    sheet.write_row(start, 0, HEADER)
    for r, row in enumerate(rows, start=start + 1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    if merge:
        sheet.merge_range(*merge, rows[0][0])
    if formula:
        sheet.write_formula(*formula, "=1+1", None, 2)
    if numeric_id:
        sheet.write_number(numeric_id[0], 3, numeric_id[1])
    book.close()
    return out.getvalue()


def row(number="W1", name="韩一", ident=None):
    return (number, VILLAGE_A1, name, ident or make_id(), "户主")


def refused(job, *fragments):
    assert job.status == ImportJob.Status.FAILED, (job.status, job.message, job.errors)
    for fragment in fragments:
        assert fragment in job.message, job.message
    assert not Household.objects.filter(number__startswith="W").exists()
    assert not Member.objects.filter(name__startswith="韩").exists()


def test_a_good_workbook_imports(users, run_import):
    """The baseline the refusals below differ from by one defect each (a title merged above the header is fine)."""
    job = run_import(users["county"], workbook([row()], title="花名册"), "成员.xlsx")
    assert job.status == ImportJob.Status.DONE, (job.message, job.errors)
    assert Member.objects.get(name="韩一").household.number == "W1"


def test_missing_key_headers(users, run_import):
    text = csv_text(("户编号", "姓名", "身份证", "关系"), ("W1", "韩一", make_id(), "户主"))
    refused(run_import(users["county"], text), "找不到表头")
    text = csv_text(("行政区划代码", "户主姓名"), (VILLAGE_A1, "韩一"))
    refused(run_import(users["county"], text), "缺少必需的列“户编号”")


def test_repeated_header(users, run_import):
    text = csv_text((*HEADER, "姓名"), (*row(), "韩二"))
    refused(run_import(users["county"], text), "“姓名”出现了两次（C列和F列）")


def test_renamed_files(users, run_import):
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    refused(run_import(users["county"], png, "花名册.xlsx"), "PNG图片", "不是Excel工作簿")
    refused(run_import(users["county"], b"just some words, not a workbook", "花名册.xlsx"), "改了扩展名")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    refused(run_import(users["county"], docx.getvalue(), "花名册.xlsx"), "Word文档")
    refused(run_import(users["county"], b"\xd0\xcf\x11\xe0" + bytes(600), "旧表.xls"), "另存为")


def test_empty_files(users, run_import):
    refused(run_import(users["county"], b"", "空.csv"), "空的")
    refused(run_import(users["county"], b"\n\n , \n", "空.csv"), "没有任何内容")
    refused(run_import(users["county"], csv_text(HEADER).encode(), "只有表头.csv"), "只有表头")


def test_zip_bomb(users, run_import):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20))  # 64 MB of zeros in ~64 KB
    assert len(bomb.getvalue()) < 1 << 20
    refused(run_import(users["county"], bomb.getvalue(), "炸弹.xlsx"), "压缩炸弹")


@pytest.mark.slow
def test_a_million_empty_styled_rows_are_skipped_not_read(users, run_import):
    """Formatting a whole column in Excel writes a row element per row; they hold no value and are ignored."""
    good = workbook([row()])
    source, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                empty = "".join(
                    f'<row r="{r}" s="1" customFormat="1"><c r="A{r}" s="1"/></row>' for r in range(3, 1_000_001)
                )
                data = data.decode().replace("</sheetData>", empty + "</sheetData>").encode()
            archive.writestr(info, data)
    job = run_import(users["county"], out.getvalue(), "格式.xlsx")
    assert job.status == ImportJob.Status.DONE, job.message
    assert Member.objects.filter(name="韩一").count() == 1


def test_merged_cells_in_the_data(users, run_import):
    # a household number merged down over its members' rows: the lower rows would read as blank
    rows = [row("W1", "韩一"), row("W1", "韩二")]
    refused(run_import(users["county"], workbook(rows, merge=(1, 0, 2, 0)), "合并.xlsx"), "合并单元格（A2:A3）")


def test_formulas(users, run_import):
    refused(run_import(users["county"], workbook([row()], formula=(1, 5)), "公式.xlsx"), "F2", "选择性粘贴")


def test_id_stored_as_a_number_by_excel(users, run_import):
    job = run_import(users["county"], workbook([row()], numeric_id=(1, 110105194912310021)), "数字.xlsx")
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["row"] == 2 and job.errors[0]["letter"] == "D"
    assert "科学计数法" in job.errors[0]["reason"] and job.errors[0]["value"] == "1.10105E+17"
    assert not Member.objects.filter(name="韩一").exists()
    text = csv_text(HEADER, ("W1", VILLAGE_A1, "韩一", "1.10105E+17", "户主"))
    assert "科学计数法" in run_import(users["county"], text).errors[0]["reason"]


def test_mixed_encodings(users, run_import):
    utf8 = csv_text(HEADER, row("W1", "韩一")).encode("utf-8")
    gbk = csv_text(row("W2", "韩二")).encode("gb18030")
    refused(run_import(users["county"], utf8 + gbk), "编码不一致", "第1行是UTF-8", "第3行")
    refused(run_import(users["county"], gbk.replace(b"W2", b"X0") + utf8.split(b"\n", 1)[1]), "编码不一致")


def test_undecodable_bytes(users, run_import):
    refused(run_import(users["county"], csv_text(HEADER).encode() + b"W1,\xff\xfe\xff,x\n"), "无法识别的字符")


def test_file_larger_than_the_limit(users, run_import, settings):
    settings.EXCHANGE_MAX_UPLOAD_BYTES = 1000
    refused(run_import(users["county"], csv_text(HEADER, *[row(f"W{i}") for i in range(40)])), "超过上限")


def test_row_with_more_cells_than_headers(users, run_import):
    text = csv_text(HEADER, row("W1"), (*row("W2"), "多余", "更多"))
    refused(run_import(users["county"], text), "第3行", "列数比表头多")


@hsettings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789X", min_size=18, max_size=18) | st.sampled_from([make_id(), "11010519491231002X"]))
def test_vectorised_id_check_agrees_with_the_checker(text):
    today = date(2026, 1, 1)
    assert bool(plain_valid_ids(np.array([text]), today)[0]) == is_valid_id_number(text, today)


def test_vectorised_id_check_on_known_values():
    ids = np.array(["11010519491231002X", "110105194912310021", "1101051949123100", "11010520260230002X", "９９"])
    assert plain_valid_ids(ids, date(2026, 1, 1)).tolist() == [True, False, False, False, False]


def test_error_text_has_no_placeholder_left(users, run_import):
    """Reasons are complete sentences: no SQL or Python placeholder leaks into what a clerk reads."""
    text = csv_text(HEADER, ("W1", "1499", "韩一", "123", "亲戚"))
    job = run_import(users["county"], text)
    # three cells, and no 户主 left to name the new household after
    assert [e["column"] for e in job.errors] == ["户主姓名", "行政区划代码", "证件号码", "与户主关系"]
    for error in job.errors:
        assert not re.search(r"[{}%]|None|NULL", error["reason"]), error


def test_long_numbers_typed_into_number_cells_are_refused_not_truncated(users, run_import):
    """A 19-digit bank account Excel stored as a number has lost its last digits: refused with row and column."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("农户")
    sheet.write_row(0, 0, ("户编号", "行政区划代码", "户主姓名", "开户银行账号"))
    sheet.write_row(1, 0, ("W9", VILLAGE_A1, "韩九"))
    sheet.write_number(1, 3, 6222020200112233445)
    book.close()
    job = run_import(users["county"], out.getvalue(), "账号.xlsx")
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["letter"], e["value"]) for e in job.errors] == [(2, "D", "6.22202E+18")]
    assert "科学计数法" in job.errors[0]["reason"]
    assert not Household.objects.filter(number="W9").exists()
