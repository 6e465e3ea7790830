"""The entry points the web app's background jobs call, with a progress callback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from arusha import api
from tests.conftest import GOOD_ROW, write_csv


def test_load_and_analyze_report_progress(tmp_path: Path) -> None:
    seen: list[tuple[int, str]] = []

    def progress(percent: int, message: str) -> None:
        seen.append((percent, message))

    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW, {**GOOD_ROW, "declaration_id": "D2"}])
    result = api.load_sources([path], tmp_path / "s.duckdb", progress=progress)
    assert result.loaded == {"declarations": 2}
    analyzed = api.analyze_store(tmp_path / "s.duckdb", tmp_path / "out", progress=progress)
    assert analyzed.indicators > 0
    percents = [p for p, _ in seen]
    assert percents.count(100) == 2 and all(0 <= p <= 100 for p in percents)
    assert any("rows/s" in m for _, m in seen)


def test_analysis_restricted_to_dates(planted: dict[str, Any], tmp_path: Path) -> None:
    import datetime as dt

    import pyarrow.parquet as pq

    api.analyze_store(planted["store"], tmp_path, date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 2, 29))
    table = pq.read_table(tmp_path / "indicators.parquet").to_pandas()
    months = set(table[table.period != "all"].period)
    assert months == {"2024-02"}


def test_an_empty_store_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    import duckdb

    from arusha.importing.load import ensure_store

    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    ensure_store(con)
    con.close()
    with pytest.raises(api.NothingToAnalyse, match="the store holds no declarations: load data first"):
        api.analyze_store(tmp_path / "s.duckdb", tmp_path / "out")
    assert not (tmp_path / "out").exists()
