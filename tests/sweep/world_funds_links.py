"""The sweep's funds records (links), all in 东一村 (or the county where the record is the county's own), and the
markers of 东一村 they show. Joined into tests/sweep/world.py.

A measure of 东一村's household paid by the county's source and 东一村's own project (its funding row is what the
funding routes read, change and delete); the project's name is 东一村's marker. The source is the county's (every
user of the county sees its name), so it is no marker."""

from datetime import date
from decimal import Decimal

from fupin.assistance.services.measures import create_measure
from fupin.funds import codes
from fupin.funds.models import Disbursement, FundSource, MeasureFunding, Progress, Project
from tests.factories import COUNTY, VILLAGE_A1

PROJECT_A1 = "东一村扶贫车间"


def build(users, household) -> tuple[dict, list[str]]:
    """(the world's objects by name, 东一村's markers)."""
    county = users["county"]
    source = FundSource.objects.create(
        county_id=COUNTY, name="中央财政衔接推进乡村振兴补助资金", level=codes.FundLevel.CENTRAL,
        kind=codes.FundKind.LINKAGE,
    )  # fmt: skip
    project = Project.objects.create(
        county_id=COUNTY, area_id=VILLAGE_A1, name=PROJECT_A1, year=2024, project_type=codes.ProjectType.INDUSTRY,
        category=codes.UseCategory.INDUSTRY, proposer_level=codes.ProposerLevel.VILLAGE, unit=codes.PhysicalUnit.SQM,
        planned_quantity=Decimal("600"), cost=Decimal("80.0000"), stage=codes.Stage.IMPLEMENTING,
    )  # fmt: skip
    Progress.objects.create(project=project, month=date(2024, 5, 1), quantity_done=Decimal("300"))
    Disbursement.objects.create(
        county_id=COUNTY, year=2024, source=source, category=codes.UseCategory.INDUSTRY, area_id=VILLAGE_A1,
        project=project, amount=Decimal("40.0000"), on=date(2024, 5, 10),
    )  # fmt: skip
    measure = create_measure(
        county, household, category="01", subtype="扶贫车间务工", started_on=date(2024, 4, 1), status="in_place",
        amount="3000", via="test",
    )  # fmt: skip
    MeasureFunding.objects.create(measure=measure, source=source, project=project, amount=Decimal("3000.00"))
    objects = {"funded_measure": measure, "links_source": source, "links_project": project}
    return objects, [PROJECT_A1]
