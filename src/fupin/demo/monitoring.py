"""Monitoring's demo data: the cases behind the status events the registry part wrote, cases under way, clues.

Consistent with the history (`events`): every 纳入监测 and 风险消除 event of the last RECENT_DAYS has the approved
case that produced it (its steps dated back from the event, the event as its result); households not monitored
have identification cases open at every step of the procedure, some past their deadlines, each from an accepted
clue; a couple of monitored households per township have an elimination case under way; pending and rejected
clues come from every channel; one village has its 村内公示 posted. Deadlines are the pack's in force (calendar
days counted in numpy; working days, where a pack counts them, one date at a time). Drawn from the township's
stream after the registry's draws, so the registry's data does not change with this part.
"""

from __future__ import annotations

import functools
import json
from datetime import date

import numpy as np

from fupin.core import workdays
from fupin.monitoring import codes
from fupin.monitoring.services.deadlines import Clock, clock_for
from fupin.registry import codes as registry_codes

from . import events
from .township import Chunk, Township

MODELS = (
    "monitoring.Clue",
    "monitoring.Case",
    "monitoring.CaseStep",
    "monitoring.Notice",
    "monitoring.Notice_cases",
)
#: the 纳入监测 / 风险消除 events this recent get the case that produced them (older ones predate the system)
RECENT_DAYS = 540
#: open identification cases per step per township, and how many of them are overdue
OPEN_PER_STEP, OVERDUE_PER_STEP = 2, 1
OPEN_ELIMINATIONS = 2
#: pending and rejected clues per channel per township
PENDING_PER_CHANNEL, REJECTED_PER_CHANNEL = 2, 1
REJECT_REASONS = np.array(["经核实，家庭收入稳定，不存在返贫致贫风险", "重复申报，已在办理中", "申报人不属于本村农户"])
CHANNELS = np.array(codes.Channel.values)
VIAS = np.array(codes.ReportVia.values)
DEPARTMENTS = np.array(codes.Department.values)
STEP_GAP = {codes.StepCode.NOTICE: 5}  # days a step takes in the demo; the notice runs its statutory five
NOTICE_CONTACT = "村委会 异议受理电话 0351-1234567"


@functools.cache
def _clock(village_code: str, year: int) -> Clock:
    return clock_for(village_code, date(year, 12, 31))


def _after(clock: Clock, starts: np.ndarray, name: str) -> np.ndarray:
    """The deadline `name` from each start date (calendar days in numpy; working days one date at a time)."""
    if not clock.working:
        return starts + np.timedelta64(clock.limit(name), "D")
    days = [workdays.add_days(d.astype(date), clock.limit(name), working=True) for d in starts]
    return np.array(days, "M8[D]")


def _json(values: np.ndarray) -> np.ndarray:
    return np.array([json.dumps([v]) for v in values], dtype=object).astype(str)


class _Rows:
    """Columns gathered case by case group, then concatenated into one table's rows."""

    def __init__(self):
        self.parts: list[dict] = []

    def add(self, **columns):
        n = max(len(v) for v in columns.values() if isinstance(v, np.ndarray))
        self.parts.append({k: v if isinstance(v, np.ndarray) else np.full(n, v) for k, v in columns.items()})

    def rows(self, label: str, fields) -> dict:
        if not self.parts:
            return {**_empty(label), **{name: np.zeros(0, np.int64) for name in fields if name.endswith("_index")}}
        return {name: np.concatenate([part[name] for part in self.parts]) for name in fields}


def _empty(label: str) -> dict:
    """No rows of a table, each column typed as the loader reads its field."""
    from django.apps import apps

    empty = {}
    for f in apps.get_model(label)._meta.concrete_fields:
        kind = f.get_internal_type()
        empty[f.attname] = np.zeros(
            0, "M8[D]" if kind == "DateField" else bool if kind == "BooleanField" else np.int64 if f.is_relation or
            kind.endswith("AutoField") else "U1"
        )  # fmt: skip
    return empty


