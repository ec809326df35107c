"""What the project library's tests share: the county's sources, a proposal's data and the walk of its steps."""

import io
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.funds import codes
from fupin.funds.models import FundSource
from fupin.funds.services import implementation, project_files, projects
from tests.factories import COUNTY, VILLAGE_A1

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALL_MET = {name: True for name in (*codes.TOWNSHIP_CRITERIA, *codes.COUNTY_CRITERIA)}


def sources(county=COUNTY) -> tuple[FundSource, FundSource]:
    """(the central special fund, the villagers' own share) of the county."""
    central, _ = FundSource.objects.get_or_create(
        county_id=county,
        name="中央财政专项扶贫资金（发展资金）",
        defaults={"level": codes.FundLevel.CENTRAL, "kind": codes.FundKind.SPECIAL},
    )
    own, _ = FundSource.objects.get_or_create(
        county_id=county,
        name="群众自筹（一事一议）",
        defaults={"level": codes.FundLevel.COUNTY, "kind": codes.FundKind.SELF_RAISED},
    )
    return central, own


def proposal(household=None, *, area_code=VILLAGE_A1, **changes) -> dict:
    """A village road of 2.5 km costing 120.5 万元: 100 万元 central, 20.5 万元 raised by the villagers."""
    central, own = sources()
    data = {
        "area_code": area_code,
        "name": "东一村三组通组硬化路",
        "year": 2025,
        "project_type": codes.ProjectType.ROAD,
        "category": codes.UseCategory.GROUP_ROAD,
        "department": codes.Department.TRANSPORT,
        "unit": codes.PhysicalUnit.KM,
        "planned_quantity": "2.5",
        "cost": "120.5000",
        "benefit_mechanism": "建设期优先吸纳脱贫户务工，建成后改善全组出行",
        "planned_start": date(2025, 4, 1),
        "planned_end": date(2025, 9, 30),
        "targets": [{"indicator": "硬化道路长度", "target": "2.5公里"}, {"indicator": "受益脱贫户", "target": "1户"}],
        "beneficiaries": [{"household_id": household.pk, "way": codes.BenefitWay.WAGE}] if household else [],
        "funding": [
            {"source_id": central.pk, "amount": "100"},
            {"source_id": own.pk, "amount": "20.5"},
        ],
    }
    data.update(changes)
    return data


def pdf(name="验收报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


#: the default procedure's steps, each with who takes it and its date (notices of 10 calendar days)
WALK = (
    ("apply", "village_a1", date(2025, 3, 1), None),
    ("village", "village_a1", date(2025, 3, 13), date(2025, 3, 2)),  # notice 3-2 + 10 days ends 3-12
    ("team", "cadre_a1", date(2025, 3, 14), None),
    ("township", "township_a", date(2025, 3, 15), None),
    ("county", "county", date(2025, 3, 27), date(2025, 3, 16)),  # notice ends 3-26
    ("plan", "county", date(2025, 3, 28), None),
)


def walk_to_plan(users, project):
    for step, who, on, notice in WALK:
        projects.take_step(
            users[who],
            project,
            step=step,
            decision=codes.Decision.APPROVE,
            on=on,
            criteria=ALL_MET,
            notice_from=notice,
            via="test",
        )
    project.refresh_from_db()
    return project


def accept(users, project, on=date(2025, 10, 10)):
    project_files.add_file(users["township_a"], project, kind=codes.FileKind.ACCEPTANCE, upload=pdf(), via="test")
    actuals = {str(t.pk): t.target for t in project.targets.all()}
    return implementation.accept(
        users["county"], project, on=on, result="passed", record="验收合格", actuals=actuals, via="test"
    )


__all__ = ["ALL_MET", "Decimal", "WALK", "io", "pdf", "proposal", "sources", "walk_to_plan"]
