"""成员变动 by import: the order rules over the registry's events merged with the file's, each refusal with its row,
column and reason and nothing written; idempotent re-import; joined/left dates; and 家庭人口数 against the
members present on 12-31, the file's members and events counted."""

import io
from datetime import date

import pytest
import xlsxwriter

from fupin.accounts.models import Action, AuditEntry
from fupin.exchange.models import ImportJob
from fupin.registry import codes, services
from fupin.registry.models import IncomeAccount, Member, MemberEvent
from tests.factories import VILLAGE_A1, VILLAGE_B1, make_id
from tests.support import csv_text

pytestmark = pytest.mark.django_db

HEADER = ("户编号", "证件号码", "姓名", "变动类型", "日期", "迁出/迁入户编号", "原因")
HEAD, WIFE, BABY = make_id("19600101"), make_id("19900303", seq=2), make_id("20210506")


@pytest.fixture
def family(make_household):
    """E1 of 东一村: the head (1960-01-01), a wife (1990-03-03) and a baby (2021-05-06), no events yet."""
    return make_household(
        VILLAGE_A1,
        number="E1",
        members=[
            {"name": "老王", "relation": "01", "id_number": HEAD},
            {"name": "新娘", "relation": "02", "id_number": WIFE},
            {"name": "宝宝", "relation": "03", "id_number": BABY},
        ],
    )


