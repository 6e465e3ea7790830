"""Train the declaration-level risk model: two gradient-boosted parts, calibrated on a later period.

Why two parts: customs data repeat the same goods, and for goods already inspected the past outcome
dominates everything else; a single model then learns little about goods it has never seen. The
*known-goods* part uses every feature; the *novel-goods* part is trained only on declarations whose
goods signature (HS6, origin, net mass) had no past inspection at the time, without the goods-identity
features, so it must rely on what generalises (trader history, HS heading, origin, weight, value).
A declaration is scored by the part that matches it.

Time-aware split only: the last sixth of the labelled period (by registration date) is held out;
both parts are fitted on the earlier rows, their held-out predictions fit isotonic calibrations and
give the validation metrics; then both parts are refitted on every labelled row with the same
settings. Settings were chosen on a split inside the KCS training year (``bench/README.md``).

LightGBM was picked over XGBoost and scikit-learn's HistGradientBoosting because it is fast on one
machine, saves models as plain text (no pickle to trust) and returns exact per-feature contributions
(TreeSHAP, ``pred_contrib``) for the explanations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, Final

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression

from arusha.model import metrics
from arusha.model.bundle import Calibration, ModelBundle, Part
from arusha.model.features import DISCREPANCY, ModelDataError, build_features, feature_columns

MIN_LABELLED: Final = 200
MIN_PER_CLASS: Final = 20
HOLDOUT_SHARE: Final = 1 / 6

KNOWN_PARAMS: Final[dict[str, Any]] = {
    "n_estimators": 300,
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_child_samples": 50,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
}
NOVEL_PARAMS: Final[dict[str, Any]] = {
    "n_estimators": 300,
    "learning_rate": 0.03,
    "num_leaves": 4,
    "min_child_samples": 200,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
}


@dataclass
class TrainResult:
    """What training produced and how the held-out following period went."""

    bundle: ModelBundle

    @property
    def validation(self) -> dict[str, float | None]:
        """Metrics on the held-out following period (empty when none could be held out)."""
        return self.bundle.validation


def goods_signature(frame: pd.DataFrame) -> np.ndarray:
    """Return a 64-bit hash per row of the goods signature (HS6, origin, net mass to the gram)."""
    text = (
        frame["hs6"].astype(str)
        + "|"
        + frame["origin"].astype(str)
        + "|"
        + frame["net_mass"].round(3).astype(str)
    )
    return np.array(
        [
            int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little", signed=True)
            for t in text
        ],
        dtype=np.int64,
    )


def _params(base: dict[str, Any], n_rows: int, seed: int) -> dict[str, Any]:
    """Scale leaf sizes down for small data sets so a few thousand rows still learn."""
    params = dict(base, random_state=seed, verbose=-1, n_jobs=2)
    params["min_child_samples"] = max(5, min(base["min_child_samples"], n_rows // 40))
    return params


def _fit(x: pd.DataFrame, y: np.ndarray, base: dict[str, Any], seed: int) -> lgb.LGBMClassifier:
    model = lgb.LGBMClassifier(**_params(base, len(y), seed))
    model.fit(x, y)
    return model


def _calibrate(raw: np.ndarray, y: np.ndarray) -> Calibration:
    """Isotonic map from raw to calibrated probability; identity when the hold-out is too thin."""
    if len(y) < 50 or y.min() == y.max():
        return Calibration.identity()
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
    return Calibration(list(map(float, iso.X_thresholds_)), list(map(float, iso.y_thresholds_)))


def _check_labels(y: pd.Series, where: str) -> None:
    n = int(y.notna().sum())
    if n == 0:
        raise ModelDataError(
            f"no labelled declarations {where}: the model needs inspected declarations with a result"
        )
    if n < MIN_LABELLED:
        raise ModelDataError(f"only {n} labelled declarations {where}; at least {MIN_LABELLED} are needed")
    positives = int(y.sum())
    if positives < MIN_PER_CLASS or n - positives < MIN_PER_CLASS:
        raise ModelDataError(
            f"the labels {where} are nearly all of one class ({positives} positive, {n - positives} negative); "
            f"at least {MIN_PER_CLASS} of each are needed"
        )


def train_model(
    store: str,
    *,
    label: str = DISCREPANCY,
    until: dt.date | None = None,
    lag_days: int = 0,
    seed: int = 7,
) -> TrainResult:
    """Train on labelled declarations registered up to ``until`` (inclusive; all by default).

    Raises:
        ModelDataError: No or too few labelled rows, a single class, or a store that lacks
            the columns needed (the message names them).
    """
    feats = build_features(store, label=label, lag_days=lag_days, prior_until=until, labelled_only=True)
    frame = feats.frame if until is None else feats.frame[feats.frame["day"] <= until]
    rows = frame[frame["label"].notna()].reset_index(drop=True)
    _check_labels(rows["label"], f"up to {until}" if until else "in the store")
    prior = float(rows["label"].mean())  # the same rate the smoothed features were pulled toward
    if rows["net_mass"].isna().all():
        raise ModelDataError("no net mass on any item (missing table items or column net_mass_kg)")

    days = np.sort(rows["day"].unique())
    split_day = days[int(len(days) * (1 - HOLDOUT_SHARE))] if len(days) > 5 else days[-1]
    early = (rows["day"] < split_day).to_numpy()
    if early.sum() < MIN_LABELLED // 2 or (~early).sum() < 50:
        early = np.ones(len(rows), dtype=bool)  # too little to hold out: calibrate in-sample
    y = rows["label"].to_numpy(dtype=float)
    novel = (rows["past_goods"] == 0).to_numpy()

    parts: dict[str, Part] = {}
    held_out = np.full(len(rows), np.nan)
    for name, cols, base, mask in (
        ("known", feature_columns(), KNOWN_PARAMS, np.ones(len(rows), dtype=bool)),
        ("novel", feature_columns(novel=True), NOVEL_PARAMS, novel),
    ):
        fit_mask = mask & early
        use = mask if fit_mask.sum() < 50 or len(set(y[fit_mask])) < 2 else fit_mask
        if len(set(y[use])) < 2:
            use = np.ones(len(rows), dtype=bool)
        first = _fit(rows.loc[use, cols], y[use], base, seed)
        applies = (~novel if name == "known" else novel) & ~early
        calibration = Calibration.identity()
        if applies.any():
            raw = np.asarray(first.predict_proba(rows.loc[applies, cols]), dtype=float)[:, 1]
            calibration = _calibrate(raw, y[applies])
            held_out[applies] = calibration.apply(raw)
        whole = mask if len(set(y[mask])) > 1 else np.ones(len(rows), dtype=bool)
        final = _fit(rows.loc[whole, cols], y[whole], base, seed)
        parts[name] = Part(cols, final.booster_.model_to_string(), calibration)

    revenue_part = None
    if feats.revenue_available:
        positive = rows[(rows["label"] == 1) & rows["revenue"].notna()]
        if len(positive) >= 50:
            reg = lgb.LGBMRegressor(**_params(NOVEL_PARAMS, len(positive), seed))
            reg.fit(positive[feature_columns()], np.log1p(positive["revenue"].to_numpy()))
            revenue_part = reg.booster_.model_to_string()

    bundle = ModelBundle(
        label=label,
        prior=prior,
        lag_days=lag_days,
        trained_from=min(rows["day"]),
        trained_until=max(rows["day"]),
        n_train=len(rows),
        n_positive=int(y.sum()),
        parts=parts,
        revenue_model=revenue_part,
        goods_seen=np.unique(goods_signature(rows)),
        holdout_from=split_day if not early.all() else None,
    )
    scored = ~np.isnan(held_out)
    if scored.any() and len(set(y[scored])) > 1:
        bundle.validation = metrics.summary(y[scored], held_out[scored], None)
    return TrainResult(bundle)
