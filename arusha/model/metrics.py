"""Targeting metrics as the customs-analytics literature reports them (DATE, KDD 2020; arXiv:2208.02484).

"Inspect the top n % of declarations by score": precision@n% is the share of those that hold a
discrepancy, recall@n% the share of all discrepancies they catch, revenue@n% the share of all
additional duties they recover. ``k = max(1, round(n % × N))``; ties in the score keep the rows'
order (a stable sort), so a constant score gives the base rate, not an optimistic pick.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from scipy.stats import rankdata

SHARES: Final = (0.01, 0.02, 0.05, 0.10)


def _top(score: np.ndarray, share: float) -> np.ndarray:
    k = max(1, round(share * len(score)))
    return np.argsort(-score, kind="stable")[:k]


def precision_at(y: np.ndarray, score: np.ndarray, share: float) -> float:
    """Share of discrepancies among the top ``share`` of declarations by score."""
    return float(np.mean(y[_top(score, share)]))


def recall_at(y: np.ndarray, score: np.ndarray, share: float) -> float | None:
    """Share of all discrepancies found in the top ``share``; None when there are none."""
    total = float(np.sum(y))
    return float(np.sum(y[_top(score, share)]) / total) if total else None


def revenue_at(revenue: np.ndarray, score: np.ndarray, share: float) -> float | None:
    """Share of all additional duties found in the top ``share``; None when there are none."""
    total = float(np.nansum(revenue))
    return float(np.nansum(revenue[_top(score, share)]) / total) if total > 0 else None


def roc_auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """Probability that a random discrepancy outranks a random clean declaration (ties count half)."""
    pos = int(np.sum(y == 1))
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return None
    ranks = rankdata(score)
    return float((np.sum(ranks[y == 1]) - pos * (pos + 1) / 2) / (pos * neg))


def reliability(y: np.ndarray, prob: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Calibration table: predicted versus observed rate in equal-width probability bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            rows.append(
                {
                    "bin": f"{edges[b]:.1f}–{edges[b + 1]:.1f}",
                    "declarations": int(inside.sum()),
                    "predicted": float(prob[inside].mean()),
                    "observed": float(y[inside].mean()),
                }
            )
    return pd.DataFrame(rows, columns=["bin", "declarations", "predicted", "observed"])


def summary(y: np.ndarray, score: np.ndarray, revenue: np.ndarray | None) -> dict[str, float | None]:
    """Every metric of the issue for one slice, keyed as the JSON output names them."""
    out: dict[str, float | None] = {"n": float(len(y)), "base_rate": float(np.mean(y)) if len(y) else None}
    if not len(y):
        return out
    for share in SHARES:
        tag = f"{share * 100:g}%"
        out[f"precision@{tag}"] = precision_at(y, score, share)
        out[f"recall@{tag}"] = recall_at(y, score, share)
        out[f"revenue@{tag}"] = revenue_at(revenue, score, share) if revenue is not None else None
    out["auc"] = roc_auc(y, score)
    return out


def summary_with_slice(
    y: np.ndarray, score: np.ndarray, revenue: np.ndarray | None, novel: np.ndarray
) -> dict[str, float | None]:
    """:func:`summary` on all rows, then on the ``novel`` rows with keys prefixed ``novel.``."""
    out = summary(y, score, revenue)
    sliced = summary(y[novel], score[novel], revenue[novel] if revenue is not None else None)
    out.update({f"novel.{k}": v for k, v in sliced.items()})
    return out
