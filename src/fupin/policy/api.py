"""Assessment endpoints: one household judged live with its explanation, runs, and flagged households.

Thin: parse, call policy.services.* (which scopes by the caller's area: a household outside it is 404), render.
"""

from dataclasses import asdict

from ninja import Query, Router

from fupin.api_common import ERRORS, PageQuery, paginate
from fupin.registry.schemas import HouseholdQuery

from .models import Kind
from .schemas import AreaVerdictsOut, AssessmentOut, AssessmentQuery, FlaggedPage, RunPage, feature_values
from .services.explain import display, explain
from .services.household import assess_household as judge_household
from .services.queries import decisions_of, in_scope, listed_runs, runs
from .services.queries import flagged as flagged_households
from .services.verdicts import area_run, area_verdicts

router = Router(tags=["评估"])


def _assessment(request, household_id: int, query: AssessmentQuery, record: bool):
    decision = judge_household(
        request.auth, household_id, query.kind, pack_id=query.policy, as_of=query.as_of, record=record
    )
    explanation = explain(decision)
    body = asdict(explanation)
    body["rules"] = body.pop("lines")
    body.update(
        household_id=decision.household.pk,
        features=feature_values(decision, display),
        run_id=decision.run.pk if decision.run else None,
    )
    return body


@router.get(
    "/households/{int:household_id}/assessment", response={200: AssessmentOut, **ERRORS}, summary="单户即时评估"
)
def assess_household(request, household_id: int, query: Query[AssessmentQuery]):
    """Judges the household now from its registry rows, under the pack asked for (default: its region's pack for
    the year before the date), and explains each rule. Nothing is stored."""
    return _assessment(request, household_id, query, record=False)


@router.post(
    "/households/{int:household_id}/assessment", response={200: AssessmentOut, **ERRORS}, summary="单户即时评估并入库"
)
def record_household_assessment(request, household_id: int, query: Query[AssessmentQuery]):
    """As GET, and stores the decision as a one-household run (shown on the household page)."""
    return _assessment(request, household_id, query, record=True)


@router.get("/assessments/runs", response={200: RunPage, **ERRORS}, summary="评估批次")
def list_runs(request, page: Query[PageQuery], kind: Kind | None = None, single: bool = False):
    """Finished whole-area runs over the caller's area, an area above it or one inside it, newest first, as the
    runs page lists them: a wider run (the county's, read by a township) is counted again over the caller's own
    households (`counted_in` names the area the figures are of). `single=true`: the runs inside the caller's area,
    one-household runs among them."""
    if single:
        return paginate(runs(request.auth, kind=kind, include_single=True), page)
    body = paginate(listed_runs(request.auth, kind), page)
    body["items"] = [in_scope(request.auth, run) for run in body["items"]]
    return body


@router.get("/assessments/flagged", response={200: FlaggedPage, **ERRORS}, summary="评估发现的农户")
def flagged(
    request, filters: Query[HouseholdQuery], page: Query[PageQuery], kind: Kind = Kind.MONITORING, category: str = ""
):
    """Households the latest applicable run flagged (monitoring: in a category; exit, risk elimination: meeting
    the conditions; data checks: a suspected problem), with the registry list's filters. The run's totals are
    of the caller's households only, even when the run is the county's (`counted_in` names their area)."""
    run, households = flagged_households(request.auth, kind, filters.model_dump(), category=category)
    body = paginate(households.select_related("village").order_by("number"), page)
    decisions = decisions_of(run, body["items"]) if run else {}
    for household in body["items"]:
        decision = decisions.get(household.pk)
        household.decision_category = decision.category if decision else ""
        household.persons = decision.persons if decision else 0
    return {"run": run, **body}


@router.get("/assessments/areas", response={200: AreaVerdictsOut, **ERRORS}, summary="村、县退出评估结论")
def area_verdicts_of_run(request, kind: Kind = Kind.VILLAGE_EXIT, run: int | None = None):
    """Each area's verdict in a village- or county-exit run (the latest one covering the caller's area unless `run`
    names one): incidence with its population and source, checklist items met, missing or not surveyed. Only the
    areas in the caller's scope."""
    chosen = area_run(request.auth, kind, run)
    return {"run": chosen, "items": area_verdicts(request.auth, chosen)}
