"""Indirect standardisation: what other staff did on comparable files, file by file.

For an officer o and a kind, E = Σ over o's files of r_s, the rate of the same decision among
*other* officers' files in the file's stratum s. Strata form a chain from coarse to fine (e.g.
office → office × channel → office × channel × month → importer × office × channel → importer ×
office × channel × month); each level's leave-one-out rate is shrunk toward its parent's,
``r = (K + w·r_parent) / (N + w)``, so a stratum with few comparable files borrows from the
coarser one and a stratum with many speaks for itself. Legitimate structure (an importer on
deferred payment, a 24 h office, an importer with cheap suppliers) then sits in the expectation,
because other staff handling the same files show it too.

Everything is integer counts (``np.bincount``) and the same float arithmetic on any engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

I = npt.NDArray[np.int64]  # noqa: E741
F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

SHRINK: Final = 10.0  # weight of the parent rate, in files
MIN_COMPARATORS: Final = 20  # other staff's files needed at the coarsest level to standardise a file


def combine(*codes: I) -> I:
    """Return one dense code per distinct combination of the given code arrays (−1 stays a value).

    Codes are numbered in order of first appearance (hashing, not sorting: at millions of rows a
    sort per combination was most of the leads' time), so the same rows in the same order give the
    same codes on any engine.

    Example:
        >>> combine(np.array([0, 0, 1, 1]), np.array([5, 6, 5, 5])).tolist()
        [0, 1, 2, 2]
    """
    if not codes:
        raise ValueError("combine() needs at least one code array")
    out = np.asarray(codes[0], dtype=np.int64) + 1
    for more in codes[1:]:
        more = np.asarray(more, dtype=np.int64) + 1
        key = out * (int(more.max(initial=0)) + 1) + more
        out = np.asarray(pd.factorize(key, sort=False)[0], dtype=np.int64)
    if len(codes) == 1:
        out = np.asarray(pd.factorize(out, sort=False)[0], dtype=np.int64)
    return out


def leave_out_counts(stratum: I, actor: I, values: F, pair: I | None = None) -> F:
    """Return, per row, the sum of ``values`` in its stratum over the rows of *other* actors.

    ``pair`` is ``combine(stratum, actor)`` when the caller has it already.
    """
    pair = combine(stratum, actor) if pair is None else pair
    by_stratum = np.bincount(stratum, weights=values)
    by_pair = np.bincount(pair, weights=values)
    return np.asarray(by_stratum[stratum] - by_pair[pair], dtype=np.float64)


def expected_rates(
    actor: I,
    chain: Sequence[I],
    event: F,
    shrink: float = SHRINK,
    min_comparators: int = MIN_COMPARATORS,
    files: F | None = None,
    pairs: Sequence[I] | None = None,
) -> tuple[F, B]:
    """Return each eligible row's expected rate from other actors, and whether it could be standardised.

    Args:
        actor: Who decided on each row (officer, declarant, office code).
        chain: Stratum codes from the coarsest level to the finest.
        event: 1 where the decision happened (0 otherwise), or a count.
        shrink: Weight of the parent rate (``w``).
        min_comparators: Other actors' rows needed at the coarsest level; rows with fewer are
            "unstandardised": the caller leaves them out of the test and reports them.
        files: Files per row when a row stands for several (``event`` then counts them); the rate
            is per file.
        pairs: ``combine(stratum, actor)`` for each level of the chain, when the caller has them.

    Returns:
        ``(rate, standardised)`` per row.

    Example:
        >>> actor = np.array([0, 0, 1, 1, 2, 2])
        >>> stratum = np.zeros(6, dtype=np.int64)
        >>> rate, ok = expected_rates(actor, [stratum], np.array([1.0, 1, 0, 0, 0, 1]), shrink=0, min_comparators=1)
        >>> rate.round(2).tolist()   # officer 0 against 1 of 4 by the others
        [0.25, 0.25, 0.75, 0.75, 0.5, 0.5]
    """
    rate, standardised, _variance, _pool = expected_rates_with_variance(
        actor, chain, event, shrink, min_comparators, files, pairs
    )
    return rate, standardised


def expected_rates_with_variance(
    actor: I,
    chain: Sequence[I],
    event: F,
    shrink: float = SHRINK,
    min_comparators: int = MIN_COMPARATORS,
    files: F | None = None,
    pairs: Sequence[I] | None = None,
    pool_depth: int | None = None,
) -> tuple[F, B, F, F]:
    """:func:`expected_rates`, the variance of each row's rate estimate, and its pool's relative variance.

    Why the variance: a rate drawn from five events of other staff is far less certain than one
    drawn from five hundred, and treating it as exact made ordinary differences look significant
    where comparable files are few. Each level's ``K`` other events vary as Poisson around what the
    level's rate predicts for its ``N`` files, and the parent's variance enters with its weight:
    ``Var(r) = (N·r + w²·Var(r_parent)) / (N + w)²``; the overall rate's is ``(K + ½) / (N + 1)²``.

    The pool (level ``pool_depth``, e.g. office × channel × month) is shared by all of a unit's files
    of a month, so its error moves them together: its relative variance ``Var(r)/r²`` is returned
    apart (zeros when no pool is named), for the caller to add as a shared term.
    """
    ones = np.ones(actor.size, dtype=np.float64) if files is None else np.asarray(files, dtype=np.float64)
    # Half an event of continuity: where nobody else ever did it, doing it is surprising, not infinitely so.
    total = float(ones.sum())
    overall = (float(event.sum()) + 0.5) / (total + 1.0)
    rate = np.full(actor.size, overall, dtype=np.float64)
    variance = np.full(actor.size, (float(event.sum()) + 0.5) / (total + 1.0) ** 2, dtype=np.float64)
    standardised = np.ones(actor.size, dtype=bool)
    pool_relvar = np.zeros(actor.size, dtype=np.float64)
    for depth, stratum in enumerate(chain):
        pair = combine(stratum, actor) if pairs is None else pairs[depth]
        k = leave_out_counts(stratum, actor, event, pair)
        n = leave_out_counts(stratum, actor, ones, pair)
        if depth == 0:
            standardised = n >= min_comparators
        if shrink > 0:
            rate = (k + shrink * rate) / (n + shrink)
            variance = (n * rate + shrink**2 * variance) / (n + shrink) ** 2
        else:
            rate = np.where(n > 0, k / np.maximum(n, 1), rate)
            variance = np.where(n > 0, rate / np.maximum(n, 1), variance)
        if depth == pool_depth:
            pool_relvar = variance / np.maximum(rate, 1e-12) ** 2
    return (
        np.asarray(rate, dtype=np.float64),
        standardised,
        np.asarray(variance, dtype=np.float64),
        np.asarray(pool_relvar, dtype=np.float64),
    )
