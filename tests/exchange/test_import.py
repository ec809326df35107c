"""Imports of rosters, households and incomes: what lands, what is refused (with row, column, value, reason), and
that a refused or dry-run file writes nothing at all."""

import io
from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter

from fupin.accounts.models import Action, AuditEntry
from fupin.core.progress import Steps
from fupin.exchange import services
from fupin.exchange.models import ImportJob
from fupin.exchange.services import report_path
from fupin.registry.models import Household, IncomeAccount, Member
from tests.factories import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_id
from tests.support import csv_text

pytestmark = pytest.mark.django_db

ROSTER_HEADER = (
    "户编号",
    "行政区划代码",
    "姓名",
    "证件号码",
    "与户主关系",
    "性别",
    "出生日期",
    "务工时间（月）",
    "享受低保",
)


def roster(*rows, header=ROSTER_HEADER):
    return csv_text(header, *rows)


def state():
    """Everything an import may touch, to compare before and after."""
    return (
        list(Household.objects.order_by("pk").values_list("pk", "number", "head_name", "village_id", "updated_at")),
        list(Member.objects.order_by("pk").values_list("pk", "id_number", "name", "work_months", "household_id")),
        list(IncomeAccount.objects.order_by("pk").values_list("pk", "year", "persons", "wage_income")),
        AuditEntry.objects.exclude(action=Action.IMPORT).count(),
    )


def errors_of(job):
    return {(e["row"], e["column"], e["reason"]) for e in job.errors}


def test_gb18030_roster_creates_households_members_and_audit(users, run_import):
    head, spouse = make_id("19700101"), make_id("19720202", seq=2)
    text = roster(
        ("R1", VILLAGE_A1, "张三", head, "户主", "", "", "3", "是"),
        ("R1", VILLAGE_A1, "李四", spouse, "02", "女", "1972/2/2", "0", "否"),
    )
    job = run_import(users["county"], text.encode("gb18030"), "花名册.csv")
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.counts == {
        "households": {"new": 1, "updated": 0, "unchanged": 0},
        "members": {"new": 2, "updated": 0, "unchanged": 0},
    }
    household = Household.objects.get(number="R1")
    assert household.village_id == VILLAGE_A1 and household.head_name == "张三"  # from the member recorded as 户主
    zhang = household.members.get(name="张三")
    assert zhang.id_number == head and zhang.birth_date == date(1970, 1, 1) and zhang.sex == "1"  # derived from the ID
    assert zhang.dibao is True and zhang.work_months == 3
    assert zhang.basic_medical_insured is True  # model default for a column the file does not have
    li = household.members.get(name="李四")
    assert (li.relation, li.sex, li.dibao) == ("02", "2", False)
    created = AuditEntry.objects.filter(action=Action.CREATE, via="import")
    assert created.filter(model="registry.member").count() == 2
    entry = created.get(model="registry.member", object_id=str(li.pk))
    assert entry.changes == {"import": str(job.pk), "row": 3}  # the file and row it came from
    assert entry.area_code == VILLAGE_A1 and entry.username == "county"
    summary = AuditEntry.objects.get(action=Action.IMPORT)
    assert summary.changes["file"] == "花名册.csv" and summary.changes["counts"]["members"]["new"] == 2


class Recorder(Steps):
    """Each report as the caller of run_import gets it, with the phase the job's file (the page's bar) says then."""

    def __init__(self, job):
        super().__init__()
        self.job, self.seen, self.percents = job, [], []

    def report(self, name, done, total):
        state = services.progress(self.job)
        self.seen.append((name, done, total, state["phase"]))
        self.percents.append(state["percent"])


@pytest.mark.parametrize("xlsx", [False, True])
def test_each_phase_is_reported_from_0_to_its_total_to_the_job_file_first_then_the_caller(users, xlsx):
    rows = [
        ("P1", VILLAGE_A1, "郑一", make_id("19800101"), "户主"),
        ("P1", VILLAGE_A1, "郑二", make_id("19820202"), "02"),
    ]
    if xlsx:
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out)
        sheet = book.add_worksheet("家庭成员")
        for number, values in enumerate([ROSTER_HEADER[:5], *rows]):
            sheet.write_row(number, 0, values)
        book.close()
        content, name = out.getvalue(), "成员.xlsx"
    else:
        content, name = roster(*rows, header=ROSTER_HEADER[:5]).encode(), "成员.csv"
    job = services.start_import(users["county"], io.BytesIO(content), name, via="test", enqueue=False)
    recorder = Recorder(job)
    job = services.run_import(job, progress=recorder)
    assert job.status == ImportJob.Status.DONE, job.message
    assert recorder.seen == [
        ("reading", 0, 1, "reading"),
        ("reading", 1, 1, "reading"),
        ("validating", 0, 1, "validating"),
        ("validating", 1, 1, "validating"),
        ("checking", 0, 1, "checking"),
        ("checking", 1, 1, "checking"),
        ("writing", 0, 3, "writing"),
        ("writing", 1, 3, "writing"),
        ("writing", 2, 3, "writing"),
        ("writing", 3, 3, "writing"),
    ]
    assert recorder.percents == [0, 40, 40, 65, 65, 80, 80, 86.7, 93.3, 100]  # each phase's share, in order
    assert services.progress(job)["phase"] == "done" and services.progress(job)["percent"] == 100


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings_are_detected_without_asking(users, run_import, encoding):
    text = roster(("E1", VILLAGE_A1, "王芳", make_id("19800505"), "户主", "", "", "", ""))
    job = run_import(users["county"], text.encode(encoding))
    assert job.status == ImportJob.Status.DONE, job.message
    assert Member.objects.get(household__number="E1").name == "王芳"


