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
    # The shorter windows' p is multiplied by the effective number of the 77 shorter windows tried
    # (all expect ≥ 1): 77^0.8; then doubled for the whole span tried beside them. The months
    # outside (21 against 22.5) raise nothing.
    assert np.isclose(row.p, 2 * 77**0.8 * stats.poisson.sf(59, 7.5), rtol=1e-9)


def test_structure_that_persists_all_year_is_not_a_burst() -> None:
    # Twice the expectation every month: no short window beats the unit's own other months, and
    # over the whole span (no months of its own to compare with) twice is not enough.
    o, e, n = _unit([10] * 12, [5.0] * 12)
    rows, _tested, _phi = scan(o, e, n, phi=0.0)
    assert rows.empty
    # Four times, all year: a lead over the whole span.
    o, e, n = _unit([20] * 12, [5.0] * 12)
    row = scan(o, e, n, phi=0.0)[0].iloc[0]
    assert (row.start, row.end) == (0, 11) and row.observed == 240 and row.ratio_low >= 2


def test_over_dispersion_keeps_large_counts_from_absurd_p_values() -> None:
    o, e, n = _unit([300 / 12] * 12, [200 / 12] * 12)
    lenient = Effect(ratio=1.2, excess=3, persistent_ratio=1.2)
    poisson, _t, _ = scan(o, e, n, phi=0.0, effect=lenient)
    spread, _t, _ = scan(o, e, n, phi=0.05, effect=lenient)
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


def test_with_own_history_only_windows_that_leave_months_out_are_tried() -> None:
    # A pattern all year long (a broker's importers' own practice) is no lead; a burst is.
    o, e, n = _unit([12] * 12, [3.0] * 12)
    assert scan(o, e, n, phi=0.0, own_history=3)[0].empty
    o, e, n = _unit([3, 3, 3, 3, 3, 3, 3, 30, 30, 30, 3, 3], [3.0] * 12)
    row = scan(o, e, n, phi=0.0, own_history=3)[0].iloc[0]
    assert (row.start, row.end) == (7, 9)


def test_the_window_penalty_keeps_honest_units_under_the_error_rate() -> None:
    # 4,000 honest units over 12 months (Poisson, 6 expected a month): at most 1 % may reach
    # p ≤ 0.01 after the scan, although each tried 78 windows.
    rng = np.random.default_rng(2024)
    e = np.full((4000, 12), 6.0)
    o = rng.poisson(e).astype(float)
    lenient = Effect(ratio=1.0, excess=0.0, persistent_ratio=1.0)
    rows, tested, _phi = scan(o, e, np.full_like(e, 50.0), phi=0.0, effect=lenient)
    assert tested == 4000
    assert (rows.p <= 0.01).sum() <= 0.01 * tested * 1.2
    assert (rows.p <= 0.01).sum() >= 0.01 * tested * 0.2  # not so conservative it never fires


def test_six_events_where_colleagues_have_almost_none_are_enough_and_five_are_not() -> None:
    # A weak pairing touches few files: six overrides in three months where 0.02 a month are
    # expected clear an excess bound of 2 (the lower bound of 6 is 2.6); five never can (1.97).
    expected = [0.02] * 12
    six, e, n = _unit([0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0], expected)
    row = scan(six, e, n, phi=0.0)[0].iloc[0]
    assert (row.start, row.end) == (3, 5) and row.observed == 6 and row.excess_low >= 2
    five, e, n = _unit([0, 0, 0, 2, 2, 1, 0, 0, 0, 0, 0, 0], expected)
    rows, tested, _phi = scan(five, e, n, phi=0.0)
    assert rows.empty and tested == 1  # tested (it had the files), but five events cannot be a lead
