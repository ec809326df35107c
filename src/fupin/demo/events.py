"""The status history: registration in 2014, exits to 2020, returns, monitoring from 2020, risk elimination.

Each household has at most one event per slot (SLOT_KINDS), and the slots are in date order, so a history is a
row of dates. Household status fields are not invented here: they are what `services.apply_event` gives when
the events are replayed (`replay_events`), so the business rule lives only in the registry's services.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from fupin.registry import codes
from fupin.registry.models import Household, StatusEvent
from fupin.registry.services import apply_event

from .arrays import days_between, on_day, pick_weighted

if TYPE_CHECKING:
    from .township import Township

REGISTRATION_YEAR = 2014
LAST_EXIT_YEAR = 2020
EXIT_YEARS = np.arange(2015, LAST_EXIT_YEAR + 1)
#: remaining poor persons ÷ rural population at the end of 2019 (seed 001: "贫困发生率降至1%")
INCIDENCE_END_2019 = 0.01
EXIT_YEAR_WEIGHTS = np.array([0.08, 0.20, 0.27, 0.30, 0.15])  # 2015..2019, before the 2020 share is set

RT = codes.RiskType
RISK_TYPES = np.array(
    [
        RT.ILLNESS,
        RT.DISABILITY,
        RT.LABOUR,
        RT.SCHOOLING,
        RT.ACCIDENT,
        RT.BUSINESS_FAILURE,
        RT.UNSTABLE_WORK,
        RT.FLOOD,
        RT.DROUGHT,
        RT.METEOROLOGICAL,
        RT.OTHER,
    ]
)
MC = codes.MonitoringCategory

EK = codes.EventKind
SLOT_KINDS = (EK.IDENTIFIED, EK.EXITED, EK.RETURNED, EK.EXITED, EK.MONITORED, EK.RISK_ELIMINATED, EK.REMOVED)
S_IDENTIFIED, S_EXITED, S_RETURNED, S_REEXITED, S_MONITORED, S_ELIMINATED, S_REMOVED = range(len(SLOT_KINDS))
SLOT_REASONS = np.array(
    [
        "农户申请，村民主评议，两公示一公告",
        "人均纯收入稳定超过当年扶贫标准，两不愁三保障及饮水安全有保障",
        "家庭收入下降至扶贫标准以下，返贫",
        "人均纯收入稳定超过当年扶贫标准，两不愁三保障及饮水安全有保障",
        "收入低于监测范围或刚性支出较大，存在返贫致贫风险",
        "收入持续稳定超过监测范围，三保障和饮水安全有保障，风险已消除",
        "动态调整：经核查不符合识别标准，予以清退",
    ]
)
#: the household fields `services.apply_event` maintains; the demo takes them from the replay, never sets them
#: itself — except risk_elimination_way, which no event carries (record_event has no input for it), so apply_event
#: only ever clears it: the demo sets it on households whose risk stands eliminated
REPLAYED_FIELDS = (
    "status",
    "household_type",
    "first_identified_on",
    "monitoring_category",
    "risk_identified_on",
    "risk_eliminated",
    "risk_eliminated_on",
    "risk_elimination_way",
)

_TOKEN_DATES = [date(1000, 1, 1) + timedelta(days=slot) for slot in range(len(SLOT_KINDS))]
_TOKEN_CATEGORIES = [f"<slot{slot}>" for slot in range(len(SLOT_KINDS))]


def replay_events(slot_dates: np.ndarray, slot_categories: np.ndarray) -> dict[str, np.ndarray]:
    """The household fields that replaying each household's events with `services.apply_event` gives.

    Households are grouped by which slots they have (a handful of patterns); each pattern is replayed once
    on an unsaved Household with token dates and categories, and every resulting field is then read as
    "this slot's date/category" or a constant, and broadcast to the pattern's households. So the business
    rule lives only in services, and this stays vectorised.
    """
    n, slots = slot_dates.shape
    pattern = (~np.isnat(slot_dates)).astype(np.int64) @ (1 << np.arange(slots))
    blank = Household()
    result = {}
    for name in REPLAYED_FIELDS:
        f = Household._meta.get_field(name)
        internal = f.get_internal_type()
        result[name] = (
            np.full(n, np.datetime64("NaT"), "M8[D]")
            if internal == "DateField"
            else np.zeros(n, bool)
            if internal == "BooleanField"
            else np.full(n, getattr(blank, name), f"U{f.max_length}")
        )
    untouched = {k: v for k, v in vars(blank).items() if k not in REPLAYED_FIELDS and not k.startswith("_")}
    for code in np.unique(pattern):
        rows = pattern == code
        household = Household()
        for slot, kind in enumerate(SLOT_KINDS):
            if code >> slot & 1:
                event = StatusEvent(kind=kind, date=_TOKEN_DATES[slot], monitoring_category=_TOKEN_CATEGORIES[slot])
                apply_event(household, event)
        changed = {k for k, v in untouched.items() if getattr(household, k) != v}
        if changed:
            raise AssertionError(f"apply_event now also sets {sorted(changed)}: add them to REPLAYED_FIELDS")
        for name in REPLAYED_FIELDS:
            value = getattr(household, name)
            if value in _TOKEN_DATES:
                result[name][rows] = slot_dates[rows, _TOKEN_DATES.index(value)]
            elif value in _TOKEN_CATEGORIES:
                result[name][rows] = slot_categories[rows, _TOKEN_CATEGORIES.index(value)]
            elif value is not None:
                result[name][rows] = value
    return result


def draw_history(t: Township) -> None:
    """Who exited when, who returned, who is monitored and whose risk is eliminated; then the replayed fields."""
    rng, n, as_of = t.rng, t.n, t.as_of
    slots = np.full((n, len(SLOT_KINDS)), np.datetime64("NaT"), "M8[D]")
    categories = np.full((n, len(SLOT_KINDS)), "", "U1")
    poor = t.poor

    slots[poor, S_IDENTIFIED] = days_between(rng, np.full(poor.sum(), on_day(2014, 10, 1)), on_day(2014, 10, 31))
    removed = poor & (rng.random(n) < 0.015)
    removal_year = rng.integers(2015, 2018, n)
    slots[removed, S_REMOVED] = days_between(
        rng,
        (removal_year[removed] - 1970).astype("M8[Y]").astype("M8[D]") + 60,
        (removal_year[removed] - 1970).astype("M8[Y]").astype("M8[D]") + 300,
    )

    stayed = poor & ~removed
    share_2020 = min(0.3, INCIDENCE_END_2019 / t.incidence)
    exit_p = np.append(EXIT_YEAR_WEIGHTS / EXIT_YEAR_WEIGHTS.sum() * (1 - share_2020), share_2020)
    exit_year = rng.choice(EXIT_YEARS, size=n, p=exit_p)
    slots[stayed, S_EXITED] = _late_in_year(t, exit_year[stayed])

    returned = stayed & (exit_year <= 2018) & (rng.random(n) < 0.012)
    return_year = exit_year + 1 + (rng.random(n) * (2019 - exit_year)).astype(int)
    reexit_year = return_year + (rng.random(n) * (LAST_EXIT_YEAR + 1 - return_year)).astype(int)
    start = (return_year[returned] - 1970).astype("M8[Y]").astype("M8[D]") + 59
    slots[returned, S_RETURNED] = days_between(rng, start, start + 180)
    slots[returned, S_REEXITED] = _late_in_year(t, reexit_year[returned])

    u = rng.random(n)
    category = np.select(
        [stayed & (u < 0.04), stayed & (u < 0.045), ~poor & (u < 0.012), ~poor & (u < 0.014)],
        [MC.UNSTABLE, MC.SUDDEN, MC.MARGINAL, MC.SUDDEN],
        default="",
    )
    monitored = category != ""
    last_exit = np.fmax(slots[:, S_EXITED], slots[:, S_REEXITED])
    earliest = np.fmax(np.where(np.isnat(last_exit), on_day(2020, 3, 1), last_exit + 20), on_day(2020, 3, 1))
    span = (as_of - earliest).astype(np.int64)
    monitored_on = earliest + (span * rng.random(n) ** 1.6).astype(np.int64)
    slots[monitored, S_MONITORED] = monitored_on[monitored]
    categories[monitored, S_MONITORED] = category[monitored]

    # risk elimination, a procedure of the 2021 mechanism: after half a year to nearly three of monitoring
    eliminated_on = np.maximum(monitored_on + rng.integers(180, 1000, n), on_day(2021, 3, 1) + rng.integers(0, 90, n))
    eliminated = monitored & ~t.no_labour & (rng.random(n) < 0.7) & (eliminated_on <= as_of)
    slots[eliminated, S_ELIMINATED] = eliminated_on[eliminated]
    slots[slots > as_of] = np.datetime64("NaT")  # nothing after the as-of date

    t.slots, t.slot_categories = slots, categories
    t.state = replay_events(slots, categories)
    still_eliminated = t.state["risk_eliminated"]
    way = np.where(rng.random(n) < 0.75, codes.RiskEliminationWay.ASSISTED, codes.RiskEliminationWay.NATURAL)
    t.elimination_way = np.where(still_eliminated, way, "")
    t.monitored = ~np.isnat(slots[:, S_MONITORED])
    t.category = slots_category = categories[:, S_MONITORED]

    weights = np.tile([0, 0, 0, 0, 2, 2, 0, 1.5, 1.5, 1, 1], (n, 1)).astype(float)
    ill = t.any_serious | t.any_chronic
    weights[:, 0] = 12 * ill + 10 * (ill & (slots_category == MC.SUDDEN))  # never 因病 without illness
    weights[:, 1] = 0.5 + 8 * t.any_disabled
    weights[:, 2] = 0.5 + 8 * t.no_labour
    weights[:, 3] = 0.5 + 3 * (t.students >= 1)
    weights[:, 6] = 4.0 * (t.workers > 0)  # never "unstable work" where nobody can work
    t.risk_type = np.where(t.monitored, RISK_TYPES[pick_weighted(rng, weights)], "")
    t.risk_level = rng.choice(5, size=n, p=[0.15, 0.3, 0.3, 0.15, 0.1]) + 1
    t.relocated = t.poor & (rng.random(n) < 0.08)


def _late_in_year(t: Township, years: np.ndarray) -> np.ndarray:
    """Exits are decided at the year-end review: early November to Christmas."""
    start = (years - 1970).astype("M8[Y]").astype("M8[D]") + 304
    return days_between(t.rng, start, start + 50)


def rows(t: Township) -> dict:
    """The status events, one per filled slot, in date order per household."""
    present = ~np.isnat(t.slots)
    h, slot = np.nonzero(present)  # row-major: by household, then slot, i.e. in date order
    dates = t.slots[h, slot]
    years = dates.astype("M8[Y]").astype(np.int64) + 1970
    county = t.plan.county_name
    approver = np.where(years <= LAST_EXIT_YEAR, f"{county}扶贫开发领导小组", f"{county}乡村振兴局")
    ids = t.ids.take("registry.StatusEvent", len(h))
    t.slot_event_id = np.zeros(t.slots.shape, np.int64)  # 0: no event in that slot (monitoring's cases read it)
    t.slot_event_id[h, slot] = ids
    monitored, eliminated = slot == S_MONITORED, slot == S_ELIMINATED
    return {
        "id": ids,
        "household_id": t.household_id[h],
        "kind": np.array(SLOT_KINDS)[slot],
        "date": dates,
        "reason": SLOT_REASONS[slot],
        "approver": approver,
        "monitoring_category": t.slot_categories[h, slot],
        "risk_type": np.where(monitored, t.risk_type[h], ""),  # 纳入监测 carries the main risk
        "elimination_way": np.where(eliminated, t.elimination_way[h], ""),  # 风险消除 its way
        "approximate": False,
        "recorded_by_id": None,
        "recorded_at": t.now,
    }
