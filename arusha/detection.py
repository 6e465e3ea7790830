"""Expected versus found: which officers find far fewer discrepancies than their inspections should.

An officer who inspects 300 red-channel declarations and finds nothing is suspicious only if those
declarations were likely to hide something. The risk model (``arusha model score``) writes, into the
store, a table ``risk_scores`` with a calibrated probability per declaration that an inspection finds
a discrepancy. For each officer and office and period:

* **expected** = sum of the probabilities of the declarations they inspected (inspection result
  ``no_discrepancy`` or ``discrepancy``); **found** = the discrepancies they recorded.
* If the probabilities are right and inspections independent, ``found`` follows the
  **Poisson-binomial** distribution (a sum of Bernoulli variables with different probabilities).
  The lead's p-value is its exact lower tail P(X ≤ found), and the 95 % interval of the expected
  count is the 2.5 % and 97.5 % quantiles of that distribution.
* **Revenue at risk**: the model's expected additional duties summed over the declarations the
  officer released without adjustment (no discrepancy recorded, assessed value and duties equal to
  the declared ones).
* **Targeting quality** (per office and period): the hit rate of the channels actually assigned
  next to the hit rate the model's top declarations would have had; see :func:`targeting_quality`.

How the distribution is computed (exact, no normal approximation): the probabilities are grouped
in bins of width 0.01 in the database and each bin carries its exact mean, so only aggregates leave
the engine; the group's count then follows a convolution of binomials. Replacing each probability
by its bin's mean keeps the expected count exact and widens the distribution by at most
n × 0.005² in variance (a conservative change: p-values grow). The interval comes from the
characteristic function and an FFT (Hong 2013, "DFT-CF"), evaluated on a window of μ ± (8σ + 10)
counts (the mass outside it is negligible) so that large officers cost O(σ), not O(n). The lower
tail comes from a direct convolution truncated at ``found``: a sum of non-negative terms, accurate
even for p-values of 1e-30, where the FFT's absolute rounding error (~1e-16) would not be. Why not
a normal approximation: the counts are small (an officer-month often expects fewer than 10
discrepancies) and the distribution is skewed there, exactly where the leads are.

Limits: the probabilities are only as good as the model; scores computed on the model's own
training period flatter everyone in it (in-sample fit), so compare officers on a period the model
did not train on. Execution happens on the engine (Ibis); pandas sees only aggregates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd
from ibis import _
from scipy import stats

from arusha import backends
from arusha.metrics.facts import period_expr

F = npt.NDArray[np.float64]
RISK_COLUMNS: Final = ("declaration_id", "probability", "expected_additional_duties", "model_id", "scored_at")
REQUIRED_RISK_COLUMNS: Final = ("declaration_id", "probability")
BINS: Final = 100  # probability bins of width 0.01
LEVEL: Final = 0.95
INSPECTED: Final = ("no_discrepancy", "discrepancy")
DETECTION_COLUMNS: Final = [
    "entity_type",
    "entity_id",
    "office_code",
    "period",
    "inspected",
    "found",
    "expected",
    "expected_low",
    "expected_high",
    "p_value",
    "unscored_inspections",
    "released_unadjusted",
    "revenue_at_risk",
]
# Names of the not-computable keys this module reports (next to indicator codes).
NAMES: Final = {
    "EXPECTED_FOUND": "Expected versus found (risk model)",
    "EXPECTED_FOUND:officer": "Expected versus found, by officer",
    "REVENUE_AT_RISK": "Revenue at risk",
}


class RiskScoresError(ValueError):
    """The ``risk_scores`` table cannot be used as it is (missing column, impossible value)."""


# --- Poisson-binomial distribution -------------------------------------------------------------


def _bins(p: npt.ArrayLike, counts: npt.ArrayLike | None) -> tuple[F, F]:
    probs = np.asarray(p, dtype=np.float64).ravel()
    n = np.ones_like(probs) if counts is None else np.asarray(counts, dtype=np.float64).ravel()
    if probs.shape != n.shape:
        raise ValueError("probabilities and counts must have the same length")
    if np.any(~np.isfinite(probs)) or np.any((probs < 0) | (probs > 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError("counts must be non-negative integers")
    keep = n > 0
    return probs[keep], n[keep]


def _moments(p: F, n: F) -> tuple[float, float]:
    mean = float((n * p).sum())
    return mean, math.sqrt(float((n * p * (1 - p)).sum()))


def poisson_binomial_pmf(p: npt.ArrayLike, counts: npt.ArrayLike | None = None) -> F:
    """Return P(X = 0..n) for X the number of successes of independent trials with probabilities ``p``.

    ``counts`` (optional) repeats each probability that many times (binned probabilities). Exact up
    to floating-point rounding (characteristic function and FFT, Hong 2013).

    Example:
        >>> poisson_binomial_pmf([0.2, 0.5]).round(3).tolist()
        [0.4, 0.5, 0.1]
    """
    probs, n = _bins(p, counts)
    return _window_pmf(probs, n, 0, int(n.sum()) + 1)


def _window_pmf(p: F, n: F, lo: int, size: int) -> F:
    """Return P(X = lo .. lo+size−1), exact when the mass outside the window is nil (X mod size)."""
    if p.size == 0:
        out = np.zeros(size)
        if lo == 0:
            out[0] = 1.0
        return out
    w = np.exp(2j * np.pi * np.arange(size) / size)
    log_cf = np.zeros(size, dtype=np.complex128)
    with np.errstate(divide="ignore"):
        for i in range(0, p.size, 256):  # chunks bound the memory to 256 × size complex numbers
            pc, nc = p[i : i + 256, None], n[i : i + 256, None]
            log_cf += (nc * np.log(1 - pc + pc * w[None, :])).sum(axis=0)
    by_residue = np.fft.fft(np.exp(log_cf)).real / size
    return np.asarray(np.clip(by_residue[(lo + np.arange(size)) % size], 0.0, 1.0), dtype=np.float64)


def poisson_binomial_cdf(k: int, p: npt.ArrayLike, counts: npt.ArrayLike | None = None) -> float:
    """Return P(X ≤ k): the lower tail, exact and precise even far in the tail.

    Why a direct convolution truncated at ``k``: it only adds non-negative terms, so a tail of 1e-30
    keeps its relative precision (an FFT's absolute error is ~1e-16). Cost O(len(p) × k): bin
    equal probabilities with ``counts`` for long inputs.

    Example:
        >>> round(poisson_binomial_cdf(0, [0.1, 0.2, 0.3]), 3)
        0.504
    """
    probs, n = _bins(p, counts)
    if k < 0:
        return 0.0
    if k >= n.sum():
        return 1.0
    pmf = np.ones(1)
    for prob, count in zip(probs, n.astype(np.int64), strict=True):
        part = stats.binom.pmf(np.arange(min(count, k) + 1), count, prob)
        pmf = np.convolve(pmf, part)[: k + 1]
    return float(min(pmf.sum(), 1.0))


def poisson_binomial_interval(
    p: npt.ArrayLike, counts: npt.ArrayLike | None = None, level: float = LEVEL
) -> tuple[int, int]:
    """Return the central ``level`` interval (quantiles (1−level)/2 and (1+level)/2) of X.

    Example:
        >>> poisson_binomial_interval([0.5] * 10)
        (2, 8)
    """
    probs, n = _bins(p, counts)
    pmf, lo = _pmf_around_mean(probs, n)
    cdf = np.cumsum(pmf)
    tail = (1 - level) / 2
    low = lo + int(np.searchsorted(cdf, tail - 1e-12))
    high = lo + int(np.searchsorted(cdf, 1 - tail - 1e-12))
    return low, min(high, lo + pmf.size - 1)


def _pmf_around_mean(p: F, n: F) -> tuple[F, int]:
    """Return the pmf on μ ± (8σ + 10) (the whole support when smaller) and its first value."""
    total = int(n.sum())
    mean, sd = _moments(p, n)
    lo = max(0, math.floor(mean - 8 * sd - 10))
    hi = min(total, math.ceil(mean + 8 * sd + 10))
    return _window_pmf(p, n, lo, hi - lo + 1), lo


# --- The store's risk_scores table --------------------------------------------------------------


def check_risk_scores(risk: ir.Table) -> ir.Table:
    """Return ``risk_scores`` reduced to one row per declaration, or raise :class:`RiskScoresError`.

    Checks: the columns ``declaration_id`` and ``probability`` exist, probabilities are numbers in
    [0, 1] (a missing probability leaves the declaration unscored), expected additional duties are
    not negative. A declaration scored several times keeps its latest score (``scored_at``).
    """
    missing = [c for c in REQUIRED_RISK_COLUMNS if c not in risk.columns]
    if missing:
        raise RiskScoresError(
            f"risk_scores lacks column {', '.join(missing)} (expected {', '.join(RISK_COLUMNS)}, "
            "as written by arusha model score)"
        )
    if not risk.probability.type().is_numeric():
        raise RiskScoresError(f"risk_scores.probability must be numeric, not {risk.probability.type()}")
    cols = {
        "declaration_id": risk.declaration_id.cast("string"),
        "probability": risk.probability.cast("float64"),
    }
    has_duties = "expected_additional_duties" in risk.columns
    if has_duties:
        if not risk.expected_additional_duties.type().is_numeric():
            raise RiskScoresError("risk_scores.expected_additional_duties must be numeric")
        cols["expected_additional_duties"] = risk.expected_additional_duties.cast("float64")
    else:
        cols["expected_additional_duties"] = ibis.null("float64")
    if "scored_at" in risk.columns:
        cols["scored_at"] = risk.scored_at.cast("timestamp")
    table = risk.select(**cols)
    checks = {
        "probability": (
            table.probability.isnan() | (table.probability < 0) | (table.probability > 1),
            "probabilities outside [0, 1]",
        ),
        "expected_additional_duties": (
            table.expected_additional_duties < 0,
            "negative expected additional duties",
        ),
    }
    # One scan for every check; an example row is fetched only for a check that fails.
    stats_row = (
        table.aggregate(
            rows=_.count(),
            ids=_.declaration_id.nunique(),
            no_id=_.declaration_id.isnull().sum(),
            **{column: bad.fill_null(False).sum() for column, (bad, _what) in checks.items()},
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    if stats_row["no_id"]:
        raise RiskScoresError(f"risk_scores has {stats_row['no_id']} rows without declaration_id")
    for column, (bad, what) in checks.items():
        if stats_row[column]:
            example = table.filter(bad.fill_null(False)).select("declaration_id", column).limit(1)
            row = example.to_pyarrow().to_pylist()[0]
            raise RiskScoresError(
                f"risk_scores has {stats_row[column]} {what}, e.g. declaration {row['declaration_id']}: {row[column]}"
            )
    if stats_row["rows"] == stats_row["ids"]:
        return table
    if "scored_at" not in table.columns:
        raise RiskScoresError(
            f"risk_scores scores {stats_row['rows'] - stats_row['ids']} declarations more than once and has no "
            "scored_at column to tell the latest score"
        )
    latest = ibis.window(
        group_by="declaration_id", order_by=[ibis.desc("scored_at"), ibis.desc("probability")]
    )
    ranked = table.mutate(_rank=ibis.row_number().over(latest))
    return ranked.filter(ranked._rank == 0).drop("_rank")


# --- Expected versus found ----------------------------------------------------------------------


@dataclass
class Detection:
    """Expected-versus-found results: the per-entity table and targeting quality.

    The ``detection_shortfall`` leads themselves come from the lead engine (``arusha.leads``),
    which takes the model's probabilities as its expectation where they exist.
    """

    table: pd.DataFrame
    targeting: pd.DataFrame
    not_computable: dict[str, str] = field(default_factory=dict)
    model_ids: list[str] = field(default_factory=list)

    def write(self, out_dir: str | Path) -> None:
        """Write ``detection.parquet`` and ``targeting_quality.csv`` into ``out_dir`` (when computed)."""
        out = Path(out_dir)
        if not self.table.empty:
            self.table.to_parquet(out / "detection.parquet", index=False)
        if not self.targeting.empty:
            self.targeting.to_csv(out / "targeting_quality.csv", index=False)


def _populated(decl: ir.Table, columns: tuple[str, ...]) -> set[str]:
    present = [c for c in columns if c in decl.columns]
    if not present:
        return set()
    row = decl.aggregate(**{c: decl[c].count() for c in present}).to_pyarrow().to_pylist()[0]
    return {c for c, n in row.items() if n}


def _scored(decl: ir.Table, risk: ir.Table, period: str, available: set[str]) -> ir.Table:
    """Return one narrow row per declaration with its score, flags and period."""
    d = decl
    inspected = d.inspection_result.isin(list(INSPECTED))
    hit = (d.inspection_result == "discrepancy").fill_null(False)
    if "released_at" in available:
        value_same = d.assessed_value.isnull() | (
            (d.assessed_value - d.declared_value).abs() <= 0.005 * d.declared_value
        )
        duties_same = d.duties_assessed.isnull() | (
            d.duties_assessed <= d.duties_declared.fill_null(0.0) * 1.005 + 0.005
        )
        unadjusted = d.released_at.notnull() & ~hit & value_same.fill_null(True) & duties_same.fill_null(True)
    else:
        unadjusted = ibis.literal(False)
    officer = d.officer_id.cast("string") if "officer_id" in available else ibis.null("string")
    channel = d.channel_final.cast("string") if "channel_final" in available else ibis.null("string")
    narrow = d.select(
        declaration_id=d.declaration_id.cast("string"),
        office_code=d.office_code.cast("string"),
        officer_id=officer,
        channel_final=channel,
        period=period_expr(d.registered_at, period),
        inspected=inspected.fill_null(False),
        hit=hit & inspected.fill_null(False),
        unadjusted=unadjusted.fill_null(False),
    )
    joined = narrow.left_join(
        risk.select("declaration_id", "probability", "expected_additional_duties"), "declaration_id"
    )
    return joined.select(
        *narrow.columns,
        probability=joined.probability,
        expected_additional_duties=joined.expected_additional_duties,
    )


def _group_tables(scored: ir.Table, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return per-entity-period aggregates and per-bin probability sums for one level."""
    keys = ["office_code", "officer_id"] if level == "officer" else ["office_code"]
    t = scored.filter(scored.officer_id.notnull()) if level == "officer" else scored
    scored_insp = t.inspected & t.probability.notnull()
    stats_ = (
        t.group_by([*keys, "period"])
        .aggregate(
            inspected=scored_insp.sum(),
            found=(scored_insp & t.hit).sum(),
            expected=t.probability.sum(where=t.inspected),
            unscored_inspections=(t.inspected & t.probability.isnull()).sum(),
            released_unadjusted=t.unadjusted.sum(),
            revenue_at_risk=t.expected_additional_duties.sum(where=t.unadjusted),
        )
        .to_pandas()
    )
    insp = t.filter(t.inspected & t.probability.notnull())
    bins = (
        insp.mutate(bin=(insp.probability * BINS).round().cast("int64"))
        .group_by([*keys, "period", "bin"])
        .aggregate(n=_.count(), p_sum=_.probability.sum())
        .to_pandas()
    )
    entity = "officer_id" if level == "officer" else "office_code"
    for df in (stats_, bins):
        df["entity_type"] = level
        df["entity_id"] = df[entity].astype(str)
    return stats_, bins


def _whole_window(stats_: pd.DataFrame, bins: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add ``period = 'all'`` rows: every aggregate here is a sum over periods."""
    keys = ["entity_type", "entity_id", "office_code"]
    sums = ["inspected", "found", "expected", "unscored_inspections", "released_unadjusted"]
    whole = stats_.groupby(keys, dropna=False, as_index=False)[sums].sum()
    rar = stats_.groupby(keys, dropna=False, as_index=False).revenue_at_risk.sum(min_count=1)
    whole = whole.merge(rar, on=keys, how="left").assign(period="all")
    whole_bins = (
        bins.groupby([*keys, "bin"], dropna=False, as_index=False)[["n", "p_sum"]].sum().assign(period="all")
    )
    return pd.concat([stats_, whole], ignore_index=True), pd.concat([bins, whole_bins], ignore_index=True)


def _distribution_columns(stats_: pd.DataFrame, bins: pd.DataFrame) -> pd.DataFrame:
    """Add ``expected_low``, ``expected_high`` and the lower-tail ``p_value`` to each row."""
    keys = ["entity_type", "entity_id", "office_code", "period"]
    # Plain arrays sliced per group: pandas group iteration costs more than the FFTs themselves.
    gid = bins.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    order = np.argsort(gid, kind="stable")
    starts = np.searchsorted(gid[order], np.arange(gid.max() + 2 if gid.size else 1))
    bin_n = bins.n.to_numpy(dtype=np.float64)[order]
    bin_p = np.clip(bins.p_sum.to_numpy(dtype=np.float64)[order] / np.maximum(bin_n, 1.0), 0.0, 1.0)
    ids = bins[keys].assign(_gid=gid).drop_duplicates("_gid")
    row_gid = stats_[keys].merge(ids, on=keys, how="left")._gid.fillna(-1).to_numpy(dtype=np.int64)
    low, high, pval = [], [], []
    for g_id, found, inspected in zip(
        row_gid, stats_.found.to_numpy(), stats_.inspected.to_numpy(), strict=True
    ):
        if g_id < 0 or not inspected:
            low.append(0)
            high.append(0)
            pval.append(1.0)
            continue
        n, p = bin_n[starts[g_id] : starts[g_id + 1]], bin_p[starts[g_id] : starts[g_id + 1]]
        pmf, lo = _pmf_around_mean(p, n)
        cdf = np.cumsum(pmf)
        tail = (1 - LEVEL) / 2
        low.append(lo + int(np.searchsorted(cdf, tail - 1e-12)))
        high.append(min(lo + int(np.searchsorted(cdf, 1 - tail - 1e-12)), lo + pmf.size - 1))
        k = int(found)
        fast = float(cdf[k - lo]) if lo <= k < lo + cdf.size else (1.0 if k >= lo + cdf.size else 0.0)
        # Far in the tail, trust only the direct convolution (see the module docstring).
        pval.append(poisson_binomial_cdf(k, p, n) if fast < 1e-6 else min(fast, 1.0))
    return stats_.assign(expected_low=low, expected_high=high, p_value=pval)


def targeting_quality(scored: ir.Table) -> pd.DataFrame:
    """Return, per office and period, the assigned channels' hit rate next to the model's top picks.

    With ``k`` the number of declarations the office actually inspected in the period, the model's
    "top" is its ``k`` highest-probability declarations of that office and period (the same workload).
    What each column can and cannot say:

    * ``hit_rate`` (``red_hit_rate``, ``yellow_hit_rate``): discrepancies / inspections, as recorded.
    * ``model_top_hit_rate``: hit rate among the model's top that *were* inspected — observable
      only there; ``model_top_inspected_share`` says how many of the top that covers. Those
      declarations were picked by the channels too, so this is an estimate, not the counterfactual.
    * ``model_top_expected_hit_rate``: the model's own mean probability over its top (trust it as far
      as the model is calibrated), next to ``expected_hit_rate``, its mean over what was inspected.
    """
    t = scored
    rank_window = ibis.window(
        group_by=["office_code", "period"], order_by=[ibis.desc("probability"), "declaration_id"]
    )
    workload = ibis.window(group_by=["office_code", "period"])
    ranked = t.mutate(
        rank=ibis.row_number().over(rank_window),
        workload=t.inspected.cast("int64").sum().over(workload),
    )
    top = (ranked.rank < ranked.workload) & ranked.probability.notnull()
    agg = (
        ranked.group_by(["office_code", "period"])
        .aggregate(
            declarations=_.count(),
            scored=ranked.probability.count(),
            inspected=ranked.inspected.sum(),
            found=ranked.hit.sum(),
            red_inspected=(ranked.inspected & (ranked.channel_final == "red")).sum(),
            red_found=(ranked.hit & (ranked.channel_final == "red")).sum(),
            yellow_inspected=(ranked.inspected & (ranked.channel_final == "yellow")).sum(),
            yellow_found=(ranked.hit & (ranked.channel_final == "yellow")).sum(),
            expected=ranked.probability.sum(where=ranked.inspected),
            expected_n=(ranked.inspected & ranked.probability.notnull()).sum(),
            top_n=top.sum(),
            top_inspected=(top & ranked.inspected).sum(),
            top_found=(top & ranked.hit).sum(),
            top_p=ranked.probability.sum(where=top),
        )
        .order_by(["office_code", "period"])
        .to_pandas()
    )

    def rate(num: str, den: str) -> pd.Series:
        return agg[num].astype(float) / agg[den].where(agg[den] > 0).astype(float)

    return pd.DataFrame(
        {
            "office_code": agg.office_code,
            "period": agg.period,
            "declarations": agg.declarations,
            "inspected": agg.inspected,
            "found": agg.found,
            "hit_rate": rate("found", "inspected"),
            "red_hit_rate": rate("red_found", "red_inspected"),
            "yellow_hit_rate": rate("yellow_found", "yellow_inspected"),
            "expected_hit_rate": rate("expected", "expected_n"),
            "model_top_n": agg.top_n,
            "model_top_inspected_share": rate("top_inspected", "top_n"),
            "model_top_hit_rate": rate("top_found", "top_inspected"),
            "model_top_expected_hit_rate": rate("top_p", "top_n"),
        }
    )


def expected_vs_found(declarations: ir.Table, risk_scores: ir.Table, period: str = "month") -> Detection:
    """Compute expected versus found, revenue at risk, targeting quality and candidate leads.

    Args:
        declarations: Canonical declarations (already restricted to the analysed dates).
        risk_scores: The store's ``risk_scores`` table (see the module docstring).
        period: ``month`` (default), ``quarter`` or ``year``, as for the indicators.

    Returns:
        The results; parts that cannot be computed are named in ``not_computable`` with the reason.

    Raises:
        RiskScoresError: ``risk_scores`` is unusable (missing column, probability outside [0, 1]…).
    """
    risk = check_risk_scores(risk_scores)
    available = _populated(
        declarations,
        ("inspection_result", "officer_id", "released_at", "channel_final", "registered_at", "office_code"),
    )
    not_computable: dict[str, str] = {}
    empty = Detection(pd.DataFrame(columns=DETECTION_COLUMNS), pd.DataFrame())
    for need in ("inspection_result", "registered_at", "office_code"):
        if need not in available:
            empty.not_computable = {"EXPECTED_FOUND": f"not computable (missing column {need})"}
            return empty
    if "officer_id" not in available:
        not_computable["EXPECTED_FOUND:officer"] = "not computable (missing column officer_id)"
    if "released_at" not in available:
        not_computable["REVENUE_AT_RISK"] = "not computable (missing column released_at)"
    elif int(risk.expected_additional_duties.count().to_pyarrow().as_py()) == 0:
        not_computable["REVENUE_AT_RISK"] = "not computable (risk_scores has no expected_additional_duties)"
    model_ids: list[str] = []
    if "model_id" in risk_scores.columns:
        ids = risk_scores.select(model_id=risk_scores.model_id.cast("string")).distinct().limit(20)
        model_ids = sorted(str(m) for m in ids.to_pyarrow()["model_id"].to_pylist() if m)
    scored = backends.materialize(_scored(declarations, risk, period, available), "arusha_detection")
    try:
        parts = [
            _group_tables(scored, level)
            for level in ("officer", "office")
            if level == "office" or "officer_id" in available
        ]
        targeting = targeting_quality(scored)
    finally:
        backends.release(scored, "arusha_detection")
    stats_ = pd.concat([p[0] for p in parts], ignore_index=True)
    bins = pd.concat([p[1] for p in parts], ignore_index=True)
    stats_, bins = _whole_window(stats_, bins)
    table = _distribution_columns(stats_, bins)
    if "REVENUE_AT_RISK" in not_computable:
        table["revenue_at_risk"] = np.nan
    table = table[DETECTION_COLUMNS].sort_values(["entity_type", "entity_id", "period"], ignore_index=True)
    return Detection(table, targeting, not_computable, model_ids)
