"""A village's road project walked through every step of the default procedure (户申请 → 村提议 → 队帮扶 → 乡统筹 →
县审定 → 入年度计划), then started, reported, paid, accepted, audited and announced — each step's row, the stage and
the audit log checked; a return to the proposer, its revision and resubmission."""

from datetime import date
from decimal import Decimal

import pytest

from fupin.accounts.models import AuditEntry
from fupin.funds import codes
from fupin.funds.models import Disbursement, ProcedureStep, Progress, ProjectStep
from fupin.funds.services import disbursements, implementation, procedure, projects
from tests.factories import COUNTY, TOWNSHIP_A
from tests.funds.projects_helpers import ALL_MET, WALK, accept, proposal, sources, walk_to_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(make_household):
    return make_household()


def test_the_default_procedure_is_written_for_a_county_that_has_none(areas):
    assert not ProcedureStep.objects.filter(county_id=COUNTY).exists()
    steps = procedure.procedure_of(COUNTY)
    assert [s.code for s in steps] == ["apply", "village", "team", "township", "county", "plan"]
    assert [s.notice_days for s in steps] == [0, 10, 0, 0, 10, 0]
    assert steps[3].criteria == codes.TOWNSHIP_CRITERIA
    assert ProcedureStep.objects.filter(county_id=COUNTY).count() == 6
    procedure.procedure_of(COUNTY)  # read again: not written twice
    assert ProcedureStep.objects.filter(county_id=COUNTY).count() == 6


def test_a_village_proposal_walks_every_step_to_an_accepted_project(users, household):
    project = projects.propose(users["village_a1"], via="test", **proposal(household))
    assert (project.stage, project.step, project.proposer_level) == ("proposed", "apply", "village")
    assert project.county_id == COUNTY and project.cost == Decimal("120.5000")
    assert project.planned_quantity == Decimal("2.500")
    assert [(b.household_id, b.way) for b in project.beneficiaries.all()] == [(household.pk, "wage")]
    assert sum(f.amount for f in project.funding.all()) == Decimal("120.5")

    walk_to_plan(users, project)
    assert (project.stage, project.step) == ("planned", "")
    rows = list(ProjectStep.objects.filter(project=project).order_by("id"))
    assert [(r.step, r.decision, r.on) for r in rows] == [(s, "approve", on) for s, _, on, _ in WALK]
    village, county = rows[1], rows[4]
    assert (village.notice_from, village.notice_to) == (date(2025, 3, 2), date(2025, 3, 12))
    assert (county.notice_from, county.notice_to) == (date(2025, 3, 16), date(2025, 3, 26))
    assert rows[3].criteria == {name: True for name in codes.TOWNSHIP_CRITERIA}
    assert rows[3].by == users["township_a"]
    assert AuditEntry.objects.filter(model="funds.projectstep", object_id__in=[r.pk for r in rows]).count() == 6

    implementation.start(users["township_a"], project, on=date(2025, 4, 2), via="test")
    implementation.report_progress(users["township_a"], project, month=date(2025, 5, 20), quantity_done="1.2")
    implementation.report_progress(users["township_a"], project, month=date(2025, 6, 1), quantity_done="2.5")
    assert list(Progress.objects.filter(project=project).values_list("month", "quantity_done")) == [
        (date(2025, 5, 1), Decimal("1.200")),
        (date(2025, 6, 1), Decimal("2.500")),
    ]
    central, own = sources()
    disbursements.record(users["township_a"], project, source_id=central.pk, amount="60.1234", on=date(2025, 5, 3))
    disbursements.record(users["county"], project, source_id=central.pk, amount="39.8766", on=date(2025, 7, 1))
    paid = Disbursement.objects.filter(project=project).order_by("on")
    assert [(d.area_id, d.department, d.amount) for d in paid] == [
        (TOWNSHIP_A, "", Decimal("60.1234")),
        (COUNTY, "transport", Decimal("39.8766")),
    ]
    assert paid[0].year == 2025 and paid[0].category == "group_road" and paid[0].county_id == COUNTY
    assert disbursements.paid_by_source(project) == {central.pk: Decimal("100.0000")}

    accept(users, project)
    project.refresh_from_db()
    assert (project.stage, project.accepted_on, project.acceptance_result) == ("accepted", date(2025, 10, 10), "passed")
    assert [t.actual for t in project.targets.all()] == ["2.5公里", "1户"]
    implementation.record_audit(users["inspector"], project, on=date(2025, 11, 3), opinion="资金使用规范")
    implementation.complete(users["county"], project, on=date(2025, 11, 10))
    project.refresh_from_db()
    assert (project.stage, project.audited_on, project.completion_notice_on) == (
        "completed",
        date(2025, 11, 3),
        date(2025, 11, 10),
    )


def test_a_returned_proposal_is_revised_and_resubmitted(users, household):
    project = projects.propose(users["village_a1"], via="test", **proposal(household))
    for step, who, on, notice in WALK[:3]:
        projects.take_step(users[who], project, step=step, decision="approve", on=on, notice_from=notice)
    projects.take_step(
        users["township_a"],
        project,
        step="township",
        decision="return",
        on=date(2025, 3, 15),
        comment="造价偏高",
        criteria={**ALL_MET, "投资估算": False},
    )
    project.refresh_from_db()
    assert (project.stage, project.step) == ("proposed", "apply")
    data = proposal(household, cost="110", funding=[{"source_id": sources()[0].pk, "amount": "110"}])
    data.pop("area_code")
    projects.revise(users["village_a1"], project, via="test", **data)
    project.refresh_from_db()
    assert project.cost == Decimal("110.0000") and project.funding.get().amount == Decimal("110.0000")
    projects.take_step(users["village_a1"], project, step="apply", decision="approve", on=date(2025, 3, 16))
    project.refresh_from_db()
    assert project.step == "village"
    assert AuditEntry.objects.filter(model="funds.project", object_id=str(project.pk), action="update").exists()


def test_a_township_proposal_enters_at_the_township_step(users):
    project = projects.propose(users["township_a"], via="test", **proposal(area_code=TOWNSHIP_A, name="东乡镇产业路"))
    assert (project.proposer_level, project.step) == ("township", "township")


def test_a_refused_step_closes_the_project(users, household):
    project = projects.propose(users["village_a1"], via="test", **proposal(household))
    projects.take_step(
        users["village_a1"], project, step="apply", decision="refuse", on=date(2025, 3, 1), comment="不符合条件"
    )
    project.refresh_from_db()
    assert (project.stage, project.step) == ("refused", "")