def workbook(sheets: dict) -> bytes:
    """An .xlsx of these sheets (title → rows), every cell as text."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title)
        for number, row in enumerate(rows):
            for position, value in enumerate(row):
                sheet.write_string(number, position, str(value))
    book.close()
    return out.getvalue()


def events_file(*rows):
    return csv_text(HEADER, *rows)


def errors_of(job):
    return {(e["row"], e["column"], e["reason"]) for e in job.errors}


def snapshot():
    return (
        list(MemberEvent.objects.values_list("pk", "kind", "date")),
        list(Member.objects.values_list("pk", "joined_on", "left_on")),
        AuditEntry.objects.exclude(action=Action.IMPORT).count(),
    )


def test_birth_marriage_death_come_in_with_members_dates_and_audit(users, run_import, family):
    text = events_file(
        ("E1", BABY, "", "出生", "2021-05-06", "", ""),
        ("E1", WIFE, "新娘", "婚入", "2019/10/1", "", "结婚"),
        ("E1", HEAD, "", "death", "2023年2月1日", "", "病故"),
    )
    job = run_import(users["village_a1"], text, "成员变动.csv")
    assert job.status == ImportJob.Status.DONE, [(e["row"], e["column"], e["reason"]) for e in job.errors]
    assert job.counts == {"member_events": {"new": 3, "updated": 0, "unchanged": 0}}
    baby, wife, head = (family.members.get(id_number=i) for i in (BABY, WIFE, HEAD))
    assert (baby.joined_on, baby.left_on) == (date(2021, 5, 6), None)
    assert (wife.joined_on, wife.left_on) == (date(2019, 10, 1), None)
    assert (head.joined_on, head.left_on) == (None, date(2023, 2, 1))
    birth = MemberEvent.objects.get(kind="birth")
    assert (birth.member, birth.name, birth.household, birth.recorded_by) == (baby, "宝宝", family, users["village_a1"])
    assert MemberEvent.objects.get(kind="death").reason == "病故"
    created = AuditEntry.objects.filter(via="import", model="registry.memberevent", action=Action.CREATE)
    assert created.count() == 3 and {e.area_code for e in created} == {VILLAGE_A1}
    moved = AuditEntry.objects.get(via="import", model="registry.member", object_id=str(head.pk))
    assert moved.changes == {"left_on": [None, "2023-02-01"]}
    # persons as of dates follow
    assert services.members_present_on(family.members.all(), date(2019, 9, 30)).count() == 1
    assert services.members_present_on(family.members.all(), date(2023, 1, 31)).count() == 3
    assert services.members_present_on(family.members.all(), date(2023, 2, 1)).count() == 2

    before = snapshot()
    again = run_import(users["village_a1"], text, "成员变动.csv")
    assert again.status == ImportJob.Status.DONE, again.errors
    assert again.counts == {"member_events": {"new": 0, "updated": 0, "unchanged": 3}}
    assert snapshot() == before  # the same events twice change nothing


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (("E1", BABY, "", "出生", "2021-05-07", "", ""), "日期", "出生的日期应为出生日期2021-05-06"),
        (("E1", BABY, "", "迁入", "2021-05-05", "", ""), "日期", "日期早于该成员的出生日期2021-05-06"),
        (("E1", HEAD, "", "迁出", "2030-01-01", "", ""), "日期", "不能晚于今天"),
        (
            ("E1", HEAD, "", "迁出", "2020-01-01", "NOPE-9", ""),
            "迁出/迁入户编号",
            "迁出/迁入户编号在系统和本文件中都不存在",
        ),
        (("E1", HEAD, "", "死亡", "2020-01-01", "E1", ""), "迁出/迁入户编号", "“出生”“死亡”不填迁出/迁入户编号"),
        (
            ("E1", make_id("19700101"), "", "迁入", "2020-01-01", "", ""),
            "证件号码",
            "本户没有该证件号码的成员，请先登记该成员（“家庭成员”表）",
        ),
        (
            ("E9", HEAD, "", "迁出", "2020-01-01", "", ""),
            "户编号",
            "户编号在系统和本文件中都不存在（或不在您的管辖范围内），请先导入该户",
        ),
        (("E1", HEAD, "", "出走", "2020-01-01", "", ""), "变动类型", None),
    ],
)
def test_each_bad_row_is_refused_with_row_column_reason_and_nothing_is_written(
    users, run_import, family, row, column, reason
):
    good = ("E1", WIFE, "", "婚入", "2019-10-01", "", "")
    before = snapshot()
    job = run_import(users["county"], events_file(good, row))
    assert job.status == ImportJob.Status.INVALID
    found = {(r, c) for r, c, _ in errors_of(job)}
    assert found == {(3, column)}, [(e["row"], e["column"], e["reason"]) for e in job.errors]
    if reason:
        assert reason in job.errors[0]["reason"]
    assert snapshot() == before


def test_order_rules_inside_the_file_at_the_boundaries(users, run_import, family):
    job = run_import(
        users["county"],
        events_file(
            ("E1", HEAD, "", "死亡", "2022-03-01", "", ""),
            ("E1", HEAD, "", "迁入", "2022-03-02", "", ""),  # the day after the death
            ("E1", WIFE, "", "迁出", "2020-01-01", "", ""),
            ("E1", WIFE, "", "婚出", "2020-06-01", "", ""),  # out already
            ("E1", BABY, "", "迁入", "2021-05-06", "", ""),  # on the birth day: fine
            ("E1", BABY, "", "婚入", "2021-06-01", "", ""),  # in already
        ),
    )
    assert job.status == ImportJob.Status.INVALID
    assert errors_of(job) == {
        (3, "日期", "该成员已于2022-03-01死亡，之后不能再有变动"),
        (5, "变动类型", "该成员此前已不在本户（2020-01-01 迁出），不能再“婚出”"),
        (7, "变动类型", "该成员此前已在本户（2021-05-06 迁入），不能再“婚入”"),
    }
    assert not MemberEvent.objects.exists()


def test_a_row_that_breaks_a_recorded_event_names_it(users, run_import, family):
    services.record_member_event(
        users["county"], family, {"id_number": HEAD, "kind": "death", "date": date(2022, 3, 1)}
    )
    job = run_import(users["county"], events_file(("E1", HEAD, "", "迁出", "2021-01-01", "", "")))
    assert job.status == ImportJob.Status.INVALID
    assert errors_of(job) == {
        (2, "变动类型", "与已登记的2022-03-01“死亡”矛盾：该成员此前已不在本户（2021-01-01 迁出），不能再“死亡”")
    }


def test_same_event_twice_in_one_file_and_another_areas_household(users, run_import, family, make_household):
    make_household(VILLAGE_B1, number="W1")
    job = run_import(
        users["village_a1"],
        events_file(
            ("E1", WIFE, "", "婚入", "2019-10-01", "", ""),
            ("E1", WIFE, "", "婚入", "2019-10-01", "", ""),
            ("W1", HEAD, "", "迁出", "2020-01-01", "", ""),
        ),
    )
    assert job.status == ImportJob.Status.INVALID
    assert {(r, c) for r, c, _ in errors_of(job)} == {(2, "变动类型"), (3, "变动类型"), (4, "户编号")}
    assert not MemberEvent.objects.exists()


def test_a_roster_and_its_events_in_one_workbook(users, run_import):
    """New members and their events in one file: the events find the members created by the same import."""
    kid = make_id("20200202")
    content = workbook(
        {
            "家庭成员": [
                ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系"),
                ("N1", VILLAGE_A1, "赵一", make_id("19800101"), "户主"),
                ("N1", VILLAGE_A1, "赵二", kid, "子女"),
            ],
            "成员变动": [HEADER, ("N1", kid, "", "出生", "2020-02-02", "", "")],
        }
    )
    job = run_import(users["county"], content, "户.xlsx")
    assert job.status == ImportJob.Status.DONE, [(e["row"], e["column"], e["reason"]) for e in job.errors]
    child = Member.objects.get(id_number=kid)
    assert child.events.get().kind == codes.MemberEventKind.BIRTH and child.joined_on == date(2020, 2, 2)


# ---- 家庭人口数 --------------------------------------------------------------------------------------------------


def incomes_file(*rows):
    return csv_text(("户编号", "年度", "家庭人口数", "工资性收入（含公益性岗位）"), *rows)


def test_income_persons_against_members_of_12_31_with_the_files_events(users, run_import, family):
    services.record_member_event(
        users["county"], family, {"id_number": BABY, "kind": "birth", "date": date(2021, 5, 6)}
    )
    services.record_member_event(
        users["county"], family, {"id_number": HEAD, "kind": "death", "date": date(2023, 12, 31)}
    )
    job = run_import(
        users["county"],
        incomes_file(("E1", "2020", "2", "1000"), ("E1", "2021", "3", "1000"), ("E1", "2023", "3", "1000")),
    )
    assert job.status == ImportJob.Status.INVALID
    # 2020: head and wife (the baby not born); 2021: all three; 2023: the head died on 12-31 itself
    assert errors_of(job) == {(4, "家庭人口数", "家庭人口数填的是3人，而2023年12月31日本户在册成员为2人")}
    assert not IncomeAccount.objects.exists()
    fixed = run_import(users["county"], incomes_file(("E1", "2020", "2", "1000"), ("E1", "2023", "2", "1000")))
    assert fixed.status == ImportJob.Status.DONE, fixed.errors
    assert IncomeAccount.objects.count() == 2


def test_income_persons_count_a_marriage_in_the_same_file(users, run_import, family):
    content = workbook(
        {
            "成员变动": [HEADER, ("E1", WIFE, "", "婚入", "2022-10-01", "", "")],
            "收入台账": [("户编号", "年度", "家庭人口数"), ("E1", "2021", "2"), ("E1", "2022", "3")],
        }
    )
    job = run_import(users["county"], content, "户.xlsx")
    assert job.status == ImportJob.Status.DONE, [(e["row"], e["column"], e["reason"]) for e in job.errors]
    # 2021: the head and the baby (the wife joined in 2022)
    bad = workbook({"收入台账": [("户编号", "年度", "家庭人口数"), ("E1", "2021", "3")]})
    job = run_import(users["county"], bad, "收入.xlsx")
    assert errors_of(job) == {(2, "家庭人口数", "家庭人口数填的是3人，而2021年12月31日本户在册成员为2人")}


def test_income_of_a_household_without_members_is_not_checked(users, run_import, make_household):
    make_household(VILLAGE_A1, number="Z1", members=[])
    job = run_import(users["county"], incomes_file(("Z1", "2022", "4", "1000")))
    assert job.status == ImportJob.Status.DONE, [(e["row"], e["column"], e["reason"]) for e in job.errors]


def test_a_row_refused_for_its_own_reason_is_not_blamed_again_and_the_job_page_names_the_sheet(
    users, run_import, family, client
):
    services.record_member_event(
        users["county"], family, {"id_number": BABY, "kind": "birth", "date": date(2021, 5, 6)}
    )
    job = run_import(users["village_a1"], events_file(("E1", BABY, "", "迁入", "2021-05-05", "", "")))
    assert errors_of(job) == {(2, "日期", "日期早于该成员的出生日期2021-05-06")}  # not also "the birth is not first"
    done = run_import(users["village_a1"], events_file(("E1", HEAD, "", "迁出", "2022-01-01", "", "")))
    client.force_login(users["village_a1"])
    page = client.get(f"/exchange/import/{done.pk}/").content.decode()
    assert "<td>成员变动</td>" in page and "member_events" not in page
