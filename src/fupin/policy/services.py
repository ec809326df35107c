"""Assessment operations: judge every household (or one), explain a decision, compare two packs, list flags.

Every entry point takes the user and goes through the one scoping rule (`.restrict(user)`, or for SQL the code
range of the same `scope_prefix`); the CLI passes no user and sees everything, like the other management commands.
"""

import json
import os
import string
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fupin.accounts.masking import mask_value
from fupin.accounts.scoping import NOTHING, get_scoped, scope_prefix
from fupin.areas.models import PREFIX_LENGTH, Area, Level
from fupin.errors import DomainError, NotFound
from fupin.registry import codes
from fupin.registry.filters import HouseholdFilter
from fupin.registry.models import Household

from . import compute
from . import rules as rule_language
from .evaluation import (
    DECISION_TABLE, Plan, attach_run_table, compare_select, create_run_table, decode_results,
    insert_decisions, prepare, tally,
)
from .features import FEATURES
from .models import (
    AREA_KINDS, CHECKLIST_ITEMS, HOUSEHOLD_ID_BITS, AreaDecision, AssessmentRun, HouseholdDecision, Kind,
    VillageFacilities, decision_key,
    run_keys,
)
from .packs import KINDS as RULE_KIND_LABELS
from .packs import Pack, load_pack, pack_for, pack_from_snapshot
from .packs import _display as display_value

#: features derived from health status, which is masked for every role in a read (accounts.roles)
MASKED_FEATURES = {"seriously_ill_members": "health", "disabled_members": "health"}
CATEGORY_LABELS = {code: str(label) for code, label in codes.MonitoringCategory.choices}


class InvalidAssessment(DomainError):
    code = "invalid_assessment"


class Progress:
    """What a long assessment reports; the CLI draws it with rich. The default reports nothing."""

    def phase(self, name: str, total: int) -> None: ...

    def advance(self, name: str, amount: int) -> None: ...


# ── what to judge: scope, date, pack ────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Scope:
    prefix: str  # area-code prefix; "" is everything
    name: str
    area: Area | None


def resolve_scope(user, area_code: str | None = None) -> Scope:
    """The user's own area, or an area inside it (an area outside is "not found", as everywhere)."""
    prefix = scope_prefix(user) if user is not None else ""
    if prefix == NOTHING:
        raise NotFound("您没有可评估的区划")
    if area_code:
        areas = Area.objects.filter(code=str(area_code).strip())
        area = (areas.restrict(user) if user is not None else areas).first()
        if area is None:
            raise NotFound(f"区划 {area_code} 不存在或不在您的管辖范围内")
        return Scope(area.prefix, area.full_name(), area)
    area = getattr(user, "area", None)
    return Scope(prefix, area.full_name() if area else "全部区划", area)


def resolve_pack(pack_id: str | None, scope: Scope, as_of: date, values: dict | None = None) -> Pack:
    """The pack named, or the one for the scope's region and the year before the assessment date (the last
    complete year of income accounts); `values` replaces some of its lines, params or options (a what-if)."""
    if pack_id:
        pack = load_pack(pack_id)
    else:
        pack = pack_for(scope.prefix if len(scope.prefix) >= 2 else "national", as_of.year - 1)
    return pack.with_values(values) if values else pack


def _get(queryset, user, **lookup):
    """One object in the user's scope (NotFound outside it); the CLI, with no user, sees everything."""
    if user is None:
        found = queryset.filter(**lookup).first()
        if found is None:
            raise NotFound("未找到该记录")
        return found
    return get_scoped(queryset, user, **lookup)


def _as_of(as_of: date | None) -> date:
    return as_of or timezone.localdate()


# ── the batch ───────────────────────────────────────────────────────────────────────────────────────────────────


def _source(as_of: date, year: int, prefix: str, using: str) -> compute.Source:
    """The profile when nothing happened after the date; else event facts recomputed as of the date. The year's
    inputs from the profile when it holds that year, else from the income tables (an earlier year)."""
    state = compute.profile_state(using)
    years = state is not None and state.year == year
    if compute.events_after(as_of, using):
        compute.fill_as_of_events(as_of, prefix, using)
        return compute.Source.as_of_table(years)
    return compute.Source.profile(years)


def _start_run(kind, pack: Pack, scope: Scope, as_of: date, user, *, single: Household | None = None, rule_ids=(),
               using="default"):
    """A run record; `single` is the household of a one-household run."""
    return AssessmentRun.objects.using(using).create(
        kind=kind, pack_id=pack.id, pack_version=pack.version, pack=pack.snapshot(), rule_ids=list(rule_ids),
        year=pack.year, as_of=as_of, area_code=scope.prefix, area_name=scope.name, single=single is not None,
        household=single,
        user=user if getattr(user, "pk", None) else None, engine=connections[using].vendor,
    )


