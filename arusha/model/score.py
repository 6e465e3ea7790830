"""Score declarations with a trained model, explain each score, and keep scores in the store.

The scores table ``risk_scores`` (declaration_id, probability, expected_additional_duties,
model_id, scored_at) is what the engine's "expected versus found" analysis reads
(:mod:`arusha.detection`): expected discrepancies of an officer are the sum of these
probabilities over the declarations they inspected.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

import duckdb
import lightgbm as lgb
import numpy as np
import pandas as pd

from arusha.model.bundle import ModelBundle
from arusha.model.features import FeatureFrame, build_features, describe

TOP_REASONS: Final = 3
SCORES_TABLE: Final = "risk_scores"


def predict(bundle: ModelBundle, frame: pd.DataFrame) -> pd.DataFrame:
    """Calibrated probability per row, from the part that matches the row's goods."""
    novel = (frame["past_goods"] == 0).to_numpy()
    prob = np.empty(len(frame))
    part_used = np.where(novel, "novel", "known")
    for name in ("known", "novel"):
        rows = part_used == name
        if rows.any():
            part = bundle.parts[name]
            prob[rows] = part.calibration.apply(part.raw(frame.loc[rows]))
    out = pd.DataFrame({"declaration_id": frame["declaration_id"], "probability": prob, "part": part_used})
    if bundle.revenue_model is not None:
        reg = lgb.Booster(model_str=bundle.revenue_model)
        amount = np.expm1(np.asarray(reg.predict(frame[bundle.parts["known"].features]), dtype=float))
        out["expected_additional_duties"] = prob * np.maximum(amount, 0.0)
    else:
        out["expected_additional_duties"] = np.nan
    return out


def explain(bundle: ModelBundle, frame: pd.DataFrame, top: int = TOP_REASONS) -> list[str]:
    """The features that raised each score most (TreeSHAP contributions), in plain words."""
    reasons = [""] * len(frame)
    novel = (frame["past_goods"] == 0).to_numpy()
    for name, rows in (("known", ~novel), ("novel", novel)):
        if not rows.any():
            continue
        part = bundle.parts[name]
        sub = frame.loc[rows]
        contrib = part.contributions(sub)[:, :-1]
        values = sub[part.features].to_numpy(dtype=float)
        order = np.argsort(-contrib, axis=1)[:, :top]
        for idx, i in enumerate(np.flatnonzero(rows)):
            words = []
            for j in order[idx]:
                if contrib[idx, j] <= 0:
                    break
                value = values[idx, j]
                shown = "unknown" if np.isnan(value) else f"{value:.3g}"
                words.append(f"{describe(part.features[j])} = {shown} (+{contrib[idx, j]:.2f})")
            reasons[i] = "; ".join(words) or "no feature raised the score above the average"
    return reasons


def score_frame(bundle: ModelBundle, feats: FeatureFrame, explanations: bool = True) -> pd.DataFrame:
    """Scores (and reasons) for every declaration of a feature frame."""
    frame = feats.frame
    scored = predict(bundle, frame)
    scored["model_id"] = bundle.model_id
    if explanations:
        scored["reasons"] = explain(bundle, frame)
    return scored


def score_store(
    store: str,
    bundle: ModelBundle,
    out: str | Path | None = None,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    write_table: bool = True,
    explanations: bool = True,
) -> pd.DataFrame:
    """Score the store's declarations; write ``out`` (CSV or Parquet) and the ``risk_scores`` table.

    Scores of declarations the model was trained on are in-sample and flatter everyone involved;
    ``arusha.detection`` says so when it uses them. ``explanations=False`` skips the per-score
    reasons (TreeSHAP and a loop per row), which only a scores file shows, not ``risk_scores``.
    """
    feats = build_features(
        store,
        prior=bundle.prior,
        label=bundle.label,
        lag_days=bundle.lag_days,
        date_from=date_from,
        date_to=date_to,
    )
    scored = score_frame(bundle, feats, explanations=explanations)
    scored["scored_at"] = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
    if out is not None:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".parquet":
            scored.to_parquet(path, index=False)
        else:
            scored.to_csv(path, index=False)
    if write_table:
        table = scored[
            ["declaration_id", "probability", "expected_additional_duties", "model_id", "scored_at"]
        ]
        con = duckdb.connect(str(store))
        try:
            con.register("new_scores", table)
            con.execute("BEGIN")
            con.execute(
                f"""CREATE TABLE IF NOT EXISTS {SCORES_TABLE} (declaration_id VARCHAR PRIMARY KEY,
                    probability DOUBLE, expected_additional_duties DOUBLE, model_id VARCHAR,
                    scored_at TIMESTAMP)"""
            )
            con.execute(
                f"DELETE FROM {SCORES_TABLE} WHERE declaration_id IN (SELECT declaration_id FROM new_scores)"
            )
            con.execute(f"INSERT INTO {SCORES_TABLE} SELECT * FROM new_scores")
            con.execute("COMMIT")
        finally:
            con.close()
    return scored
