"""Incomes and living conditions: what the policy engine judges, drawn around the packs' lines.

The per-capita net income of a household-year is drawn first, by where the household stood that year (poor,
in the monitoring range, formerly poor, ordinary), and the components are then carved out of it, so that the
database's generated columns give back the drawn figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fupin.registry import codes

from .arrays import cents, group_sum, rounded, year_of
from .events import (
    LAST_EXIT_YEAR,
    MC,
    REGISTRATION_YEAR,
    S_ELIMINATED,
    S_EXITED,
    S_MONITORED,
    S_REEXITED,
    S_REMOVED,
    S_RETURNED,
)
from .member_events import persons_at_year_end
from .people import CHRONIC, DISABLED, SERIOUS
from .policy import MONITORING_RANGE, base_line

if TYPE_CHECKING:
    from .township import Township

# yuan per person per year, by year from 2014 (rough rural Shanxi levels, demo only)
PENSION_2014, PENSION_STEP = 660, 95
DIBAO_2014, DIBAO_STEP = 1500, 230
TEKUN_2014, TEKUN_STEP = 3500, 350
ORDINARY_INCOME_2024 = 13_500  # median per-capita net income of ordinary households


def rows(t: Township) -> dict:
    """Income accounts: every household for the last two complete years; registered-poor households for every
    year since 2014."""
    rng, n = t.rng, t.n
    last_year = t.as_of_year - 1
    all_years = np.arange(REGISTRATION_YEAR, last_year + 1)
    recent = all_years[-2:]
    per_household = np.where(t.poor, len(all_years), len(recent))
    h = np.repeat(np.arange(n), per_household)
    first_year = np.where(t.poor, REGISTRATION_YEAR, recent[0])
    y = first_year[h] + (np.arange(len(h)) - np.repeat(np.cumsum(per_household) - per_household, per_household))
    m = len(h)
    line = base_line(t.plan.county_code[:6], y)

    slots = t.slots
    exit_year, return_year, reexit_year = (year_of(slots[:, s])[h] for s in (S_EXITED, S_RETURNED, S_REEXITED))
    removal_year = year_of(slots[:, S_REMOVED])[h]
    monitored_year, eliminated_year = year_of(slots[:, S_MONITORED])[h], year_of(slots[:, S_ELIMINATED])[h]
    before_exit = (y < exit_year) & (y < removal_year)
    poor_that_year = t.poor[h] & (before_exit | ((y >= return_year) & (y < reexit_year)))
    # a household is taken into monitoring on the previous year's income, and its risk eliminated likewise
    at_risk = (y >= monitored_year - 1) & ((y < eliminated_year - 1) | (y == monitored_year - 1))
    sudden = at_risk & (t.category[h] == MC.SUDDEN)
    in_range = at_risk & ~sudden & ~poor_that_year
    formerly_poor = t.poor[h] & ~poor_that_year

    prosperity = np.exp(rng.normal(0, 0.45, n))[h] * ORDINARY_INCOME_2024 * 1.065 ** (y - 2024)
    floor = line * MONITORING_RANGE * rng.uniform(1.02, 1.3, m)
    missed = ((rng.random(n) < 0.003) & ~t.monitored)[h]  # a few in range whom nobody has caught yet
    per_capita = np.select(
        [poor_that_year, in_range | missed, formerly_poor & (y <= LAST_EXIT_YEAR), formerly_poor | sudden],
        [
            line * rng.uniform(0.55, 0.93, m),
            line * rng.uniform(1.03, 1.47, m),
            line * rng.uniform(1.1, 1.9, m),
            line * MONITORING_RANGE * rng.uniform(1.08, 1.8, m) * 1.04 ** np.maximum(y - 2021, 0),
        ],
        default=np.maximum(prosperity, floor),
    )
    persons = persons_at_year_end(t, h, y)  # the members of 12-31 (births, deaths, marriages counted)
    total = np.rint(per_capita * persons * 100).astype(np.int64)  # cents

    since = y - REGISTRATION_YEAR
    starts = t.starts
    elderly = t.elderly[h]
    dibao_members = group_sum(t.dibao, starts)[h]
    tekun_members = group_sum(t.tekun, starts)[h]
    transfers = {
        "pension_income": cents(elderly * (PENSION_2014 + PENSION_STEP * since) * rng.uniform(0.95, 1.1, m)),
        "dibao_income": cents(dibao_members * (DIBAO_2014 + DIBAO_STEP * since) * rng.uniform(0.8, 1.0, m)),
        "tekun_income": cents(tekun_members * (TEKUN_2014 + TEKUN_STEP * since)),
        "family_planning_income": cents(np.where(rng.random(m) < 0.06, 960 * np.minimum(elderly, 2), 0)),
        "eco_compensation_income": cents(np.where(rng.random(m) < 0.25, rng.uniform(100, 900, m), 0)),
        "other_transfer_income": cents(np.where(t.poor[h] & (rng.random(m) < 0.5), rng.uniform(100, 1500, m), 0)),
    }
    transfer_total = sum(transfers.values())
    scale = np.minimum(1.0, 0.85 * total / np.maximum(transfer_total, 1))
    transfers = {k: np.floor(v * scale).astype(np.int64) for k, v in transfers.items()}
    remainder = total - sum(transfers.values())

    dividend = np.where(formerly_poor & (y >= 2017) & (rng.random(m) < 0.6), cents(rng.uniform(300, 800, m)), 0)
    property_income = np.minimum(rounded(remainder * rng.uniform(0, 0.05, m)) + dividend, remainder)
    wage_share = np.where(t.workers[h] > 0, rng.uniform(0.55, 0.92, m), rng.uniform(0.0, 0.15, m))
    net_business = rounded((remainder - property_income) * (1 - wage_share))
    loss = rng.random(m) < 0.02  # a bad year for the family business
    expense = np.where(loss, cents(rng.uniform(2000, 15000, m)), rounded(net_business * rng.uniform(0.3, 0.8, m)))
    business_income = np.where(loss, rounded(expense * rng.uniform(0.3, 1.0, m)), net_business + expense)
    net_business = business_income - expense
    wage = remainder - property_income - net_business

    out_of_pocket = (
        group_sum(t.health == CHRONIC, starts)[h] * rng.uniform(300, 3000, m)
        + group_sum(t.health == SERIOUS, starts)[h] * rng.uniform(3000, 25000, m)
        + group_sum(t.health == DISABLED, starts)[h] * rng.uniform(0, 1200, m)
        + sudden * rng.uniform(25000, 90000, m)
    )
    claims = np.where(t.any_serious[h] & (rng.random(m) < 0.5), out_of_pocket * rng.uniform(0.1, 0.4, m), 0)
    return {
        "id": t.ids.take("registry.IncomeAccount", m),
        "household_id": t.household_id[h],
        "year": y,
        "persons": persons,
        "wage_income": wage,
        "business_income": business_income,
        "property_income": property_income,
        **transfers,
        "business_expense": expense,
        "compliant_out_of_pocket": cents(out_of_pocket),
        "insurance_claims": cents(claims),
        "recorded_at": t.now,
    }


def condition_rows(t: Township) -> dict:
    """The last complete year for everyone (the three guarantees secured for all who exited), and 2014 for the
    registered poor, with the unsafe houses, water and roads that the exits later fixed."""
    rng, n = t.rng, t.n
    poor = np.flatnonzero(t.poor)
    h = np.concatenate([np.arange(n), poor])
    m = len(h)
    then = np.arange(m) >= n  # the 2014 rows
    u = rng.random(m)
    housing = np.where(then, np.where(u < 0.10, 2, np.where(u < 0.35, 1, 0)), np.where(u < 0.003, 1, 0))
    road = np.where(
        then, rng.choice(4, size=m, p=[0.40, 0.35, 0.20, 0.05]), rng.choice(4, size=m, p=[0.92, 0.06, 0.02, 0])
    )
    farmland = np.rint(np.where(t.relocated, 0.4, 1.0)[h] * rng.gamma(2.0, 2.0, n)[h] * 100).astype(np.int64)
    return {
        "id": t.ids.take("registry.LivingConditions", m),
        "household_id": t.household_id[h],
        "year": np.where(then, REGISTRATION_YEAR, t.as_of_year - 1),
        "housing_safety": np.array(codes.HousingSafety.values)[housing],
        "safe_drinking_water": np.where(then, rng.random(m) >= 0.2, rng.random(m) >= 0.002),
        "electricity": np.where(then, rng.random(m) >= 0.01, True),
        "road_type": np.array(codes.RoadType.values)[road],
        "farmland_mu": farmland,
        "cooperative_member": rng.random(m) < np.where(t.poor[h] & ~then, 0.35, 0.12),
        "food_clothing_secure": np.where(then, rng.random(m) >= 0.1, True),
    }