def assess(kind, *, user=None, pack_id: str | None = None, as_of: date | None = None, area: str | None = None,
           values: dict | None = None, progress: Progress | None = None, using: str = "default") -> AssessmentRun:
    """Judge every household (or village, or county) in scope and store the decisions with the run."""
    kind = Kind(kind)
    progress = progress or Progress()
    as_of = _as_of(as_of)
    scope = resolve_scope(user, area)
    pack = resolve_pack(pack_id, scope, as_of, values)
    plan = None if kind in AREA_KINDS else Plan.of(pack, kind)
    with transaction.atomic(using=using):  # committed first: a second connection must see the same profile
        progress.phase("更新农户汇总", 1)
        compute.refresh_profiles(pack.year, using)
        progress.advance("更新农户汇总", 1)
    if plan is None:
        with transaction.atomic(using=using):
            source = _source(as_of, pack.year, scope.prefix, using)
            run = _assess_areas(kind, pack, scope, as_of, user, source, progress, using)
            compute.drop_as_of_events(using)
        return run
    return _assess_households(plan, scope, as_of, user, progress, using)


#: the share of the households the connection holding the transaction judges itself. SQLite: it also copies the
#: other connection's rows in, so it takes the smaller part; PostgreSQL: both write their own rows
OWN_SHARE = {"sqlite": 0.45, "postgresql": 0.5}
ABANDONED_AFTER = timedelta(hours=12)


def _assess_households(plan: Plan, scope: Scope, as_of: date, user, progress, using) -> AssessmentRun:
    """Start a run, write one decision per household, count, finish. The run row is committed first (unfinished
    runs are not read by lists or explanations) so that a second connection may write its part of the decisions;
    whatever goes wrong, the run and its rows are removed again."""
    _discard_abandoned_runs(using)
    with transaction.atomic(using=using):
        run = _start_run(plan.kind, plan.pack, scope, as_of, user, rule_ids=plan.rule_ids, using=using)
    try:
        _judge_households(plan, run, scope, as_of, progress, using)
    except BaseException:
        _discard_run(run.pk, using)
        raise
    return run


def _judge_households(plan: Plan, run: AssessmentRun, scope: Scope, as_of: date, progress, using) -> None:
    connection = connections[using]
    scope_sql, scope_params, key = compute.batch_scope(scope.prefix)
    split = _split_point(scope_sql, scope_params, key, connection)
    params = {**scope_params, "split": split}
    own_table = separate = None
    if split and connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            own_table = separate = create_run_table(run.pk, using)
    helper = _Helper(plan, run.pk, scope, as_of, f"{scope_sql} AND {key} >= %(split)s", params, separate,
                     using) if split else None
    progress.phase("评估", 2 if helper else 1)
    try:
        with transaction.atomic(using=using):
            if helper:  # started inside our write transaction (SQLite: IMMEDIATE): it reads what we read
                helper.start()
            own = f"{scope_sql} AND {key} < %(split)s" if helper else scope_sql
            households = (0, split or 2**HOUSEHOLD_ID_BITS)
            counts = _judge_part(plan, run.pk, scope.prefix, as_of, own, params, households,
                                 own_table or DECISION_TABLE, using)
        progress.advance("评估", 1)
        if helper:
            counts += helper.finish(connection)
            progress.advance("评估", 1)
        with transaction.atomic(using=using):
            if separate:
                attach_run_table(run.pk, using)
            _finish_household_run(run, using, counts)
    finally:
        if helper:
            helper.clean_up(connection)


def _judge_part(plan: Plan, run_id: int, prefix: str, as_of: date, where: str, params: dict, households: tuple,
                table: str, using: str):
    """One connection's part: its source (the as-of events table is per connection), the combinations, the rows,
    and their counts (households: the id range of the part)."""
    source = _source(as_of, plan.pack.year, prefix, using)
    prepare(plan, using)
    insert_decisions(plan, run_id, source, where, {**compute.parameters(as_of, plan.pack.year), **params}, using,
                     table=table, scoped=bool(prefix))
    compute.drop_as_of_events(using)
    return tally(run_id, *households, using=using, table=table)


