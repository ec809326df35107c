"""Measures from a file: a bank's micro-loan list and HR's post list recorded through the measure service, all
rows or none — a wrong cell, a household of another village or a loan over the pack's ceiling refuses the whole
file naming the row, and nothing is written."""

from decimal import Decimal

import pytest

from fupin.accounts.models import AuditEntry
from fupin.assistance.models import Measure
from fupin.assistance.services.common import AssistanceRefused, NotYours
from fupin.assistance.services.measure_import import import_measures
from tests.factories import VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db

LOAN_HEAD = "户编号,贷款金额（元）,放款日期,贷款期限（月）,贴息金额（元）,贷款余额（元）,落实状态\n"
POST_HEAD = "户编号,岗位类型,在岗月数,月工资（元）,开始日期,落实状态\n"


def upload(tmp_path, text, name="小额信贷.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_banks_loan_list_is_recorded(tmp_path, users, make_household):
    a, b = make_household(VILLAGE_A1, number="A1-LOAN-1"), make_household(VILLAGE_A1, number="A1-LOAN-2")
    text = LOAN_HEAD + "A1-LOAN-1,50000,2024-03-01,36,1200,45000,已落实\nA1-LOAN-2,20000,2024-04-01,12,0,20000,已落实\n"
    assert import_measures(users["village_a1"], upload(tmp_path, text)) == {"小额信贷.csv": 2}
    loan = Measure.objects.get(household=a)
    assert (loan.kind, loan.category, loan.loan_amount, loan.started_on.isoformat()) == (
        "micro_loan", "03", Decimal("50000.00"), "2024-03-01"
    )  # fmt: skip
    assert Measure.objects.get(household=b).loan_term_months == 12
    entry = AuditEntry.objects.get(action="import", model="assistance.measure")
    assert entry.changes["rows"] == {"小额信贷.csv": 2} and entry.via == "import"
    assert AuditEntry.objects.filter(action="create", model="assistance.measure", via="import").count() == 2


def test_a_post_list_works_out_the_amount(tmp_path, users, make_household):
    make_household(VILLAGE_A1, number="A1-POST-1")
    text = POST_HEAD + "A1-POST-1,保洁员,6,800,2024-01-01,已落实\n"
    import_measures(users["village_a1"], upload(tmp_path, text, "公益性岗位.csv"))
    assert Measure.objects.get().amount == Decimal("4800.00")


def test_one_wrong_row_refuses_the_file(tmp_path, users, make_household):
    make_household(VILLAGE_A1, number="A1-LOAN-1")
    make_household(VILLAGE_B1, number="B1-LOAN-1")
    cases = {
        "A1-LOAN-1,50000,2024-03-01,36,0,0,已落实\nA1-LOAN-1,50000.01,2024-03-01,36,0,0,已落实\n": "第 3 行：贷款金额",
        "A1-LOAN-1,50000,2024-03-01,36,0,0,已落实\nB1-LOAN-1,100,2024-03-01,36,0,0,已落实\n": "第 3 行：户编号不存在",
        "A1-LOAN-1,abc,2024-03-01,36,0,0,已落实\n": "第 2 行 贷款金额（元）",
        "A1-LOAN-1,,2024-03-01,36,0,0,已落实\n": "第 2 行 贷款金额（元）（B 列）：必填",
    }
    for rows, expected in cases.items():
        with pytest.raises(AssistanceRefused) as refused:
            import_measures(users["village_a1"], upload(tmp_path, LOAN_HEAD + rows))
        assert expected in refused.value.message, refused.value.message
        assert "没有写入任何记录" in refused.value.message
    assert not Measure.objects.exists() and not AuditEntry.objects.filter(model="assistance.measure").exists()


def test_a_cadre_may_not_import(tmp_path, users):
    with pytest.raises(NotYours):
        import_measures(users["cadre_a1"], upload(tmp_path, LOAN_HEAD))


def test_the_measure_sheets_are_registered_in_the_assistance_book():
    from fupin.assistance.measure_sheets import MEASURE_SHEETS
    from fupin.exchange import sheets

    assert set(MEASURE_SHEETS.values()) <= set(sheets.sheets("assistance-measures"))
    assert [s.title for s in MEASURE_SHEETS.values()] == ["帮扶措施", "小额信贷", "公益性岗位"]


def test_the_import_page(client, users, make_household):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    make_household(VILLAGE_A1, number="A1-PAGE-1")
    client.force_login(users["village_a1"])
    url = reverse("assistance:measure-import")
    assert "小额信贷" in client.get(url).content.decode()
    bad = SimpleUploadedFile("m.csv", (POST_HEAD + "A1-PAGE-1,保洁员,13,800,2024-01-01,已落实\n").encode())
    page = client.post(url, {"file": bad})
    assert page.status_code == 400 and "第 2 行" in page.content.decode()
    good = SimpleUploadedFile("m.csv", (POST_HEAD + "A1-PAGE-1,保洁员,12,800,2024-01-01,已落实\n").encode())
    assert client.post(url, {"file": good}).status_code == 302
    assert Measure.objects.get().amount == Decimal("9600.00")
    client.force_login(users["cadre_a1"])
    assert client.get(url).status_code == 403
