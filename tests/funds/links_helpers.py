"""Funds rows for the links tests, written through the models (the ledger, projects and assets services are the
other topics'): a source, a budget, a transfer, a disbursement, a project with its monthly progress, an asset."""

from datetime import date
from decimal import Decimal

from fupin.funds import codes
from fupin.funds.models import Asset, Budget, Disbursement, FundSource, Progress, Project, Transfer
from tests.factories import COUNTY


def source(name, level=codes.FundLevel.CENTRAL, kind=codes.FundKind.SPECIAL):
    return FundSource.objects.create(county_id=COUNTY, name=name, level=level, kind=kind)


def budget(fund, year, amount, on):
    return Budget.objects.create(source=fund, county_id=COUNTY, year=year, amount=Decimal(amount), document_date=on)


def transfer(fund, year, amount, on, from_area, to_area, *, from_department="", to_department="", kind="allocation"):
    return Transfer.objects.create(
        county_id=COUNTY, year=year, kind=kind, source=fund, category=codes.UseCategory.INDUSTRY,
        from_area_id=from_area, from_department=from_department, to_area_id=to_area, to_department=to_department,
        amount=Decimal(amount), on=on,
    )  # fmt: skip


def disburse(fund, year, amount, on, area, *, project=None, department=""):
    return Disbursement.objects.create(
        county_id=COUNTY, year=year, source=fund, category=codes.UseCategory.INDUSTRY, area_id=area,
        department=department, project=project, amount=Decimal(amount), on=on,
    )  # fmt: skip


def project(name, area, *, year=2018, project_type="road", unit="km", planned="1", cost="1", stage="proposed", **more):
    return Project.objects.create(
        county_id=COUNTY, area_id=area, name=name, year=year, project_type=project_type,
        category=codes.UseCategory.VILLAGE_ROAD, proposer_level=codes.ProposerLevel.VILLAGE, unit=unit,
        planned_quantity=Decimal(planned), cost=Decimal(cost), stage=stage, **more,
    )  # fmt: skip


def progress(of, month: date, done):
    return Progress.objects.create(project=of, month=month, quantity_done=Decimal(done))


def asset(name, area, category, value, formed_on, *, owner_level="", **more):
    return Asset.objects.create(
        county_id=COUNTY, name=name, area_id=area, category=category, value=Decimal(value), formed_on=formed_on,
        owner_level=owner_level, **more,
    )  # fmt: skip
