"""What waits for whom: the inboxes of each role, read from the clue and case rows (scoped, sorted by deadline).

A box is a named list of open work at given steps; each role sees the boxes of the steps it takes (codes.PROCEDURES
says who takes which). The same boxes give the home page's counts, so a count and its list never disagree."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from fupin.accounts.roles import Role

from ..codes import CaseState, ClueState, StepCode
from ..models import Case, Clue


@dataclass(frozen=True)
class Box:
    name: str
    title: str
    clues: bool = False  # a box of clues (else of cases)
    steps: tuple = ()  # the cases' current steps (empty: any step)
    overdue: bool = False  # only the cases past their step's deadline


BOXES = {
    box.name: box
    for box in (
        Box("clues", _("待受理线索"), clues=True),
        Box("verify", _("待入户核实和评议"), steps=(StepCode.VERIFY, StepCode.REVIEW)),
        Box("notice", _("待公示公告"), steps=(StepCode.NOTICE, StepCode.ANNOUNCE)),
        Box("township", _("待乡镇审核"), steps=(StepCode.TOWNSHIP,)),
        Box("crosscheck", _("待县级比对"), steps=(StepCode.CROSSCHECK,)),
        Box("approve", _("待县级审批和录入"), steps=(StepCode.COUNTY, StepCode.ENTER)),
        Box("overdue", _("已逾期"), overdue=True),
        Box("open", _("全部办理中")),
    )
}

#: the boxes each role works from, the first its default
ROLE_BOXES = {
    Role.VILLAGE: ("verify", "notice", "clues", "overdue", "open"),
    Role.CADRE: ("verify", "notice", "clues", "open"),
    Role.TOWNSHIP: ("clues", "township", "verify", "notice", "overdue", "open"),
    Role.COUNTY_ADMIN: ("crosscheck", "approve", "overdue", "clues", "township", "open"),
    Role.INSPECTOR: ("overdue", "open"),
    Role.DEPARTMENT: ("clues",),
}


def boxes_of(user) -> list[Box]:
    names = ROLE_BOXES.get(user.role, ("open",)) if not user.is_superuser else ROLE_BOXES[Role.COUNTY_ADMIN]
    return [BOXES[name] for name in names]


def box_for(user, name: str | None) -> Box:
    """The box asked for when the user has it, else the role's default."""
    mine = boxes_of(user)
    return next((box for box in mine if box.name == name), mine[0])


def clues_waiting(user):
    return Clue.objects.restrict(user).filter(state=ClueState.PENDING).order_by("accept_due", "id")


def cases_waiting(user, box: Box, today: date):
    cases = Case.objects.restrict(user).filter(state=CaseState.OPEN)
    if box.steps:
        cases = cases.filter(step__in=box.steps)
    if box.overdue:
        cases = cases.filter(step_due__lt=today)
    return cases.order_by("step_due", "id")


def box_items(user, box: Box, today: date):
    return clues_waiting(user) if box.clues else cases_waiting(user, box, today)


def _box_filter(box: Box, today: date) -> Q:
    condition = Q()
    if box.steps:
        condition &= Q(step__in=box.steps)
    if box.overdue:
        condition &= Q(step_due__lt=today)
    return condition


def counts(user, *, today: date) -> list[dict]:
    """Each of the user's boxes with how many wait in it (and how many of those are past due): one aggregate over
    the open cases and one over the pending clues, whatever the number of boxes."""
    boxes = boxes_of(user)
    late = Q(step_due__lt=today)
    aggregates = {}
    for box in boxes:
        if not box.clues:
            aggregates[box.name] = Count("pk", filter=_box_filter(box, today))
            aggregates[f"{box.name}_late"] = Count("pk", filter=_box_filter(box, today) & late)
    totals = Case.objects.restrict(user).filter(state=CaseState.OPEN).aggregate(**aggregates) if aggregates else {}
    if any(box.clues for box in boxes):
        totals.update(
            clues_waiting(user).aggregate(clues=Count("pk"), clues_late=Count("pk", filter=Q(accept_due__lt=today)))
        )
    return [{"box": box, "count": totals[box.name], "overdue": totals[f"{box.name}_late"]} for box in boxes]


def overdue_by_area_and_step(user, *, today: date) -> list[dict]:
    """The open cases past their step's deadline, counted by village and step (the county's overview)."""
    rows = (
        Case.objects.restrict(user)
        .filter(state=CaseState.OPEN, step_due__lt=today)
        .values("village_id", "village__name", "village__parent__name", "step")
        .annotate(cases=Count("id"))
        .order_by("village_id", "step")
    )
    labels = dict(StepCode.choices)
    return [{**row, "step_label": labels.get(row["step"], row["step"])} for row in rows]
