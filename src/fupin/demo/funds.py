"""The demo county's funds, projects and assets (issue 15), so the funds pages, the figures and the ledgers have
something to show: each county's fund sources (central, provincial, city and county special funds, pooled funds,
east–west cooperation, social funds), their budgets of every year since 2016 (the county's own growing every
year, the 双增长 of seed 000), two allocation batches a year, the money's flow down the four levels (county →
农业农村局 → township → village) and its spending, projects of every village at every stage (proposed to
completed, some refused or withdrawn) with their steps, targets, funding plans, monthly physical progress and
disbursements, the assets of the accepted projects confirmed to their owners, with an income plan for the
operating ones, and the fund (and project) that pays every third assistance measure with an amount.

Written with bulk_create after the registry's load, for every demo county (three projects a village, so it grows
with the villages, not the persons). Each part is one function (sources, budgets, batches, projects, flows,
spending, assets) so that each can call the topic's service at the merge instead of writing the models.
Deterministic in the seed, as the rest of the demo. Amounts are Decimal 万元 to four places."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np

from fupin.accounts.models import User
from fupin.areas.models import Area, Level, code_range
from fupin.funds import codes
from fupin.funds import models as m
from fupin.registry.models import Household

#: the models this part fills, children first (what --replace empties before the registry's tables)
MODELS = (
    m.IncomeShare,
    m.IncomePlan,
    m.Maintenance,
    m.Asset,
    m.MeasureFunding,
    m.ProjectFile,
    m.Disbursement,
    m.Progress,
    m.ProjectStep,
    m.FundingPlan,
    m.Target,
    m.Beneficiary,
    m.Project,
    m.ProcedureStep,
    m.Transfer,
    m.BatchSource,
    m.Batch,
    m.Budget,
    m.FundSource,
)
FIRST_YEAR = 2016
Q4 = codes.WAN_QUANTUM
#: the county's sources: (name, level, kind, share of a year's money); the county's own line first grows each year
SOURCES = (
    ("县级财政专项扶贫资金", codes.FundLevel.COUNTY, codes.FundKind.SPECIAL, 0.18),
    ("中央财政专项扶贫资金（发展资金）", codes.FundLevel.CENTRAL, codes.FundKind.SPECIAL, 0.32),
    ("省级财政专项扶贫资金", codes.FundLevel.PROVINCE, codes.FundKind.SPECIAL, 0.16),
    ("市级财政专项扶贫资金", codes.FundLevel.CITY, codes.FundKind.SPECIAL, 0.06),
    ("统筹整合涉农资金", codes.FundLevel.COUNTY, codes.FundKind.POOLED, 0.20),
    ("东西部协作资金", codes.FundLevel.PROVINCE, codes.FundKind.EAST_WEST, 0.05),
    ("社会帮扶资金", codes.FundLevel.COUNTY, codes.FundKind.SOCIAL, 0.03),
)
#: the kinds of project a village proposes: (type, use category, unit, name, quantity range, 万元 a unit)
KINDS = (
    (codes.ProjectType.ROAD, codes.UseCategory.VILLAGE_ROAD, codes.PhysicalUnit.KM, "通村硬化路", (1, 8), 45),
    (codes.ProjectType.ROAD, codes.UseCategory.GROUP_ROAD, codes.PhysicalUnit.KM, "社级道路", (1, 5), 25),
    (codes.ProjectType.WATER, codes.UseCategory.WATER, codes.PhysicalUnit.PLACE, "安全饮水工程", (1, 4), 18),
    (codes.ProjectType.IRRIGATION, codes.UseCategory.POND, codes.PhysicalUnit.BUILDING, "山坪塘整治", (1, 6), 8),
    (codes.ProjectType.INDUSTRY, codes.UseCategory.INDUSTRY, codes.PhysicalUnit.MU, "特色产业基地", (50, 400), 0.3),
    (codes.ProjectType.COLLECTIVE, codes.UseCategory.COLLECTIVE, codes.PhysicalUnit.ITEM, "光伏电站", (1, 2), 60),
    (
        codes.ProjectType.PUBLIC_SERVICE,
        codes.UseCategory.CULTURE_ROOM,
        codes.PhysicalUnit.BUILDING,
        "文化室",
        (1, 1),
        15,
    ),
)
ASSET_OF = {
    codes.ProjectType.ROAD: codes.AssetCategory.PUBLIC,
    codes.ProjectType.WATER: codes.AssetCategory.PUBLIC,
    codes.ProjectType.IRRIGATION: codes.AssetCategory.PUBLIC,
    codes.ProjectType.PUBLIC_SERVICE: codes.AssetCategory.PUBLIC,
    codes.ProjectType.INDUSTRY: codes.AssetCategory.OPERATING,
    codes.ProjectType.COLLECTIVE: codes.AssetCategory.OPERATING,
}
STEP_ORDER = [step.code for step in codes.DEFAULT_PROCEDURE]
STEP_ROLES = {step.code: step.roles for step in codes.DEFAULT_PROCEDURE}


@dataclass
class County:
    """One demo county's frame: its townships and villages, the registered households of each village."""

    area: Area
    townships: list
    villages: list
    households: dict  # village code → registered households (ids, a few)
    rng: np.random.Generator
    sources: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    takers: list = field(default_factory=list)  # the demo logins of the county, the nearest to a village first


