"""Reading a village- or county-exit run area by area: the verdict, the incidence with its population and source,
and the checklist items met, missing or not surveyed. One reading for the web page, the API and the CLI."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from fupin.areas.scoping import NOTHING, scope_prefix
from fupin.core.errors import NotFound
from fupin.registry.models import CHECKLIST_ITEMS

from ..models import AREA_KINDS, AreaDecision, AssessmentRun, Kind


@dataclass
class AreaVerdict:
    decision_id: int
    area_code: str
    area_name: str
    outcome: bool | None
    verdict: str
    poor_persons: int
    population: int | None
    population_source: str
    incidence: float | None
    threshold: float
    incidence_met: bool | None
    items_met: list[str] = field(default_factory=list)
    items_missing: list[str] = field(default_factory=list)
    items_unknown: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def incidence_percent(self) -> str:
        return "" if self.incidence is None else percent(self.incidence)

    @property
    def threshold_percent(self) -> str:
        return percent(self.threshold)


def percent(value: float) -> str:
    """A share as a clerk reads it: 0.0213 → 2.13%."""
    return f"{value * 100:.2f}%"


def verdict_text(outcome: bool | None) -> str:
    return {True: _("符合退出标准"), False: _("不符合退出标准"), None: _("无法判断（缺少数据）")}[outcome]


def _covering(prefix: str) -> list[str]:
    """The scope prefixes of the user's area and every area above it."""
    return [prefix[:n] for n in range(len(prefix) + 1)]


def readable_runs(user, kind=Kind.VILLAGE_EXIT):
    """Finished whole-area runs of the kind a user may read: over the user's area, one above it, or inside it."""
    prefix = scope_prefix(user) if user is not None else ""
    runs = AssessmentRun.objects.filter(kind=kind, single=False, finished_at__isnull=False).order_by(
        "-finished_at", "-id"
    )
    if prefix == NOTHING:
        return runs.none()
    return runs.filter(area_code__in=_covering(prefix)) | (runs if user is None else runs.restrict(user))


def area_run(user, kind=Kind.VILLAGE_EXIT, run_id: int | None = None) -> AssessmentRun | None:
    """The run asked for (NotFound unless it covers the user's area or lies inside it), else the latest finished
    whole-area run covering the user's area (a county's run, read for a village's users), else the latest inside."""
    if kind not in AREA_KINDS:
        raise NotFound(_("未找到该评估批次"))
    readable = readable_runs(user, kind)
    if run_id is not None:
        run = readable.filter(pk=run_id).first()
        if run is None:
            raise NotFound(_("未找到该评估批次"))
        return run
    prefix = scope_prefix(user) if user is not None else ""
    return readable.filter(area_code__in=_covering(prefix)).first() or readable.first()


def _verdict(decision: AreaDecision) -> AreaVerdict:
    checklist = decision.checklist or {}
    return AreaVerdict(
        decision_id=decision.pk,
        area_code=decision.area_id,
        area_name=decision.area.name,
        outcome=decision.outcome,
        verdict=verdict_text(decision.outcome),
        poor_persons=decision.poor_persons,
        population=decision.population,
        population_source=decision.population_source,
        incidence=decision.incidence,
        threshold=decision.threshold,
        incidence_met=decision.incidence_met,
        items_met=[CHECKLIST_ITEMS.get(k, k) for k, v in checklist.items() if v is True],
        items_missing=[CHECKLIST_ITEMS.get(k, k) for k, v in checklist.items() if v is False],
        items_unknown=[CHECKLIST_ITEMS.get(k, k) for k, v in checklist.items() if v is None],
        note=decision.note,
    )


def _decisions(user, run):
    decisions = AreaDecision.objects.filter(run=run).select_related("area")
    return decisions if user is None else decisions.restrict(user)


def area_verdicts(user, run: AssessmentRun | None) -> list[AreaVerdict]:
    """The run's verdicts of the areas in the user's scope, by area code."""
    if run is None:
        return []
    return [_verdict(d) for d in _decisions(user, run).order_by("area_id")]


def area_verdict(user, decision_id: int) -> tuple[AssessmentRun, AreaVerdict]:
    """One area's verdict and its run; NotFound for an area outside the user's scope."""
    queryset = AreaDecision.objects.select_related("area", "run")
    decision = (queryset if user is None else queryset.restrict(user)).filter(pk=decision_id).first()
    if decision is None:
        raise NotFound(_("未找到该评估结论"))
    return decision.run, _verdict(decision)
