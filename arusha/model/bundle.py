"""The saved model: one JSON file with LightGBM's text models, calibrations and training facts.

Why JSON and not pickle: a model file travels between machines of an administration; loading a
pickle runs whatever code it holds, loading this file only parses text. The file also keeps the
hashed goods signatures seen in training, so ``evaluate`` can tell novel goods without the
training data at hand.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import lightgbm as lgb
import numpy as np
import pandas as pd

from arusha.model.features import ModelDataError

FORMAT: Final = "arusha-risk-model/1"


@dataclass(frozen=True)
class Calibration:
    """A monotone map from raw model output to probability (isotonic thresholds)."""

    x: list[float]
    y: list[float]

    @classmethod
    def identity(cls) -> Calibration:
        return cls([0.0, 1.0], [0.0, 1.0])

    def apply(self, raw: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(raw, self.x, self.y), dtype=float)


@dataclass
class Part:
    """One gradient-boosted part: its features, model text and calibration."""

    features: list[str]
    model_text: str
    calibration: Calibration
    _booster: lgb.Booster | None = field(default=None, repr=False, compare=False)

    @property
    def booster(self) -> lgb.Booster:
        if self._booster is None:
            self._booster = lgb.Booster(model_str=self.model_text)
        return self._booster

    def raw(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.booster.predict(frame[self.features]), dtype=float)

    def contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """Per-feature contributions (TreeSHAP, log-odds); last column is the bias."""
        return np.asarray(self.booster.predict(frame[self.features], pred_contrib=True), dtype=float)


@dataclass
class ModelBundle:
    """Everything needed to score, evaluate and describe a trained model."""

    label: str
    prior: float
    lag_days: int
    trained_from: dt.date
    trained_until: dt.date
    n_train: int
    n_positive: int
    parts: dict[str, Part]
    revenue_model: str | None
    goods_seen: np.ndarray
    holdout_from: dt.date | None = None
    validation: dict[str, float | None] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @property
    def model_id(self) -> str:
        """Name the model the way a manager reads it in a lead: what it learned from, and when it was made.

        Why not a code: it is printed inside explanations ("the risk model (trained on declarations up to
        2024-07-01, made 2026-11-28 02:01 UTC) expected 54"), and two models trained on the same data
        still differ by the minute they were made.
        """
        made = self.created_at[:16].replace("T", " ")
        return f"trained on declarations registered up to {self.trained_until.isoformat()}, made {made} UTC"

    def save(self, path: str | Path) -> Path:
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        doc: dict[str, Any] = {
            "format": FORMAT,
            "label": self.label,
            "prior": self.prior,
            "lag_days": self.lag_days,
            "trained_from": self.trained_from.isoformat(),
            "trained_until": self.trained_until.isoformat(),
            "holdout_from": self.holdout_from.isoformat() if self.holdout_from else None,
            "n_train": self.n_train,
            "n_positive": self.n_positive,
            "created_at": self.created_at,
            "validation": self.validation,
            "parts": {
                name: {
                    "features": p.features,
                    "calibration": {"x": p.calibration.x, "y": p.calibration.y},
                    "model": p.model_text,
                }
                for name, p in self.parts.items()
            },
            "revenue_model": self.revenue_model,
            "goods_seen": base64.b64encode(np.sort(self.goods_seen).astype("<i8").tobytes()).decode(),
        }
        tmp = out.with_suffix(out.suffix + ".tmp")
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(out)  # a crash mid-write never leaves half a model behind
        return out

    @classmethod
    def load(cls, path: str | Path) -> ModelBundle:
        source = Path(path)
        try:
            doc = json.loads(source.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ModelDataError(
                f"model file {source} does not exist (train one with arusha model train)"
            ) from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelDataError(f"{source} is not an Arusha model file (not JSON)") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ModelDataError(f"{source} is not an Arusha model file (format {FORMAT} expected)")
        parts = {
            name: Part(p["features"], p["model"], Calibration(p["calibration"]["x"], p["calibration"]["y"]))
            for name, p in doc["parts"].items()
        }
        return cls(
            label=doc["label"],
            prior=float(doc["prior"]),
            lag_days=int(doc["lag_days"]),
            trained_from=dt.date.fromisoformat(doc["trained_from"]),
            trained_until=dt.date.fromisoformat(doc["trained_until"]),
            holdout_from=dt.date.fromisoformat(doc["holdout_from"]) if doc.get("holdout_from") else None,
            n_train=int(doc["n_train"]),
            n_positive=int(doc["n_positive"]),
            parts=parts,
            revenue_model=doc.get("revenue_model"),
            goods_seen=np.frombuffer(base64.b64decode(doc["goods_seen"]), dtype="<i8"),
            validation=doc.get("validation") or {},
            created_at=doc["created_at"],
        )
