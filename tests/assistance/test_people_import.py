"""The people workbook: a real .xlsx (written with xlsxwriter) imported through exchange's reading and checks and
the people services, all or nothing; a bad row is reported by row and column in Chinese and nothing is written."""

import io
from datetime import date

import pytest
import xlsxwriter

from fupin.accounts.models import AuditEntry
from fupin.assistance.codes import SetPart
from fupin.assistance.models import Cadre, SetPost, TeamMember, Unit, WorkTeam
from fupin.assistance.services import people
from fupin.assistance.services.common import NotYours
from fupin.assistance.services.people_import import import_people, template_bytes
from fupin.exchange.reading.base import FileRefused
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db

UNITS = [
    ["单位名称", "单位类型", "所属区划代码", "联系人", "联系电话"],
    ["县农业农村局", "党政机关/事业单位", COUNTY, "周科长", "0351-2345678"],
]
CADRES = [
    ["姓名", "单位", "职级", "职务", "电话", "县级领导", "第一书记", "驻村队员", "所属区划代码"],
    ["钱县长", "县农业农村局", "县级干部", "副县长", "13900000001", "是", "否", "否", COUNTY],
    ["孙书记", "县农业农村局", "科级干部", "副局长", "13900000002", "否", "是", "是", COUNTY],
    ["李农技", "县农业农村局", "一般干部", "农艺师", "13900000003", "否", "否", "否", COUNTY],
]
TEAMS = [
    ["村代码", "批次", "派出单位", "进驻日期", "撤离日期", "队员姓名", "队员电话", "队内职务"],
    [VILLAGE_A1, "1", "县农业农村局", "2021-05-01", "", "孙书记", "13900000002", "第一书记"],
]
SET = [
    ["村代码", "力量类别", "干部/单位", "干部电话", "起始日期"],
    [VILLAGE_A1, "联系领导", "钱县长", "", "2021-05-01"],
    [VILLAGE_A1, "帮扶单位", "县农业农村局", "", "2021-05-01"],
    [VILLAGE_A1, "农技员", "李农技", "13900000003", "2021-06-01"],
]


def workbook(**sheets) -> io.BytesIO:
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"strings_to_numbers": False})
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
    book.close()
    stream.seek(0)
    return stream


def full(**changes):
    sheets = {"帮扶单位": UNITS, "帮扶干部": CADRES, "驻村工作队": TEAMS, "村级帮扶力量": SET}
    return workbook(**{**sheets, **changes})


def test_a_clean_workbook_writes_every_record_and_one_import_entry(users):
    county = users["county"]
    outcome = import_people(county, full(), "帮扶力量.xlsx")
    assert outcome.ok, outcome.errors
    assert outcome.counts == {"帮扶单位": 1, "帮扶干部": 3, "驻村工作队": 1, "村级帮扶力量": 3}
    assert Unit.objects.get().phone == "0351-2345678"
    leader = Cadre.objects.get(name="钱县长")
    assert (leader.level, leader.county_leader, leader.unit.name, leader.area_id) == (
        "county",
        True,
        "县农业农村局",
        COUNTY,
    )
    secretary = Cadre.objects.get(name="孙书记")
    assert secretary.first_secretary and secretary.team_member
    team = WorkTeam.objects.get()
    assert (team.village_id, team.batch, team.started_on, team.unit.name) == (
        VILLAGE_A1,
        1,
        date(2021, 5, 1),
        "县农业农村局",
    )
    assert TeamMember.objects.get().role == "first_secretary"
    on = date(2021, 6, 1)
    assert people.set_post_on(VILLAGE_A1, SetPart.AGRONOMIST, on).cadre.name == "李农技"
    assert people.set_post_on(VILLAGE_A1, SetPart.FIRST_SECRETARY, on).cadre == secretary
    assert people.village_set(county, VILLAGE_A1, on)["missing"] == []
    imports = AuditEntry.objects.filter(action="import")
    assert imports.count() == 1 and imports.get().changes["counts"] == outcome.counts
    assert AuditEntry.objects.filter(action="create", via="import", model="assistance.cadre").count() == 3


