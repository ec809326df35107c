"""Department data as early warning: matching by every ID form, the pack's thresholds at their boundary, the report
back, raising nothing twice, Chinese errors with row and column, and who sees which upload."""

from datetime import date, timedelta

import fastexcel
import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.core.errors import PermissionDenied
from fupin.exchange.reading.base import FileRefused
from fupin.monitoring.models import Clue, DepartmentDesk, DepartmentRow, DepartmentUpload
from fupin.monitoring.services.departments import clue_rows, import_department_file, uploads_of
from fupin.registry.models import Household, Member
from tests.factories import VILLAGE_A1, VILLAGE_B1, make_id

ON = date(2026, 12, 3)  # a Thursday: a clue is to be accepted within 2 calendar days (national-2020)
MEDICAL = "证件号码,姓名,三重保障后个人负担（元）\n"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Reports back under the test's own folder, never the working directory."""
    settings.MONITORING_FILES_DIR = tmp_path / "monitoring"


@pytest.fixture
def desk(users):
    DepartmentDesk.objects.create(user=users["department"], department="medical")
    return users["department"]


def person(make_household, *, status="ordinary", village=VILLAGE_A1, **member):
    """A household of one member; returns the member (status set as the registry's events would leave it)."""
    household = make_household(village, members=[{"name": "张大山", "relation": "01", **member}])
    Household.objects.filter(pk=household.pk).update(status=status)
    return household.members.get()


def upload(user, tmp_path, text, *, department="medical", period="2026-11", name="医保.csv", on=ON):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_department_file(
        user, department=department, path=path, period=period, reported_on=on, filename=name, via="test"
    )


def test_medical_thresholds_at_the_boundary(desk, make_household, tmp_path):
    poor_at, poor_over = (person(make_household, status="exited") for _ in range(2))
    plain_at, plain_over = (person(make_household) for _ in range(2))
    assisted = person(make_household, dibao=True)  # a 低保 member of an ordinary household is low-income too
    rows = [
        (poor_at, "10000"),
        (poor_over, "10000.01"),
        (plain_at, "26000.00"),
        (plain_over, '"26,000.01"'),
        (assisted, "10000.01"),
    ]
    done = upload(desk, tmp_path, MEDICAL + "".join(f"{m.id_number},{m.name},{v}\n" for m, v in rows))

    assert (done.rows, done.matched, done.unmatched, done.ambiguous, done.invalid) == (5, 5, 0, 0, 0)
    assert (done.above_threshold, done.clues_raised, done.already_raised) == (3, 3, 0)
    clues = Clue.objects.order_by("id")
    assert [c.household_id for c in clues] == [poor_over.household_id, plain_over.household_id, assisted.household_id]
    first = clues[0]
    assert (first.channel, first.department, first.risk_types) == ("department", "medical", ["01"])
    assert (first.reported_on, first.accept_due, first.village_id) == (ON, ON + timedelta(days=2), VILLAGE_A1)
    assert first.description == "医保数据（2026-11）：个人负担 10,000.01 元，超过低收入人口预警标准 10,000 元"
    assert clues[1].description == "医保数据（2026-11）：个人负担 26,000.01 元，超过一般人口预警标准 26,000 元"
    assert first.source_ref.startswith("dept:medical:") and len({c.source_ref for c in clues}) == 3
    kept = DepartmentRow.objects.filter(upload=done)
    assert sorted((r.row, r.outcome, r.clue_id is not None) for r in kept) == [
        (3, "clue", True),
        (5, "clue", True),
        (6, "clue", True),
    ]
    entry = AuditEntry.objects.get(action=Action.IMPORT, model="monitoring.departmentupload")
    assert entry.object_id == str(done.pk) and entry.changes["clues_raised"] == 3 and entry.via == "test"


