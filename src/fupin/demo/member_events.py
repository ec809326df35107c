"""Member events of the demo county: the births of the children born since registration, a few deaths among the
old (never the head) and marriages (a young head's spouse marrying in), each consistent with the member's birth
date and the rules of registry.services.member_event_refusal; the members' joined/left dates follow, and the
income accounts count the members of each year (`persons_at_year_end`, members_present_on's reading).

The draws come from a stream of their own, so that the rest of the county is drawn exactly as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fupin.registry import codes

from .arrays import generator, ymd
from .events import REGISTRATION_YEAR
from .people import CHILD, GRANDCHILD, HEAD, SPOUSE

if TYPE_CHECKING:
    from .township import Township

K = codes.MemberEventKind
STREAM = 12  # the member events' own random stream, beside the township's
DEATH_AGE, DEATH_SHARE = 75, 0.03  # of the members this old, this share died since registration
MARRIAGE_HEAD_AGE, MARRIAGE_SHARE = 35, 0.5  # of the spouses of heads this young, this share married in lately
NAT = np.datetime64("NaT", "D")


def _uniform_dates(rng, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    span = np.maximum((high - low).astype(np.int64), 0)
    return low + np.floor(rng.random(len(low)) * (span + 1)).astype(np.int64)


def draw(t: Township) -> None:
    """Which members have which event on which date: t.member_event_kind/_date per person ('' / NaT for none)."""
    rng = generator(t.plan.seed, t.plan.county_no, t.plan.township_no, STREAM)
    first_day = np.datetime64(f"{REGISTRATION_YEAR}-01-01", "D")
    last_day = t.as_of - 30  # nothing in the last month: not yet recorded
    kind = np.full(t.p, "", dtype="U9")
    on = np.full(t.p, NAT, dtype="datetime64[D]")

    born = np.isin(t.relation, (CHILD, GRANDCHILD)) & (t.birth >= first_day) & (t.birth <= last_day)
    kind[born], on[born] = K.BIRTH.value, t.birth[born]

    old = (t.relation != HEAD) & (t.age >= DEATH_AGE) & ~born
    died = old & (rng.random(t.p) < DEATH_SHARE)
    kind[died] = K.DEATH.value
    on[died] = _uniform_dates(rng, np.maximum(first_day + 365, t.birth[died] + 1), np.full(died.sum(), last_day))

    head_age = t.age[t.starts][t.hh]
    adult_at = t.birth + np.rint(20 * 365.2425).astype(np.int64)
    married = (t.relation == SPOUSE) & (head_age < MARRIAGE_HEAD_AGE) & ~died & (adult_at < last_day)
    married &= rng.random(t.p) < MARRIAGE_SHARE
    kind[married] = K.MARRY_IN.value
    on[married] = _uniform_dates(rng, np.maximum(first_day + 365, adult_at[married]), np.full(married.sum(), last_day))

    t.member_event_kind, t.member_event_date = kind, on
    joins = np.isin(kind, [str(k) for k in codes.MEMBER_JOINS])
    t.joined_on = np.where(joins, on, NAT)
    t.left_on = np.where((kind != "") & ~joins, on, NAT)


def persons_at_year_end(t: Township, h: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Members of household h present on 12-31 of year y: born by then, joined by then (a marriage), not dead by
    then (a death on 12-31 itself counts out, as members_present_on reads it)."""
    birth_year = ymd(t.birth)[0]
    joined_year = np.where(np.isnat(t.joined_on), -1, ymd(np.where(np.isnat(t.joined_on), t.as_of, t.joined_on))[0])
    left_year = np.where(np.isnat(t.left_on), 10_000, ymd(np.where(np.isnat(t.left_on), t.as_of, t.left_on))[0])
    years = np.arange(REGISTRATION_YEAR, t.as_of_year + 1)
    start = np.clip(np.maximum(birth_year, joined_year) - REGISTRATION_YEAR, 0, len(years))
    end = np.clip(left_year - REGISTRATION_YEAR, 0, len(years))
    grid = np.zeros((t.n, len(years) + 1), np.int64)
    keep = start < end
    np.add.at(grid, (t.hh[keep], start[keep]), 1)
    np.add.at(grid, (t.hh[keep], end[keep]), -1)
    present = np.cumsum(grid, axis=1)
    return present[h, np.clip(y - REGISTRATION_YEAR, 0, len(years) - 1)]


def rows(t: Township) -> dict:
    """The member event rows, tied to the members (people.rows assigned their ids)."""
    p = np.flatnonzero(t.member_event_kind != "")
    return {
        "id": t.ids.take("registry.MemberEvent", len(p)),
        "household_id": t.household_id[t.hh[p]],
        "member_id": t.member_id[p],
        "id_number": t.id_number[p],
        "name": t.name[p],
        "kind": t.member_event_kind[p],
        "date": t.member_event_date[p],
        "approximate": False,
        "other_household": "",
        "reason": "",
        "recorded_by_id": None,
        "recorded_at": t.now,
    }
