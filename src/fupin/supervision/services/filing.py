"""Filing a problem into the ledger (登记): the one way a problem comes into being — from a form, an import row, a
failed spot-check item or a data check — with its first step and audit entry, in one transaction. The ledger's later
steps (claim, rectify, check, 销号) are services.problems."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.registry.models import Household

from .. import codes
from ..models import Batch, Problem, ProblemKind, ProblemStepRecord
from .common import SupervisionRefused, area_of, county_of


def file_problem(
    user, *, source, found: str, area_code, found_on=None, households=(), kind: ProblemKind | None = None,
    batch: Batch | None = None, deadline=None, responsible_unit: str = "", project_name: str = "", number: str = "",
    recurrence_of: Problem | None = None, via: str,
) -> Problem:  # fmt: skip
    """A new problem (待认领) in `area_code` (inside the user's area), concerning `households` (each inside it)."""
    if source not in codes.ProblemSource.values:
        raise SupervisionRefused(_("未知的问题来源“%(source)s”") % {"source": source}, field="source")
    if not str(found or "").strip():
        raise SupervisionRefused(_("请填写问题描述"), field="found")
    area = area_of(user, area_code)
    county = county_of(area)
    found_on = found_on or timezone.localdate()
    if deadline is not None and deadline < found_on:
        raise SupervisionRefused(
            _("整改时限 %(deadline)s 早于发现日期 %(found)s") % {"deadline": deadline, "found": found_on},
            field="deadline",
        )
    households = list(households)
    outside = [h.number for h in households if not h.village_id.startswith(area.prefix)]
    if outside:
        raise SupervisionRefused(
            _("农户 %(numbers)s 不在“%(area)s”") % {"numbers": "、".join(outside), "area": area.name},
            field="households",
        )
    if kind is not None and kind.county_id != county.code:
        raise SupervisionRefused(_("问题类别“%(kind)s”不是本县的") % {"kind": kind.name}, field="kind")
    with transaction.atomic():
        problem = Problem.objects.create(
            county=county, number=number, batch=batch, source=source, kind=kind, found=str(found).strip(),
            found_on=found_on, area=area, project_name=project_name, responsible_unit=responsible_unit,
            deadline=deadline, recurrence_of=recurrence_of, recorded_by=user,
        )  # fmt: skip
        if households:
            problem.households.set(Household.objects.filter(pk__in=[h.pk for h in households]))
        ProblemStepRecord.objects.create(problem=problem, code=codes.ProblemStep.FILED, actor=user)
        audit.record(user, Action.CREATE, problem, changes={"found": [None, problem.found]}, via=via)
    return problem
