"""The registry's demo data: households, their members, status history, incomes and living conditions.

`build` is the registry's entry (see `build.PARTS`): it draws in a fixed order — households, persons
(`people`), registration and its causes, social assistance, the history (`events`), the member events
(`member_events`: births, deaths, marriages) — and then writes out the rows of the registry's six tables
(`incomes` for the accounts and conditions).
"""

from __future__ import annotations

import numpy as np

from fupin.registry import codes

from . import events, incomes, member_events, people
from .areas import CITY_NAME, PROVINCE_NAME
from .arrays import ascii_digits, ascii_text, group_sum, pick_weighted
from .names import BANK_PREFIXES, GROUP_NAMES, PHONE_PREFIXES
from .people import (
    CHRONIC,
    DISABLED,
    HEAD,
    HIGHER,
    LOST,
    NO_LABOUR,
    NOT_STUDENT,
    ORDINARY_LABOUR,
    SENIOR,
    SERIOUS,
    VOCATIONAL,
    WEAK,
)
from .township import Chunk, Township

#: the registry's tables, in the order they are written (parents first)
MODELS = (
    "registry.Household",
    "registry.Member",
    "registry.MemberEvent",
    "registry.IncomeAccount",
    "registry.LivingConditions",
    "registry.StatusEvent",
)

#: household size 1..7, mean ≈ 3.1 (rural household registers)
HOUSEHOLD_SIZE_P = np.array([0.15, 0.25, 0.22, 0.19, 0.11, 0.05, 0.03])
PC = codes.PovertyCause
POVERTY_CAUSES = np.array(
    [
        PC.ILLNESS,
        PC.DISABILITY,
        PC.SCHOOLING,
        PC.DISASTER,
        PC.LAND,
        PC.WATER,
        PC.SKILLS,
        PC.LABOUR,
        PC.CAPITAL,
        PC.TRANSPORT,
        PC.MOTIVATION,
    ]
)


def build(t: Township) -> Chunk:
    """The registry's part of one township: its draws, then its rows."""
    _draw_households(t)
    people.draw(t)
    _draw_poverty(t)
    _draw_support(t)
    events.draw_history(t)
    member_events.draw(t)
    return {
        "registry.Household": _household_rows(t),
        "registry.Member": people.rows(t),
        "registry.MemberEvent": member_events.rows(t),
        "registry.IncomeAccount": incomes.rows(t),
        "registry.LivingConditions": incomes.condition_rows(t),
        "registry.StatusEvent": events.rows(t),
    }


def _draw_households(t: Township) -> None:
    """Household sizes until the township's persons are used up, their villages and household ids."""
    rng, persons = t.rng, t.plan.persons
    draws = np.empty(0, np.int64)
    while draws.sum() < persons:
        draws = np.concatenate([draws, rng.choice(7, size=int(persons / 3.1 * 1.1) + 16, p=HOUSEHOLD_SIZE_P) + 1])
    total = np.cumsum(draws)
    last = int(np.searchsorted(total, persons))
    sizes = draws[: last + 1].copy()
    sizes[-1] -= total[last] - persons
    t.sizes = sizes
    t.n = len(sizes)
    t.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    village_edges = np.cumsum(t.plan.village_persons)
    t.village = np.searchsorted(village_edges, t.starts, side="right")
    t.village_persons = np.bincount(t.village, weights=sizes, minlength=len(village_edges)).astype(int)
    first_in_village = np.searchsorted(t.village, np.arange(len(village_edges)))
    t.sequence_in_village = np.arange(t.n) - first_in_village[t.village] + 1
    t.household_id = t.ids.take("registry.Household", t.n)


def _draw_poverty(t: Township) -> None:
    """Registration: who was poor in 2014 (the hardest-pressed, up to the county's incidence) and why."""
    rng, n, starts = t.rng, t.n, t.starts
    t.any_serious = group_sum(t.health == SERIOUS, starts) > 0
    t.any_disabled = group_sum(t.health == DISABLED, starts) > 0
    t.any_chronic = group_sum(t.health == CHRONIC, starts) > 0
    t.students = group_sum(np.isin(t.school, (SENIOR, VOCATIONAL, HIGHER)), starts)
    t.elderly = group_sum(t.age >= 60, starts)
    t.workers = group_sum(t.can_work, starts)
    t.no_labour = group_sum(np.isin(t.labour, (LOST, NO_LABOUR)), starts) == t.sizes

    village_effect = rng.normal(0, 0.6, len(t.plan.village_codes))
    hardship = (
        1.3 * t.any_serious
        + 0.9 * t.any_disabled
        + 0.7 * t.any_chronic
        + 1.0 * t.no_labour
        + 0.4 * t.elderly / t.sizes
        + 0.3 * (t.students >= 1)
        + village_effect[t.village]
        + rng.normal(0, 1, n)
    )
    incidence = np.clip(t.plan.county_incidence * np.exp(rng.normal(0, 0.2)), 0.08, 0.38)
    order = np.argsort(-hardship, kind="stable")
    covered = np.cumsum(t.sizes[order])
    chosen = order[: int(np.searchsorted(covered, incidence * t.plan.persons)) + 1]
    t.poor = np.zeros(n, bool)
    t.poor[chosen] = True
    t.incidence = incidence

    weights = np.tile([0.0, 0.0, 0.0, 4, 3, 2, 10, 0.0, 25, 3, 3], (n, 1))
    weights[:, 0] = 2 + 40 * t.any_serious + 25 * t.any_chronic
    weights[:, 1] = 1 + 35 * t.any_disabled
    weights[:, 2] = 1 + 20 * (t.students >= 1)
    weights[:, 7] = 2 + 40 * t.no_labour + 5 * (t.workers == 0)
    t.poverty_cause = np.where(t.poor, POVERTY_CAUSES[pick_weighted(rng, weights)], "")


