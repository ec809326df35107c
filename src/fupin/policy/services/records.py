"""An assessment run's record: started, counted and finished — or discarded with its decisions.

Every list, explanation and tally reads a run row; these are the only functions that write one, for the household
batch (batch, parallel), village and county exit (areas) and one household (household). A run is read only once
finished; one left unfinished by a dead process is removed by the next batch (discard_abandoned_runs).
"""

from datetime import date, timedelta

from django.db import connections, transaction
from django.utils import timezone

from fupin.registry.models import Household

from ..models import AssessmentRun
from ..packs import Pack
from .scope import Scope

ABANDONED_AFTER = timedelta(hours=12)


def start_run(
    kind, pack: Pack, scope: Scope, as_of: date, user, *, single: Household | None = None, rule_ids=(), using="default"
):
    """A run record; `single` is the household of a one-household run."""
    return AssessmentRun.objects.using(using).create(
        kind=kind,
        pack_id=pack.id,
        pack_version=pack.version,
        pack=pack.snapshot(),
        rule_ids=list(rule_ids),
        year=pack.year,
        as_of=as_of,
        area_code=scope.prefix,
        area_name=scope.name,
        single=single is not None,
        household=single,
        user=user if getattr(user, "pk", None) else None,
        engine=connections[using].vendor,
    )


def discard_run(run_id: int, using: str) -> None:
    with transaction.atomic(using=using):
        AssessmentRun.objects.using(using).filter(pk=run_id).delete()  # its decisions go with it (signals.py)


def discard_abandoned_runs(using: str) -> None:
    """Runs left unfinished by a process that died long ago: their rows are removed (one key range each)."""
    stale = AssessmentRun.objects.using(using).filter(
        finished_at__isnull=True, single=False, started_at__lt=timezone.now() - ABANDONED_AFTER
    )
    for run_id in stale.values_list("pk", flat=True):
        discard_run(run_id, using)


def finish_household_run(run: AssessmentRun, using: str, rows) -> None:
    """The run's counts by outcome and category (from what its parts wrote), and its end: from now on it is read."""
    count_households(run, rows)
    run.finished_at = timezone.now()
    run.save(using=using)


def count_households(run: AssessmentRun, rows) -> None:
    """Set a household run's totals from (outcome, category, households, persons) rows, as `evaluation.tally`
    gives them."""
    counts: dict = {"outcome": {"true": [0, 0], "false": [0, 0], "unknown": [0, 0]}, "category": {}}
    for outcome, category, households, persons in rows:
        key = {True: "true", False: "false", None: "unknown"}[None if outcome is None else bool(outcome)]
        counts["outcome"][key][0] += households
        counts["outcome"][key][1] += persons or 0
        if category:
            pair = counts["category"].setdefault(category, [0, 0])
            pair[0] += households
            pair[1] += persons or 0
    run.households = sum(pair[0] for pair in counts["outcome"].values())
    run.persons = sum(pair[1] for pair in counts["outcome"].values())
    run.passed, run.passed_persons = counts["outcome"]["true"]
    run.unknown = counts["outcome"]["unknown"][0]
    run.counts = counts


def count_areas(run: AssessmentRun, decisions) -> None:
    """Set a village or county run's totals from its area decisions."""
    decisions = list(decisions)
    run.households = len(decisions)
    run.persons = sum(d.population or 0 for d in decisions)
    run.passed = sum(1 for d in decisions if d.outcome)
    run.unknown = sum(1 for d in decisions if d.outcome is None)
    run.counts = {"poor_persons": sum(d.poor_persons for d in decisions)}
