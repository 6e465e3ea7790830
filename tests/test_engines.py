"""The same analysis on DuckDB and on local Spark gives identical indicators and leads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from arusha.analysis import analyze_store
from arusha.importing import load_sources
from arusha.synth import write_dataset

pytestmark = pytest.mark.spark


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def test_duckdb_and_spark_give_identical_results(tmp_path: Path, spark_session: Any) -> None:
    write_dataset(tmp_path / "data", 1200, seed=5)
    store = tmp_path / "s.duckdb"
    load_sources([tmp_path / "data" / f"{t}.parquet" for t in ("declarations", "items", "events")], store)
    analyze_store(store, tmp_path / "duck")
    analyze_store(store, tmp_path / "spark", engine="spark", spark_session=spark_session)

    keys = ["entity_type", "entity_id", "period", "indicator"]
    duck = _sorted(pd.read_parquet(tmp_path / "duck" / "indicators.parquet"), keys)
    spark = _sorted(pd.read_parquet(tmp_path / "spark" / "indicators.parquet"), keys)
    pd.testing.assert_frame_equal(duck[keys + ["office_code", "n"]], spark[keys + ["office_code", "n"]])
    for col in ("value", "peer_median", "z"):
        pd.testing.assert_series_equal(duck[col], spark[col], rtol=1e-9, check_names=False)
    duck_leads = pd.read_csv(tmp_path / "duck" / "signals.csv")
    assert len(duck_leads) > 0, "planted anomalies make leads: an empty list would compare nothing"
    pd.testing.assert_frame_equal(duck_leads, pd.read_csv(tmp_path / "spark" / "signals.csv"))
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "duck" / "trader_risk.csv"),
        pd.read_csv(tmp_path / "spark" / "trader_risk.csv"),
    )