def build(t: Township) -> Chunk:
    """Monitoring's part of one township."""
    rng, as_of = t.rng, t.as_of
    year = int(t.as_of_year)
    village_codes = np.array(t.plan.village_codes)
    clock = _clock(t.plan.village_codes[0], year)
    status = t.state["status"]
    S = registry_codes.Status
    cases, steps, clues = _Rows(), _Rows(), _Rows()

    # approved identification and elimination cases behind recent events
    for slot, kind in ((events.S_MONITORED, codes.CaseKind.IDENTIFY), (events.S_ELIMINATED, codes.CaseKind.ELIMINATE)):
        on = t.slots[:, slot]
        chosen = np.flatnonzero(~np.isnat(on) & (on > as_of - RECENT_DAYS))
        _approved(t, clock, kind, chosen, on[chosen], cases, steps)

    # open identification cases at every step, each from an accepted clue, for households not monitored
    free = np.flatnonzero(np.isin(status, (S.ORDINARY, S.EXITED, S.RISK_ELIMINATED)))
    free = rng.permutation(free)
    procedure = codes.PROCEDURES[codes.CaseKind.IDENTIFY]
    taken = 0
    notice_cases = []
    for index, rule in enumerate(procedure):
        households = free[taken : taken + OPEN_PER_STEP]
        taken += len(households)
        if len(households) == 0:
            break
        late = np.arange(len(households)) < OVERDUE_PER_STEP
        first = _open(t, clock, codes.CaseKind.IDENTIFY, households, index, late, cases, steps, clues)
        if rule.code == codes.StepCode.NOTICE:
            notice_cases.extend(range(first, first + len(households)))

    # a couple of elimination cases under way (at 村级民主评议), for monitored households able to work
    monitored = np.flatnonzero((status == S.MONITORED) & ~t.no_labour)
    if len(monitored):
        households = rng.permutation(monitored)[:OPEN_ELIMINATIONS]
        _open(t, clock, codes.CaseKind.ELIMINATE, households, 1, np.zeros(len(households), bool), cases, steps, None)

    # pending and rejected clues from every channel
    rest = free[taken:]
    per = PENDING_PER_CHANNEL + REJECTED_PER_CHANNEL
    households = rest[: per * len(CHANNELS)]
    n = len(households)
    if n:
        channel = np.repeat(CHANNELS, per)[:n]
        rejected = np.tile(np.arange(per) >= PENDING_PER_CHANNEL, len(CHANNELS))[:n]
        reported = as_of - rng.integers(0, 6, n)
        due = _after(clock, reported, "clue_accept_days")
        decided = np.where(rejected, np.minimum(reported + 1, as_of), np.datetime64("NaT"))
        _clues(t, households, channel, reported, due, np.where(rejected, "rejected", "pending"), decided, clues)
        clues.parts[-1]["reject_reason"] = np.where(rejected, REJECT_REASONS[rng.integers(0, 3, n)], "")

    case_rows = cases.rows("monitoring.Case", _CASE_FIELDS)
    clue_rows = clues.rows("monitoring.Clue", _CLUE_FIELDS)
    step_rows = steps.rows("monitoring.CaseStep", _STEP_FIELDS)
    case_ids = t.ids.take("monitoring.Case", len(case_rows["household_id"]))
    case_rows["id"] = case_ids
    clue_ids = t.ids.take("monitoring.Clue", len(clue_rows["household_id"]))
    clue_rows["id"] = clue_ids
    case_rows["clue_id"] = np.where(case_rows["clue_index"] >= 0, clue_ids[np.maximum(case_rows["clue_index"], 0)]
                                    if len(clue_ids) else 0, np.nan)  # fmt: skip
    del case_rows["clue_index"]
    step_rows["id"] = t.ids.take("monitoring.CaseStep", len(step_rows["case_index"]))
    step_rows["case_id"] = case_ids[step_rows.pop("case_index")] if len(case_ids) else np.zeros(0, np.int64)
    notice, through = _notice(t, clock, case_rows, notice_cases, village_codes)
    return {
        "monitoring.Clue": {**clue_rows, "decided_by_id": None, "recorded_by_id": None, "recorded_at": t.now},
        "monitoring.Case": {**case_rows, "opened_by_id": None, "opened_at": t.now},
        "monitoring.CaseStep": {**step_rows, "actor_id": None, "recorded_at": t.now},
        "monitoring.Notice": notice,
        "monitoring.Notice_cases": through,
    }


_CASE_FIELDS = (
    "village_id",
    "household_id",
    "clue_index",
    "kind",
    "risk_type",
    "risk_types",
    "category",
    "elimination_way",
    "pack_id",
    "opened_on",
    "due_on",
    "step",
    "step_since",
    "step_due",
    "state",
    "closed_on",
    "close_reason",
    "result_event_id",
)
_STEP_FIELDS = ("case_index", "step", "decision", "acted_on", "due", "comment", "posted_on", "objection_until")
_CLUE_FIELDS = (
    "village_id",
    "household_id",
    "person_name",
    "id_number",
    "phone",
    "channel",
    "via",
    "department",
    "source_ref",
    "risk_types",
    "description",
    "reported_on",
    "accept_due",
    "state",
    "decided_on",
    "reject_reason",
)


