"""One family of tests (a kind at one level): from eligible files to candidate lead records.

Every kind is tested the same way once its files, its decision, its actor and its strata are
chosen: expected rates from other actors (``standardise.py``), counts per unit and month, the
window scan (``scan.py``). A unit is an officer, an office, a declarant, or an officer × trader
pair; its culprit is the officer (pairs and officers), the office or the declarant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from arusha.leads import scan as scanning
from arusha.leads import standardise
from arusha.leads.frame import B, Decisions, F, I

CANDIDATE_COLUMNS = [
    "kind",
    "entity_type",
    "entity_id",
    "officer_id",
    "other_id",
    "office_code",
    "window_start",
    "window_end",
    "observed",
    "expected",
    "n",
    "ratio_low",
    "excess_low",
    "p",
    "related",
    "unstandardised_n",
    "basis",
]


@dataclass
class Candidates:
    """The candidate leads of one family and how many units it tested (for the q-values)."""

    kind: str
    entity_type: str
    rows: pd.DataFrame
    tested: int
    dispersion: float = 0.0
    notes: dict[str, object] = field(default_factory=dict)


GRID = 2.0**-30


def quantised(values: F) -> F:
    """``values`` rounded to multiples of 2⁻³⁰, so that sums of millions of them are exact in double
    precision and do not depend on the order the engine returned the rows in (DuckDB and Spark,
    or two runs of one, then give identical leads to the last digit)."""
    return np.asarray(np.round(np.asarray(values, dtype=np.float64) / GRID) * GRID, dtype=np.float64)


def record(
    dec: Decisions,
    window: Any,
    *,
    kind: str,
    entity_type: str,
    entity_id: str,
    officer_id: str = "",
    other_id: str = "",
    office_code: str = "",
    p: float | None = None,
    unstandardised_n: int = 0,
    basis: str = "peers",
) -> dict[str, object]:
    """One candidate lead: who, and the window ``scan`` found (a row of its result)."""
    return {
        "kind": kind,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "officer_id": officer_id,
        "other_id": other_id,
        "office_code": office_code,
        "window_start": dec.months[int(window.start)],
        "window_end": dec.months[int(window.end)],
        "observed": int(window.observed),
        "expected": round(float(window.expected), 4),
        "n": int(window.n),
        "ratio_low": round(float(window.ratio_low), 4),
        "excess_low": round(float(window.excess_low), 4),
        "p": float(window.p) if p is None else p,
        "related": "",
        "unstandardised_n": unstandardised_n,
        "basis": basis,
    }


def empty(kind: str, entity_type: str) -> Candidates:
    return Candidates(kind, entity_type, pd.DataFrame(columns=CANDIDATE_COLUMNS), 0)


def chain(dec: Decisions, rows: I, levels: Sequence[Sequence[str | I]]) -> list[I]:
    """Return the stratum codes of ``rows`` for each level (a level is columns or code arrays).

    Levels made of columns only are combined once over the whole table and kept (kinds share
    them); the codes are then not dense over ``rows``, which counting does not need.
    """
    out = []
    for level in levels:
        names = tuple(c for c in level if isinstance(c, str))
        arrays = [np.asarray(c, dtype=np.int64) for c in level if not isinstance(c, str)]
        parts = [level_codes(dec, names)[rows]] if names else []
        parts += arrays
        if not parts:
            out.append(np.zeros(rows.size, dtype=np.int64))
        elif len(parts) == 1 and names:
            out.append(parts[0])
        else:
            out.append(standardise.combine(*parts))
    return out


def level_codes(dec: Decisions, names: tuple[str, ...]) -> I:
    """The codes of a combination of columns over the whole table, computed once per analysis."""
    cache: dict[tuple[str, ...], I] = dec.extra.setdefault("levels", {})  # type: ignore[assignment]
    if names not in cache:
        cache[names] = standardise.combine(*[dec.codes(c) for c in names])
    return cache[names]


def subset_levels(levels: Sequence[Sequence[str | I]], keep: np.ndarray) -> list[list[str | I]]:
    """The levels of a chain for a subset of its rows: code arrays are filtered, column names kept."""
    return [[c if isinstance(c, str) else np.asarray(c)[keep] for c in level] for level in levels]


CAPTURED_FILES = 10


def _captured(strata: list[I], pairs: list[I], levels: Sequence[Sequence[str | I]], actor: I) -> B:
    """Rows of an officer who holds most of their importer's files at the coarsest importer level."""
    named = [i for i, level in enumerate(levels) if "importer_id" in [c for c in level if isinstance(c, str)]]
    if not named:
        return np.zeros(actor.size, dtype=bool)
    at = named[0]
    ones = np.ones(actor.size)
    own = np.bincount(pairs[at], weights=ones)[pairs[at]]
    others = standardise.leave_out_counts(strata[at], actor, ones, pairs[at])
    return np.asarray((own >= CAPTURED_FILES) & (others < own))


def pool_level(levels: Sequence[Sequence[str | I]]) -> int:
    """The chain level a unit's files of a month share: the finest without the importer."""
    plain = [
        i for i, level in enumerate(levels) if "importer_id" not in [c for c in level if isinstance(c, str)]
    ]
    return plain[-1] if plain else 0