def test_importing_the_same_workbook_again_writes_nothing_new(users):
    import_people(users["county"], full(), "帮扶力量.xlsx")
    before = (Unit.objects.count(), Cadre.objects.count(), SetPost.objects.count(), TeamMember.objects.count())
    again = import_people(users["county"], full(), "帮扶力量.xlsx")
    assert again.ok, again.errors
    assert again.counts == {}
    assert (Unit.objects.count(), Cadre.objects.count(), SetPost.objects.count(), TeamMember.objects.count()) == before


def test_a_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(users):
    bad = [CADRES[0], CADRES[1], ["周干部", "县农业农村局", "厅级干部", "", "13900000009", "否", "否", "否", COUNTY]]
    outcome = import_people(users["county"], full(帮扶干部=bad), "帮扶力量.xlsx")
    assert not outcome.ok
    (error,) = outcome.errors
    assert (error["sheet"], error["row"], error["header"], error["letter"]) == ("帮扶干部", 3, "职级", "C")
    assert error["value"] == "厅级干部" and "不在代码表中" in error["reason"]
    assert not Unit.objects.exists() and not Cadre.objects.exists() and not AuditEntry.objects.exists()


def test_a_row_the_service_refuses_is_reported_on_its_column_and_the_whole_file_rolls_back(users):
    bad_phone = [*CADRES, ["吴干部", "县农业农村局", "一般干部", "", "12345", "否", "否", "否", COUNTY]]
    outcome = import_people(users["county"], full(帮扶干部=bad_phone), "帮扶力量.xlsx")
    (error,) = outcome.errors
    assert (error["row"], error["header"], error["letter"]) == (5, "电话", "E")
    assert "11位手机号码" in error["reason"]
    assert not Unit.objects.exists() and not Cadre.objects.exists() and not WorkTeam.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_unknown_cadre_of_a_team_names_the_members_column(users):
    teams = [TEAMS[0], [VILLAGE_A1, "1", "", "2021-05-01", "", "无此人", "", "队员"]]
    outcome = import_people(users["county"], full(驻村工作队=teams), "x.xlsx")
    (error,) = outcome.errors
    assert (error["sheet"], error["row"], error["header"], error["letter"]) == ("驻村工作队", 2, "队员姓名", "F")
    assert "未找到干部" in error["reason"]
    assert not WorkTeam.objects.exists()


def test_a_village_clerk_cannot_import_another_villages_records(users):
    units = [UNITS[0], ["邻村合作社", "企业", VILLAGE_A2, "", ""]]
    outcome = import_people(users["village_a1"], workbook(帮扶单位=units), "x.xlsx")
    (error,) = outcome.errors
    assert (error["header"], error["letter"]) == ("所属区划代码", "C") and "不在您的管辖范围内" in error["reason"]
    assert not Unit.objects.exists()
    with pytest.raises(NotYours):
        import_people(users["cadre_a1"], full(), "x.xlsx")
    with pytest.raises(FileRefused):
        import_people(users["county"], workbook(随便=[["甲", "乙"], ["1", "2"]]), "x.xlsx")


def test_the_template_is_a_workbook_with_the_four_sheets(users):
    import fastexcel

    path = io.BytesIO(template_bytes())
    names = fastexcel.read_excel(path.getvalue()).sheet_names
    assert names[:4] == ["帮扶单位", "帮扶干部", "驻村工作队", "村级帮扶力量"]


def test_a_villages_batches_are_written_in_the_order_they_arrived(users):
    teams = [
        TEAMS[0],
        [VILLAGE_A1, "2", "", "2023-05-01", "", "", "", ""],
        [VILLAGE_A1, "1", "", "2021-05-01", "2023-04-30", "", "", ""],
    ]
    outcome = import_people(users["county"], workbook(驻村工作队=teams), "x.xlsx")
    assert outcome.ok, outcome.errors
    assert people.set_post_on(VILLAGE_A1, SetPart.TEAM, date(2023, 4, 30)).team.batch == 1
    assert people.set_post_on(VILLAGE_A1, SetPart.TEAM, date(2023, 5, 1)).team.batch == 2