def _gaps(rng, procedure, n) -> np.ndarray:
    """Days each step takes (n × steps): one or two, the notice its five."""
    gaps = rng.integers(1, 3, (n, len(procedure)))
    for j, rule in enumerate(procedure):
        if rule.code in STEP_GAP:
            gaps[:, j] = STEP_GAP[rule.code]
    return gaps


def _step_rows(clock, procedure, case_index, opened, gaps, taken, steps):
    """The steps taken (the first `taken` of the procedure), each acted `gap` days after the one before, with its
    deadline counted from the day the step began. Returns (since, due) of the step each case stands at next."""
    since = opened.copy()
    for j, rule in enumerate(procedure[:taken]):
        due = _after(clock, since, rule.deadline_param)
        acted = since + gaps[:, j].astype("m8[D]")
        notice = rule.code == codes.StepCode.NOTICE
        steps.add(
            case_index=case_index,
            step=rule.code.value,
            decision=codes.Decision.PASS.value,
            acted_on=acted,
            due=due,
            comment="同意" if not notice else "公示期满无异议",
            posted_on=since if notice else np.full(len(since), np.datetime64("NaT")),
            objection_until=(since + np.timedelta64(clock.limit("notice_min_days"), "D"))
            if notice
            else np.full(len(since), np.datetime64("NaT")),
        )
        since = acted
    return since


def _base(cases) -> int:
    return sum(len(part["household_id"]) for part in cases.parts)


def _approved(t, clock, kind, chosen, closed_on, cases, steps):
    """Approved cases ending on their event's date: the procedure's steps dated back from it."""
    n = len(chosen)
    if not n:
        return
    procedure = codes.PROCEDURES[kind]
    gaps = _gaps(t.rng, procedure, n)
    opened = closed_on - gaps.sum(axis=1).astype("m8[D]")
    first = _base(cases)
    case_index = np.arange(first, first + n)
    last_since = _step_rows(clock, procedure, case_index, opened, gaps[:, :-1], len(procedure) - 1, steps)
    # the last step (录入系统) is acted on the event's own day
    due_last = _after(clock, last_since, procedure[-1].deadline_param)
    steps.add(
        case_index=case_index,
        step=procedure[-1].code.value,
        decision=codes.Decision.PASS.value,
        acted_on=closed_on,
        due=due_last,
        comment="已录入全国防返贫监测信息系统",
        posted_on=np.full(n, np.datetime64("NaT")),
        objection_until=np.full(n, np.datetime64("NaT")),
    )
    slot = events.S_MONITORED if kind == codes.CaseKind.IDENTIFY else events.S_ELIMINATED
    risk = t.risk_type[chosen]
    cases.add(
        village_id=np.array(t.plan.village_codes)[t.village[chosen]],
        household_id=t.household_id[chosen],
        clue_index=np.full(n, -1),
        kind=kind.value,
        risk_type=risk,
        risk_types=_json(risk),
        category=t.slot_categories[chosen, events.S_MONITORED],
        elimination_way=t.elimination_way[chosen] if kind == codes.CaseKind.ELIMINATE else np.full(n, ""),
        pack_id=clock.pack.id,
        opened_on=opened,
        due_on=_after(clock, opened, "case_limit_days"),
        step=procedure[-1].code.value,
        step_since=last_since,
        step_due=due_last,
        state=codes.CaseState.APPROVED.value,
        closed_on=closed_on,
        close_reason="",
        result_event_id=t.slot_event_id[chosen, slot],
    )