def _draw_support(t: Township) -> None:
    """Social assistance and insurance, which depend on the household's poverty."""
    rng, hh, p = t.rng, t.hh, t.p
    poor = t.poor[hh]
    single_old = (t.sizes[hh] == 1) & (t.age >= 60) & np.isin(t.labour, (LOST, NO_LABOUR))
    t.tekun = single_old & (rng.random(p) < np.where(poor, 0.5, 0.1))
    dibao_household = rng.random(t.n) < np.where(t.poor, 0.3, 0.015)
    t.dibao = dibao_household[hh] & ~t.tekun
    t.public_job_months = np.where(
        poor
        & np.isin(t.labour, (ORDINARY_LABOUR, WEAK))
        & (t.age >= 35)
        & (t.age < 65)
        & (t.work_months == 0)
        & (rng.random(p) < 0.12),
        rng.integers(6, 13, p),
        0,
    )
    t.medical_insured = poor | (rng.random(p) < 0.992)
    adult = (t.age >= 16) & (t.school == NOT_STUDENT)
    t.pension_insured = adult & (rng.random(p) < np.where(t.age >= 60, 0.95, 0.85))
    has_phone = np.where(t.relation == HEAD, rng.random(p) < 0.97, adult & (t.age <= 70) & (rng.random(p) < 0.6))
    t.phone = np.where(
        has_phone,
        ascii_text(
            ascii_digits(
                PHONE_PREFIXES[rng.integers(0, len(PHONE_PREFIXES), p)] * 10**8 + rng.integers(0, 10**8, p), 11
            )
        ),
        "",
    )


# history: registration, exits, monitoring ------------------------------------------------------------------------


def _household_rows(t: Township) -> dict:
    rng, n, plan = t.rng, t.n, t.plan
    village_codes = np.array(plan.village_codes)[t.village]
    village_ascii = np.frombuffer("".join(plan.village_codes).encode(), np.uint8).reshape(-1, 12)
    number = ascii_text(np.hstack([village_ascii[t.village], ascii_digits(t.sequence_in_village, 5)]))
    group = np.minimum((t.sequence_in_village - 1) // 40, len(GROUP_NAMES) - 1)
    prefix = np.array(
        [f"{PROVINCE_NAME}{CITY_NAME}{plan.county_name}{plan.township_name}{v}" for v in plan.village_names],
        dtype=object,
    )
    groups = np.array(GROUP_NAMES, dtype=object)[group]
    house_no = np.char.add(rng.integers(1, 200, n).astype("U3"), "号").astype(object)
    head = t.starts
    phone = t.phone[head]
    has_account = rng.random(n) < np.where(t.poor, 0.95, 0.4)
    bank = BANK_PREFIXES[rng.integers(0, len(BANK_PREFIXES), n)]
    account = ascii_text(np.hstack([ascii_digits(bank, 4), ascii_digits(rng.integers(0, 10**15, n), 15)]))
    rows = {
        "id": t.household_id,
        "number": number,
        "village_id": village_codes,
        "group_name": groups.astype("U4"),
        "head_name": t.name[head],
        "phone": phone,
        "bank_account": np.where(has_account, account, ""),
        "address": (prefix[t.village] + groups + house_no).astype(str),
        "poverty_cause": t.poverty_cause,
        "risk_type": t.risk_type,
        "risk_level": np.where(t.monitored, t.risk_level, np.nan),  # NaN: NULL
        "relocated": t.relocated,
        "no_labour_household": t.no_labour,
        "created_at": t.now,
        "updated_at": t.now,
        **t.state,
    }
    rows["risk_elimination_way"] = t.elimination_way  # not carried by events: see REPLAYED_FIELDS
    return rows
