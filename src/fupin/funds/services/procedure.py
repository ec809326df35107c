"""The project library's procedure as data, one per county: its ProcedureStep rows, written from
codes.DEFAULT_PROCEDURE (户申请 → 村提议 → 队帮扶 → 乡统筹 → 县审定 → 入年度计划) the first time the county's procedure
is asked for, so a county that changes its own edits rows and never code. A notice's period is counted as the
county's other notices are: in calendar or working days as the policy pack in force says (`count_working_days`,
the same parameter monitoring's village notices read)."""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fupin.areas.models import Level
from fupin.core import workdays
from fupin.policy.packs import PackNotFound, pack_for

from .. import codes
from ..models import ProcedureStep
from .common import FundsRefused

#: the earliest year a pack is looked for, going back from a date's own year (as monitoring's deadlines do)
FIRST_PACK_YEAR = 2014
#: where a proposal of each level enters the procedure: a village's at its first step; a township's or the
#: county's own (cross-village work) at the step of its own level, the village steps having nothing to add
ENTRY_STEP = {
    codes.ProposerLevel.TOWNSHIP: codes.StepCode.TOWNSHIP,
    codes.ProposerLevel.COUNTY: codes.StepCode.COUNTY,
}
PROPOSER_LEVEL = {
    Level.VILLAGE: codes.ProposerLevel.VILLAGE,
    Level.TOWNSHIP: codes.ProposerLevel.TOWNSHIP,
    Level.COUNTY: codes.ProposerLevel.COUNTY,
}


@dataclass(frozen=True)
class Step:
    """One step of a county's procedure as the services read it."""

    order: int
    code: str
    name: str
    roles: frozenset
    notice_days: int
    criteria: tuple

    @property
    def label(self) -> str:
        return self.name or str(codes.StepCode(self.code).label)


def _default_rows(county_code: str) -> list[ProcedureStep]:
    return [
        ProcedureStep(
            county_id=county_code,
            order=number,
            code=str(step.code),
            roles=sorted(str(role) for role in step.roles),
            notice_days=step.notice_days,
            criteria=list(step.criteria),
        )
        for number, step in enumerate(codes.DEFAULT_PROCEDURE, start=1)
    ]


def procedure_of(county_code: str) -> list[Step]:
    """The county's steps in order; the default written as the county's rows when it has none."""
    rows = list(ProcedureStep.objects.filter(county_id=county_code).order_by("order"))
    if not rows:
        try:
            with transaction.atomic():
                ProcedureStep.objects.bulk_create(_default_rows(county_code))
        except IntegrityError:  # another request wrote them first: read theirs
            pass
        rows = list(ProcedureStep.objects.filter(county_id=county_code).order_by("order"))
    return [
        Step(row.order, row.code, row.name, frozenset(row.roles or ()), row.notice_days, tuple(row.criteria or ()))
        for row in rows
    ]


def step_of(steps: list[Step], code: str) -> Step | None:
    return next((step for step in steps if step.code == code), None)


def entry_step(steps: list[Step], proposer_level: str) -> Step:
    """The step a proposal of this level starts at (ENTRY_STEP; the first step where the procedure lacks it)."""
    if not steps:
        raise FundsRefused(_("本县的项目库程序没有任何环节，请先在管理后台设置“项目库程序环节”"))
    wanted = ENTRY_STEP.get(proposer_level)
    return step_of(steps, wanted) if wanted and step_of(steps, wanted) else steps[0]


def following(steps: list[Step], code: str) -> Step | None:
    """The step after `code`; None after the last (the project enters the year's plan)."""
    codes_in_order = [step.code for step in steps]
    if code not in codes_in_order:
        return None
    index = codes_in_order.index(code)
    return steps[index + 1] if index + 1 < len(steps) else None


def _counts_working_days(area_code: str, day: date) -> bool:
    """Whether notices in the area are counted in working days on that date: the pack in force (the date's year's,
    else the latest earlier one); calendar days where no pack is written at all."""
    for year in range(day.year, FIRST_PACK_YEAR - 1, -1):
        try:
            return bool(pack_for(area_code, year).parameters.get("count_working_days", False))
        except PackNotFound:
            continue
    return False


def notice_until(area_code: str, posted_on: date, days: int) -> date:
    """The last day of a notice of `days` days posted on `posted_on` (the posting day not counted): the step it
    belongs to is taken only after it."""
    return workdays.add_days(posted_on, days, working=_counts_working_days(area_code, posted_on))


def notice_unit(area_code: str, day: date) -> str:
    return _("个工作日") if _counts_working_days(area_code, day) else _("天")
