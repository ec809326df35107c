"""The sweep's funds records (standards), all in 东一村 (or the county where the record is the county's own), and the
markers of 东一村 they show. Joined into tests/sweep/world.py.

One road project of 东一村 with a standard chosen. The world's county (示范县) has no pack of its own, so its
subsidy panel says why it cannot compute (no standard in national-2024); the standards pages and the computation
are swept against a named shipped pack (anyue-2018). No county pack is added: it would change the policy pages."""

from decimal import Decimal

from fupin.funds.models import Project
from tests.factories import COUNTY, VILLAGE_A1

PROJECT_A1 = "东一村补助测算公路"


def build(users, household) -> tuple[dict, list[str]]:
    """(the world's objects by name, 东一村's markers)."""
    project = Project.objects.create(
        county_id=COUNTY,
        area_id=VILLAGE_A1,
        name=PROJECT_A1,
        year=2024,
        project_type="road",
        category="village_road",
        proposer_level="village",
        unit="km",
        planned_quantity=Decimal("2"),
        cost=Decimal("160"),
        standard_code="road_hardening",
        standard_facts={"width_m": "3.5", "road_class": "village"},
        recorded_by=users["county"],
    )
    return {"standards_project": project}, [PROJECT_A1]
