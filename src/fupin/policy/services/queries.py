"""Reading runs and decisions: the runs a user may list, the run a flagged list reads, the flagged households,
a run's totals as the user may see them, and a page's decisions. Nothing here writes.
"""

from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from fupin.areas.models import code_range
from fupin.areas.scoping import NOTHING, scope_prefix
from fupin.core.errors import NotFound
from fupin.registry.filters import filtered_households
from fupin.registry.models import Household

from .. import compute
from ..evaluation import DECISION_TABLE
from ..models import AREA_KINDS, AreaDecision, AssessmentRun, HouseholdDecision, decision_key, run_keys
from .records import count_areas, count_households
from .scope import CATEGORY_LABELS, InvalidAssessment, assessment_kind


def runs(user, *, kind: str | None = None, include_single: bool = False):
    """Runs over areas inside the user's scope (a village user does not see the county's totals): each one's
    totals are of households inside the scope, as they stand."""
    queryset = AssessmentRun.objects.restrict(user) if user is not None else AssessmentRun.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if not include_single:
        queryset = queryset.filter(single=False)
    return queryset.select_related("user")


def covering(prefix: str) -> list[str]:
    """The prefixes of the areas that hold an area with this prefix, itself included ("" is everything)."""
    return [prefix[:n] for n in range(len(prefix) + 1)]


def run_for(user, kind) -> AssessmentRun | None:
    """The run a user's flagged list reads by default: the latest finished whole-area run of the kind over the
    widest area that covers the user's whole area — the county's current run for a township or a village user,
    even when a township run was made after it — else the latest one inside it (a county user who has only
    township runs). A sub-area run is one pick away (listed_runs)."""
    kind = assessment_kind(kind)
    prefix = scope_prefix(user)
    if prefix == NOTHING:
        return None
    finished = AssessmentRun.objects.filter(kind=kind, single=False, finished_at__isnull=False)
    widest = finished.filter(area_code__in=covering(prefix)).order_by(Length("area_code"), "-finished_at", "-id")
    return widest.first() or finished.restrict(user).order_by("-finished_at", "-id").first()


def listed_runs(user, kind: str | None = None):
    """The finished whole-area runs a user may list: over their area, an area above it (the county's runs for a
    township) or one inside it, newest first. A wider run's totals are of the whole wider area: shown only
    through in_scope, which counts them again over the user's own households."""
    queryset = AssessmentRun.objects.filter(single=False, finished_at__isnull=False)
    if user is not None:
        prefix = scope_prefix(user)
        if prefix == NOTHING:
            return queryset.none()
        low, high = code_range(prefix)
        queryset = queryset.filter(Q(area_code__in=covering(prefix)) | Q(area_code__gte=low, area_code__lt=high))
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("user").order_by("-finished_at", "-id")


def chosen_run(user, kind, run_id=None) -> AssessmentRun | None:
    """The run a list reads: the one picked (one the user may list, else "not found" as for a missing one), or
    run_for's default."""
    if run_id in (None, ""):
        return run_for(user, kind)
    run = listed_runs(user).filter(pk=run_id).first() if str(run_id).isdigit() else None
    if run is None:
        raise NotFound(_("未找到该评估批次"))
    return run


def flagged(user, kind, params=None, *, category: str = "", run: AssessmentRun | None = None):
    """Households in the user's scope, filtered like the registry list (registry.filters), that the latest
    applicable run flagged (outcome true; for monitoring optionally of one category). Returns (run, queryset)."""
    kind = assessment_kind(kind)
    if kind in AREA_KINDS:
        raise InvalidAssessment(_("村、县退出的结论按区划列出，不是农户名单"))
    run = in_scope(user, run or run_for(user, kind))
    households = filtered_households(user, params or {})
    if run is None:
        return None, households.none()
    decisions = HouseholdDecision.objects.filter(pk=run_keys(run.pk)[0] + OuterRef("pk"), outcome=True)
    if category:
        if category not in CATEGORY_LABELS:
            raise InvalidAssessment(
                _("监测对象类别应为 %(categories)s") % {"categories": ", ".join(CATEGORY_LABELS)},
                field="category",
                details={"allowed": list(CATEGORY_LABELS)},
            )
        decisions = decisions.filter(category=category)
    return run, households.filter(Exists(decisions))


def in_scope(user, run: AssessmentRun | None) -> AssessmentRun | None:
    """The run with its totals as `user` may see them. A run over the user's area or one inside it is theirs whole;
    a wider one (the county's run, read by a village) is counted again over the user's own households — or, for
    village and county exit, their own areas' decisions — so no figure from outside their area reaches them.
    `counted_in` and `counted_in_name` say which area the totals are of. The recounted copy is never saved."""
    if run is None:
        return None
    prefix = scope_prefix(user) if user is not None else ""
    if prefix != NOTHING and run.area_code.startswith(prefix):
        run.counted_in, run.counted_in_name = run.area_code, run.area_name
        return run
    scoped = AssessmentRun.objects.get(pk=run.pk)  # a fresh copy: the caller's instance keeps the stored totals
    if scoped.kind in AREA_KINDS:
        count_areas(scoped, AreaDecision.objects.filter(run=scoped).restrict(user))
    else:
        count_households(scoped, _tally_in_scope(scoped.pk, prefix))
    area = getattr(user, "area", None)
    scoped.counted_in, scoped.counted_in_name = prefix, area.full_name() if area else ""
    return scoped


def _tally_in_scope(run_id: int, prefix: str, using: str = "default") -> list[tuple[bool | None, str, int, int]]:
    """(outcome, category, households, persons) of a run's decisions of the households now under `prefix`: the
    households found by their village's code range (an index range), each decision by one probe of its key — a
    few hundred probes for a village however many millions of decisions the run holds. A household deleted
    since the run is not counted, as the lists do not show it."""
    condition, params = compute.scope_condition(prefix)
    first, end = run_keys(run_id)
    sql = (
        f"SELECT d.outcome, d.category, COUNT(*), SUM(d.persons) FROM {Household._meta.db_table} h "
        f"JOIN {DECISION_TABLE} d ON d.id = %(first_key)s + h.id AND d.id >= %(first_key)s AND d.id < %(end_key)s "
        f"WHERE {condition} GROUP BY d.outcome, d.category"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, {**params, "first_key": first, "end_key": end})
        return [
            (outcome, category or "", int(n), int(persons or 0)) for outcome, category, n, persons in cursor.fetchall()
        ]


def decisions_of(run: AssessmentRun, households) -> dict[int, HouseholdDecision]:
    """The run's decisions for a page of households (one indexed query)."""
    keys = [decision_key(run.pk, household.pk) for household in households]
    return {d.household_id: d for d in HouseholdDecision.objects.filter(pk__in=keys)}
