"""Reproducible stratified draws: the same seed and population give the same sample; ceil(rate × N) per stratum."""

from decimal import Decimal

import numpy as np

from fupin.supervision.services import sampling


def test_splitmix64_matches_the_published_reference_values():
    # splitmix64 seeded with 0 gives 0xE220A8397B1DCDAF as its first output (the reference C code: state += golden,
    # then the mix): our function takes the state before the increment
    assert int(sampling.splitmix64(np.array([0], dtype=np.uint64))[0]) == 0xE220A8397B1DCDAF


def test_the_same_seed_draws_the_same_households_and_another_seed_others():
    ids = np.arange(1, 10_001, dtype=np.int64) * 7
    strata = ids % 3
    first = ids[sampling.draw(ids, strata, Decimal("0.02"), seed=20261206)]
    reversed_ids, reversed_strata = ids[::-1].copy(), strata[::-1].copy()
    again = reversed_ids[sampling.draw(reversed_ids, reversed_strata, Decimal("0.02"), seed=20261206)]
    other = ids[sampling.draw(ids, strata, Decimal("0.02"), seed=20261207)]
    assert len(first) == 201  # ceil(2 % of 3,334) + ceil(2 % of 3,333) × 2 = 67 × 3
    assert sorted(first) == sorted(again)  # the population's order does not matter, only its members
    assert set(first) != set(other)


def test_each_stratum_draws_ceil_rate_times_its_size():
    # at 2 %: 50 households → 1 (exactly 1.0), 51 → 2 (1.02 rounds up), 1 → 1, 100 → 2
    sizes = {1: 50, 2: 51, 3: 1, 4: 100}
    strata = np.concatenate([np.full(size, code) for code, size in sizes.items()])
    ids = np.arange(len(strata), dtype=np.int64)
    picked = sampling.draw(ids, strata, Decimal("0.02"), seed=1)
    counts = dict(zip(*np.unique(strata[picked], return_counts=True), strict=True))
    assert {int(k): int(v) for k, v in counts.items()} == {1: 1, 2: 2, 3: 1, 4: 2}
    assert sampling.stratum_size(0, Decimal("0.02")) == 0 and sampling.stratum_size(3, Decimal("1")) == 3


def test_the_snapshot_keeps_the_population_and_its_digest():
    ids = np.array([30, 10, 20], dtype=np.int64)
    packed, digest = sampling.pack_population(ids)
    assert list(sampling.unpack_population(packed)) == [10, 20, 30]
    assert sampling.pack_population(np.array([20, 30, 10]))[1] == digest  # the same members, the same digest
    assert sampling.pack_population(np.array([20, 30, 11]))[1] != digest
