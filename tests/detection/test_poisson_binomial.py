"""The Poisson-binomial functions against hand computations and against simulation."""

from __future__ import annotations

import numpy as np
import pytest

from arusha.detection import (
    _pmf_around_mean,
    poisson_binomial_cdf,
    poisson_binomial_interval,
    poisson_binomial_pmf,
)


def test_pmf_matches_hand_computation() -> None:
    # Two trials, 0.2 and 0.5: P(0) = 0.8 × 0.5, P(2) = 0.2 × 0.5, P(1) = the rest.
    assert np.allclose(poisson_binomial_pmf([0.2, 0.5]), [0.4, 0.5, 0.1])
    # Three trials, 0.1, 0.2, 0.3: P(0) = .9×.8×.7, P(1) = .1×.8×.7 + .9×.2×.7 + .9×.8×.3, P(3) = .1×.2×.3.
    assert np.allclose(poisson_binomial_pmf([0.1, 0.2, 0.3]), [0.504, 0.398, 0.092, 0.006])


def test_binned_probabilities_repeat_each_probability() -> None:
    assert np.allclose(poisson_binomial_pmf([0.5], counts=[2]), [0.25, 0.5, 0.25])
    assert np.allclose(poisson_binomial_pmf([0.2, 0.5], counts=[2, 1]), poisson_binomial_pmf([0.2, 0.2, 0.5]))
    # A bin of size zero is no trial at all.
    assert np.allclose(poisson_binomial_pmf([0.2, 0.9], counts=[1, 0]), [0.8, 0.2])


def test_lower_tail_matches_hand_computation() -> None:
    assert poisson_binomial_cdf(0, [0.1, 0.2, 0.3]) == pytest.approx(0.504)
    assert poisson_binomial_cdf(1, [0.1, 0.2, 0.3]) == pytest.approx(0.902)
    assert poisson_binomial_cdf(3, [0.1, 0.2, 0.3]) == 1.0
    assert poisson_binomial_cdf(-1, [0.1]) == 0.0


def test_lower_tail_keeps_its_precision_far_in_the_tail() -> None:
    # P(no success in 100 fair trials) = 2^-100 ≈ 7.9e-31, far below an FFT's rounding error.
    assert poisson_binomial_cdf(0, [0.5] * 100) == pytest.approx(2.0**-100, rel=1e-9)
    assert poisson_binomial_cdf(0, [0.5], counts=[100]) == pytest.approx(2.0**-100, rel=1e-9)


def test_interval_matches_hand_computation() -> None:
    # Binomial(10, 1/2): P(X ≤ 1) = 11/1024 < 2.5 % ≤ P(X ≤ 2) = 56/1024;
    # P(X ≤ 7) = 968/1024 < 97.5 % ≤ P(X ≤ 8) = 1013/1024.
    assert poisson_binomial_interval([0.5] * 10) == (2, 8)
    # 0.1 and 0.5: cdf 0.45, 0.95, 1 → 2.5 % quantile 0, 97.5 % quantile 2.
    assert poisson_binomial_interval([0.1, 0.5]) == (0, 2)


def test_agrees_with_simulation() -> None:
    rng = np.random.default_rng(4)
    p = rng.uniform(0.0, 0.4, 300)
    draws = rng.binomial(1, np.broadcast_to(p, (50_000, p.size))).sum(axis=1)
    for k in (40, 50, 60, 70):
        assert poisson_binomial_cdf(k, p) == pytest.approx((draws <= k).mean(), abs=0.008)
    pmf = poisson_binomial_pmf(p)
    assert pmf.sum() == pytest.approx(1.0)
    assert (pmf * np.arange(pmf.size)).sum() == pytest.approx(p.sum())
    low, high = poisson_binomial_interval(p)
    assert abs(low - np.quantile(draws, 0.025)) <= 1 and abs(high - np.quantile(draws, 0.975)) <= 1


def test_window_around_the_mean_equals_the_full_distribution() -> None:
    # Large officers are computed on μ ± (8σ + 10) only: the result must not change.
    rng = np.random.default_rng(5)
    p = rng.uniform(0.0, 0.6, 1500)
    window, lo = _pmf_around_mean(p, np.ones_like(p))
    assert lo > 0
    full = poisson_binomial_pmf(p)
    assert np.allclose(window, full[lo : lo + window.size], atol=1e-12)


@pytest.mark.parametrize("bad", [[1.2], [-0.1], [float("nan")]])
def test_a_probability_outside_0_1_is_refused(bad: list[float]) -> None:
    with pytest.raises(ValueError, match=r"probabilities must lie in \[0, 1\]"):
        poisson_binomial_pmf(bad)
