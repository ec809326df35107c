"""`assess`: judge every household (or village, or county) in scope and store the decisions with the run.

The entry point of `fupin assess` and of the bench: it refreshes the profile, then hands village and county exit
to areas.py and the households to parallel.py (one or two connections), removing the run again if anything fails.
"""

from datetime import date

from django.db import transaction

from fupin.core.progress import Progress

from .. import compute
from ..evaluation import Plan
from ..models import AREA_KINDS, AssessmentRun
from .areas import assess_areas
from .parallel import judge_households
from .records import discard_abandoned_runs, discard_run, start_run
from .scope import Scope, as_of_or_today, assessment_kind, features_source, resolve_pack, resolve_scope


def assess(
    kind,
    *,
    user=None,
    pack_id: str | None = None,
    as_of: date | None = None,
    area: str | None = None,
    values: dict | None = None,
    progress: Progress | None = None,
    using: str = "default",
) -> AssessmentRun:
    """Judge every household (or village, or county) in scope and store the decisions with the run."""
    kind = assessment_kind(kind)
    progress = progress or Progress()
    as_of = as_of_or_today(as_of)
    scope = resolve_scope(user, area)
    pack = resolve_pack(pack_id, scope, as_of, values)
    plan = None if kind in AREA_KINDS else Plan.of(pack, kind)
    with transaction.atomic(using=using):  # committed first: a second connection must see the same profile
        progress.phase("更新农户汇总", 1)
        compute.refresh_profiles(pack.year, using)
        progress.advance("更新农户汇总", 1)
    if plan is None:
        with transaction.atomic(using=using):
            source = features_source(as_of, pack.year, scope.prefix, using)
            run = assess_areas(kind, pack, scope, as_of, user, source, progress, using)
            compute.drop_as_of_events(using)
        return run
    return _assess_households(plan, scope, as_of, user, progress, using)


def _assess_households(plan: Plan, scope: Scope, as_of: date, user, progress, using) -> AssessmentRun:
    """Start a run, write one decision per household, count, finish. The run row is committed first (unfinished
    runs are not read by lists or explanations) so that a second connection may write its part of the decisions;
    whatever goes wrong, the run and its rows are removed again."""
    discard_abandoned_runs(using)
    with transaction.atomic(using=using):
        run = start_run(plan.kind, plan.pack, scope, as_of, user, rule_ids=plan.rule_ids, using=using)
    try:
        judge_households(plan, run, scope, as_of, progress, using)
    except BaseException:
        discard_run(run.pk, using)
        raise
    return run