def test_reimport_is_unchanged_and_a_change_is_an_update_with_before_and_after(users, run_import):
    ident = make_id("19650315")
    first = roster(("U1", VILLAGE_A1, "赵六", ident, "户主", "", "", "2", "否"))
    assert run_import(users["county"], first).status == ImportJob.Status.DONE
    again = run_import(users["county"], first)
    assert again.counts["members"] == {"new": 0, "updated": 0, "unchanged": 1}
    assert again.counts["households"] == {"new": 0, "updated": 0, "unchanged": 1}
    changed = roster(("U1", VILLAGE_A1, "赵六", ident, "户主", "", "", "5", ""))  # blank 享受低保: left as it is
    job = run_import(users["county"], changed)
    assert job.counts["members"] == {"new": 0, "updated": 1, "unchanged": 0}
    member = Member.objects.get(id_number=ident)
    assert member.work_months == 5 and member.dibao is False
    entry = AuditEntry.objects.filter(action=Action.UPDATE, model="registry.member").latest("id")
    assert entry.changes == {"work_months": ["2", "5"]}
    assert job.changes[0]["changes"] == {"务工时间（月）": ["2", "5"]}


def test_dry_run_reports_changes_and_writes_nothing(users, run_import, make_household):
    household = make_household(
        VILLAGE_A1, number="D1", head_name="钱七", members=[{"name": "钱七", "relation": "01", "work_months": 1}]
    )
    member = household.members.get()
    before = state()
    text = roster(
        ("D1", VILLAGE_A1, "钱七", member.id_number, "户主", "", "", "4", ""),
        ("D2", VILLAGE_A2, "孙八", make_id("19900101"), "户主", "", "", "", ""),
    )
    job = run_import(users["county"], text, dry_run=True)
    assert job.status == ImportJob.Status.CHECKED
    assert job.counts["members"] == {"new": 1, "updated": 1, "unchanged": 0}
    assert job.counts["households"] == {"new": 1, "updated": 0, "unchanged": 1}
    assert state() == before


def test_row_errors_name_row_column_value_and_reason_and_nothing_is_written(users, run_import, make_household):
    make_household(VILLAGE_A1, number="K1")
    before = state()
    good = make_id("19800101")
    text = roster(
        ("K2", VILLAGE_A1, "周一", good, "户主", "", "", "3", "是"),  # fine on its own: must not land either
        ("K2", VILLAGE_A1, "周二", "1.10105E+17", "配偶", "", "", "13", "也许"),
        ("K3", "1499010010", "周三", make_id("19800102"), "户主", "", "", "", ""),
        ("K4", VILLAGE_A1, "周四", good, "户主", "男", "1980-01-02", "", ""),
    )
    job = run_import(users["county"], text.encode("gb18030"), "名单.csv")
    assert job.status == ImportJob.Status.INVALID
    found = errors_of(job)
    assert (
        3,
        "证件号码",
        "证件号码被Excel存成了数字（科学计数法），后几位已丢失，请把该列设为文本后重新录入原号码",
    ) in found
    assert (3, "务工时间（月）", "不能大于12") in found  # the field rule's reason, as the forms and the API give it
    assert (3, "享受低保", "应填“是”或“否”") in found
    assert (4, "行政区划代码", "行政区划代码应为12位数字") in found
    assert (2, "证件号码", "与第5行重复（同一人只能登记一次）") in found
    assert (5, "出生日期", "与证件号码中的“1980-01-01”不一致") in found
    assert {e["letter"] for e in job.errors if e["column"] == "证件号码"} == {"D"}
    assert state() == before
    report = report_path(job).read_bytes().decode("utf-8-sig")
    assert report.splitlines()[0].endswith('"错误说明"')
    assert "D列“证件号码”的值“1.10105E+17”" in report and "\t" + good in report  # IDs stay text for Excel


