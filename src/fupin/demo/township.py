"""One township while it is generated: its plan, its random stream, its ids, and the arrays each part leaves.

The parts (see `build.PARTS`) run in order on the same Township: the registry part draws the households and
persons and leaves their arrays here (sizes, starts, village, poor, slots, ...), so that a later part — the
areas' populations now, monitoring's cases or assistance's measures when those apps come — reads what it needs
instead of drawing it again. Only a part's own draws come from `rng`, in a fixed order: that order is the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from fupin.registry import bulkload

from .areas import ChunkPlan
from .arrays import generator

Chunk = dict[str, bulkload.Rows]  # model label → rows


@dataclass
class IdCursor:
    """Next primary key per model label: ids are assigned here so that rows can reference each other at once."""

    next_id: dict[str, int] = field(default_factory=dict)

    def take(self, label: str, count: int) -> np.ndarray:
        first = self.next_id.get(label, 1)
        self.next_id[label] = first + count
        return np.arange(first, first + count, dtype=np.int64)


class Township:
    """The state of one township's generation; attributes beyond those set here are added by the parts."""

    def __init__(self, plan: ChunkPlan, as_of: date, ids: IdCursor, now: datetime):
        self.plan, self.ids, self.now = plan, ids, now
        self.as_of = np.datetime64(as_of, "D")
        self.as_of_year, self.as_of_month, self.as_of_day = as_of.year, as_of.month, as_of.day
        self.rng = generator(plan.seed, plan.county_no, plan.township_no)
        #: ID sequence slots shared by the county's townships: township k of K uses slots k, k+K, k+2K, ...
        self.sequence_order = generator(plan.seed, plan.county_no, 0).permutation(499)