def _wan(value) -> Decimal:
    return Decimal(str(round(float(value), 4))).quantize(Q4)


def _day(rng, year: int, as_of: date, first_month: int = 1, last_month: int = 12) -> date:
    """A day of `year` between the months given, never after `as_of`."""
    month = int(rng.integers(first_month, last_month + 1))
    day = date(year, month, int(rng.integers(1, 29)))
    return min(day, as_of)


def delete_existing(prefix: str) -> None:
    """Empty the funds records of the demo areas, children first (the registry's delete would trip on them)."""
    low, high = code_range(prefix)
    for model in MODELS:
        if model is m.BatchSource:
            rows = model.objects.filter(batch__county_id__gte=low, batch__county_id__lt=high)
        elif model in (m.IncomeShare,):
            rows = model.objects.filter(plan__asset__county_id__gte=low, plan__asset__county_id__lt=high)
        elif model in (m.IncomePlan, m.Maintenance):
            rows = model.objects.filter(asset__county_id__gte=low, asset__county_id__lt=high)
        elif model in (m.ProjectFile, m.Progress, m.ProjectStep, m.FundingPlan, m.Target, m.Beneficiary):
            rows = model.objects.filter(project__county_id__gte=low, project__county_id__lt=high)
        elif model is m.MeasureFunding:
            rows = model.objects.filter(measure__village_id__gte=low, measure__village_id__lt=high)
        else:
            rows = model.objects.filter(county_id__gte=low, county_id__lt=high)
        rows.delete()


def build(as_of: date, seed: int, prefix: str) -> dict[str, int]:
    """Create the funds records of every demo county; returns rows written by model label."""
    written: dict[str, int] = {}

    def save(model, rows):
        made = model.objects.bulk_create(rows, batch_size=2000)
        label = model._meta.label
        written[label] = written.get(label, 0) + len(made)
        return made

    for index, area in enumerate(Area.objects.under(prefix).filter(level=Level.COUNTY).order_by("code")):
        county = _county(area, np.random.default_rng([seed, 15, index]))
        sources(save, county)
        budgets(save, county, as_of)
        batches = allocation_batches(save, county, as_of)
        projects(save, county, as_of)
        flows(save, county, batches, as_of)
        spending(save, county, as_of)
        assets(save, county, as_of)
        measure_links(save, county)
    return written


def _county(area: Area, rng) -> County:
    townships = list(Area.objects.filter(parent=area, level=Level.TOWNSHIP).order_by("code"))
    villages = list(Area.objects.filter(parent__parent=area, level=Level.VILLAGE).order_by("code"))
    households: dict[str, list] = {}
    poor = Household.objects.filter(village__parent__parent=area, first_identified_on__isnull=False)
    for village_id, pk in poor.order_by("village_id", "id").values_list("village_id", "id"):
        found = households.setdefault(village_id, [])
        if len(found) < 12:
            found.append(pk)
    takers = User.objects.filter(area__in=Area.objects.under(area.prefix), is_active=True).select_related("area")
    nearest_first = sorted(takers, key=lambda user: -user.area.level)
    return County(area, townships, villages, households, rng, takers=nearest_first)


def _taker(county: County, step_code: str, project):
    """The demo login who would have taken the step: the nearest to the project (village, then township, then
    county) whose role the step names and whose area holds the project; none where no demo login does (there is one
    a level, for the first village and township)."""
    for user in county.takers:
        if user.role in STEP_ROLES[step_code] and project.area_id.startswith(user.area.prefix):
            return user
    return None


