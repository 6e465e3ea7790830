"""The month-window scan: windows found and named, own history, over-dispersion, penalties."""

from __future__ import annotations

import numpy as np
from scipy import stats

from arusha.leads.scan import Effect, dispersion, scan


def _unit(observed: list[float], expected: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    o, e = np.array([observed], dtype=float), np.array([expected], dtype=float)
    return o, e, np.full_like(o, 100.0)


def test_a_three_month_burst_is_found_in_its_months() -> None:
    o, e, n = _unit([2, 3, 2, 20, 22, 18, 2, 3, 2, 2, 3, 2], [2.5] * 12)
    rows, tested, _phi = scan(o, e, n, phi=0.0)
    row = rows.iloc[0]
    assert (row.start, row.end) == (3, 5) and tested == 1
    assert row.observed == 60 and np.isclose(row.expected, 7.5)
    # The shorter windows' p is multiplied by the 77 shorter windows tried (all expect ≥ 1), then
    # doubled for the whole span tried beside them; the months outside (21 against 22.5) raise nothing.
    assert np.isclose(row.p, 2 * 77 * stats.poisson.sf(59, 7.5), rtol=1e-9)


def test_structure_that_persists_all_year_is_not_a_burst() -> None:
    # Twice the expectation every month: a short window is no stronger than the unit's own other months.
    o, e, n = _unit([10] * 12, [5.0] * 12)
    rows, _tested, _phi = scan(o, e, n, phi=0.0)
    row = rows.iloc[0]
    assert (row.start, row.end) == (0, 11)  # only the whole span, against the peers
    assert row.observed == 120


def test_over_dispersion_keeps_large_counts_from_absurd_p_values() -> None:
    o, e, n = _unit([300 / 12] * 12, [200 / 12] * 12)
    poisson, _t, _ = scan(o, e, n, phi=0.0, effect=Effect(ratio=1.2, excess=3))
    spread, _t, _ = scan(o, e, n, phi=0.05, effect=Effect(ratio=1.2, excess=3))
    assert poisson.iloc[0].p < 1e-8
    assert spread.empty or spread.iloc[0].p > 1e-3


def test_a_lead_needs_an_effect_as_well_as_evidence() -> None:
    # 1,150 against 1,000 is very unlikely by chance, but the ratio bound stays under 1.5.
    o, e, n = _unit([1150 / 12] * 12, [1000 / 12] * 12)
    rows, _t, _ = scan(o, e, n, phi=0.0)
    assert rows.empty


def test_inspections_that_find_less_than_expected_are_the_low_direction() -> None:
    o, e, n = _unit([0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], [2.0] * 12)
    rows, _t, _ = scan(o, e, n, direction="low", phi=0.0)
    row = rows.iloc[0]
    assert row.observed == 3 and np.isclose(row.expected, 24.0)
    assert row.ratio_low >= 1.5 and row.excess_low >= 3


def test_dispersion_is_fitted_on_the_bulk_not_on_the_outliers() -> None:
    rng = np.random.default_rng(1)
    e = np.full(500, 40.0)
    o = rng.poisson(e).astype(float)
    o[:10] = 400  # ten schemes
    assert dispersion(o, e) < 0.01
