"""Expected versus found gives the same numbers on DuckDB and on local Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from arusha.analysis import analyze_store
from arusha.importing import load_sources
from arusha.synth import write_dataset
from tests.conftest import write_risk_scores

pytestmark = pytest.mark.spark


def test_detection_is_identical_on_duckdb_and_spark(tmp_path: Path, spark_session: Any) -> None:
    truth = write_dataset(tmp_path / "data", 1200, seed=5)
    store = tmp_path / "s.duckdb"
    load_sources([tmp_path / "data" / f"{t}.parquet" for t in ("declarations", "items", "events")], store)
    write_risk_scores(store, tmp_path / "data", truth)
    analyze_store(store, tmp_path / "duck")
    analyze_store(store, tmp_path / "spark", engine="spark", spark_session=spark_session)
    for name in ("detection.parquet", "targeting_quality.csv", "signals.csv"):
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        duck, spark = read(tmp_path / "duck" / name), read(tmp_path / "spark" / name)
        assert not duck.empty, name
        pd.testing.assert_frame_equal(duck, spark, check_dtype=False)