def sources(save, county: County) -> None:
    """The county's named lines of money."""
    rows = [
        m.FundSource(county=county.area, name=name, level=level, kind=kind, line="发展资金" if i == 1 else "")
        for i, (name, level, kind, _share) in enumerate(SOURCES)
    ]
    county.sources = save(m.FundSource, rows)


def _year_total(county: County, year: int) -> float:
    """The county's money of a year in 万元: about 0.9 万元 a village a year … growing 8 % a year (双增长)."""
    return 900.0 * max(len(county.villages), 1) / 10 * (1.08 ** (year - FIRST_YEAR))


def budgets(save, county: County, as_of: date) -> None:
    """Each source's budget of every year since 2016 (the county's own line growing every year)."""
    rows = []
    for year in range(FIRST_YEAR, as_of.year + 1):
        total = _year_total(county, year)
        for source, (_name, _level, _kind, share) in zip(county.sources, SOURCES, strict=True):
            noise = 1.0 if source is county.sources[0] else float(county.rng.uniform(0.95, 1.05))
            amount = total * share * noise  # the county's own line grows by 8 % every year, the others about it
            rows.append(
                m.Budget(
                    source=source, county=county.area, year=year, amount=_wan(amount),
                    document_no=f"{county.area.name}财预〔{year}〕{len(rows) + 1}号",
                    document_date=min(date(year, 2, 15), as_of),
                )
            )  # fmt: skip
    save(m.Budget, rows)


def allocation_batches(save, county: County, as_of: date) -> dict:
    """Two batches a year (the second in July, where the year has reached it), published within 15 working days."""
    found = {}
    for year in range(FIRST_YEAR, as_of.year + 1):
        for number, month in ((1, 3), (2, 7)):
            issued = date(year, month, 10)
            if issued > as_of:
                continue
            published = date(year, month, 20)
            batch = m.Batch(
                county=county.area, year=year, number=number, title=f"{year}年第{'一二'[number - 1]}批扶贫资金",
                document_no=f"{county.area.name}扶办〔{year}〕{number}号", document_date=issued,
                published_on=published if published <= as_of else None,
                published_where="县政府门户网站" if published <= as_of else "", published_days=10,
            )  # fmt: skip
            found[year, number] = batch
    save(m.Batch, list(found.values()))
    return found


def projects(save, county: County, as_of: date) -> None:
    """Three projects a village (`_plan`), at every stage, each with its steps, targets, funding plan and the
    households it names."""
    rng, rows = county.rng, []
    for index, village in enumerate(county.villages):
        for year, stage in _plan(rng, index, as_of.year):
            kind = KINDS[int(rng.integers(0, len(KINDS)))]
            low, high = kind[4]
            quantity = Decimal(int(rng.integers(low, high + 1)))
            cost = _wan(float(quantity) * kind[5] * float(rng.uniform(0.8, 1.2)))
            started = _day(rng, year, as_of, 3, 6) if stage not in _NOT_STARTED else None
            accepted = _day(rng, year, as_of, 10, 12) if stage in _ACCEPTED and year < as_of.year else None
            if stage in _ACCEPTED and accepted is None:
                stage = codes.Stage.IMPLEMENTING
            rows.append(
                m.Project(
                    county=county.area, area=village, code=f"{village.code}-{year}-{len(rows) + 1:03d}",
                    name=f"{village.name}{kind[3]}", year=year, project_type=kind[0], category=kind[1],
                    proposer_level=codes.ProposerLevel.VILLAGE, department=codes.Department.RURAL,
                    implementer=f"{village.name}村民委员会", unit=kind[2], planned_quantity=quantity, cost=cost,
                    benefit_mechanism="吸纳脱贫户务工、收益优先分配给脱贫户和监测户",
                    planned_start=date(year, 3, 1), planned_end=date(year, 11, 30), stage=stage,
                    step=codes.StepCode.PLAN if stage not in (codes.Stage.PROPOSED,) else codes.StepCode.TEAM,
                    started_on=started, accepted_on=accepted,
                    acceptance_result=codes.AcceptanceResult.PASSED if accepted else "",
                    acceptance_record="验收合格，工程质量符合设计要求" if accepted else "",
                    completion_notice_on=accepted if stage == codes.Stage.COMPLETED else None,
                    audited_on=accepted if stage == codes.Stage.COMPLETED else None,
                    audit_opinion="资金使用规范" if stage == codes.Stage.COMPLETED else "",
                )
            )  # fmt: skip
    county.projects = save(m.Project, rows)
    _library(save, county, as_of)


