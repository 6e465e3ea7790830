"""Evaluate a model on a later period, on all declarations and on novel goods, and write its card.

Why the novel-goods slice: customs data repeat the same goods (HS6, origin, net mass), so a model
can look good by remembering past outcomes of those exact goods. Declarations whose goods signature
never occurs in the training period show how the model does on goods it has not seen; every
metric is reported for both, the slice's keys prefixed ``novel.``.

History features keep learning during the evaluated period (an outcome known before day ``d``
is used for day ``d``, as it would be in service); ``frozen_history`` scores as if no outcome
after training were known, which is the stricter reading of "train once, report once".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import duckdb
import numpy as np
import pandas as pd

from arusha.model import metrics
from arusha.model.bundle import ModelBundle
from arusha.model.features import ModelDataError, build_features, describe
from arusha.model.score import predict
from arusha.model.train import goods_signature

FAIRNESS_SHARE: Final = 0.10
SIZE_BANDS: Final = (
    (0, 0, "new (no past declaration)"),
    (1, 9, "1–9"),
    (10, 99, "10–99"),
    (100, None, "100 or more"),
)


@dataclass
class Evaluation:
    """Metrics (flat dict, JSON-ready), tables for the card, and the period evaluated."""

    metrics: dict[str, float | None]
    reliability: pd.DataFrame
    novel_reliability: pd.DataFrame
    fairness_office: pd.DataFrame
    fairness_size: pd.DataFrame
    date_from: dt.date
    date_to: dt.date
    frozen_history: bool
    warnings: list[str] = field(default_factory=list)


def _fairness(frame: pd.DataFrame, selected: np.ndarray, by: pd.Series) -> pd.DataFrame:
    """Hit rate among selected declarations, and selection rate, per group."""
    df = pd.DataFrame({"group": by.reset_index(drop=True), "y": frame["label"].to_numpy(), "sel": selected})
    out = df.groupby("group", sort=True, observed=True).agg(
        declarations=("y", "size"),
        selected=("sel", "sum"),
        base_rate=("y", "mean"),
    )
    hits = df[df["sel"]].groupby("group", observed=True)["y"].mean().rename("hit_rate_selected")
    out = out.join(hits)
    out["selection_rate"] = out["selected"] / out["declarations"]
    out = out.reset_index()
    if isinstance(by.dtype, pd.CategoricalDtype):
        out["group"] = out["group"].astype(str)
    return out.rename(
        columns={
            "group": by.name or "group",
            "base_rate": "discrepancy rate",
            "hit_rate_selected": "hit rate of the selected",
            "selection_rate": "share selected",
        }
    )


def _size_band(volume: pd.Series) -> pd.Series:
    labels = pd.Series("", index=volume.index, name="importer size (past declarations)")
    for low, high, text in SIZE_BANDS:
        inside = (volume >= low) & ((volume <= high) if high is not None else True)
        labels[inside] = text
    order = [text for _, _, text in SIZE_BANDS]
    return labels.astype(pd.CategoricalDtype(order, ordered=True))


def evaluate_model(
    store: str,
    bundle: ModelBundle,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    frozen_history: bool = False,
) -> Evaluation:
    """Score labelled declarations of the period and compute every metric twice (all / novel).

    By default the period starts the day after training ended.

    Raises:
        ModelDataError: When the period holds no labelled declaration or a single class.
    """
    start = date_from or (bundle.trained_until + dt.timedelta(days=1))
    feats = build_features(
        store,
        prior=bundle.prior,
        label=bundle.label,
        lag_days=bundle.lag_days,
        freeze_history_at=(bundle.trained_until + dt.timedelta(days=1)) if frozen_history else None,
        date_from=start,
        date_to=date_to,
        labelled_only=True,
    )
    frame = feats.frame[feats.frame["label"].notna()].reset_index(drop=True)
    where = f"from {start}" + (f" to {date_to}" if date_to else "")
    if frame.empty:
        raise ModelDataError(f"no labelled declarations {where}: nothing to evaluate")
    if start <= bundle.trained_until:
        raise ModelDataError(
            f"the period starts {start}, inside the training period (up to {bundle.trained_until}): "
            "evaluate on later declarations only (--from after the training end)"
        )
    y = frame["label"].to_numpy(dtype=float)
    prob = predict(bundle, frame)["probability"].to_numpy()
    revenue = frame["revenue"].to_numpy(dtype=float) if feats.revenue_available else None
    novel = ~np.isin(goods_signature(frame), bundle.goods_seen)
    result = metrics.summary_with_slice(y, prob, revenue, novel)
    selected = np.zeros(len(frame), dtype=bool)
    selected[np.argsort(-prob, kind="stable")[: max(1, round(FAIRNESS_SHARE * len(frame)))]] = True
    return Evaluation(
        metrics=result,
        reliability=metrics.reliability(y, prob),
        novel_reliability=metrics.reliability(y[novel], prob[novel]),
        fairness_office=_fairness(frame, selected, frame["office_code"].rename("office")),
        fairness_size=_fairness(frame, selected, _size_band(frame["importer_volume"])),
        date_from=min(frame["day"]),
        date_to=max(frame["day"]),
        frozen_history=frozen_history,
        warnings=_history_warnings(store, bundle),
    )


def _history_warnings(store: str, bundle: ModelBundle) -> list[str]:
    """Say so when the store lacks the history the model was trained with.

    Why: the features are past outcomes *read from the store*; a store holding only the evaluated
    period gives every declaration an empty history, and the scores lose most of their power.
    """
    con = duckdb.connect(store, read_only=True)
    try:
        row = con.execute(
            "SELECT count(*) FROM declarations WHERE inspection_result IN ('discrepancy', 'no_discrepancy') "
            "AND CAST(registered_at AS DATE) <= ?",
            [bundle.trained_until],
        ).fetchone()
    except duckdb.Error:
        return []
    finally:
        con.close()
    found = int(row[0]) if row else 0
    if found >= bundle.n_train // 2:
        return []
    return [
        f"the store holds {found:,} labelled declarations up to {bundle.trained_until}, the model was trained "
        f"on {bundle.n_train:,}: history features (past outcomes of the same goods, traders…) come from the "
        "store, so load the training data into it too for scores as good as in training"
    ]


def write_json(evaluation: Evaluation, path: str | Path) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = dict(evaluation.metrics)
    doc["period"] = {"from": evaluation.date_from.isoformat(), "to": evaluation.date_to.isoformat()}
    doc["frozen_history"] = evaluation.frozen_history
    out.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return out


def _fmt(value: float | None, pct: bool = True) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return f"{value:.3f}" if pct else f"{value:,.0f}"


def _metric_table(m: dict[str, float | None]) -> str:
    lines = ["| metric | all declarations | novel goods |", "|---|---:|---:|"]
    lines.append(f"| declarations | {_fmt(m.get('n'), False)} | {_fmt(m.get('novel.n'), False)} |")
    lines.append(f"| discrepancy rate | {_fmt(m.get('base_rate'))} | {_fmt(m.get('novel.base_rate'))} |")
    for kind in ("precision", "recall", "revenue"):
        for share in metrics.SHARES:
            key = f"{kind}@{share * 100:g}%"
            lines.append(f"| {key} | {_fmt(m.get(key))} | {_fmt(m.get('novel.' + key))} |")
    lines.append(f"| ROC-AUC | {_fmt(m.get('auc'))} | {_fmt(m.get('novel.auc'))} |")
    return "\n".join(lines)


def _frame_md(df: pd.DataFrame) -> str:
    if df.empty:
        return "_(none)_"
    cols = list(df.columns)
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in df.itertuples(index=False):
        cells = [("—" if np.isnan(v) else f"{v:.3f}") if isinstance(v, float) else str(v) for v in rec]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def model_card(bundle: ModelBundle, evaluation: Evaluation) -> str:
    """The model card as Markdown: data, features, metrics, calibration, fairness, limits."""
    features = sorted({f for p in bundle.parts.values() for f in p.features})
    history = (
        "frozen at the end of training (no later outcome used)"
        if evaluation.frozen_history
        else f"updated with outcomes known before each day (lag {bundle.lag_days} day(s))"
    )
    validation = bundle.validation
    return f"""# Risk model card — {bundle.model_id}

