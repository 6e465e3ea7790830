"""Fixtures for the library suite: Ibis connections, small CSV writers, synthetic data sets."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ibis.backends import BaseBackend

from arusha import backends
from arusha.importing import load_sources
from arusha.synth import Truth, true_risk_scores, write_dataset

DATA = Path(__file__).parent / "data"

# A valid canonical declaration row; tests override one field to break one rule.
GOOD_ROW: dict[str, str] = {
    "declaration_id": "D1",
    "office_code": "CMDLA",
    "declarant_id": "B1",
    "importer_id": "I1",
    "officer_id": "O1",
    "channel_assigned": "red",
    "channel_final": "red",
    "registered_at": "2024-01-02 08:00",
    "released_at": "2024-01-03 10:00",
    "declared_value": "1000",
    "duties_declared": "100",
    "inspection_result": "no_discrepancy",
    "country_origin": "CN",
}


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """A local Spark session for the equality tests (needs the spark extra and Java 17)."""
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")  # one core: the machine is shared
        .appName("arusha-tests")
        .config("spark.sql.shuffle.partitions", "1")  # tiny data: one partition avoids overhead
        .config("spark.ui.enabled", "false")  # no web UI port in tests
        .config("spark.sql.session.timeZone", "UTC")  # timestamps are naive UTC in the contract
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(params=["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def con(request: pytest.FixtureRequest) -> BaseBackend:
    """An Ibis connection on each engine."""
    if request.param == "duckdb":
        return backends.connect()
    return backends.connect_spark(request.getfixturevalue("spark_session"))


def write_csv(path: Path, rows: list[dict[str, str]], delimiter: str = ",") -> Path:
    """Write ``rows`` (dicts with the same keys) as a CSV file and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def store_rows(store: Path, sql: str) -> list[tuple[Any, ...]]:
    """Return the rows of ``sql`` run on the DuckDB store ``store`` (opened read-only)."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def declarations_csv(tmp_path: Path) -> Callable[..., Path]:
    """Return a writer of a declarations CSV: GOOD_ROW plus overrides per row."""

    def make(*overrides: dict[str, str], name: str = "declarations.csv") -> Path:
        rows = []
        for i, over in enumerate(overrides or ({},), start=1):
            rows.append({**GOOD_ROW, "declaration_id": f"D{i}", **over})
        return write_csv(tmp_path / name, rows)

    return make


def write_risk_scores(store: Path, data: Path, truth: Truth) -> None:
    """Store the generator's true probabilities as ``risk_scores``, as ``arusha model score`` would."""
    import duckdb
    import pyarrow.parquet as pq

    scores = true_risk_scores({"declarations": pq.read_table(data / "declarations.parquet")}, truth)
    con = duckdb.connect(str(store))
    try:
        con.register("scores", scores)
        con.execute("CREATE OR REPLACE TABLE risk_scores AS SELECT * FROM scores")
    finally:
        con.close()


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A 4,000-declaration synthetic data set with planted anomalies, loaded, scored and analysed once."""
    from arusha.analysis import analyze_store

    out = tmp_path_factory.mktemp("planted")
    truth = write_dataset(out / "data", 4000, seed=11)
    store = out / "store.duckdb"
    load_sources([out / "data" / f"{t}.parquet" for t in ("declarations", "items", "events")], store)
    write_risk_scores(store, out / "data", truth)
    analyze_store(store, out / "analysis")
    return {
        "dir": out,
        "store": store,
        "truth": truth,
        "truth_json": json.loads((out / "data" / "truth.json").read_text()),
    }


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4,000-declaration synthetic data set without anomalies, loaded, scored and analysed once."""
    from arusha.analysis import analyze_store

    out = tmp_path_factory.mktemp("clean")
    truth = write_dataset(out / "data", 4000, seed=12, anomalies=False)
    store = out / "store.duckdb"
    load_sources([out / "data" / f"{t}.parquet" for t in ("declarations", "items", "events")], store)
    write_risk_scores(store, out / "data", truth)
    analyze_store(store, out / "analysis")
    return out / "analysis"


def pytest_configure(config: pytest.Config) -> None:
    """Silence third-party deprecation noise that says nothing about this code."""
    for line in (
        "ignore:Arrow output on a DB-API result:UserWarning",
        "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning",
        "ignore::DeprecationWarning:ibis.*",
        "ignore:The 'future.infer_string' option is deprecated",
    ):
        config.addinivalue_line("filterwarnings", line)
