"""A county adopts fupin (issue 12's "done when"): its registry and its whole history come in as one workbook —
households (one of them with the national system's history columns on its row), members, status events, member
events (a birth and a death), village events and the county's rural population per year — and the figures of three
dates come out right through the service, the API and the CLI.

The county and its figures are worked by hand in tests/registry/test_figures.py (there the same county is built
through the services one record at a time); here it arrives by import, so both paths must give the same figures.
"""

import io
import json

import pytest
from django.core.management import call_command

from fupin.accounts.models import AuditEntry
from fupin.exchange.models import ImportJob
from fupin.registry import codes, services
from fupin.registry.models import Household, MemberEvent, StatusEvent, VillageEvent
from tests.factories import COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_id
from tests.registry.test_figures import DAYS, EXPECTED, _picked

from .test_history import workbook

IDS = {
    name: make_id(birth)
    for name, birth in (
        ("甲一", "19700101"),
        ("甲二", "19720101"),
        ("甲三", "19950101"),
        ("乙一", "19600101"),
        ("丙一", "19650301"),
        ("丙二", "19670401"),
        ("丙奶奶", "19350101"),
        ("丙宝宝", "20180506"),
        ("丁一", "19800101"),
        ("丁二", "19820101"),
    )
}
MEMBERS = [
    ("H1", "甲一", "户主"),
    ("H1", "甲二", "配偶"),
    ("H1", "甲三", "子女"),
    ("H2", "乙一", "户主"),
    ("H3", "丙一", "户主"),
    ("H3", "丙二", "配偶"),
    ("H3", "丙奶奶", "父母"),
    ("H3", "丙宝宝", "子女"),
    ("H4", "丁一", "户主"),
    ("H4", "丁二", "配偶"),
]


def county_workbook() -> bytes:
    """The county of tests/registry/test_figures.py as a county office's export: H1's history on its household
    row (首次识别时间, 脱贫时间, 当前状态), the others' in the 状态变更 sheet."""
    return workbook(
        {
            "农户": [
                ("户编号", "行政区划代码", "户主姓名", "首次识别时间", "脱贫时间", "当前状态"),
                ("H1", VILLAGE_A1, "甲一", "2014-10-15", "2017-11-20", "已脱贫"),
                ("H2", VILLAGE_A1, "乙一", "", "", ""),
                ("H3", VILLAGE_A2, "丙一", "", "", ""),
                ("H4", VILLAGE_B1, "丁一", "", "", ""),
            ],
            "家庭成员": [("户编号", "姓名", "证件号码", "与户主关系")]
            + [(number, name, IDS[name], relation) for number, name, relation in MEMBERS],
            "状态变更": [
                ("户编号", "事件", "日期", "原因/依据", "审批人/审批单位", "监测对象类别", "风险类型", "消除方式"),
                ("H2", "识别为贫困户", "2014-10-15", "两公示一公告", "示范县扶贫开发领导小组", "", "", ""),
                ("H2", "脱贫退出", "2016-11-10", "", "", "", "", ""),
                ("H2", "返贫", "2018-03-01", "因病", "", "", "", ""),
                ("H2", "脱贫退出", "2020-11-20", "", "", "", "", ""),
                ("H3", "识别为贫困户", "2014-10-15", "", "", "", "", ""),
                ("H3", "脱贫退出", "2019-11-15", "", "", "", "", ""),
                ("H4", "纳入监测", "2020-04-01", "", "", "边缘易致贫户", "因病", ""),
                ("H4", "风险消除", "2021-06-01", "", "", "", "", "帮扶消除"),
            ],
            "成员变动": [
                ("户编号", "证件号码", "姓名", "变动类型", "日期", "迁出/迁入户编号", "原因/依据"),
                ("H3", IDS["丙宝宝"], "丙宝宝", "出生", "2018-05-06", "", ""),
                ("H3", IDS["丙奶奶"], "丙奶奶", "死亡", "2019-02-01", "", "病故"),
            ],
            "贫困村": [
                ("行政区划代码", "事件", "日期", "批准文号", "原因/依据"),
                (VILLAGE_A1, "识别为贫困村", "2014-10-31", "", ""),
                (VILLAGE_A1, "贫困村出列", "2017-12-20", "示政发〔2017〕9号", ""),
                (VILLAGE_A2, "识别为贫困村", "2014-10-31", "", ""),
                (VILLAGE_A2, "列为深度贫困村", "2017-09-01", "", ""),
                (VILLAGE_A2, "贫困村出列", "2019-12-20", "", ""),
                (VILLAGE_B1, "列为有扶贫任务的村", "2014-10-31", "", ""),
            ],
            "农村户籍人口": [
                ("区划代码", "年度", "农村户籍人口", "农村户籍户数", "数据来源"),
                (COUNTY, 2016, 100, 30, "县统计局"),
                (COUNTY, 2018, 125, 35, "县统计局"),
            ],
        }
    )


