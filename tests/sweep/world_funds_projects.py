"""The sweep's funds records (projects), all in 东一村: a proposal at 户申请, a project in the plan, one under way
(late by June 2025, so the bulletin names it; with an acceptance report on file), one accepted and one accepted and
audited; the county's sources they are paid from. Joined into tests/sweep/world.py."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.funds import codes
from fupin.funds.models import FundSource
from fupin.funds.services import implementation, project_files, projects
from tests.factories import COUNTY, VILLAGE_A1

PROPOSED_A1 = "东一村蘑菇大棚"
PLANNED_A1 = "东一村灌溉渠"
RUNNING_A1 = "东一村通组路"
ACCEPTED_A1 = "东一村文化室"
AUDITED_A1 = "东一村饮水井"
SOURCE = "扫描用中央财政衔接资金"
PDF = b"%PDF-1.4\n%%EOF\n"
ALL_MET = {name: True for name in (*codes.TOWNSHIP_CRITERIA, *codes.COUNTY_CRITERIA)}
STEPS = (
    ("apply", date(2025, 3, 1), None),
    ("village", date(2025, 3, 13), date(2025, 3, 2)),
    ("team", date(2025, 3, 14), None),
    ("township", date(2025, 3, 15), None),
    ("county", date(2025, 3, 27), date(2025, 3, 16)),
    ("plan", date(2025, 3, 28), None),
)


def source() -> FundSource:
    found, _ = FundSource.objects.get_or_create(
        county_id=COUNTY, name=SOURCE, defaults={"level": codes.FundLevel.CENTRAL, "kind": codes.FundKind.LINKAGE}
    )
    return found


def _propose(county, household, name):
    return projects.propose(
        county, area_code=VILLAGE_A1, name=name, year=2025, project_type="road", category="group_road",
        department="transport", unit="km", planned_quantity="2", cost="40", benefit_mechanism="务工",
        planned_end=date(2025, 5, 31), targets=[{"indicator": "长度", "target": "2公里"}],
        beneficiaries=[{"household_id": household.pk, "way": "wage"}],
        funding=[{"source_id": source().pk, "amount": "40"}], via="test",
    )  # fmt: skip


def _planned(county, household, name):
    project = _propose(county, household, name)
    for step, on, notice in STEPS:
        projects.take_step(
            county, project, step=step, decision="approve", on=on, criteria=ALL_MET, notice_from=notice, via="test"
        )
    return project


def _running(county, household, name):
    project = _planned(county, household, name)
    implementation.start(county, project, on=date(2025, 4, 1), via="test")
    implementation.report_progress(county, project, month=date(2025, 5, 1), quantity_done="1", via="test")
    upload = SimpleUploadedFile("验收报告.pdf", PDF, content_type="application/pdf")
    project_files.add_file(county, project, kind="acceptance", upload=upload, via="test")
    return project


def _accepted(county, household, name):
    project = _running(county, household, name)
    actuals = {str(t.pk): t.target for t in project.targets.all()}
    implementation.accept(county, project, on=date(2025, 6, 10), result="passed", record="合格", actuals=actuals)
    return project


def build(users, household) -> tuple[dict, list[str]]:
    """(the world's objects by name, 东一村's markers)."""
    county = users["county"]
    running = _running(county, household, RUNNING_A1)
    audited = _accepted(county, household, AUDITED_A1)
    implementation.record_audit(county, audited, on=date(2025, 7, 1), opinion="规范", via="test")
    objects = {
        "project_proposed": _propose(county, household, PROPOSED_A1),
        "project_planned": _planned(county, household, PLANNED_A1),
        "project_running": running,
        "project_file": running.files.get(),
        "project_accepted": _accepted(county, household, ACCEPTED_A1),
        "project_audited": audited,
        "fund_source_projects": source(),
    }
    return objects, [PROPOSED_A1, PLANNED_A1, RUNNING_A1, ACCEPTED_A1, AUDITED_A1]
