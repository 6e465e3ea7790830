"""Score declarations with a trained model, explain each score, and keep scores in the store.

The scores table ``risk_scores`` (declaration_id, probability, expected_additional_duties,
model_id, scored_at) is what the engine's "expected versus found" analysis reads
(:mod:`arusha.detection`): expected discrepancies of an officer are the sum of these
probabilities over the declarations they inspected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
        keep_scores(store, scored)
    return scored


def keep_scores(store: str, scored: pd.DataFrame) -> None:
    """Replace the scores of these declarations in the store's ``risk_scores`` table (one transaction)."""
    table = scored[["declaration_id", "probability", "expected_additional_duties", "model_id", "scored_at"]]
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


def _months(store: str, date_from: dt.date | None, date_to: dt.date | None) -> list[dt.date]:
    """First days of the months that hold declarations, within the bounds."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute(
            "SELECT DISTINCT date_trunc('month', registered_at)::DATE FROM declarations "
            "WHERE registered_at IS NOT NULL ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    months = [r[0] for r in rows]
    if date_from is not None:
        months = [m for m in months if _month_end(m) >= date_from]
    if date_to is not None:
        months = [m for m in months if m <= date_to]
    return months


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def score_store_rolling(
    store: str,
    out: str | Path | None = None,
    *,
    label: str = "discrepancy",
    lag_days: int = 0,
    min_months: int = 2,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> pd.DataFrame:
    """Score each month with a model trained on the months before it only, and keep the scores.

    Why: an officer's expected discrepancies should come from a model that never saw his own
    recorded outcomes of that month; a model trained on the whole period has partly learnt them
    (a rubber-stamping officer's unrecorded discrepancies lower what it expects of his files). The
    first ``min_months`` months have too little history and stay unscored: the lead engine compares
    those inspections with other officers' instead.
    """
    from arusha.model.features import ModelDataError
    from arusha.model.train import train_model

    report = progress or (lambda _p, _m: None)
    months = _months(store, date_from, date_to)
    all_months = _months(store, None, None)
    parts = []
    for i, first in enumerate(months):
        report(int(100 * i / max(len(months), 1)), f"month {first:%Y-%m}")
        if all_months.index(first) < min_months:
            continue
        try:
            bundle = train_model(
                store, label=label, until=first - dt.timedelta(days=1), lag_days=lag_days
            ).bundle
        except ModelDataError:
            continue  # too few labelled inspections before this month: left to the peers
        start = max(first, date_from) if date_from else first
        end = min(_month_end(first), date_to) if date_to else _month_end(first)
        scored = score_store(
            store, bundle, date_from=start, date_to=end, write_table=False, explanations=False
        )
        scored["model_id"] = f"{bundle.model_id}@{first:%Y-%m}"
        parts.append(scored)
    if not parts:
        raise ModelDataError(
            f"no month has {min_months} earlier months of inspection results to train on: score without --rolling"
        )
    result = pd.concat(parts, ignore_index=True)
    result["scored_at"] = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
    if out is not None:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        result.to_parquet(path, index=False) if path.suffix.lower() == ".parquet" else result.to_csv(
            path, index=False
        )
    keep_scores(store, result)
    report(100, f"{len(result):,} declarations scored month by month")
    return result
