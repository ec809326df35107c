"""The demo county's funds (demo/funds.py): sources, a budget of every year (the county's own growing every year),
batches, the four-level flow, projects at every stage with progress and spending, assets with owners and income
plans — consistent with each other, as the funds figures read them; deterministic; cleared by --replace."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from fupin.accounts.models import User
from fupin.areas.models import Area, Level
from fupin.demo import build
from fupin.funds import codes
from fupin.funds.models import (
    Asset,
    Budget,
    Disbursement,
    FundSource,
    IncomePlan,
    MeasureFunding,
    Progress,
    Project,
    ProjectStep,
    Transfer,
)
from fupin.funds.services.figures import funds_figures

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 6, 30)


@pytest.fixture
def demo(db):
    return build.generate(3000, seed=2014, as_of=AS_OF, parallel=False)


def _fingerprint():
    return list(Project.objects.order_by("code").values_list("code", "stage", "cost", "planned_quantity")) + list(
        Disbursement.objects.order_by("project__code", "on", "amount").values_list("project__code", "on", "amount")
    )


def test_every_part_is_there_and_adds_up(demo):
    county = Area.objects.filter(level=Level.COUNTY).order_by("code").first()
    assert demo.rows["funds.FundSource"] == FundSource.objects.count() >= 7
    own = FundSource.objects.get(county=county, name="县级财政专项扶贫资金")
    amounts = list(Budget.objects.filter(source=own).order_by("year").values_list("amount", flat=True))
    assert len(amounts) == AS_OF.year - 2016 + 1
    assert all(later > earlier for earlier, later in zip(amounts, amounts[1:]))  # 双增长: grows every year
    stages = set(Project.objects.values_list("stage", flat=True))
    assert {"proposed", "implementing", "accepted", "completed"} <= stages
    assert not Disbursement.objects.filter(on__gt=AS_OF).exists() and not Transfer.objects.filter(on__gt=AS_OF)
    assert not Progress.objects.filter(month__gt=AS_OF).exists()
    # no project is paid more than its cost, nor done beyond its plan
    for project in Project.objects.annotate(paid=Sum("disbursements__amount")).filter(paid__isnull=False):
        assert project.paid <= project.cost
    for report in Progress.objects.select_related("project"):
        assert report.quantity_done <= report.project.planned_quantity
    assert Asset.objects.filter(owner_level="village", confirmed_on__isnull=False).exists()
    assert IncomePlan.objects.exists()
    funded = MeasureFunding.objects.select_related("measure", "project")
    assert funded.exists() and all(row.amount == row.measure.amount for row in funded)
    assert all(row.project is None or row.project.area_id == row.measure.village_id for row in funded)
    for plan in IncomePlan.objects.all():
        assert plan.collective_share + plan.households_share == plan.income


def test_the_figures_of_the_demo_county(demo):
    admin = User.objects.get(username="county")
    figures = funds_figures(admin, as_of=AS_OF)
    totals = figures["money"]["totals"]
    assert totals["budget"] > totals["allocated"] >= totals["spent"] > 0
    # what the county allocated down is what reached its villages (each hop passes the same amount on)
    to_villages = Transfer.objects.filter(to_area__level=Level.VILLAGE, on__lte=AS_OF).aggregate(s=Sum("amount"))
    assert totals["allocated"] == to_villages["s"]
    assert isinstance(totals["allocated"], Decimal) and totals["allocated"].as_tuple().exponent == -4
    assert figures["projects"]["count"] == Project.objects.filter(year__lte=AS_OF.year).count()
    assert figures["assets"]["count"] == Asset.objects.count()
    assert {line["code"] for line in figures["assets"]["by_category"]} <= set(codes.AssetCategory.values)


def test_same_seed_same_funds_and_replace_clears_them(demo):
    first = _fingerprint()
    build.generate(3000, seed=2014, as_of=AS_OF, replace=True, parallel=False)
    assert _fingerprint() == first
    build.generate(600, seed=3, as_of=AS_OF, replace=True, parallel=False)
    assert _fingerprint() != first and Project.objects.exists()


def test_each_step_names_the_demo_login_that_took_it(demo):
    """A step's 办理人 is a demo login whose role the step names and whose area holds the project (the demo has a
    login a level for the first village and township, and the county's)."""
    roles = {step.code: step.roles for step in codes.DEFAULT_PROCEDURE}
    steps = list(ProjectStep.objects.select_related("by__area", "project"))
    assert steps
    taken = [s for s in steps if s.by is not None]
    assert taken, "no step names who took it"
    for step in taken:
        assert step.by.role in roles[step.step], (step.step, step.by.role)
        assert step.project.area_id.startswith(step.by.area.prefix)
    county_steps = [s for s in steps if s.step in (codes.StepCode.COUNTY, codes.StepCode.PLAN)]
    assert county_steps and all(s.by is not None and s.by.username == "county" for s in county_steps)