def _split_point(scope_sql: str, params: dict, key: str, connection) -> int | None:
    """The household id dividing the scope between two connections, or None to judge it with one: a small scope,
    a transaction already open around us (a second connection would not see its rows), or an in-memory SQLite."""
    if connection.in_atomic_block or (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        return None
    with connection.cursor() as cursor:
        if key == "h.id":
            cursor.execute(f"SELECT MIN(h.id), MAX(h.id) FROM {compute.HOUSEHOLD} h WHERE {scope_sql}", params)
            low, high = cursor.fetchone()
        else:  # the whole profile: both ends of its primary key, no scan (SQLite: one end per query)
            cursor.execute(f"SELECT MIN(id) FROM {compute.PROFILE}")
            low = cursor.fetchone()[0]
            cursor.execute(f"SELECT MAX(id) FROM {compute.PROFILE}")
            high = cursor.fetchone()[0]
    if low is None or high - low + 1 < max(settings.POLICY_PARALLEL_MIN_HOUSEHOLDS, 2):
        return None
    return low + int((high - low + 1) * OWN_SHARE[connection.vendor])


SCRATCH = "policy_scratch"


def scratch_table_ddl(cursor, name: str) -> str:
    """SQLite: the decision table's own CREATE statement under another name — same columns, types, key and checks,
    which `INSERT INTO decisions SELECT * FROM name` needs to copy records whole (measured: 0.21 s against 0.34 s
    per 320k rows with a column list)."""
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [DECISION_TABLE])
    ddl = cursor.fetchone()[0]
    quoted = f'"{DECISION_TABLE}"'
    if not ddl.startswith(f"CREATE TABLE {quoted}"):
        raise RuntimeError(f"unexpected definition of {DECISION_TABLE}: {ddl[:80]}")
    return ddl.replace(quoted, name, 1)