def test_scope_other_households_and_other_areas_are_refused(users, run_import, make_household):
    other = make_household(VILLAGE_B1, number="B-1")
    taken = other.members.get().id_number
    text = roster(
        ("S1", VILLAGE_B1, "吴一", make_id("19800101"), "户主", "", "", "", ""),  # village outside township A
        ("B-1", VILLAGE_A1, "吴二", make_id("19800102"), "户主", "", "", "", ""),  # household of township B
        ("S3", VILLAGE_A1, "吴三", taken, "户主", "", "", "", ""),  # person already registered elsewhere
    )
    job = run_import(users["township_a"], text)
    assert job.status == ImportJob.Status.INVALID
    found = errors_of(job)
    assert (2, "行政区划代码", "该行政村不在您的管辖范围内") in found
    assert (3, "户编号", "该户编号已登记在您管辖范围以外的行政村，不能修改") in found
    assert (4, "证件号码", "该证件号码已在本辖区以外的户（请联系县级核实）登记，同一人不能重复建档") in found
    assert not Household.objects.filter(number__in=["S1", "S3"]).exists()


def test_roles_that_may_not_edit_cannot_import(users, run_import):
    from fupin.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import(users["inspector"], roster(("X1", VILLAGE_A1, "郑一", make_id(), "户主", "", "", "", "")))
    assert not ImportJob.objects.exists()


def test_households_and_incomes_sheets_with_codes_labels_and_money(users, run_import, make_household):
    # three members, as its 2024 income says (家庭人口数 is checked against the members of 12-31)
    three = [{"name": "冯大", "relation": "01"}, {"name": "冯二", "relation": "02"}, {"name": "冯三", "relation": "03"}]
    make_household(VILLAGE_A1, number="I1", members=three)
    households = csv_text(
        (
            "户编号",
            "行政区划代码",
            "户主姓名",
            "户类型",
            "主要致贫原因",
            "首次识别时间",
            "易地扶贫搬迁户",
            "备注",
            "家庭住址备份",
        ),
        ("I2", VILLAGE_A2, "冯一", "脱贫户", "1", "2014年10月8日", "√", "", ""),
    )
    job = run_import(users["county"], households)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.ignored_columns == ["家庭住址备份"]  # extra columns are listed; 备注 is known to be for people
    i2 = Household.objects.get(number="I2")
    # the identification date is a status event, and the type follows the events: identified, not (yet) exited
    assert (i2.household_type, i2.poverty_cause, i2.first_identified_on, i2.relocated) == (
        "2",
        "01",
        date(2014, 10, 8),
        True,
    )
    incomes = csv_text(
        ("户编号", "年度", "家庭人口数", "工资性收入（含公益性岗位）", "生产经营性收入", "生产经营性支出"),
        ("I1", "2024", "3", '"12,000.50"', "3000元", "1000"),
        ("I2", "2024年", "2", "8000", "", ""),
        ("I2", "2023", "", "8000.123", "-5", ""),
    )
    job = run_import(users["county"], incomes)
    assert job.status == ImportJob.Status.INVALID, job.message
    assert errors_of(job) == {
        (4, "家庭人口数", "新增收入台账须填写家庭人口数"),
        (4, "工资性收入（含公益性岗位）", "金额最多两位小数（到分）"),
        (4, "生产经营性收入", "金额不能为负数"),
    }
    job = run_import(users["county"], incomes.rsplit("I2,2023", 1)[0])
    assert job.status == ImportJob.Status.DONE, job.errors
    account = IncomeAccount.objects.get(household__number="I1", year=2024)
    assert account.wage_income == Decimal("12000.50") and account.business_income == Decimal("3000")
    account.refresh_from_db()
    assert account.per_capita_net_income == Decimal("4666.83")  # (12000.50 + 3000 − 1000) ÷ 3, by the database


def test_member_of_a_household_missing_everywhere(users, run_import):
    text = csv_text(("户编号", "姓名", "证件号码", "与户主关系"), ("NOPE", "褚一", make_id(), "户主"))
    job = run_import(users["county"], text)
    assert job.status == ImportJob.Status.INVALID
    assert errors_of(job) == {(2, "户编号", "户编号在系统和本文件中都不存在（或不在您的管辖范围内），请先导入该户")}


def test_roster_rows_of_one_household_must_agree(users, run_import):
    text = roster(
        ("C1", VILLAGE_A1, "陈一", make_id("19800101"), "户主", "", "", "", ""),
        ("C1", VILLAGE_A2, "陈二", make_id("19800102"), "子女", "", "", "", ""),
    )
    job = run_import(users["county"], text)
    assert job.status == ImportJob.Status.INVALID
    assert {(row, column) for row, column, _ in errors_of(job)} == {(2, "行政区划代码"), (3, "行政区划代码")}
    assert "同一户编号的各行“行政区划代码”不一致" in job.errors[0]["reason"]


def test_title_row_above_headers_and_excel_row_numbers(users, run_import):
    text = "东一村建档立卡户花名册（2024年）\n" + roster(("T1", VILLAGE_A1, "蒋一", "12345", "户主", "", "", "", ""))
    job = run_import(users["county"], text)
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["letter"]) for e in job.errors] == [(3, "D")]  # row 1 title, row 2 header, row 3 data
