"""Rank candidate leads: evidence within each family, effect, one row per culprit and kind.

- q-values by Benjamini–Hochberg **within each family** (kind × entity type), over the units that
  family tested; windows are already paid for in each p (``scan.py``). Pooling all tests at once
  let ~184 k pair tests drown the few officer tests.
- A lead has q < 0.05 and a window whose lower bounds of the rate ratio and of the excess reach
  the effect (``scan.Effect``: ratio bound ≥ 1.25, ≥ 2 over the whole span, excess bound ≥ 2).
- The score is ``−log10(q)``, uncapped: calibrated evidence, comparable across kinds, that neither
  favours busy officers (as raw excess counts would) nor three rare events (as raw ratios would).
  Other kinds of the same culprit add a tenth of their scores.
- One row per (culprit, kind): the strongest window and, for pairs, the strongest counterpart;
  ``counterparts`` counts the others. Ties go by the ratio bound, the excess bound, kind and id,
  so the order is total and the same on every engine.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from arusha.leads.family import Candidates
from arusha.leads.record import LEAD_COLUMNS, explain

MAX_Q: Final = 0.05
CORROBORATION: Final = 0.1
STRONG_SCORE: Final = 3.0  # q ≤ 0.001 within the family, before corroboration
SMALLEST_P: Final = 1e-300
PERSON_TYPES: Final = ("officer", "officer_declarant_pair", "officer_importer_pair")


def benjamini_hochberg(p: np.ndarray, m: int | None = None) -> np.ndarray:
    """Return Benjamini–Hochberg adjusted p-values (q-values) for ``p`` among ``m`` tests.

    Example:
        >>> benjamini_hochberg(np.array([0.01, 0.04, 0.03])).round(3).tolist()
        [0.03, 0.04, 0.04]
    """
    m = max(m or p.size, p.size)
    if p.size == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, p.size + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = np.minimum(q, 1.0)
    return out


def with_q(found: Candidates) -> pd.DataFrame:
    """The family's candidates with their q-values, leads only (q < 0.05)."""
    rows = found.rows
    if rows.empty:
        return rows.assign(q=pd.Series(dtype=float))
    rows = rows.assign(q=benjamini_hochberg(rows.p.to_numpy(dtype=float), found.tested))
    return rows[rows.q < MAX_Q]


def leading_officers(found: Candidates) -> set[str]:
    """Officers who are leads of their own in an officer family (to leave out of their office's rate)."""
    return set(with_q(found).officer_id) - {""}


def culprit(rows: pd.DataFrame) -> pd.Series:
    """The culprit of each lead: the officer of a person's lead, else the office or the declarant."""
    person = rows.entity_type.isin(PERSON_TYPES)
    return pd.Series(
        np.where(
            person,
            "officer:" + rows.officer_id.astype(str),
            rows.entity_type + ":" + rows.entity_id.astype(str),
        ),
        index=rows.index,
    )


ORDER: Final = ["score", "ratio_low", "excess_low", "kind", "entity_id"]
ASCENDING: Final = [False, False, False, True, True]


def rank(families: list[Candidates]) -> pd.DataFrame:
    """Return the leads in ``signals.csv`` order with every record column and the explanation."""
    frames = [with_q(f) for f in families]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=LEAD_COLUMNS)
    leads = pd.concat(frames, ignore_index=True)
    leads["base"] = -np.log10(np.maximum(leads.q.to_numpy(dtype=float), SMALLEST_P))
    leads["culprit"] = culprit(leads)
    # One row per culprit and kind: the strongest (ties as in the final order).
    leads = leads.sort_values(
        ["base", "ratio_low", "excess_low", "entity_type", "entity_id"],
        ascending=[False, False, False, True, True],
        kind="stable",
    )
    pairs = leads.entity_type.str.endswith("_pair")
    counterparts = leads[pairs].groupby(["culprit", "kind"]).size()
    leads = leads.drop_duplicates(["culprit", "kind"]).copy()
    key = pd.MultiIndex.from_frame(leads[["culprit", "kind"]])
    leads["counterparts"] = np.maximum(
        counterparts.reindex(key).fillna(0).to_numpy() - pairs.loc[leads.index].to_numpy(), 0
    ).astype(int)
    total = leads.groupby("culprit").base.transform("sum")
    leads["score"] = (leads.base + CORROBORATION * (total - leads.base)).round(3)
    leads = leads.sort_values(ORDER, ascending=ASCENDING, kind="stable").reset_index(drop=True)
    leads["explanation"] = [explain(r) for r in leads.to_dict("records")]
    return leads[LEAD_COLUMNS]
