"""The monthly bulletin worked out by hand: a road of 东乡镇 (2.5 km, 120.5 万元) and a well project of 西乡镇 (10 口,
50 万元, planned to end 2025-05-31), both in the plan on 2025-03-28, and a proposal of 东二村 not in it."""

from datetime import date
from decimal import Decimal

import fastexcel
import pytest

from fupin.accounts.models import AuditEntry
from fupin.funds.services import bulletin, disbursements, implementation, project_export, projects
from tests.factories import VILLAGE_A2, VILLAGE_B1
from tests.funds.projects_helpers import accept, proposal, sources, walk_to_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, make_household):
    road = walk_to_plan(users, projects.propose(users["village_a1"], **proposal(make_household())))
    implementation.start(users["township_a"], road, on=date(2025, 4, 2))
    implementation.report_progress(users["township_a"], road, month=date(2025, 5, 1), quantity_done="1.2")
    implementation.report_progress(users["township_a"], road, month=date(2025, 6, 1), quantity_done="2.5")
    central, _ = sources()
    disbursements.record(users["township_a"], road, source_id=central.pk, amount="60.1234", on=date(2025, 5, 3))
    disbursements.record(users["county"], road, source_id=central.pk, amount="39.8766", on=date(2025, 7, 1))
    accept(users, road, on=date(2025, 10, 10))
    wells = proposal(
        make_household(VILLAGE_B1),
        area_code=VILLAGE_B1,
        name="西一村水井",
        project_type="water",
        category="water",
        department="water",
        unit="well",
        planned_quantity="10",
        cost="50",
        planned_end=date(2025, 5, 31),
        funding=[{"source_id": central.pk, "amount": "50"}],
    )
    county = {"users": {name: users["county"] for name in users}}
    well = projects.propose(users["county"], **wells)
    walk_to_plan(county["users"], well)
    implementation.start(users["county"], well, on=date(2025, 4, 10))
    implementation.report_progress(users["county"], well, month=date(2025, 4, 1), quantity_done="4")
    disbursements.record(users["county"], well, source_id=central.pk, amount="12.5", on=date(2025, 4, 20))
    projects.propose(users["village_a2"], **proposal(area_code=VILLAGE_A2, name="东二村产业园"))
    return road, well


def _rows(content) -> list[list]:
    table = fastexcel.read_excel(content).load_sheet(0, header_row=None).to_arrow().to_pylist()
    return [list(row.values()) for row in table]


def _line(row):
    return (row.name, row.planned, row.started, row.completed, row.funds_planned, row.funds_paid, row.paid_rate,
            row.physical_rate, [p.name for p in row.late])  # fmt: skip


def test_june_by_township(users, world):
    data = bulletin.bulletin(users["county"], date(2025, 6, 15))
    assert data["as_of"] == date(2025, 6, 30)
    assert [_line(r) for r in data["rows"]] == [
        ("东乡镇", 1, 1, 0, Decimal("120.5000"), Decimal("60.1234"), Decimal("0.4989"), Decimal("1.0000"), []),
        (
            "西乡镇",
            1,
            1,
            0,
            Decimal("50.0000"),
            Decimal("12.5000"),
            Decimal("0.2500"),
            Decimal("0.4000"),
            ["西一村水井"],
        ),
    ]
    assert _line(data["total"]) == (
        "合计",
        2,
        2,
        0,
        Decimal("170.5000"),
        Decimal("72.6234"),
        Decimal("0.4259"),
        Decimal("0.7000"),
        ["西一村水井"],
    )
    assert [(u["unit"], u["planned"], u["done"]) for u in data["units"]] == [
        ("公里", Decimal("2.5"), Decimal("2.5")),
        ("口", Decimal("10"), Decimal("4")),
    ]


def test_march_and_october(users, world):
    march = bulletin.bulletin(users["county"], date(2025, 3, 1))["total"]
    assert (march.planned, march.started, march.funds_paid, march.paid_rate, march.physical_rate) == (
        2,
        0,
        Decimal("0.0000"),
        Decimal("0.0000"),
        Decimal("0.0000"),
    )
    assert bulletin.bulletin(users["county"], date(2025, 2, 1))["total"].planned == 0  # not yet in the plan
    october = bulletin.bulletin(users["county"], date(2025, 10, 31))["rows"][0]
    assert (october.completed, october.funds_paid, october.paid_rate, october.late) == (
        1,
        Decimal("100.0000"),
        Decimal("0.8299"),
        [],
    )


def test_by_department_and_scoped(users, world):
    rows = bulletin.bulletin(users["county"], date(2025, 6, 1), by="department")["rows"]
    assert [(r.name, r.planned) for r in rows] == [("交通运输局", 1), ("水利局", 1)]
    mine = bulletin.bulletin(users["township_a"], date(2025, 6, 1))
    assert [r.name for r in mine["rows"]] == ["东乡镇"] and mine["total"].planned == 1


def test_the_bulletin_and_library_as_xlsx(users, world):
    content, name, _ = project_export.export_bulletin(users["county"], date(2025, 6, 1))
    sheet = _rows(content)
    assert name == "项目进度通报-202506.xlsx"
    assert sheet[0][0] == "2025年6月扶贫项目进度通报" and sheet[1][0] == "填报单位：山西省示范市示范县"
    assert sheet[4][:9] == ["东乡镇", "1", "1", "0", "120.5", "60.1234", "0.4989", "1", "0"]
    assert sheet[6][:10] == ["合计", "2", "2", "0", "170.5", "72.6234", "0.4259", "0.7", "1", "西一村水井"]
    content, name, _ = project_export.export_library(
        users["township_a"], projects.Project.objects.restrict(users["township_a"]), filters={}
    )
    rows = _rows(content)[3:]
    assert sorted(r[1] for r in rows) == ["东一村三组通组硬化路", "东二村产业园"]
    road = next(r for r in rows if r[1] == "东一村三组通组硬化路")
    assert (road[10], road[11], road[12], road[16]) == ("120.5", "120.5", "100", "已验收")
    assert AuditEntry.objects.filter(action="export", model="funds.project").count() == 2


def test_seed_004s_road_kilometres(users, make_household):
    """Seed 004: 97.05 km of road planned, 42.7 km done — two road projects of 60.35 km and 36.7 km, 30.2 km and
    12.5 km reported; and a second report of a month corrects its first."""
    county = users["county"]
    central, _ = sources()
    plan = {name: users["county"] for name in users}
    for name, planned, done in (("甲路", "60.35", "30.2"), ("乙路", "36.7", "12.5")):
        data = proposal(make_household(), name=name, planned_quantity=planned, cost="10",
                        funding=[{"source_id": central.pk, "amount": "10"}])  # fmt: skip
        project = walk_to_plan(plan, projects.propose(county, **data))
        implementation.start(county, project, on=date(2025, 4, 1))
        implementation.report_progress(county, project, month=date(2025, 8, 1), quantity_done="1")
        implementation.report_progress(county, project, month=date(2025, 8, 1), quantity_done=done)
    units = bulletin.bulletin(county, date(2025, 8, 1))["units"]
    assert [(u["unit"], u["planned"], u["done"]) for u in units] == [("公里", Decimal("97.05"), Decimal("42.7"))]
