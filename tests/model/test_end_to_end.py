"""The whole chain a user runs: generate → load → train → score → analyze finds the rubber stamp."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from arusha import api
from arusha.model.score import score_store
from arusha.model.train import train_model


def test_the_real_model_exposes_the_planted_rubber_stamp_officer(tmp_path: Path) -> None:
    api.write_dataset(tmp_path / "data", n=10_000, seed=11)
    store = tmp_path / "store.duckdb"
    api.load_sources(
        [tmp_path / "data" / f"{t}.parquet" for t in ("declarations", "items", "events")], store=store
    )
    bundle = train_model(str(store)).bundle
    score_store(str(store), bundle)
    api.analyze_store(store, tmp_path / "out")

    truth = json.loads((tmp_path / "data" / "truth.json").read_text())
    planted = next(a for a in truth["anomalies"] if a["kind"] == "detection_shortfall")
    signals = pd.read_csv(tmp_path / "out" / "signals.csv")
    shortfalls = signals[signals["kind"] == "detection_shortfall"]
    assert not shortfalls.empty
    assert shortfalls.iloc[0]["entity_id"] == planted["entity_id"]
    assert "the risk model" in shortfalls.iloc[0]["explanation"]
