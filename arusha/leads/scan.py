"""Observed against expected over runs of consecutive months, allowing for over-dispersion.

Why windows: schemes run for some months. A whole-year test dilutes a three-month scheme in nine
honest months, and a single-month test lacks power; each unit's runs of 1 to 12 consecutive months
are tried, the strongest kept, and its p-value multiplied by the effective number of windows tried
(``W^0.8 · p_min``, W the shorter windows expecting at least one event: overlapping windows are not
independent tests, see :func:`effective_windows`). The whole span is a test of its own,
unpenalised; the better of the two is kept and doubled (``p_scan = min(1, 2 · min(p_whole,
W^0.8 · p_part))``), so a scheme that runs all along loses nothing to the windows it did not need.

Why the unit's own months: legitimate structure that no stratum captured persists all year while
schemes start and stop, so a window's expectation is raised by the unit's own excess outside it
(``h = max(1, (O_out + c) / (E_out + c))``); the whole span, with nothing outside, is tested as is.

Why negative binomial: real units differ more than Poisson counts allow (E = 200 with a standard
deviation of 14 would make every busy officer a lead). The dispersion ``φ`` (variance
``E + φE²``) is fitted per family on the bulk of units, leaving out the most extreme 5 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special, stats

I = npt.NDArray[np.int64]  # noqa: E741
F = npt.NDArray[np.float64]

OWN_HISTORY_PSEUDO: Final = 3.0  # c in h = (O_out + c) / (E_out + c)
MIN_WINDOW_EXPECTED: Final = 1.0  # windows expecting less are not counted in W
MAX_DISPERSION: Final = 2.0
# Too few units to measure dispersion on: assume some rather than none (Poisson would make every
# difference between two offices' months look significant).
UNMEASURED_DISPERSION: Final = 0.1
MIN_UNITS_FOR_DISPERSION: Final = 10
CONFIDENCE: Final = 0.95  # one-sided, for the lower bounds of the effect
MAX_MONTHS: Final = 12


@dataclass(frozen=True)
class Effect:
    """What a lead needs besides evidence: lower bounds of the rate ratio and of the excess count."""

    ratio: float = 1.25
    excess: float = 2.0
    # Over the whole span there are no months of the unit's own to compare with: a difference that
    # persists all year must be larger to count (a strict senior relaxes twice as often as juniors).
    persistent_ratio: float = 2.0


def dispersion(observed: F, expected: F) -> float:
    """Return the negative binomial dispersion φ (variance E + φE²) fitted on the bulk of the units.

    Why this way: with a dozen offices or officers, one or two schemes among them would dominate a
    moment estimate and make every other unit look ordinary. Units whose Pearson residual
    ``z = (O − E) / √E`` lies beyond three robust spreads (median absolute deviation) of the median
    are set aside; if the rest are no more dispersed than Poisson (their Σz² is not significant at
    5 %), φ = 0; otherwise φ is their moment estimate ``Σ((O − E)² − O) / ΣE²``. Units expecting fewer
    than 2 events say little and are left out; with fewer than 10 units left, φ is assumed (0.1).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> e = np.full(4000, 50.0)
        >>> round(dispersion(rng.poisson(e).astype(float), e), 2)  # Poisson: φ ≈ 0
        0.0
        >>> o = rng.negative_binomial(5, 5 / (5 + e)).astype(float)  # φ = 1/5
        >>> round(dispersion(o, e), 1)
        0.2
    """
    keep = expected >= 2.0
    o, e = observed[keep], expected[keep]
    order = np.lexsort((e, o))  # sums in a fixed order: the units' order is the engine's
    o, e = o[order], e[order]
    if o.size < MIN_UNITS_FOR_DISPERSION:
        return UNMEASURED_DISPERSION if o.size else 0.0
    z = (o - e) / np.sqrt(e)
    centre = float(np.median(z))
    spread = max(1.4826 * float(np.median(np.abs(z - centre))), 1.0)
    bulk = np.abs(z - centre) <= 3.0 * spread
    o, e, z = o[bulk], e[bulk], z[bulk]
    if stats.chi2.sf(float((z**2).sum()), z.size) > 0.05:
        return 0.0
    phi = float(((o - e) ** 2 - o).sum() / max(float((e**2).sum()), 1e-12))
    return float(np.clip(phi, 0.0, MAX_DISPERSION))


def upper_tail(observed: F, mean: F, phi: float | F) -> F:
    """P(X ≥ observed) for X negative binomial with ``mean`` and dispersion ``phi`` (Poisson where φ = 0)."""
    mean = np.maximum(mean, 1e-12)
    phi = np.broadcast_to(np.asarray(phi, dtype=np.float64), mean.shape)
    poisson = phi < 1e-9
    out = np.asarray(stats.poisson.sf(observed - 1, mean), dtype=np.float64)
    if (~poisson).any():
        size = 1.0 / phi[~poisson]
        m = mean[~poisson]
        out[~poisson] = stats.nbinom.sf(observed[~poisson] - 1, size, size / (size + m))
    return out


def lower_tail(observed: F, mean: F, phi: float | F) -> F:
    """P(X ≤ observed) for the same distribution."""
    mean = np.maximum(mean, 1e-12)
    phi = np.broadcast_to(np.asarray(phi, dtype=np.float64), mean.shape)
    poisson = phi < 1e-9
    out = np.asarray(stats.poisson.cdf(observed, mean), dtype=np.float64)
    if (~poisson).any():
        size = 1.0 / phi[~poisson]
        m = mean[~poisson]
        out[~poisson] = stats.nbinom.cdf(observed[~poisson], size, size / (size + m))
    return out


def poisson_bounds(observed: F) -> tuple[F, F]:
    """Exact one-sided 95 % lower and upper bounds of a Poisson mean given ``observed`` (Garwood).

    Example:
        >>> [round(float(b[0]), 2) for b in poisson_bounds(np.array([10.0]))]
        [5.43, 16.96]
    """
    alpha = 1.0 - CONFIDENCE
    observed = np.asarray(observed, dtype=np.float64)
    low = np.zeros_like(observed)
    positive = observed > 0
    low[positive] = special.gammaincinv(observed[positive], alpha)
    high = special.gammaincinv(observed + 1.0, CONFIDENCE)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def _trimmed(best_row: F, observed: F, expected: F, files: F, direction: str, effect: Effect) -> F:
    """Drop from each window's ends the months that add nothing to its excess (or shortfall).

    Why: where other staff almost never do it, months after a scheme add so little to the
    expectation that the strongest window runs on to the end of the data; the months shown should
    be those where it happened. An end month is dropped when it adds less than one unit of Poisson
    log-likelihood ratio (``O·ln(O/E) − (O − E)``) to the window's evidence. The p-value is kept (it was computed on the longer window).
    """
    out = best_row.copy()

    def gain(o: float, e: float) -> float:
        # Poisson log-likelihood ratio of rate o/e against e: the evidence a window carries.
        return float(o * np.log(o / e) - (o - e)) if o > 0 and e > 0 else float(e)

    def worth(i: int, start: int, end: int, scale: float) -> float:
        o = observed[i, start : end + 1].sum()
        e = expected[i, start : end + 1].sum() * scale
        excess = o > e if direction == "high" else o < e
        return gain(o, e) if excess else 0.0

    for i in range(out.shape[0]):
        start, end = int(out[i, 0]), int(out[i, 1])
        e_window = expected[i, start : end + 1].sum()
        scale = out[i, 3] / e_window if e_window > 0 else 1.0  # the own-history adjustment kept
        # An end month that adds less than one unit of evidence is not part of what happened.
        while start < end and worth(i, start, end, scale) - worth(i, start + 1, end, scale) < 1.0:
            start += 1
        while end > start and worth(i, start, end, scale) - worth(i, start, end - 1, scale) < 1.0:
            end -= 1
        if (start, end) == (int(out[i, 0]), int(out[i, 1])):
            continue
        o = observed[i, start : end + 1].sum()
        e = expected[i, start : end + 1].sum() * scale
        low, high = poisson_bounds(np.array([o]))
        ratio, excess = (
            (low[0] / max(e, 1e-12), low[0] - e)
            if direction == "high"
            else (e / max(high[0], 1e-12), e - high[0])
        )
        out[i] = [start, end, o, e, files[i, start : end + 1].sum(), ratio, excess]
    return out


def effective_windows(windows: F) -> F:
    """How many independent tests ``windows`` overlapping runs of months amount to: ``W^0.8``.

    Why not W (Bonferroni): the runs overlap, so their p-values move together. Simulated Poisson
    series with no scheme (``tests/leads/test_scan.py`` checks it) put the effective number at about
    8 for the 20 shorter runs of 6 months, 21 for the 77 of 12 and 100 for the 299 of 24, which
    ``W^0.8`` meets or exceeds (11, 32, 96): the penalty stays conservative where schemes are
    sought, a year, and four times milder than Bonferroni's.

    Example:
        >>> effective_windows(np.array([77.0])).round(1).tolist()
        [32.3]
    """
    return np.asarray(np.maximum(windows, 1.0) ** 0.8, dtype=np.float64)


def minimum_observed(excess: float) -> int:
    """The fewest events whose lower bound reaches ``excess`` (7 for an excess of 3).

    Example:
        >>> minimum_observed(3.0)
        7
    """
    count = 1
    while float(poisson_bounds(np.array([float(count)]))[0][0]) < excess:
        count += 1
    return count


def by_unit_month(unit: I, month: I, values: F, units: int, months: int) -> F:
    """Sum ``values`` into a dense (units × months) array."""
    flat = np.bincount(unit * months + month, weights=values, minlength=units * months)
    return np.asarray(flat.reshape(units, months), dtype=np.float64)


SCAN_COLUMNS: Final = [
    "unit",
    "start",
    "end",
    "observed",
    "expected",
    "n",
    "ratio_low",
    "excess_low",
    "p",
]


def scan(
    observed: F,
    expected: F,
    files: F,
    direction: str = "high",
    effect: Effect | None = None,
    phi: float | None = None,
    variance: F | None = None,
    own_history: int = 0,
) -> tuple[pd.DataFrame, int, float]:
    """Test each unit over every run of consecutive months and keep its strongest window with an effect.

    Args:
        observed: (units × months) counts of the decision.
        expected: (units × months) expected counts from other staff.
        files: (units × months) eligible files (the denominator, for the record).
        direction: ``"high"`` (doing it more than expected) or ``"low"`` (less: inspections that
            find nothing).
        effect: Lower bounds a lead's window must reach (ratio and excess).
        phi: Dispersion; fitted on the whole-span counts when ``None``.
        variance: (units × months) variance of ``expected`` itself, from the comparable files it
            rests on: an expectation drawn from five events of other staff is far less certain
            than one drawn from five hundred. It adds to the window's dispersion
            (``φ + V / E²``), so that a small comparison group does not make ordinary differences
            look significant.
        own_history: When above 0, only windows with at least this many active months of the
            unit's own outside them are tried, and never the whole span: the unit's own months are
            then the only baseline that counts (a broker's importers' honest peculiarities persist,
            fabrication starts and stops).

    Returns:
        ``(rows, tested, phi)``: one row per unit with a window reaching the effect (columns
        :data:`SCAN_COLUMNS`, ``start``/``end`` month codes inclusive, ``p`` penalised for the
        windows tried), the number of units tested, and the dispersion used.
    """
    effect = effect or Effect()
    units, months = observed.shape
    total_o, total_e = observed.sum(axis=1), expected.sum(axis=1)
    if phi is None:
        phi = dispersion(total_o, total_e)
    # Units that could never reach the effect, whatever they did, are not hypotheses at all: a unit
    # with fewer files than it takes to show an excess of 2 (6 events: the lower bound of 6 is 2.6),
    # or expecting too few events for a shortfall of 2 to be seen. Leaving them out of the count of
    # tests ("independent filtering": the files are fixed before any outcome) keeps 150,000
    # officer × importer pairs with two files each from drowning the few that could show a scheme.
    total_n = files.sum(axis=1)
    floor = minimum_observed(effect.excess)
    if direction == "high":
        testable = (total_e > 0) & (total_n >= floor)
        candidates = np.flatnonzero(testable & (total_o >= floor))
    else:
        testable = total_e >= effect.excess + float(poisson_bounds(np.zeros(1))[1][0])
        candidates = np.flatnonzero(testable)
    tested = int(testable.sum())
    if candidates.size == 0 or units == 0:
        return pd.DataFrame(columns=SCAN_COLUMNS), tested, phi
    zeros = np.zeros((candidates.size, 1))
    cum_o = np.hstack([zeros, np.cumsum(observed[candidates], axis=1)])
    cum_e = np.hstack([zeros, np.cumsum(expected[candidates], axis=1)])
    cum_n = np.hstack([zeros, np.cumsum(files[candidates], axis=1)])
    cum_active = np.hstack([zeros, np.cumsum(files[candidates] > 0, axis=1)])
    cum_v = np.hstack([zeros, np.cumsum(variance[candidates], axis=1)]) if variance is not None else None
    all_o, all_e = cum_o[:, -1:], cum_e[:, -1:]
    # The whole span (nothing outside) and the shorter windows are two tests: the strongest of each
    # is kept, the shorter ones' p multiplied by how many of them were tried, and the better of the
    # two doubled (Bonferroni over the two).
    best = {w: (np.ones(candidates.size), np.zeros((candidates.size, 7))) for w in ("whole", "part")}
    windows = np.zeros(candidates.size)
    rows = np.arange(candidates.size)
    for length in range(1, min(months, MAX_MONTHS) + 1):
        o = cum_o[:, length:] - cum_o[:, :-length]
        e = cum_e[:, length:] - cum_e[:, :-length]
        n = cum_n[:, length:] - cum_n[:, :-length]
        v = cum_v[:, length:] - cum_v[:, :-length] if cum_v is not None else np.zeros_like(e)
        out_o, out_e = all_o - o, all_e - e
        whole = np.isclose(out_e, 0.0) & np.isclose(out_o, 0.0)
        if own_history:
            active_out = cum_active[:, -1:] - (cum_active[:, length:] - cum_active[:, :-length])
            allowed = ~whole & (active_out >= own_history)
        else:
            allowed = np.ones_like(whole)
        history = (out_o + OWN_HISTORY_PSEUDO) / (out_e + OWN_HISTORY_PSEUDO)
        windows += ((e >= MIN_WINDOW_EXPECTED) & ~whole).sum(axis=1)
        counted = e > 0
        if direction == "high":
            e_adj = e * np.where(whole, 1.0, np.maximum(history, 1.0))
            possible = counted & (o >= e_adj + effect.excess)
        else:
            e_adj = e * np.where(whole, 1.0, np.minimum(history, 1.0))
            possible = counted & (o <= e_adj - effect.excess)
        # The exact bounds only where an effect is possible at all (they cost most of the scan).
        ratio_low = np.zeros_like(o)
        excess_low = np.full_like(o, -np.inf)
        if possible.any():
            low_b, high_b = poisson_bounds(o[possible])
            if direction == "high":
                ratio_low[possible] = low_b / np.maximum(e_adj[possible], 1e-12)
                excess_low[possible] = low_b - e_adj[possible]
            else:
                ratio_low[possible] = e_adj[possible] / np.maximum(high_b, 1e-12)
                excess_low[possible] = e_adj[possible] - high_b
        needed = np.where(whole, max(effect.ratio, effect.persistent_ratio), effect.ratio)
        ok = allowed & possible & (ratio_low >= needed) & (excess_low >= effect.excess)
        p = np.ones_like(o)
        if ok.any():
            tail = upper_tail if direction == "high" else lower_tail
            p[ok] = tail(o[ok], e_adj[ok], phi + v[ok] / np.maximum(e[ok], 1e-12) ** 2)
        # p underflows to 0 for overwhelming windows: among those, the larger excess is the stronger
        # (the denormal term changes nothing where p is above 1e-290).
        p = p - 1e-300 * np.maximum(excess_low, 0.0) * (p < 1e-290)
        for which, mask in (("whole", whole), ("part", ~whole)):
            p_w = np.where(mask, p, 1.0)
            col = np.argmin(p_w, axis=1)
            p_min = p_w[rows, col]
            best_p, best_row = best[which]
            b = p_min < best_p
            if b.any():
                best_p[b] = p_min[b]
                best_row[b] = np.column_stack(
                    [
                        col[b],
                        col[b] + length - 1,
                        o[rows, col][b],
                        e_adj[rows, col][b],
                        n[rows, col][b],
                        ratio_low[rows, col][b],
                        excess_low[rows, col][b],
                    ]
                )
    for which in best:
        best[which] = (np.maximum(best[which][0], 0.0), best[which][1])
    p_whole = best["whole"][0]
    p_part = np.minimum(1.0, effective_windows(windows) * best["part"][0])
    best_p = np.minimum(p_part, p_whole)
    # The window shown is the shorter one whenever it holds at least as much evidence unpenalised:
    # a scheme of five months is reported in its months, though its p pays for the windows tried.
    show_part = best["part"][0] <= p_whole
    best_row = np.where(show_part[:, None], best["part"][1], best["whole"][1])
    keep = best_p < 1.0
    if not keep.any():
        return pd.DataFrame(columns=SCAN_COLUMNS), tested, phi
    best_row = _trimmed(
        best_row, observed[candidates], expected[candidates], files[candidates], direction, effect
    )
    p_scan = np.minimum(1.0, 2.0 * best_p)
    out = pd.DataFrame(best_row[keep], columns=SCAN_COLUMNS[1:-1])
    out.insert(0, "unit", candidates[keep])
    out["p"] = p_scan[keep]
    for column in ("start", "end", "observed", "n"):
        out[column] = out[column].round().astype(np.int64)
    return out, tested, phi
