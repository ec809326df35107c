"""What the demo takes from policy: the yardstick its incomes are drawn around, read from the policy packs.

The lines are the packs' that apply to the demo county each year, so the policy engine judges the demo's
incomes against the very lines they were drawn around; a changed pack changes the demo with it. (The demo runs
no assessment: a bulk load sends no signals, and the profile's watermark finds the new rows on the next run.)
"""

from __future__ import annotations

import functools

import numpy as np

from fupin.policy.packs import PackNotFound, pack_for

from .errors import InvalidDemoOptions
from .events import LAST_EXIT_YEAR, REGISTRATION_YEAR

MONITORING_RANGE = 1.5  # 2020 guidance: the monitoring range is about 1.5 × the poverty line (DOMAIN.md §4)


@functools.cache
def _yardstick(region: str, year: int) -> float:
    """The line of one region and year: the newest pack's up to that year (a pack holds until the next)."""
    for candidate in range(year, REGISTRATION_YEAR - 1, -1):  # after the newest pack, its lines still hold
        try:
            lines = pack_for(region, candidate).parameters
        except PackNotFound:
            continue
        if year <= LAST_EXIT_YEAR or "monitoring_line" not in lines:
            return float(lines["poverty_line"])
        return float(lines["monitoring_line"]) / MONITORING_RANGE
    raise InvalidDemoOptions(f"没有适用于 {region} 的 {year} 年或更早的标准包，无法确定扶贫标准")


def base_line(region: str, years) -> np.ndarray:
    """Per year: the poverty line up to 2020, then the monitoring line ÷ 1.5 (the same yardstick), from the policy
    pack that applies to the region that year."""
    years = np.asarray(years)
    distinct, index = np.unique(years, return_inverse=True)
    return np.array([_yardstick(region, int(year)) for year in distinct])[index]