class _Helper:
    """The second connection: a thread with its own database connection judging the households from `split` on.
    PostgreSQL: into the run's own table (evaluation.create_run_table), in its own transaction. SQLite (one writer
    per database): into a scratch database file, which the first connection then attaches and copies in (an
    attached file is locked by every write transaction of the connection, so it is attached only once the helper
    is done)."""

    def __init__(self, plan, run_id, scope, as_of, where, params, table, using):
        self.arguments = (plan, run_id, scope.prefix, as_of, where, params, (params["split"], 2**HOUSEHOLD_ID_BITS))
        self.counts = []
        self.table = table or DECISION_TABLE
        self.using = using
        self.error: BaseException | None = None
        self.scratch = None
        if connections[using].vendor == "sqlite":
            handle, self.scratch = tempfile.mkstemp(prefix="fupin-assess-", suffix=".sqlite3")
            os.close(handle)
        self.attached = False
        self.thread = threading.Thread(target=self._run, name=f"assess-{run_id}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        connection = connections[self.using]
        try:
            if self.scratch:
                with connection.cursor() as cursor:
                    cursor.execute(f"ATTACH DATABASE %s AS {SCRATCH}", [self.scratch])
                    cursor.execute(f"PRAGMA {SCRATCH}.journal_mode = OFF")
                    cursor.execute(f"PRAGMA {SCRATCH}.synchronous = OFF")
                    cursor.execute(scratch_table_ddl(cursor, f"{SCRATCH}.decisions"))
                self.counts = _judge_part(*self.arguments, f"{SCRATCH}.decisions", self.using)
            else:
                with transaction.atomic(using=self.using):
                    self.counts = _judge_part(*self.arguments, self.table, self.using)
        except BaseException as error:  # noqa: BLE001 - handed to the first connection, which raises it
            self.error = error
        finally:
            connection.close()

    def finish(self, connection) -> list:
        """Wait for the helper and raise what it raised; on SQLite copy its rows in. Returns its counts."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        if self.scratch:
            with connection.cursor() as cursor:
                cursor.execute(f"ATTACH DATABASE %s AS {SCRATCH}", [self.scratch])
                self.attached = True
            with transaction.atomic(using=self.using), connection.cursor() as cursor:
                # exactly this form (no column list, SELECT *, same DDL) lets SQLite copy each record as it is
                # (its transfer optimisation) instead of decoding and re-encoding every column
                cursor.execute(f"INSERT INTO {DECISION_TABLE} SELECT * FROM {SCRATCH}.decisions")
        return self.counts

    def clean_up(self, connection) -> None:
        if self.thread.ident is not None:  # started
            self.thread.join()
        if self.attached:
            with connection.cursor() as cursor:
                cursor.execute(f"DETACH DATABASE {SCRATCH}")
        if self.scratch:
            os.unlink(self.scratch)


def _discard_run(run_id: int, using: str) -> None:
    with transaction.atomic(using=using):
        AssessmentRun.objects.using(using).filter(pk=run_id).delete()  # its decisions go with it (signals.py)


def _discard_abandoned_runs(using: str) -> None:
    """Runs left unfinished by a process that died long ago: their rows are removed (one key range each)."""
    stale = AssessmentRun.objects.using(using).filter(
        finished_at__isnull=True, single=False, started_at__lt=timezone.now() - ABANDONED_AFTER)
    for run_id in stale.values_list("pk", flat=True):
        _discard_run(run_id, using)


def _finish_household_run(run: AssessmentRun, using: str, rows) -> None:
    """The run's counts by outcome and category (from what its parts wrote), and its end: from now on it is read."""
    _count_households(run, rows)
    run.finished_at = timezone.now()
    run.save(using=using)


def _count_households(run: AssessmentRun, rows) -> None:
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


# ── village and county exit ─────────────────────────────────────────────────────────────────────────────────────


def _incidence_rows(level, prefix: str, source, params: dict, using: str) -> dict[str, tuple[int, int]]:
    """Poor persons and registered persons per area of `level` under the prefix, from the features."""
    dialect = compute.dialect_of(using)
    scope, scope_params = compute.scope_condition(prefix)
    features_sql = compute.features_select(dialect, ["status", "members"], source, scope)
    length = PREFIX_LENGTH[level]
    sql = (f"SELECT substr(village_id, 1, {length}) AS code, "
           f"SUM(CASE WHEN status = '{codes.Status.POOR}' THEN members ELSE 0 END), SUM(members) "
           f"FROM ({features_sql}) f GROUP BY substr(village_id, 1, {length})")
    with connections[using].cursor() as cursor:
        cursor.execute(sql, {**params, **scope_params})
        return {code: (int(poor or 0), int(persons or 0)) for code, poor, persons in cursor.fetchall()}


def checklist_items(pack: Pack) -> list[str]:
    names = [name.strip() for name in str(pack.parameters.get("village_checklist", "")).split(",") if name.strip()]
    unknown = [name for name in names if name not in CHECKLIST_ITEMS]
    if unknown:
        raise InvalidAssessment(
            f"标准包 {pack.id} 的 village_checklist 有未知项目：{'、'.join(unknown)}（可用：{', '.join(CHECKLIST_ITEMS)}）"
        )
    return names


def incidence_below(poor: int, population: int | None, threshold: float) -> bool | None:
    """"降至 2% 以下": strictly below, in exact fractions (2 of 100 is not below 2%)."""
    if not population:
        return None
    return Fraction(poor, population) < Fraction(str(threshold))


COUNTY_PENDING = ("错退率、漏评率须有抽查（第三方评估）数据才能计算，系统中尚无抽查记录；群众认可度须问卷调查。"
                  "此处只判断贫困发生率，其余各项待数据具备后评估。")


def _assess_areas(kind, pack, scope, as_of, user, source, progress, using) -> AssessmentRun:
    level = Level.VILLAGE if kind == Kind.VILLAGE_EXIT else Level.COUNTY
    threshold = float(pack.parameters["incidence_threshold"])
    items = checklist_items(pack) if level == Level.VILLAGE else []
    run = _start_run(kind, pack, scope, as_of, user, rule_ids=items, using=using)
    progress.phase("评估", 1)
    counted = _incidence_rows(level, scope.prefix, source, compute.parameters(as_of, pack.year), using)
    areas = list(Area.objects.using(using).under(scope.prefix).filter(level=level).order_by("code"))
    facilities = {
        f.village_id: f for f in VillageFacilities.objects.using(using).filter(year=pack.year, village__in=areas)
    } if items else {}
    decisions = [
        _area_decision(run, area, counted.get(area.prefix, (0, 0)), threshold, items, facilities.get(area.code), level)
        for area in areas
    ]
    AreaDecision.objects.using(using).bulk_create(decisions, batch_size=1000)
    progress.advance("评估", 1)
    _count_areas(run, decisions)
    run.note = COUNTY_PENDING if level == Level.COUNTY else ""
    run.finished_at = timezone.now()
    run.save(using=using)
    return run


def _count_areas(run: AssessmentRun, decisions) -> None:
    """Set a village or county run's totals from its area decisions."""
    decisions = list(decisions)
    run.households = len(decisions)
    run.persons = sum(d.population or 0 for d in decisions)
    run.passed = sum(1 for d in decisions if d.outcome)
    run.unknown = sum(1 for d in decisions if d.outcome is None)
    run.counts = {"poor_persons": sum(d.poor_persons for d in decisions)}


def _area_decision(run, area, counted, threshold, items, facilities, level) -> AreaDecision:
    poor, registered = counted
    if area.rural_population:
        population, source = area.rural_population, "区划登记的农村户籍人口"
    else:
        population, source = registered or None, "建档立卡系统登记人口（区划未登记农村户籍人口）"
    met = incidence_below(poor, population, threshold)
    notes = []
    checklist = {}
    if level == Level.VILLAGE:
        if facilities is None:
            notes.append(f"未登记 {run.year} 年基础设施和公共服务情况")
        checklist = {item: (facilities.item(item) if facilities else None) for item in items}
    else:
        notes.append(COUNTY_PENDING)
    parts = [met, *checklist.values()]
    if level == Level.COUNTY:
        parts.append(None)  # the spot-check rates, not yet computable
    outcome = False if False in parts else (None if None in parts else True)
    return AreaDecision(
        run=run, area=area, outcome=outcome, poor_persons=poor, population=population, population_source=source,
        incidence=float(Fraction(poor, population)) if population else None, threshold=threshold,
        incidence_met=met, checklist=checklist, note="；".join(notes),
    )


# ── one household ───────────────────────────────────────────────────────────────────────────────────────────────


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


def assess_household(user, household_id: int, kind, *, pack_id: str | None = None, as_of: date | None = None,
                     values: dict | None = None, record: bool = False, using: str = "default") -> Decision:
    """Judge one household now, from its own rows (no profile), by the Python evaluator; `record` stores it as a
    one-household run. Outside the user's area it is "not found"."""
    kind = Kind(kind)
    if kind in AREA_KINDS:
        raise InvalidAssessment(f"“{kind.label}”评估的是村或县，不是一户")
    household = _get(Household.objects.using(using).select_related("village"), user, pk=household_id)
    as_of = _as_of(as_of)
    pack = resolve_pack(pack_id, Scope(household.village_id, "", household.village), as_of, values)
    plan = Plan.of(pack, kind)
    features = compute.household_features(household.pk, plan.features, as_of, pack.year, using)
    outcome, category, results = plan.judge(features)
    decision = Decision(household, kind, pack, as_of, outcome, category, results, features)
    if record:
        with transaction.atomic(using=using):
            scope = Scope(household.village_id, household.village.full_name(), household.village)
            run = _start_run(kind, pack, scope, as_of, user, single=household, rule_ids=plan.rule_ids, using=using)
            decision.stored = HouseholdDecision.objects.using(using).create(
                id=decision_key(run.pk, household.pk), run=run, household=household, outcome=outcome, category=category, results=results,
                persons=features.get("members") or 0, **features,
            )
            _finish_household_run(run, using, [(outcome, category, 1, features.get("members") or 0)])
            decision.run = run
    return decision


@lru_cache(maxsize=64)
def _pack_of_run(version: str, snapshot_json: str) -> Pack:
    return pack_from_snapshot(json.loads(snapshot_json))


def run_pack(run: AssessmentRun) -> Pack:
    """The pack a run was judged with, from its stored snapshot (parsed once per version)."""
    return _pack_of_run(run.pack_version, json.dumps(run.pack, sort_keys=True))


def stored_decision(stored: HouseholdDecision) -> Decision:
    run = stored.run
    pack = run_pack(run)
    plan = Plan.of(pack, run.kind)
    features = {name: getattr(stored, name) for name in plan.features}
    return Decision(stored.household, Kind(run.kind), pack, run.as_of, stored.outcome, stored.category, stored.results,
                    features, run=run, stored=stored)


def latest_decisions(user, household: Household) -> list[Decision]:
    """The household's latest decision of each kind: the latest whole-area run holding its village, or a later
    one-household run of it; each found by probing the (run, household) index, never scanning decisions."""
    household = _get(Household.objects.select_related("village"), user, pk=household.pk)
    code = household.village_id
    prefixes = ["", *(code[:n] for n in sorted(set(PREFIX_LENGTH.values())) if n <= len(code))]
    finished = AssessmentRun.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-id")
    latest = []
    for kind in Kind.values:
        if kind in AREA_KINDS:
            continue
        candidates = [
            run for run in (finished.filter(kind=kind, single=False, area_code__in=prefixes).first(),
                            finished.filter(kind=kind, single=True, household=household).first())
            if run is not None
        ]
        found = HouseholdDecision.objects.filter(
            pk__in=[decision_key(run.pk, household.pk) for run in candidates]).select_related("run")
        stored = max(found, key=lambda d: (d.run.finished_at, d.run_id), default=None)
        if stored is not None:
            stored.household = household
            latest.append(stored_decision(stored))
    return latest


# ── explanations ────────────────────────────────────────────────────────────────────────────────────────────────


def display(name: str, value) -> str:
    """A value as explanations show it; health-derived counts are masked like health itself."""
    if name in MASKED_FEATURES and value is not None:
        return mask_value(MASKED_FEATURES[name], value)
    feature = FEATURES.get(name)
    if feature is not None and feature.choices and value is not None:
        label = _CODE_LABELS.get(name, {}).get(str(value))
        return f"{value} {label}" if label else str(value)
    return display_value(value)


_CODE_LABELS = {
    "household_type": dict(codes.HouseholdType.choices), "status": dict(codes.Status.choices),
    "monitoring_category": dict(codes.MonitoringCategory.choices), "risk_type": dict(codes.RiskType.choices),
    "housing_grade": dict(codes.HousingSafety.choices),
}


@dataclass
class RuleLine:
    id: str
    title: str
    group: str  # the pack rule kind's label (e.g. 监测对象识别：边缘易致贫户)
    rule_text: str
    result: bool | None
    verdict: str
    explanation: str
    values: list[tuple[str, str]]  # (feature label, value as shown)
    thresholds: list[tuple[str, str, bool]]  # (name, value, confirmed)
    reason: bool = False  # one of the rules that put the household in its category


@dataclass
class Explanation:
    household_number: str
    kind: str
    kind_label: str
    pack_id: str
    pack_version: str
    pack_title: str
    as_of: date
    year: int
    outcome: bool | None
    category: str
    category_label: str
    summary: str
    lines: list[RuleLine] = field(default_factory=list)
    agrees: bool = True  # the Python evaluator gives what the stored (SQL) decision says

    def text(self) -> str:
        """Plain Chinese text for the CLI."""
        marks = {True: "✔", False: "✘", None: "？"}
        out = [f"户 {self.household_number} · {self.kind_label} · 标准包 {self.pack_id}（版本 {self.pack_version}）"
               f" · 收入年度 {self.year} · 评估基准日 {self.as_of}", self.summary]
        group = None
        for line in self.lines:
            if line.group != group:
                group = line.group
                out.append(f"【{group}】")
            out.append(f"  {marks[line.result]} {line.title}：{line.verdict}{'（入选理由）' if line.reason else ''}")
            out.append(f"     {line.explanation}")
            thresholds = "，".join(f"{n} = {v}{'' if c else '（未确认）'}" for n, v, c in line.thresholds)
            out.append(f"     规则：{line.rule_text}" + (f"；标准：{thresholds}" if thresholds else ""))
        if not self.agrees:
            out.append("警告：按规则逐条复核的结果与存储的结论不一致，请联系系统管理员")
        return "\n".join(out)


def _summary(decision: Decision) -> str:
    if decision.kind == Kind.MONITORING:
        if decision.category:
            return f"结论：符合监测对象识别条件——{CATEGORY_LABELS[decision.category]}"
        return "结论：无法判断（缺少数据）" if decision.outcome is None else "结论：不符合任何一类监测对象识别条件"
    verdicts = {
        Kind.EXIT: ("符合贫困户退出标准", "不符合贫困户退出标准"),
        Kind.RISK_ELIMINATION: ("符合风险消除条件", "不符合风险消除条件"),
        Kind.DATA_CHECK: ("发现数据疑点", "未发现数据疑点"),
    }[decision.kind]
    if decision.outcome is None:
        return "结论：无法判断（缺少数据）"
    return "结论：" + (verdicts[0] if decision.outcome else verdicts[1])


def explain(decision: Decision) -> Explanation:
    """Each rule of the decision's kind with the values, the thresholds and pass/fail, in Chinese; re-evaluated
    in Python from the stored features, which must give the stored (SQL) results."""
    pack = decision.pack
    plan = Plan.of(pack, decision.kind)
    parameters = pack.parameters
    outcome, category, results = plan.judge(decision.features)
    agrees = (outcome, category, results) == (decision.outcome, decision.category, decision.results)
    shown = {name: display(name, value) for name, value in decision.features.items()}
    figures = {**pack.lines, **pack.params}
    lines = []
    reason_kind = next((k for k, code in (("monitor_unstable", "1"), ("monitor_marginal", "2"), ("monitor_sudden", "3"))
                        if code == decision.category), None)
    for rule, result in zip(plan.rules, decode_results(decision.results, len(plan.rules))):
        used = rule_language.features_used(rule.tree)
        template_values = {**shown, **{name: display_value(value) for name, value in parameters.items()}}
        lines.append(RuleLine(
            id=rule.id, title=rule.title, group=RULE_KIND_LABELS[rule.kind], rule_text=rule_language.to_rule_text(rule.tree),
            result=result, verdict={True: "符合", False: "不符合", None: "无法判断（缺少数据）"}[result],
            explanation=_render(rule.explain, template_values),
            values=[(FEATURES[name].label, shown.get(name, "")) for name in used],
            thresholds=[
                (name, display_value(parameters[name]), figures[name].confirmed if name in figures else True)
                for name in rule_language.params_used(rule.tree)
            ],
            reason=rule.kind == reason_kind,
        ))
    return Explanation(
        household_number=decision.household.number, kind=decision.kind.value, kind_label=str(decision.kind.label),
        pack_id=pack.id, pack_version=pack.version, pack_title=pack.title, as_of=decision.as_of, year=pack.year,
        outcome=decision.outcome, category=decision.category, category_label=CATEGORY_LABELS.get(decision.category, ""),
        summary=_summary(decision), lines=lines, agrees=agrees,
    )


def _render(template: str, shown: dict) -> str:
    """The rule's explanation template with values already turned into text (so masking holds)."""
    return "".join(
        literal + (shown.get(name, "（无数据）") if name is not None else "")
        for literal, name, _spec, _conversion in string.Formatter().parse(template)
    )


# ── what-if: re-judging under another pack ──────────────────────────────────────────────────────────────────────


@dataclass
class TownshipDiff:
    code: str
    name: str
    added: int = 0
    added_persons: int = 0
    removed: int = 0
    removed_persons: int = 0


@dataclass
class WhatIf:
    kind: str
    before: Pack
    after: Pack
    scope_name: str
    as_of: date
    changes: list[str]
    townships: list[TownshipDiff]
    before_total: tuple[int, int] = (0, 0)
    after_total: tuple[int, int] = (0, 0)

    @property
    def added(self) -> tuple[int, int]:
        return sum(t.added for t in self.townships), sum(t.added_persons for t in self.townships)

    @property
    def removed(self) -> tuple[int, int]:
        return sum(t.removed for t in self.townships), sum(t.removed_persons for t in self.townships)

    @property
    def sentence(self) -> str:
        """E.g. 把2023年监测线从6600提高到7100，新增120户391人."""
        what = "、".join(self.changes) or f"改用标准包 {self.after.id}"
        (added, added_persons), (removed, removed_persons) = self.added, self.removed
        parts = [f"新增{added}户{added_persons}人"]
        if removed:
            parts.append(f"减少{removed}户{removed_persons}人")
        return f"{what}，" + "，".join(parts)


FIGURE_LABELS = {
    "poverty_line": "扶贫标准", "monitoring_line": "监测线", "dibao_line": "低保标准",
    "out_of_pocket_threshold": "合规自付支出预警线", "income_drop_ratio": "收入大幅缩减比例", "months_stable": "稳定月数",
    "incidence_threshold": "贫困发生率标准", "require_six_months": "监测满6个月的要求",
    "no_labour_never_eliminated": "无劳动能力户不消除的要求",
}


def pack_changes(before: Pack, after: Pack) -> list[str]:
    """What differs between two packs, as a county office would say it."""
    changes = []
    year = f"{after.year}年" if after.year == before.year else ""
    old, new = before.parameters, after.parameters
    for name in [*old, *(n for n in new if n not in old)]:
        if old.get(name) == new.get(name):
            continue
        label = FIGURE_LABELS.get(name, name)
        if isinstance(old.get(name), (int, float)) and not isinstance(old.get(name), bool) and name in new:
            verb = "提高到" if new[name] > old[name] else "降低到"
            changes.append(f"把{year}{label}从{display_value(old[name])}{verb}{display_value(new[name])}")
        else:
            changes.append(f"{year}{label}由{display_value(old.get(name))}改为{display_value(new.get(name))}")
    old_rules = {rule.id: rule.expression for rule in before.rules}
    new_rules = {rule.id: rule.expression for rule in after.rules}
    for rule_id in sorted(set(old_rules) | set(new_rules)):
        if old_rules.get(rule_id) != new_rules.get(rule_id):
            changes.append(f"规则 {rule_id} " + ("新增" if rule_id not in old_rules else "删除" if rule_id not in new_rules else "修改"))
    return changes


def parse_values(pairs) -> dict:
    """NAME=VALUE pairs (the CLI's and UI's --set) into typed values: numbers, true/false, or text."""
    values = {}
    for pair in pairs or ():
        name, sep, text = str(pair).partition("=")
        if not sep or not name.strip():
            raise InvalidAssessment(f"“{pair}”应写成 名字=值，如 monitoring_line=7100")
        text = text.strip()
        if text.lower() in ("true", "false"):
            values[name.strip()] = text.lower() == "true"
            continue
        try:
            values[name.strip()] = float(text)
        except ValueError:
            values[name.strip()] = text
    return values


def whatif(kind, *, user=None, before: str | None = None, after: str | None = None, values: dict | None = None,
           as_of: date | None = None, area: str | None = None, using: str = "default") -> WhatIf:
    """Re-judge the households in scope under another pack (or the same pack with some values changed) and count,
    by township, who would be added and who removed. Nothing is stored: one SELECT over one set of features."""
    kind = Kind(kind)
    if kind in AREA_KINDS:
        raise InvalidAssessment("测算只适用于农户评估（退出、监测、风险消除、核查）")
    as_of = _as_of(as_of)
    scope = resolve_scope(user, area)
    first = resolve_pack(before, scope, as_of)
    second = resolve_pack(after, scope, as_of, values) if after else first.with_values(values or {})
    if second.year != first.year:
        raise InvalidAssessment(f"两个标准包的年度不同（{first.year} 与 {second.year}）：收入年度须一致才能比较")
    plan_a, plan_b = Plan.of(first, kind), Plan.of(second, kind)
    dialect = compute.dialect_of(using)
    condition, scope_params = compute.scope_condition(scope.prefix)
    with transaction.atomic(using=using):
        compute.refresh_profiles(first.year, using)
        source = _source(as_of, first.year, scope.prefix, using)
        length = PREFIX_LENGTH[Level.TOWNSHIP]
        sql = (
            f"SELECT substr(village_id, 1, {length}) AS township, "
            f"SUM(CASE WHEN now IS TRUE AND was IS NOT TRUE THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN now IS TRUE AND was IS NOT TRUE THEN persons ELSE 0 END), "
            f"SUM(CASE WHEN was IS TRUE AND now IS NOT TRUE THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN was IS TRUE AND now IS NOT TRUE THEN persons ELSE 0 END), "
            f"SUM(CASE WHEN was IS TRUE THEN 1 ELSE 0 END), SUM(CASE WHEN was IS TRUE THEN persons ELSE 0 END), "
            f"SUM(CASE WHEN now IS TRUE THEN 1 ELSE 0 END), SUM(CASE WHEN now IS TRUE THEN persons ELSE 0 END) "
            f"FROM ({compare_select(plan_a, plan_b, dialect, source, condition)}) d "
            f"GROUP BY substr(village_id, 1, {length})"
        )
        with connections[using].cursor() as cursor:
            cursor.execute(sql, {**compute.parameters(as_of, first.year), **scope_params})
            rows = cursor.fetchall()
        compute.drop_as_of_events(using)
    names_of = dict(Area.objects.using(using).filter(
        code__in=[row[0] + "000" for row in rows]).values_list("code", "name"))
    townships = []
    totals = [0, 0, 0, 0]
    for township, *numbers in sorted(rows):
        numbers = [int(n or 0) for n in numbers]
        totals = [t + n for t, n in zip(totals, numbers[4:])]
        if any(numbers[:4]):
            townships.append(TownshipDiff(township, names_of.get(township + "000", township), *numbers[:4]))
    return WhatIf(kind.value, first, second, scope.name, as_of, pack_changes(first, second), townships,
                  (totals[0], totals[1]), (totals[2], totals[3]))


# ── lists ───────────────────────────────────────────────────────────────────────────────────────────────────────


def runs(user, *, kind: str | None = None, include_single: bool = False):
    """Runs over areas inside the user's scope (a village user does not see the county's totals): each one's
    totals are of households inside the scope, as they stand."""
    queryset = AssessmentRun.objects.restrict(user) if user is not None else AssessmentRun.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if not include_single:
        queryset = queryset.filter(single=False)
    return queryset.select_related("user")


def run_for(user, kind) -> AssessmentRun | None:
    """The run a user's flagged list reads: the latest finished whole-area run of the kind that covers the user's
    whole area (e.g. the county's run for a village user), else the latest one inside it."""
    kind = Kind(kind)
    prefix = scope_prefix(user)
    if prefix == NOTHING:
        return None
    finished = AssessmentRun.objects.filter(kind=kind, single=False, finished_at__isnull=False).order_by("-finished_at", "-id")
    covering = [prefix[:n] for n in range(len(prefix) + 1)]
    return finished.filter(area_code__in=covering).first() or finished.restrict(user).first()


def flagged(user, kind, params=None, *, category: str = "", run: AssessmentRun | None = None):
    """Households in the user's scope, filtered like the registry list (HouseholdFilter), that the latest
    applicable run flagged (outcome true; for monitoring optionally of one category). Returns (run, queryset)."""
    kind = Kind(kind)
    if kind in AREA_KINDS:
        raise InvalidAssessment("村、县退出的结论按区划列出，不是农户名单")
    run = in_scope(user, run or run_for(user, kind))
    households = HouseholdFilter.from_params(params or {}).apply(Household.objects.restrict(user))
    if run is None:
        return None, households.none()
    decisions = HouseholdDecision.objects.filter(pk=run_keys(run.pk)[0] + OuterRef("pk"), outcome=True)
    if category:
        if category not in CATEGORY_LABELS:
            raise InvalidAssessment(f"监测对象类别应为 {', '.join(CATEGORY_LABELS)}")
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
        _count_areas(scoped, AreaDecision.objects.filter(run=scoped).restrict(user))
    else:
        _count_households(scoped, _tally_in_scope(scoped.pk, prefix))
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
        return [(outcome, category or "", int(n), int(persons or 0)) for outcome, category, n, persons in cursor.fetchall()]


def decisions_of(run: AssessmentRun, households) -> dict[int, HouseholdDecision]:
    """The run's decisions for a page of households (one indexed query)."""
    keys = [decision_key(run.pk, household.pk) for household in households]
    return {d.household_id: d for d in HouseholdDecision.objects.filter(pk__in=keys)}