def most_common(unit: I, value: I, units: int) -> I:
    """Per unit, the most frequent value (ties to the lowest code); −1 for a unit without rows."""
    if unit.size == 0:
        return np.full(units, -1, dtype=np.int64)
    order = np.lexsort((value, unit))
    u, v = unit[order], value[order]
    pair_start = np.r_[True, (u[1:] != u[:-1]) | (v[1:] != v[:-1])]
    starts = np.flatnonzero(pair_start)
    counts = np.diff(np.r_[starts, u.size])
    pu, pv = u[starts], v[starts]
    best = np.full(units, -1, dtype=np.int64)
    best_count = np.zeros(units, dtype=np.int64)
    # Visit pairs by descending count, then ascending value: the first seen per unit wins.
    for i in np.lexsort((pv, -counts)):
        if best[pu[i]] < 0:
            best[pu[i]] = pv[i]
            best_count[pu[i]] = counts[i]
    return best


def run(
    dec: Decisions,
    kind: str,
    entity_type: str,
    rows: I,
    event: F,
    rate: F,
    standardised: B,
    unit: I,
    officer: I | None,
    other: I | None,
    other_column: str | None,
    direction: str = "high",
    effect: scanning.Effect | None = None,
    basis: str | np.ndarray = "peers",
    entity: I | None = None,
    entity_column: str = "officer_id",
    variance: F | None = None,
    shared: F | None = None,
) -> Candidates:
    """Test units on the eligible ``rows`` and return their candidate records.

    Args:
        dec: The decisions.
        kind: Lead kind code.
        entity_type: ``officer``, ``office``, ``declarant`` or a pair type.
        rows: Indexes of the eligible declarations.
        event: Per eligible row, 1 where the decision happened (or a count).
        rate: Per eligible row, the expected rate (or expected count) from comparable files.
        standardised: Per eligible row, whether the expectation could be formed; other rows are
            left out of the test and counted in ``unstandardised_n``.
        unit: Per eligible row, the unit code (−1: not tested).
        officer: Per eligible row, the officer code (pairs and officers), else ``None``.
        other: Per eligible row, the counterpart code of a pair, else ``None``.
        other_column: The id column of ``other`` (``declarant_id`` or ``importer_id``).
        direction: ``"high"`` or ``"low"`` (see :func:`arusha.leads.scan.scan`).
        effect: Effect bounds.
        basis: ``"peers"``/``"risk_model"``, or per eligible row (the majority per unit wins).
        entity: Per eligible row, the code of the entity itself when it is no officer (office or
            declarant code), in ``entity_column``.
        entity_column: The id column of ``entity``.
        variance: Per eligible row, the variance of its expected rate (see
            :func:`arusha.leads.standardise.expected_rates_with_variance`), taken as independent
            from row to row.
        shared: Per eligible row, the relative variance of its pool's rate (office × channel ×
            month...): a unit's rows of a month share that pool, so its error moves them together
            (the month's expectation times its relative standard deviation, squared).
    """
    if rows.size == 0:
        return empty(kind, entity_type)
    unit = np.asarray(unit, dtype=np.int64)
    keep = standardised & (unit >= 0)
    units = int(unit.max(initial=-1)) + 1
    if units == 0:
        return empty(kind, entity_type)
    months = len(dec.months)
    month = dec.codes("month")[rows]
    u, m = unit[keep], month[keep]
    observed = scanning.by_unit_month(u, m, event[keep], units, months)
    expected = scanning.by_unit_month(u, m, quantised(rate[keep]), units, months)
    files = scanning.by_unit_month(u, m, np.ones(u.size), units, months)
    spread = None
    if variance is not None:
        spread = scanning.by_unit_month(u, m, quantised(variance[keep]), units, months)
        if shared is not None:
            together = quantised(rate[keep] * np.sqrt(np.maximum(shared[keep], 0.0)))
            spread = spread + scanning.by_unit_month(u, m, together, units, months) ** 2
    found, tested, phi = scanning.scan(observed, expected, files, direction, effect, variance=spread)
    left_out = np.bincount(unit[~standardised & (unit >= 0)], minlength=units)
    if found.empty:
        return Candidates(kind, entity_type, pd.DataFrame(columns=CANDIDATE_COLUMNS), tested, phi)
    # Who and where, for the units found only (a handful): over every row it took seconds.
    valid = np.isin(unit, found.unit.to_numpy())
    office = most_common(unit[valid], dec.codes("office_code")[rows][valid], units)
    officer_of = most_common(unit[valid], officer[valid], units) if officer is not None else None
    other_of = most_common(unit[valid], other[valid], units) if other is not None else None
    entity_of = most_common(unit[valid], entity[valid], units) if entity is not None else None
    if isinstance(basis, str):
        basis_of = np.full(units, basis, dtype=object)
    else:
        model = np.bincount(
            unit[valid], weights=(basis[valid] == "risk_model").astype(float), minlength=units
        )
        count = np.bincount(unit[valid], minlength=units)
        basis_of = np.where(model * 2 > count, "risk_model", "peers").astype(object)
    records = []
    for r in found.itertuples():
        k = int(r.unit)
        officer_id = dec.label("officer_id", int(officer_of[k])) if officer_of is not None else ""
        other_id = dec.label(other_column, int(other_of[k])) if other_of is not None and other_column else ""
        if entity_of is not None:
            entity_id = dec.label(entity_column, int(entity_of[k]))
        elif other_id:
            entity_id = f"{officer_id}|{other_id}"
        else:
            entity_id = officer_id
        records.append(
            record(
                dec,
                r,
                kind=kind,
                entity_type=entity_type,
                entity_id=entity_id,
                officer_id=officer_id,
                other_id=other_id,
                office_code=dec.label("office_code", int(office[k])),
                unstandardised_n=int(left_out[k]),
                basis=str(basis_of[k]),
            )
        )
    return Candidates(kind, entity_type, pd.DataFrame(records, columns=CANDIDATE_COLUMNS), tested, phi)


