"""The villages' poverty standing in the demo: the villages hardest hit in 2014 are registered poor villages (贫困村),
the worst of them listed deep-poverty villages (深度贫困村) in 2017, and each exits (出列) at the end of the year the
county's plan gives it (the least poor first, in four waves over 2016–2019, deep ones from 2018), or earlier when its
households' exits bring its incidence below 2 % sooner; the other villages with poor households have poverty tasks
(有扶贫任务的村). The events follow
registry.codes.VILLAGE_EVENT_FROM. Drawn from the registry part's arrays, with no random draw of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fupin.registry import codes

from .arrays import on_day
from .events import S_EXITED, S_IDENTIFIED, S_REMOVED

if TYPE_CHECKING:
    from .township import Township

MODELS = ("registry.VillageEvent",)
#: share of a township's villages with poor households that are registered poor villages, and of those the deep ones
POOR_SHARE, DEEP_SHARE = 0.4, 0.25
IDENTIFIED_ON, DEEP_ON = on_day(2014, 10, 31), on_day(2017, 9, 1)
EXIT_YEARS = np.arange(2016, 2020)
EXIT_LINE = 0.02
VE = codes.VillageEventKind


def _poor_persons_at_end_of(t: Township, year: int) -> np.ndarray:
    """Persons of households still poor on 31 December of the year, per village (returns left aside)."""
    end = on_day(year, 12, 31)
    slots = t.slots
    still = (
        ~np.isnat(slots[:, S_IDENTIFIED])
        & (np.isnat(slots[:, S_EXITED]) | (slots[:, S_EXITED] > end))
        & (np.isnat(slots[:, S_REMOVED]) | (slots[:, S_REMOVED] > end))
    )
    return np.bincount(t.village, weights=t.sizes * still, minlength=len(t.plan.village_codes))


def build(t: Township) -> dict:
    villages = len(t.plan.village_codes)
    persons = np.maximum(t.village_persons, 1)
    incidence_2014 = np.bincount(t.village, weights=t.sizes * t.poor, minlength=villages) / persons
    with_poor = np.flatnonzero(incidence_2014 > 0)
    ranked = with_poor[np.argsort(-incidence_2014[with_poor], kind="stable")]
    poor = ranked[: int(np.ceil(len(ranked) * POOR_SHARE))]
    deep = poor[: int(np.floor(len(poor) * DEEP_SHARE))]
    tasked = ranked[len(poor) :]
    below = np.stack([_poor_persons_at_end_of(t, year) / persons < EXIT_LINE for year in EXIT_YEARS])  # year × village
    is_deep = np.isin(np.arange(villages), deep)
    earliest = np.where(is_deep, 2018, EXIT_YEARS[0])
    allowed = below & (EXIT_YEARS[:, None] >= earliest[None, :])
    by_line = np.where(allowed.any(axis=0), EXIT_YEARS[allowed.argmax(axis=0)], EXIT_YEARS[-1])
    # the county's plan: the least poor villages first, in four waves (a deep village in the last two)
    wave = np.zeros(villages, np.int64)
    wave[poor[::-1]] = (np.arange(len(poor)) * len(EXIT_YEARS)) // max(len(poor), 1)
    by_plan = np.maximum(EXIT_YEARS[wave], earliest)
    exit_year = np.minimum(by_line, by_plan)
    exit_on = (exit_year - 1970).astype("M8[Y]").astype("M8[D]") + 353  # 20 December
    events = [
        (poor, VE.POOR, np.full(len(poor), IDENTIFIED_ON)),
        (deep, VE.DEEP, np.full(len(deep), DEEP_ON)),
        (poor, VE.EXITED, exit_on[poor]),
        (tasked, VE.TASKED, np.full(len(tasked), IDENTIFIED_ON)),
    ]
    village = np.concatenate([v for v, _, _ in events]).astype(np.int64)
    dates = np.concatenate([d for _, _, d in events]).astype("M8[D]")
    kind = np.concatenate([np.full(len(v), k.value) for v, k, _ in events])
    keep = dates <= t.as_of
    village, dates, kind = village[keep], dates[keep], kind[keep]
    reason = np.select(
        [kind == VE.POOR.value, kind == VE.DEEP.value, kind == VE.EXITED.value],
        ["建档立卡识别", "列入深度贫困村", "经县级审核、市级核查、省级公告出列"],
        default="非贫困村，有建档立卡贫困户",
    )
    return {
        "registry.VillageEvent": {
            "id": t.ids.take("registry.VillageEvent", len(village)),
            "village_id": np.array(t.plan.village_codes)[village] if len(village) else np.array([], dtype=str),
            "kind": kind,
            "date": dates,
            "approximate": False,
            "document": "",
            "reason": reason,
            "recorded_by_id": None,
            "recorded_at": t.now,
        }
    }
