"""What the assets tests share: an accepted project with its funding sources, made by writing the project's fields
directly (topic B's services own the project library; the merge replaces this with them), and an operating asset of
东一村 formed by it."""

from datetime import date
from decimal import Decimal

from fupin.funds import codes
from fupin.funds.models import FundingPlan, FundSource, Project
from fupin.funds.services import assets
from tests.factories import COUNTY, VILLAGE_A1

ACCEPTED_ON = date(2020, 11, 20)


def source(name="中央财政专项扶贫资金", level=codes.FundLevel.CENTRAL, kind=codes.FundKind.SPECIAL):
    found = FundSource.objects.filter(county_id=COUNTY, name=name).first()
    return found or FundSource.objects.create(county_id=COUNTY, name=name, level=level, kind=kind)


def project(area=VILLAGE_A1, *, name="东一村光伏电站", cost="100.0000", stage=codes.Stage.ACCEPTED, funding=None):
    """A project of `area` at `stage` (accepted as passed unless the stage is earlier), its funding plan by source
    (default: 60 万元 central, 40 万元 county)."""
    accepted = stage in (codes.Stage.ACCEPTED, codes.Stage.COMPLETED)
    row = Project.objects.create(
        county_id=COUNTY, area_id=area, name=name, year=2020, project_type=codes.ProjectType.INDUSTRY,
        category=codes.UseCategory.INDUSTRY, proposer_level=codes.ProposerLevel.VILLAGE, unit=codes.PhysicalUnit.SET,
        planned_quantity=Decimal(1), cost=Decimal(cost), benefit_mechanism="收益分红到户", stage=stage,
        accepted_on=ACCEPTED_ON if accepted else None,
        acceptance_result=codes.AcceptanceResult.PASSED if accepted else "",
    )  # fmt: skip
    plan = funding if funding is not None else {"中央财政专项扶贫资金": "60", "县级财政专项扶贫资金": "40"}
    for name_, amount in plan.items():
        level = codes.FundLevel.COUNTY if name_.startswith("县") else codes.FundLevel.CENTRAL
        FundingPlan.objects.create(project=row, source=source(name_, level), amount=Decimal(amount))
    return row


def station(user, *, value="100", area=VILLAGE_A1, **fields):
    """An operating asset (a photovoltaic station) formed by an accepted project of `area`, owned by its village."""
    made = project(area, cost=value)
    row = {"name": "光伏电站", "category": codes.AssetCategory.OPERATING, "kind": "光伏电站", "value": value,
           "owner_level": codes.OwnerLevel.VILLAGE, "owner_area_code": area, **fields}  # fmt: skip
    return assets.create_from_project(user, made, [row], via="test")[0]
