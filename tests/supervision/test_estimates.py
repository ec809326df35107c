"""Spot-check error rates and their 95 % intervals, against values worked out by hand (z = 1.959964, z² = 3.841459)."""

import math

import pytest

from fupin.supervision.services import estimates
from fupin.supervision.services.estimates import clopper_pearson_interval, estimate, wilson_interval


def test_three_errors_in_150_wilson_by_hand():
    # p̂ = 0.02; 1 + z²/n = 1.0256097; centre = (0.02 + 3.841459/300) / 1.0256097 = 0.0319859
    # half = 1.959964 × √(0.02 × 0.98 / 150 + 3.841459 / 90000) / 1.0256097
    #      = 1.959964 × 0.0131663 / 1.0256097 = 0.0251612; so 0.0319859 ∓ 0.0251612
    low, high = wilson_interval(3, 150)
    assert low == pytest.approx(0.0068248, abs=5e-7)
    assert high == pytest.approx(0.0571467, abs=5e-7)


def test_three_errors_in_150_exact_clopper_pearson():
    # the published exact interval of 3/150 (e.g. R's binom.test(3, 150)): 0.004144 – 0.057334
    low, high = clopper_pearson_interval(3, 150)
    assert round(low, 6) == 0.004144 and round(high, 6) == 0.057334
    # and by its definition: P(X ≥ 3 | p = low) = 2.5 % = P(X ≤ 3 | p = high)
    at_least_3 = 1 - sum(math.comb(150, i) * low**i * (1 - low) ** (150 - i) for i in range(3))
    at_most_3 = sum(math.comb(150, i) * high**i * (1 - high) ** (150 - i) for i in range(4))
    assert at_least_3 == pytest.approx(0.025, abs=1e-9) and at_most_3 == pytest.approx(0.025, abs=1e-9)


def test_no_error_in_50_the_upper_bounds_by_formula():
    found = estimate(0, 50)
    assert found.rate == 0 and found.wilson[0] == 0 and found.exact[0] == 0
    assert found.wilson[1] == pytest.approx(3.841459 / (50 + 3.841459), abs=1e-6)  # z² / (n + z²) = 0.0713476
    assert found.exact[1] == pytest.approx(1 - 0.025 ** (1 / 50), abs=1e-9)  # (1 − p)^50 = 2.5 %: 0.0711217


def test_all_wrong_is_the_mirror_of_none_wrong():
    none, every = estimate(0, 50), estimate(50, 50)
    assert every.wilson[1] == 1 and every.exact[1] == 1
    assert every.wilson[0] == pytest.approx(1 - none.wilson[1], abs=1e-12)
    assert every.exact[0] == pytest.approx(1 - none.exact[1], abs=1e-9)


def test_nothing_checked_gives_no_estimate_and_nonsense_is_refused():
    assert estimate(0, 0) == estimates.Estimate(0, 0, None, None, None)
    with pytest.raises(ValueError):
        estimate(4, 3)


def test_the_exact_interval_is_wider_than_wilson_at_small_rates():
    wilson, exact = wilson_interval(3, 150), clopper_pearson_interval(3, 150)
    assert exact[0] < wilson[0] and exact[1] > wilson[1]