## What it predicts
The probability that an inspection of a declaration finds a discrepancy (label: `{bundle.label}`),
calibrated (isotonic) on the last part of the training period. It is a targeting aid and an
expectation for integrity analysis, not a verdict on any trader, declarant or officer.

## Data
- Training: {bundle.n_train:,} labelled declarations registered {bundle.trained_from} → {bundle.trained_until}
  ({bundle.n_positive:,} with a discrepancy, rate {bundle.prior:.3f}).
- Time split: fitted on the period before {bundle.holdout_from or "—"}, calibrated and validated on the
  period after (held-out AUC {_fmt(validation.get("auc"))}, precision@5% {_fmt(validation.get("precision@5%"))}),
  then refitted on the whole training period.
- Evaluated here: {evaluation.date_from} → {evaluation.date_to}; history features {history}.

## Features
Two gradient-boosted parts (LightGBM): *known goods* (goods signature HS6 × origin × net mass
inspected before) uses every feature; *novel goods* leaves out the goods-identity features.
Categories enter as past hit rates and counts computed only from declarations registered before
the day scored, smoothed toward the training rate.

{chr(10).join(f"- `{f}`: {describe(f)}" for f in features)}

{"## Warnings" + chr(10) + chr(10).join(f"- {w}" for w in evaluation.warnings) + chr(10) if evaluation.warnings else ""}
## Metrics
"Novel goods": declarations whose goods signature never occurs in the training period.

{_metric_table(evaluation.metrics)}

## Calibration (all declarations)
{_frame_md(evaluation.reliability)}

## Calibration (novel goods)
{_frame_md(evaluation.novel_reliability)}

## Fairness check at the top {FAIRNESS_SHARE:.0%} (the selection an office would inspect)
Per office:

{_frame_md(evaluation.fairness_office)}

Per trader size band (importer's past declarations):

{_frame_md(evaluation.fairness_size)}

A group selected far more often than its base rate warrants deserves a look before the model is used
for targeting: the model learns from past inspections, which were themselves targeted.

## Limits
- Labels exist only for inspected declarations; the model learns what past inspections found,
  including their blind spots.
- Most of the accuracy on known goods comes from remembering past outcomes of the same goods; read
  the novel-goods column for how it does on anything new.
- Probabilities are calibrated on the training year's last months; recalibrate when the hit rate drifts.
- Scores on declarations of the training period are in-sample and flatter everyone involved.
"""