_NOT_STARTED = frozenset({codes.Stage.PROPOSED, codes.Stage.PLANNED, codes.Stage.REFUSED, codes.Stage.WITHDRAWN})
_ACCEPTED = frozenset({codes.Stage.ACCEPTED, codes.Stage.COMPLETED})


def _plan(rng, index: int, this_year: int) -> list[tuple[int, str]]:
    """A village's projects (year, stage): one of this year still in the library or just started, one of last year
    being carried out or accepted, one of an earlier year completed; every few villages one refused or withdrawn,
    so that even a small demo county has every stage."""
    current = (codes.Stage.PROPOSED, codes.Stage.PLANNED, codes.Stage.IMPLEMENTING)[index % 3]
    last = (codes.Stage.IMPLEMENTING, codes.Stage.ACCEPTED)[index % 2]
    earlier = int(rng.integers(FIRST_YEAR, this_year - 1))
    found = [(this_year, current), (this_year - 1, last), (earlier, codes.Stage.COMPLETED)]
    if index % 7 == 3:
        found.append((this_year, codes.Stage.REFUSED))
    if index % 11 == 5:
        found.append((this_year - 1, codes.Stage.WITHDRAWN))
    return found


def _library(save, county: County, as_of: date) -> None:
    """The steps taken, the targets, the funding plan and the beneficiaries of each project."""
    steps, targets, plans, beneficiaries = [], [], [], []
    for project in county.projects:
        taken = len(STEP_ORDER) if project.stage not in (codes.Stage.PROPOSED,) else 3
        if project.stage == codes.Stage.REFUSED:
            taken = 4
        for order, code in enumerate(STEP_ORDER[:taken]):
            refused = project.stage == codes.Stage.REFUSED and order == taken - 1
            steps.append(
                m.ProjectStep(
                    project=project, step=code, on=min(date(project.year, 1, 5 + order * 3), as_of),
                    decision=codes.Decision.REFUSE if refused else codes.Decision.APPROVE,
                    comment="与村级规划不符" if refused else "", by=_taker(county, code, project),
                )
            )  # fmt: skip
        targets.append(
            m.Target(
                project=project, indicator=f"完成{project.get_unit_display()}", target=str(project.planned_quantity)
            )
        )
        targets.append(m.Target(project=project, indicator="受益脱贫户（户）", target="20"))
        plans += [m.FundingPlan(project=project, source=s, amount=a) for a, s in _split(county, project)]
        for household in county.households.get(project.area_id, [])[:5]:
            beneficiaries.append(m.Beneficiary(project=project, household_id=household, way=codes.BenefitWay.WAGE))
    save(m.ProjectStep, steps)
    save(m.Target, targets)
    save(m.FundingPlan, plans)
    save(m.Beneficiary, beneficiaries)


def _split(county: County, project) -> list[tuple]:
    """A project's cost by its two sources: the county's own 30 % (to four places), the central fund the rest."""
    own = (project.cost * Decimal("0.3")).quantize(Q4)
    return [(project.cost - own, county.sources[1]), (own, county.sources[0])]


def _funded(county: County):
    """The projects the money reached: planned or further, not refused or withdrawn."""
    for project in county.projects:
        if project.stage not in (codes.Stage.PROPOSED, codes.Stage.REFUSED, codes.Stage.WITHDRAWN):
            yield project


def flows(save, county: County, batches: dict, as_of: date) -> None:
    """The money down the four levels for each funded project's plan: the county to 农业农村局, the bureau to the
    township, the township to the village (a project's two sources, in the first batch of its year)."""
    transfers, declared = [], {}
    for project in _funded(county):
        batch = batches.get((project.year, 1))
        on = batch.document_date if batch else min(date(project.year, 3, 10), as_of)
        township = project.area.parent_id
        for amount, source in _split(county, project):
            hops = (
                (county.area.code, "", county.area.code, codes.Department.RURAL),
                (county.area.code, codes.Department.RURAL, township, ""),
                (township, "", project.area_id, ""),
            )
            for from_area, from_department, to_area, to_department in hops:
                transfers.append(
                    m.Transfer(
                        county=county.area, year=project.year, batch=batch, source=source, category=project.category,
                        from_area_id=from_area, from_department=from_department, to_area_id=to_area,
                        to_department=to_department, amount=amount, on=on,
                        document_no=batch.document_no if batch else "",
                    )
                )  # fmt: skip
            if batch is not None:
                declared[batch, source] = declared.get((batch, source), Decimal(0)) + amount
    save(m.Transfer, transfers)
    save(
        m.BatchSource,
        [m.BatchSource(batch=batch, source=source, declared=amount) for (batch, source), amount in declared.items()],
    )