def test_legacy_and_disability_certificate_numbers_match(desk, make_household, tmp_path):
    legacy, cert20, cert22 = (person(make_household, status="exited") for _ in range(3))
    id15 = legacy.id_number[:6] + legacy.id_number[8:17]
    text = MEDICAL + f"{id15},甲,20000\n{cert20.id_number}41,乙,20000\n{cert22.id_number}4101,丙,20000\n"
    done = upload(desk, tmp_path, text)
    assert (done.rows, done.matched, done.clues_raised) == (3, 3, 3)
    assert sorted(Clue.objects.values_list("id_number", flat=True)) == sorted(
        m.id_number for m in (legacy, cert20, cert22)
    )


def test_unmatched_ambiguous_and_invalid_rows_are_reported_back(desk, make_household, tmp_path):
    twin_a = person(make_household, status="exited")
    twin_b = person(make_household, village=VILLAGE_B1)
    Member.objects.filter(pk=twin_b.pk).update(id_number=twin_a.id_number)  # a registry error the county must fix
    stranger = make_id("19700505")
    text = MEDICAL + f"{twin_a.id_number},张大山,50000\n{stranger},李四,50000\n110105199003071235,王五,50000\n"
    done = upload(desk, tmp_path, text)

    assert (done.rows, done.matched, done.unmatched, done.ambiguous, done.invalid) == (3, 0, 1, 1, 1)
    assert done.clues_raised == 0 and not Clue.objects.exists()
    kept = {r.row: r for r in DepartmentRow.objects.filter(upload=done)}
    assert (kept[2].outcome, kept[3].outcome, kept[4].outcome) == ("ambiguous", "unmatched", "invalid")
    assert kept[3].id_number == stranger and kept[3].name == "李四"
    assert kept[4].reason == "A列“证件号码”：校验码错误：应为“9”，实际为“5”"  # GB 11643 of 11010519900307123
    path = tmp_path / "report.xlsx"
    path.write_bytes(done.report.read())
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string").to_arrow().to_pylist()
    assert [(r["原行号"], r["结果"]) for r in sheet] == [
        ("2", "证件号码对应多名在册人员"),
        ("3", "未匹配到在册人员"),
        ("4", "数据有误"),
    ]
    # the report is masked as a department sees ID numbers: region and last four digits
    assert sheet[1]["证件号码"] == stranger[:6] + "********" + stranger[-4:]
    assert sheet[1]["原因"] == "系统中没有该证件号码的在册人员（本区域内）"


def test_the_same_file_twice_raises_nothing_twice(desk, make_household, tmp_path):
    one, two = (person(make_household) for _ in range(2))
    text = MEDICAL + f"{one.id_number},甲,30000\n{one.id_number},甲,31000\n"
    first = upload(desk, tmp_path, text)
    assert (first.above_threshold, first.clues_raised, first.already_raised) == (2, 1, 1)  # once in the file too
    again = upload(desk, tmp_path, text, name="医保（重传）.csv")
    assert (again.rows, again.above_threshold, again.clues_raised, again.already_raised) == (2, 2, 0, 2)
    assert set(DepartmentRow.objects.filter(upload=again).values_list("outcome", flat=True)) == {"already"}
    # the same row in another file with a new one: only the new one is raised
    more = upload(desk, tmp_path, text + f"{two.id_number},乙,40000\n", name="医保第二批.csv")
    assert (more.clues_raised, more.already_raised) == (1, 2)
    assert Clue.objects.count() == 2
    # another period is another warning
    later = upload(desk, tmp_path, text, period="2026-12")
    assert later.clues_raised == 1 and Clue.objects.count() == 3


def test_a_bad_cell_gets_a_chinese_error_with_row_and_column(desk, make_household, tmp_path):
    member = person(make_household)
    text = MEDICAL + f"{member.id_number},甲,三万\n{member.id_number},甲,\n"
    done = upload(desk, tmp_path, text)
    assert (done.rows, done.invalid, done.clues_raised) == (2, 2, 0)
    reasons = dict(DepartmentRow.objects.filter(upload=done).values_list("row", "reason"))
    assert reasons == {
        2: "C列“三重保障后个人负担（元）”：不是金额数字",
        3: "C列“三重保障后个人负担（元）”：必填，不能为空",
    }