@pytest.fixture
def imported(users, run_import):
    job = run_import(users["county"], county_workbook(), "示范县历史.xlsx")
    assert job.status == ImportJob.Status.DONE, (job.message, job.errors)
    return job


def test_the_whole_county_comes_in_with_its_history(imported):
    counts = imported.counts
    assert counts["households"]["new"] == 4 and counts["members"]["new"] == 10
    assert counts["status_events"]["new"] == 10  # H1's two from its row, eight from the sheet
    assert counts["member_events"]["new"] == 2 and counts["village_events"]["new"] == 6
    assert counts["populations"]["new"] == 2
    statuses = dict(Household.objects.values_list("number", "status"))
    assert statuses == {"H1": "exited", "H2": "exited", "H3": "exited", "H4": "risk_eliminated"}
    h4 = Household.objects.get(number="H4")
    assert (h4.monitoring_category, h4.risk_eliminated, h4.risk_elimination_way) == ("2", True, "1")
    assert h4.household_type == codes.HouseholdType.MONITORED
    grandmother = MemberEvent.objects.get(kind="death").member
    assert grandmother.name == "丙奶奶" and str(grandmother.left_on) == "2019-02-01"
    assert StatusEvent.objects.filter(household__number="H1").count() == 2
    # every record the import made is in the audit log, each pointing at the file
    made = AuditEntry.objects.filter(action="create", via="import")
    assert made.filter(model="registry.statusevent").count() == 10
    assert made.filter(model="registry.villageevent").count() == 6


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_figures_of_three_dates_through_the_service(imported, users, day):
    assert _picked(services.figures_as_of(users["county"], COUNTY, day).as_dict()) == EXPECTED[day]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_figures_of_three_dates_through_the_api(imported, api_as, day):
    response = api_as("county").get("/figures", area=COUNTY, as_of=day.isoformat())
    assert response.status_code == 200 and _picked(response.json()) == EXPECTED[day]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_figures_of_three_dates_through_the_cli(imported, day):
    out = io.StringIO()
    call_command("figures", "--area", COUNTY, "--as-of", day.isoformat(), "--json", stdout=out)
    assert _picked(json.loads(out.getvalue())) == EXPECTED[day]


def test_importing_the_same_history_again_changes_nothing(imported, users, run_import):
    before = (StatusEvent.objects.count(), MemberEvent.objects.count(), VillageEvent.objects.count())
    audits = AuditEntry.objects.count()
    again = run_import(users["county"], county_workbook(), "示范县历史.xlsx")
    assert again.status == ImportJob.Status.DONE
    assert all(c["new"] == 0 and c["updated"] == 0 for c in again.counts.values()), again.counts
    assert (StatusEvent.objects.count(), MemberEvent.objects.count(), VillageEvent.objects.count()) == before
    assert AuditEntry.objects.count() == audits + 1  # only the import itself is recorded