def _open(t, clock, kind, households, index, late, cases, steps, clues):
    """Open cases standing at step `index` of the procedure; `late` ones opened long enough ago to be past the
    step's deadline. Identification cases come from an accepted clue. Returns the first case's index."""
    rng, as_of = t.rng, t.as_of
    n = len(households)
    procedure = codes.PROCEDURES[kind]
    rule = procedure[index]
    gaps = _gaps(rng, procedure, n)
    # in time: the step began today or yesterday; late: it began past its own limit (and past the case's limit)
    past_limit = clock.limit(rule.deadline_param) + rng.integers(2, 6, n)
    began = np.where(late, as_of - past_limit, as_of - rng.integers(0, 2, n))
    opened = began - gaps[:, :index].sum(axis=1).astype("m8[D]")
    first = _base(cases)
    case_index = np.arange(first, first + n)
    since = _step_rows(clock, procedure, case_index, opened, gaps, index, steps)
    if kind == codes.CaseKind.ELIMINATE:
        risk = np.where(t.risk_type[households] != "", t.risk_type[households], registry_codes.RiskType.OTHER)
    if kind == codes.CaseKind.IDENTIFY:
        category = np.where(t.poor[households], registry_codes.MonitoringCategory.UNSTABLE,
                            registry_codes.MonitoringCategory.MARGINAL)  # fmt: skip
        risk = np.where(t.any_serious[households], registry_codes.RiskType.ILLNESS, registry_codes.RiskType.OTHER)
    else:
        category = t.slot_categories[households, events.S_MONITORED]
    clue_index = np.full(n, -1)
    if clues is not None:
        clue_first = sum(len(part["household_id"]) for part in clues.parts)
        channel = CHANNELS[(np.arange(n) + index) % len(CHANNELS)]
        reported = opened
        decided = np.minimum(opened + 1, as_of)
        _clues(t, households, channel, reported, _after(clock, reported, "clue_accept_days"), "accepted", decided,
               clues, risk=risk)  # fmt: skip
        clue_index = np.arange(clue_first, clue_first + n)
    cases.add(
        village_id=np.array(t.plan.village_codes)[t.village[households]],
        household_id=t.household_id[households],
        clue_index=clue_index,
        kind=kind.value,
        risk_type=risk,
        risk_types=_json(risk),
        category=category,
        elimination_way=np.full(n, ""),
        pack_id=clock.pack.id,
        opened_on=opened,
        due_on=_after(clock, opened, "case_limit_days"),
        step=rule.code.value,
        step_since=since,
        step_due=_after(clock, since, rule.deadline_param),
        state=codes.CaseState.OPEN.value,
        closed_on=np.full(n, np.datetime64("NaT")),
        close_reason="",
        result_event_id=np.full(n, np.nan),
    )
    return first


def _clues(t, households, channel, reported, due, state, decided, clues, risk=None):
    n = len(households)
    risk = risk if risk is not None else np.where(t.any_serious[households], "01", "99")
    department = np.where(channel == codes.Channel.DEPARTMENT, DEPARTMENTS[t.rng.integers(0, 2, n)], "")
    via = np.where(channel == codes.Channel.SELF_REPORT, VIAS[t.rng.integers(0, len(VIAS), n)], "")
    source = np.where(channel == codes.Channel.SYSTEM, "run:demo", "")
    clues.add(
        village_id=np.array(t.plan.village_codes)[t.village[households]],
        household_id=t.household_id[households],
        person_name="",
        id_number="",
        phone="",
        channel=channel.astype(str),
        via=via.astype(str),
        department=department.astype(str),
        source_ref=source.astype(str),
        risk_types=_json(risk),
        description="家庭成员患病，医疗支出较大，收入下降",
        reported_on=reported,
        accept_due=due,
        state=np.full(n, state) if isinstance(state, str) else state,
        decided_on=decided,
        reject_reason=np.full(n, ""),
    )


def _notice(t, clock, case_rows, notice_cases, village_codes):
    """The 村内公示 of the cases at that step in the first village that has any, posted the day its last case
    reached the step."""
    if not notice_cases:
        return {**_empty("monitoring.Notice"), "created_by_id": None, "created_at": t.now}, _empty(
            "monitoring.Notice_cases"
        )
    at_notice = np.array(notice_cases)
    village = case_rows["village_id"][at_notice[0]]
    members = at_notice[case_rows["village_id"][at_notice] == village]
    posted = np.max(case_rows["step_since"][members])
    notice_id = t.ids.take("monitoring.Notice", 1)
    name = t.plan.village_names[list(village_codes).index(village)]
    notice = {
        "id": notice_id,
        "village_id": np.array([village]),
        "kind": codes.NoticeKind.VILLAGE.value,
        "case_kind": codes.CaseKind.IDENTIFY.value,
        "posted_on": np.array([posted]),
        "objection_until": np.array([posted + np.timedelta64(clock.limit("notice_min_days"), "D")]),
        "contact": NOTICE_CONTACT,
        "issuer": f"{name}村民委员会",
        "created_by_id": None,
        "created_at": t.now,
    }
    through = {
        "id": t.ids.take("monitoring.Notice_cases", len(members)),
        "notice_id": np.full(len(members), notice_id[0]),
        "case_id": case_rows["id"][members],
    }
    return notice, through
