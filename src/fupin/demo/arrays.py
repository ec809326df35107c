"""Vectorised helpers the demo's parts share: seeded streams, splits, ASCII digit columns, dates and sums.

Whole columns at a time, never a Python loop per person: that is what keeps a million persons under a minute.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from fupin.registry.idcard import check_codes


def generator(*key: int) -> np.random.Generator:
    """The random stream of one key (seed, county, township): the same key gives the same draws in any process."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(list(key))))


def split_total(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to weights that add up to total exactly."""
    edges = np.rint(np.cumsum(weights) / weights.sum() * total).astype(np.int64)
    return np.diff(edges, prepend=0)


def ascii_digits(values, width: int) -> np.ndarray:
    """(n, width) ASCII codes of zero-padded decimal numbers."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, dtype=np.int64)[:, None] // powers % 10).astype(np.uint8) + ord("0")


def ascii_text(ascii_columns: np.ndarray) -> np.ndarray:
    """(n, w) ASCII codes → array of w-character strings."""
    width = ascii_columns.shape[1]
    return np.ascontiguousarray(ascii_columns).view(f"S{width}").ravel().astype(f"U{width}")


def ascii_constant(text: str, n: int) -> np.ndarray:
    return np.broadcast_to(np.frombuffer(text.encode(), dtype=np.uint8), (n, len(text)))


def with_check_char(first17: np.ndarray) -> np.ndarray:
    """GB 11643: append the check character to (n, 17) ASCII digits."""
    check = check_codes(first17.astype(np.int64) - ord("0"))
    return np.hstack([first17, check[:, None]])


def pick(rng, probabilities_by_row: np.ndarray) -> np.ndarray:
    """One category per row, each row with its own probabilities."""
    cumulative = np.cumsum(probabilities_by_row, axis=1)
    u = rng.random(len(probabilities_by_row))[:, None] * cumulative[:, -1:]
    return np.minimum((u > cumulative).sum(axis=1), probabilities_by_row.shape[1] - 1)


def pick_weighted(rng, weights: np.ndarray) -> np.ndarray:
    """One category per row with unnormalised weights (Gumbel-max); a zero weight is never picked."""
    with np.errstate(divide="ignore"):
        return np.argmax(np.log(weights) - np.log(-np.log(rng.random(weights.shape))), axis=1)


def days_between(rng, start, end) -> np.ndarray:
    """Uniform dates in [start, end] (datetime64[D] arrays or scalars)."""
    start, end = np.asarray(start, "M8[D]"), np.asarray(end, "M8[D]")
    span = (end - start).astype(np.int64) + 1
    return start + (rng.random(np.broadcast(start, end).shape) * span).astype(np.int64)


def year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year; NaT becomes a year far in the future, so "y < year" comparisons hold for absent events."""
    years = days.astype("M8[Y]").astype(np.int64) + 1970
    return np.where(np.isnat(days), 9999, years)


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of datetime64[D] values."""
    months = days.astype("M8[M]")
    return (
        days.astype("M8[Y]").astype(np.int64) + 1970,
        months.astype(np.int64) % 12 + 1,
        (days - months).astype(np.int64) + 1,
    )


def on_day(year, month, day) -> np.datetime64:
    return np.datetime64(date(int(year), month, day), "D")


def rounded(values) -> np.ndarray:
    return np.rint(values).astype(np.int64)


def cents(yuan) -> np.ndarray:
    return rounded(np.asarray(yuan) * 100)


def group_sum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of members' values per household (members are contiguous, households non-empty)."""
    return np.add.reduceat(values.astype(np.int64), starts)