def spending(save, county: County, as_of: date) -> None:
    """Disbursements by the villages and the monthly physical progress: what was started is paid in part, what
    was accepted in full; progress reported each quarter up to its completion."""
    rng, paid, reports = county.rng, [], []
    for project in _funded(county):
        if project.started_on is None:
            continue
        done_share = 1.0 if project.accepted_on else float(rng.uniform(0.2, 0.9))
        for part, source in _split(county, project):
            total = (part * Decimal(str(round(done_share, 2)))).quantize(Q4)
            first = (total / 2).quantize(Q4)
            for amount, month in ((first, 6), (total - first, 10)):
                on = min(date(project.year, month, 15), as_of)
                if on < project.started_on or amount == 0:
                    on = project.started_on
                paid.append(
                    m.Disbursement(
                        county=county.area, year=project.year, source=source, category=project.category,
                        area_id=project.area_id, project=project, amount=amount, on=on,
                        voucher=f"付{project.year}{len(paid) + 1:05d}",
                    )
                )  # fmt: skip
        end = project.accepted_on or as_of
        month, last = date(project.started_on.year, project.started_on.month, 1), date(end.year, end.month, 1)
        months = []
        while month < last:
            months.append(month)
            month = date(month.year + (month.month + 2) // 12, (month.month + 2) % 12 + 1, 1)
        months.append(last)
        for index, month in enumerate(months, start=1):
            share = Decimal(index) / len(months) * Decimal(str(round(done_share, 2)))
            done = (project.planned_quantity * share).quantize(Decimal("0.001"))
            reports.append(m.Progress(project=project, month=month, quantity_done=done))
    save(m.Disbursement, paid)
    save(m.Progress, reports)


def assets(save, county: County, as_of: date) -> None:
    """Each accepted project's asset, confirmed to its village (the operating ones run by the village's
    cooperative), with an income plan of the year after for the operating ones."""
    rows = []
    for project in county.projects:
        category = ASSET_OF.get(project.project_type)
        if project.accepted_on is None or category is None:
            continue
        rows.append(
            m.Asset(
                county=county.area, project=project, code=f"ZC-{project.code}", name=project.name,
                category=category, kind=project.name.removeprefix(project.area.name), area_id=project.area_id,
                quantity=project.planned_quantity, unit=project.unit, value=project.cost,
                formed_on=project.accepted_on, owner_level=codes.OwnerLevel.VILLAGE, owner_area_id=project.area_id,
                confirmed_on=project.accepted_on,
                rights={"所有权": "村集体", "经营权": "村股份经济合作社", "监督权": "村务监督委员会"},
                maintainer=f"{project.area.name}村民委员会",
            )
        )  # fmt: skip
    made = save(m.Asset, rows)
    plans = []
    for asset in made:
        year = asset.formed_on.year + 1
        if asset.category != codes.AssetCategory.OPERATING or year > as_of.year:
            continue
        income = (asset.value * Decimal("0.06") * 10000).quantize(Decimal("0.01"))  # 6 % a year, in yuan
        collective = (income * Decimal("0.4")).quantize(Decimal("0.01"))
        plans.append(
            m.IncomePlan(
                asset=asset, year=year, income=income, collective_share=collective,
                households_share=income - collective, rule=codes.ShareRule.EQUAL,
                approval="村民代表大会决议", decided_on=min(date(year, 12, 20), as_of),
            )
        )  # fmt: skip
    save(m.IncomePlan, plans)


def measure_links(save, county: County) -> None:
    """Every third assistance measure with an amount names the fund that pays it (the county's own line) and, where
    its village has a project being carried out or done, that project."""
    from fupin.assistance.models import Measure

    by_village = {}
    for project in _funded(county):
        by_village.setdefault(project.area_id, project)
    low, high = code_range(county.area.prefix)
    measures = Measure.objects.filter(village_id__gte=low, village_id__lt=high, amount__isnull=False).order_by("id")
    rows = [
        m.MeasureFunding(
            measure=measure, source=county.sources[0], project=by_village.get(measure.village_id), amount=measure.amount
        )
        for measure in measures[::3]
    ]
    save(m.MeasureFunding, rows)
