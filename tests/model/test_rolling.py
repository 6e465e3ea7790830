"""Rolling scores: each month scored by a model that never saw that month's or later outcomes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from arusha import api
from arusha.model.features import ModelDataError
from arusha.model.score import score_store_rolling


def _store(tmp_path: Path, name: str) -> Path:
    if not (tmp_path / "data" / "truth.json").exists():
        api.write_dataset(tmp_path / "data", n=6000, seed=3)
    store = tmp_path / f"{name}.duckdb"
    paths = [tmp_path / "data" / f"{t}.parquet" for t in ("declarations", "items", "events")]
    api.load_sources(paths, store=store, keep_parquet=False)  # rows in DuckDB: the test edits them
    return store


def _scores(store: Path) -> pd.DataFrame:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(
            "SELECT r.declaration_id, r.probability, r.model_id, strftime(d.registered_at, '%Y-%m') AS month "
            "FROM risk_scores r JOIN declarations d USING (declaration_id) ORDER BY 1"
        ).df()
    finally:
        con.close()


def test_each_month_is_scored_by_a_model_trained_before_it(tmp_path: Path) -> None:
    store = _store(tmp_path, "a")
    score_store_rolling(str(store), min_months=2)
    scores = _scores(store)
    months = sorted(scores.month.unique())
    assert months[0] == "2024-03"  # January and February have too little history
    assert (scores.model_id.str.split("@").str[1] == scores.month).all()

    # Changing the outcomes of May changes no score of March or April.
    other = _store(tmp_path, "b")
    con = duckdb.connect(str(other))
    con.execute(
        "UPDATE declarations SET inspection_result = CASE inspection_result WHEN 'discrepancy' THEN 'no_discrepancy' "
        "ELSE 'discrepancy' END WHERE inspection_result <> 'none' AND month(registered_at) = 5"
    )
    con.close()
    score_store_rolling(str(other), min_months=2)
    again = _scores(other)
    early = scores.month.isin(["2024-03", "2024-04"])
    pd.testing.assert_series_equal(
        scores[early].probability.reset_index(drop=True),
        again[again.month.isin(["2024-03", "2024-04"])].probability.reset_index(drop=True),
    )
    assert not scores[scores.month == "2024-06"].probability.equals(
        again[again.month == "2024-06"].probability
    )


def test_a_store_without_enough_history_is_refused_with_the_way_out(tmp_path: Path) -> None:
    store = _store(tmp_path, "c")
    with pytest.raises(ModelDataError, match="score without --rolling"):
        score_store_rolling(str(store), min_months=12)
