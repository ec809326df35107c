"""One household: judged now from its own rows (the API's live assessment, `fupin explain`), or its latest stored
decision of each kind (the household page). Both come back as a Decision, which explain.py reads.
"""

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from fupin.areas.models import PREFIX_LENGTH
from fupin.areas.scoping import in_scope
from fupin.core.errors import NotFound
from fupin.registry.models import Household

from .. import compute
from ..evaluation import Plan
from ..models import AREA_KINDS, AssessmentRun, HouseholdDecision, Kind, decision_key
from ..packs import Pack, pack_from_snapshot
from .records import finish_household_run, start_run
from .scope import InvalidAssessment, Scope, as_of_or_today, assessment_kind, resolve_pack, scoped_get


@dataclass
class Decision:
    """A decision as explain() reads it: stored (from a run) or just computed (the API's live assessment)."""

    household: Household
    kind: Kind
    pack: Pack
    as_of: date
    outcome: bool | None
    category: str
    results: int
    features: dict
    run: AssessmentRun | None = None
    stored: HouseholdDecision | None = None


def assess_household(
    user,
    household_id: int,
    kind,
    *,
    pack_id: str | None = None,
    as_of: date | None = None,
    values: dict | None = None,
    record: bool = False,
    using: str = "default",
) -> Decision:
    """Judge one household now, from its own rows (no profile), by the Python evaluator; `record` stores it as a
    one-household run. Outside the user's area it is "not found"."""
    kind = assessment_kind(kind)
    if kind in AREA_KINDS:
        raise InvalidAssessment(_("“%(kind)s”评估的是村或县，不是一户") % {"kind": kind.label})
    household = scoped_get(Household.objects.using(using).select_related("village"), user, pk=household_id)
    as_of = as_of_or_today(as_of)
    pack = resolve_pack(pack_id, Scope(household.village_id, "", household.village), as_of, values)
    plan = Plan.of(pack, kind)
    features = compute.household_features(household.pk, plan.features, as_of, pack.year, using)
    outcome, category, results = plan.judge(features)
    decision = Decision(household, kind, pack, as_of, outcome, category, results, features)
    if record:
        with transaction.atomic(using=using):
            scope = Scope(household.village_id, household.village.full_name(), household.village)
            run = start_run(kind, pack, scope, as_of, user, single=household, rule_ids=plan.rule_ids, using=using)
            decision.stored = HouseholdDecision.objects.using(using).create(
                id=decision_key(run.pk, household.pk),
                run=run,
                household=household,
                outcome=outcome,
                category=category,
                results=results,
                persons=features.get("members") or 0,
                **features,
            )
            finish_household_run(run, using, [(outcome, category, 1, features.get("members") or 0)])
            decision.run = run
    return decision


@lru_cache(maxsize=64)
def _pack_of_run(version: str, snapshot_json: str) -> Pack:
    return pack_from_snapshot(json.loads(snapshot_json))


def run_pack(run: AssessmentRun) -> Pack:
    """The pack a run was judged with, from its stored snapshot (parsed once per version)."""
    return _pack_of_run(run.pack_version, json.dumps(run.pack, sort_keys=True))


def stored_decision(stored: HouseholdDecision) -> Decision:
    """A stored decision as explain() reads it: the features its run's pack reads, from the decision's row."""
    run = stored.run
    pack = run_pack(run)
    plan = Plan.of(pack, run.kind)
    features = {name: getattr(stored, name) for name in plan.features}
    return Decision(
        stored.household,
        Kind(run.kind),
        pack,
        run.as_of,
        stored.outcome,
        stored.category,
        stored.results,
        features,
        run=run,
        stored=stored,
    )


def latest_decisions(user, household: Household) -> list[Decision]:
    """The household's latest decision of each kind: the latest whole-area run holding its village, or a later
    one-household run of it. Two queries whatever the number of kinds and runs: the latest run of each (kind,
    whole-area or single) by a window over the runs index, then the decisions by their (run, household) keys —
    never a scan of decisions."""
    if user is not None and not in_scope(user, household.village_id):  # the CLI, with no user, sees everything
        raise NotFound(_("未找到该记录"))
    code = household.village_id
    prefixes = ["", *(code[:n] for n in sorted(set(PREFIX_LENGTH.values())) if n <= len(code))]
    kinds = [kind for kind in Kind.values if kind not in AREA_KINDS]
    newest_first = [F("finished_at").desc(), F("id").desc()]
    runs = (
        AssessmentRun.objects.filter(finished_at__isnull=False, kind__in=kinds)
        .filter(Q(single=False, area_code__in=prefixes) | Q(single=True, household=household))
        .annotate(rank=Window(RowNumber(), partition_by=[F("kind"), F("single")], order_by=newest_first))
        .filter(rank=1)
    )
    runs = {run.pk: run for run in runs}
    found = HouseholdDecision.objects.filter(pk__in=[decision_key(pk, household.pk) for pk in runs])
    newest = {}
    for stored in found:
        stored.run = runs[stored.run_id]
        stored.household = household
        kind = stored.run.kind
        if kind not in newest or (stored.run.finished_at, stored.run_id) > (
            newest[kind].run.finished_at,
            newest[kind].run_id,
        ):
            newest[kind] = stored
    return [stored_decision(newest[kind]) for kind in kinds if kind in newest]
