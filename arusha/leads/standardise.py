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

I = npt.NDArray[np.int64]  # noqa: E741
F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

SHRINK: Final = 10.0  # weight of the parent rate, in files
MIN_COMPARATORS: Final = 20  # other staff's files needed at the coarsest level to standardise a file


def combine(*codes: I) -> I:
    """Return one dense code per distinct combination of the given code arrays (−1 stays a value).

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
        out = np.unique(key, return_inverse=True)[1].astype(np.int64)
    return np.asarray(np.unique(out, return_inverse=True)[1], dtype=np.int64)


def leave_out_counts(stratum: I, actor: I, values: F) -> F:
    """Return, per row, the sum of ``values`` in its stratum over the rows of *other* actors."""
    pair = combine(stratum, actor)
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

    Returns:
        ``(rate, standardised)`` per row.

    Example:
        >>> actor = np.array([0, 0, 1, 1, 2, 2])
        >>> stratum = np.zeros(6, dtype=np.int64)
        >>> rate, ok = expected_rates(actor, [stratum], np.array([1.0, 1, 0, 0, 0, 1]), shrink=0, min_comparators=1)
        >>> rate.round(2).tolist()   # officer 0 against 1 of 4 by the others
        [0.25, 0.25, 0.75, 0.75, 0.5, 0.5]
    """
    ones = np.ones(actor.size, dtype=np.float64) if files is None else np.asarray(files, dtype=np.float64)
    # Half an event of continuity: where nobody else ever did it, doing it is surprising, not infinitely so.
    overall = (float(event.sum()) + 0.5) / (float(ones.sum()) + 1.0)
    rate = np.full(actor.size, overall, dtype=np.float64)
    standardised = np.ones(actor.size, dtype=bool)
    for depth, stratum in enumerate(chain):
        k = leave_out_counts(stratum, actor, event)
        n = leave_out_counts(stratum, actor, ones)
        if depth == 0:
            standardised = n >= min_comparators
        rate = (
            (k + shrink * rate) / (n + shrink) if shrink > 0 else np.where(n > 0, k / np.maximum(n, 1), rate)
        )
    return np.asarray(rate, dtype=np.float64), standardised


def rate_variance(pool: I, actor: I, rate: F, event: F, files: F | None = None) -> F:
    """Return, per row, its share of the variance of the actor's expected count within its pool.

    The pool's rate (e.g. office × channel × month) rests on the K events of the other actors
    there; an actor whose n files there expect ``E = n·r`` has an expectation with relative variance
    ``1 / (K + ½)`` (a gamma posterior with Jeffreys' half event: where nobody else ever did it, the
    rate is small but not known to be nil). Each of his n rows carries ``n·r² / (K + ½)``, so that any
    sum of his rows within the pool carries its part, ``E² / (K + ½)``.

    Example:
        >>> # Actor 0 has 2 files in a pool where the others did it once in 4 files.
        >>> pool, actor = np.zeros(6, dtype=np.int64), np.array([0, 0, 1, 1, 1, 1])
        >>> rate_variance(pool, actor, np.full(6, 0.25), np.array([1.0, 1, 1, 0, 0, 0])).tolist()[:2]
        [0.08333333333333333, 0.08333333333333333]
    """
    ones = np.ones(actor.size, dtype=np.float64) if files is None else np.asarray(files, dtype=np.float64)
    pair = combine(pool, actor)
    own = np.bincount(pair, weights=ones)[pair]
    others_events = leave_out_counts(pool, actor, np.asarray(event, dtype=np.float64))
    return np.asarray(own * rate**2 / (others_events + 0.5), dtype=np.float64)