def test_refusals_change_nothing(users, desk, tmp_path):
    with pytest.raises(FileRefused, match="是“民政新增救助”的数据，不是所选的“医保医疗费用”"):
        upload(desk, tmp_path, "证件号码,姓名,救助类型\n110105199003071234,甲,低保\n")
    with pytest.raises(PermissionDenied, match="您不能上传民政的预警数据"):
        upload(desk, tmp_path, "证件号码,姓名,救助类型\n110105199003071234,甲,低保\n", department="civil")
    with pytest.raises(PermissionDenied, match="您的角色|不能上传"):
        upload(users["village_a1"], tmp_path, MEDICAL + "110105199003071234,甲,1\n")
    with pytest.raises(Exception, match="数据期间“2026-13”应写成年-月"):
        upload(desk, tmp_path, MEDICAL + "110105199003071234,甲,1\n", period="2026-13")
    assert not DepartmentUpload.objects.exists() and not Clue.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.IMPORT).exists()


def test_a_department_user_without_a_desk_is_told_so(users, tmp_path):
    with pytest.raises(PermissionDenied, match="还没有指定所属部门"):
        upload(users["department"], tmp_path, MEDICAL + "110105199003071234,甲,1\n")
    assert not DepartmentUpload.objects.exists()


def test_a_desk_sees_only_its_departments_uploads(users, desk, make_household, tmp_path):
    member = person(make_household)
    mine = upload(desk, tmp_path, MEDICAL + f"{member.id_number},甲,30000\n")
    civil = upload(
        users["county"], tmp_path, f"证件号码,姓名,救助类型\n{member.id_number},甲,特困\n", department="civil"
    )
    assert civil.clues_raised == 1 and Clue.objects.get(department="civil").risk_types == ["99"]
    assert list(uploads_of(desk)) == [mine]
    assert set(uploads_of(users["county"])) == {mine, civil}
    assert not uploads_of(users["village_a1"]).exists()
    assert [r.clue.department for r in clue_rows(desk)] == ["medical"]
    DepartmentDesk.objects.filter(user=desk).delete()
    desk.refresh_from_db()
    assert not uploads_of(desk).exists()


def test_a_death_warns_only_for_a_member_with_labour_capacity(users, make_household, tmp_path):
    worker = person(make_household, labour_capacity="01")
    retired = person(make_household, labour_capacity="04")
    text = f"证件号码,姓名,死亡日期\n{worker.id_number},甲,2026-11-20\n{retired.id_number},乙,2026/11/21\n"
    done = upload(users["county"], tmp_path, text, department="police")
    assert (done.matched, done.above_threshold, done.clues_raised) == (2, 1, 1)
    assert Clue.objects.get().household_id == worker.household_id
    assert Clue.objects.get().risk_types == ["04"]


def test_a_disaster_loss_carries_its_own_risk_type(users, make_household, tmp_path):
    member = person(make_household)
    text = f"证件号码,姓名,灾害类型,损失（元）\n{member.id_number},甲,洪涝,12000\n{member.id_number},甲,地震,9000\n"
    done = upload(users["county"], tmp_path, text, department="emergency")
    assert (done.above_threshold, done.clues_raised) == (1, 1)
    assert Clue.objects.get().risk_types == ["0201"]


def test_a_gbk_file_from_the_department_and_the_civil_labels(make_household, tmp_path, users):
    """Departments' systems export CSV in GBK as often as UTF-8: the same reader as the registry's imports takes it.
    A 民政 row's clue names the assistance by its label (低保), not its code."""
    member = person(make_household)
    path = tmp_path / "民政.csv"
    path.write_bytes(
        f"证件号码,姓名,救助类型,批准日期\n{member.id_number},{member.name},低保,2026-11-20\n".encode("gbk")
    )
    clerk = users["department"]
    DepartmentDesk.objects.create(user=clerk, department="civil")
    done = import_department_file(
        clerk, department="civil", path=path, period="2026-11", reported_on=ON, filename="民政.csv", via="test"
    )
    assert (done.rows, done.matched, done.clues_raised) == (1, 1, 1)
    assert Clue.objects.get().description == "民政数据（2026-11）：新增救助 低保"
