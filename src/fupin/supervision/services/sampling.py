"""Reproducible random samples. A household's draw key is splitmix64(seed XOR household id), a fixed, published
64-bit mixing function computed on arrays (numpy, no loop over households): the same seed and the same population
(the sorted ids, stored compressed with their SHA-256) give the same sample on any machine, with any numpy version.
Within each stratum (a township, or the whole population) the ceil(rate × N) households of smallest key are drawn,
ordered by key — a simple random sample without replacement per stratum."""

import hashlib
import math
import zlib
from decimal import Decimal

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def splitmix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's output function (Steele, Lea, Flood 2014) applied to each uint64: wrapping arithmetic."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        return z ^ (z >> np.uint64(31))


def draw_keys(ids: np.ndarray, seed: int) -> np.ndarray:
    return splitmix64(ids.astype(np.uint64) ^ np.uint64(seed & 0xFFFFFFFFFFFFFFFF))


def stratum_size(population: int, rate: Decimal) -> int:
    """How many of a stratum of `population` are drawn: ceil(rate × population) in exact decimals, at most all."""
    return min(population, math.ceil(Decimal(population) * Decimal(rate)))


def draw(ids: np.ndarray, strata: np.ndarray | None, rate: Decimal, seed: int) -> np.ndarray:
    """The positions in `ids` of the sample, stratum by stratum (strata sorted), each stratum's by key."""
    keys = draw_keys(ids, seed)
    if strata is None:
        strata = np.zeros(len(ids), dtype=np.int64)
    order = np.lexsort((keys, strata))  # by stratum, then by key
    sorted_strata = strata[order]
    starts = np.flatnonzero(np.r_[True, sorted_strata[1:] != sorted_strata[:-1]]) if len(ids) else np.array([], int)
    ends = np.r_[starts[1:], len(ids)]
    picked = [order[start : start + stratum_size(int(end - start), rate)] for start, end in zip(starts, ends)]
    return np.concatenate(picked) if picked else np.array([], dtype=np.int64)


def pack_population(ids: np.ndarray) -> tuple[bytes, str]:
    """The stored snapshot of a population: its sorted ids as little-endian int64, zlib-compressed, and the SHA-256
    of the uncompressed bytes (the digest a redraw compares)."""
    raw = np.sort(ids.astype("<i8")).tobytes()
    return zlib.compress(raw, 6), hashlib.sha256(raw).hexdigest()


def unpack_population(snapshot: bytes) -> np.ndarray:
    return np.frombuffer(zlib.decompress(bytes(snapshot)), dtype="<i8")
