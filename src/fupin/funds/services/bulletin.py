"""The monthly progress bulletin (项目进度通报) by township or by department, for any month: the projects in the plan,
started, completed (accepted), the disbursement rate (paid ÷ the funding plan), the physical rate and the late
projects (planned end passed, not accepted), as of the month's last day (today for the month under way). Each
figure is counted from the rows dated on or before that day, so a past month's bulletin does not change."""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.areas.models import Area, Level

from .. import codes
from ..models import Disbursement, FundingPlan, Progress, Project, ProjectStep

#: the stages of a project that has entered the plan
IN_PLAN = (codes.Stage.PLANNED, codes.Stage.IMPLEMENTING, codes.Stage.ACCEPTED, codes.Stage.COMPLETED)
BY = ("township", "department")
RATE_QUANTUM = Decimal("0.0001")


@dataclass
class Row:
    """One township's (or department's) line of the bulletin."""

    key: str
    name: str
    planned: int = 0
    started: int = 0
    completed: int = 0
    funds_planned: Decimal = Decimal("0.0000")
    funds_paid: Decimal = Decimal("0.0000")
    physical: list = field(default_factory=list)  # each project's own rate (units differ)
    late: list = field(default_factory=list)  # (project, planned_end)

    @property
    def paid_rate(self) -> Decimal | None:
        """Disbursed ÷ planned funds, to four places (a rate of 0.6012 is 60.12 %)."""
        if not self.funds_planned:
            return None
        return (self.funds_paid / self.funds_planned).quantize(RATE_QUANTUM)

    @property
    def physical_rate(self) -> Decimal | None:
        """The mean of the projects' own physical rates (done ÷ planned in each project's unit)."""
        if not self.physical:
            return None
        return (sum(self.physical, Decimal(0)) / len(self.physical)).quantize(RATE_QUANTUM)


def month_end(month: date) -> date:
    """The day the bulletin of a month is as of: the month's last day, or today while the month is under way."""
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return min(last, timezone.localdate())


def _township_of(area: Area) -> Area | None:
    for ancestor in area.path():
        if ancestor.level == Level.TOWNSHIP:
            return ancestor
    return None


def _group(project: Project, by: str, townships: dict) -> tuple[str, str]:
    if by == "department":
        return project.department or "", project.get_department_display() or _("未指定主管部门")
    if project.area_id not in townships:  # once an area: a county has a few hundred, its projects thousands
        townships[project.area_id] = _township_of(project.area)
    township = townships[project.area_id]
    if township is None:
        return "", _("县级项目")
    return township.code, township.name


def bulletin(user, month: date, *, by="township", year=None) -> dict:
    """The bulletin of the projects the user may see, for the month holding `month` ("year": only that plan year)."""
    if by not in BY:
        by = "township"
    as_of = month_end(month)
    projects = Project.objects.restrict(user).filter(stage__in=IN_PLAN)
    if year:
        projects = projects.filter(year=year)
    # entered the plan on or before the day: its last approved step is the plan's
    entered = ProjectStep.objects.filter(decision=codes.Decision.APPROVE).values("project_id")
    entered = entered.annotate(on=Max("on")).filter(project_id__in=projects.values("pk"))
    plan_day = {row["project_id"]: row["on"] for row in entered}
    ids = projects.values("pk")  # a subquery: a province's projects are not sent back as a list of ids
    projects = [p for p in projects.select_related("area") if plan_day.get(p.pk) and plan_day[p.pk] <= as_of]
    funds = dict(
        FundingPlan.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(t=Sum("amount"))
        .values_list("project_id", "t")
    )
    paid = dict(
        Disbursement.objects.filter(project_id__in=ids, on__lte=as_of)
        .values("project_id")
        .annotate(t=Sum("amount"))
        .values_list("project_id", "t")
    )
    reports = Progress.objects.filter(project_id__in=ids, month__lte=as_of).order_by("project_id", "month")
    done = dict(reports.values_list("project_id", "quantity_done"))  # the latest month's (cumulative) wins
    rows: dict[str, Row] = {}
    townships: dict = {}
    total = Row("", _("合计"))
    for project in sorted(projects, key=lambda p: (p.area_id, p.pk)):
        key, name = _group(project, by, townships)
        row = rows.setdefault(key, Row(key, name))
        accepted = project.accepted_on is not None and project.accepted_on <= as_of
        started = project.started_on is not None and project.started_on <= as_of
        reached = project.planned_quantity if accepted else done.get(project.pk, Decimal(0))
        for target in (row, total):
            target.planned += 1
            target.started += started
            target.completed += accepted
            target.funds_planned += Decimal(funds.get(project.pk) or 0)
            target.funds_paid += Decimal(paid.get(project.pk) or 0)
            target.physical.append(min(Decimal(reached) / project.planned_quantity, Decimal(1)))
            if project.planned_end and project.planned_end < as_of and not accepted:
                target.late.append(project)
    for row in (*rows.values(), total):
        row.funds_planned = row.funds_planned.quantize(codes.WAN_QUANTUM)
        row.funds_paid = row.funds_paid.quantize(codes.WAN_QUANTUM)
    ordered = sorted(rows.values(), key=lambda r: (r.key == "", r.key))
    units = _units(projects, done, as_of)
    return {"month": month.replace(day=1), "as_of": as_of, "by": by, "rows": ordered, "total": total, "units": units}


def _units(projects, done, as_of) -> list[dict]:
    """The physical totals by unit (seed 004: 97.05 km of road planned, 42.7 km done)."""
    totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for project in projects:
        accepted = project.accepted_on is not None and project.accepted_on <= as_of
        totals[project.unit][0] += project.planned_quantity
        totals[project.unit][1] += project.planned_quantity if accepted else done.get(project.pk, Decimal(0))
    return [
        {"unit": codes.PhysicalUnit(unit).label, "planned": plan.normalize(), "done": reached.normalize()}
        for unit, (plan, reached) in sorted(totals.items())
    ]


def percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"