def officer_and_pairs(
    dec: Decisions,
    kind: str,
    rows: I,
    event: F,
    actor: I,
    levels: Sequence[Sequence[str | I]],
    pair_column: str | None = None,
    pair_type: str | None = None,
    direction: str = "high",
    effect: scanning.Effect | None = None,
    model_rate: F | None = None,
) -> list[Candidates]:
    """Test officers (and officer × trader pairs) on ``rows`` against other officers' comparable files.

    ``actor`` is the officer credited with each row's decision; ``levels`` the stratum chain from
    coarse to fine; ``model_rate`` (NaN where unscored) replaces the peers' rate where present.
    """
    keep = actor >= 0
    rows, event, actor = rows[keep], event[keep], actor[keep]
    levels = subset_levels(levels, keep)
    if model_rate is not None:
        model_rate = model_rate[keep]
    strata = chain(dec, rows, levels)
    pairs = [standardise.combine(stratum, actor) for stratum in strata]
    pool = pool_level(levels)
    rate, standardised, rate_var, pool_var = standardise.expected_rates_with_variance(
        actor, strata, event, pairs=pairs, pool_depth=pool
    )
    basis: str | np.ndarray = "peers"
    if model_rate is not None:
        scored = ~np.isnan(model_rate)
        basis = np.where(scored, "risk_model", "peers").astype(object)
        # Officers are compared with each other given the model's risk, not with the model's
        # absolute level: a model that is 10 % low for everyone (trained on a period when some
        # discrepancies went unrecorded) would otherwise make every officer look heroic.
        level = float(event[scored].sum()) / max(float(model_rate[scored].sum()), 1e-12)
        model_rate = np.where(scored, model_rate * level, np.nan)

    # An officer who handles most of an importer's files (at least 10) has no colleagues to be
    # compared with on that importer: its deferred payment or cheap suppliers would read as his
    # doing. Those files are left out of his test and counted (``unstandardised_n``); the capture
    # itself is what the pairing test looks at.
    captured = _captured(strata, pairs, levels, actor)
    standardised = standardised & ~captured

    def expectation(rate: F, standardised: B) -> tuple[F, B]:
        if model_rate is None:
            return rate, standardised
        return np.where(scored, model_rate, rate), standardised | scored

    first = run(
        dec,
        kind,
        "officer",
        rows,
        event,
        *expectation(rate, standardised),
        actor,
        actor,
        None,
        None,
        direction,
        effect,
        basis,
    )
    # Officers who are leads are left out of the others' comparable files and everyone is tested
    # again: two officers relaxing a third of their files at one office would otherwise raise each
    # other's expectation and hide each other.
    from arusha.leads.ranking import leading_officers

    leading = leading_officers(first)
    comparable = np.ones(rows.size)
    if leading:
        codes = np.array(
            [c for c, name in enumerate(dec.names["officer_id"]) if name in leading], dtype=np.int64
        )
        comparable = (~np.isin(actor, codes)).astype(np.float64)
        rate, standardised, rate_var, pool_var = standardise.expected_rates_with_variance(
            actor, strata, event * comparable, files=comparable, pairs=pairs, pool_depth=pool
        )
        standardised = standardised & ~captured
    rate, standardised = expectation(rate, standardised)
    variance, shared = rate_var, pool_var
    if model_rate is not None:
        variance = np.where(scored, 0.0, variance)
        shared = np.where(scored, 0.0, shared)
    out = [
        run(
            dec,
            kind,
            "officer",
            rows,
            event,
            rate,
            standardised,
            actor,
            actor,
            None,
            None,
            direction,
            effect,
            basis,
            variance=variance,
            shared=shared,
        )
    ]
    if pair_column and pair_type:
        other = dec.codes(pair_column)[rows]
        pair = np.where(other >= 0, standardise.combine(actor, other), -1)
        out.append(
            run(
                dec,
                kind,
                pair_type,
                rows,
                event,
                rate,
                standardised,
                pair,
                actor,
                other,
                pair_column,
                direction,
                effect,
                basis,
                variance=variance,
                shared=shared,
            )
        )
    return out
