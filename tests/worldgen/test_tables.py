"""The tables: canonical shape, accepted by the project's own load, determined by the seed."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arusha import contract
from arusha.importing import load_sources
from arusha.synth import generate
from arusha.worldgen import WorldTruth, generate_world
from tests.conftest import store_rows

ARROW_TYPES = {
    "timestamp": pa.timestamp("us"),
    "decimal": pa.float64(),
    "int": pa.int64(),
}


@pytest.mark.parametrize("table", contract.TABLES)
def test_tables_have_the_canonical_columns_and_types(
    world: tuple[dict[str, pa.Table], WorldTruth], table: str
) -> None:
    schema = world[0][table].schema
    assert schema.names == contract.column_names(table)
    for column in contract.COLUMNS[table]:
        assert schema.field(column.name).type == ARROW_TYPES.get(column.kind, pa.string()), column.name
    synth_tables, _ = generate(500, seed=1)
    assert schema == synth_tables[table].schema


def test_the_projects_own_load_accepts_every_row(
    world: tuple[dict[str, pa.Table], WorldTruth], tmp_path: Path
) -> None:
    tables, _ = world
    paths = []
    for name, table in tables.items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
        paths.append(tmp_path / f"{name}.parquet")
    store = tmp_path / "store.duckdb"
    result = load_sources(paths, store)
    assert result.loaded == {name: table.num_rows for name, table in tables.items()}
    assert result.quarantined == 0
    assert store_rows(store, "SELECT count(*) FROM declarations") == [(tables["declarations"].num_rows,)]


def test_the_same_seed_gives_the_same_world_and_another_seed_another() -> None:
    first, truth = generate_world(5_000, seed=21)
    again, truth_again = generate_world(5_000, seed=21)
    other, _ = generate_world(5_000, seed=22)
    for name in contract.TABLES:
        assert first[name].equals(again[name]), name
    assert truth.as_dict() == truth_again.as_dict()
    assert not first["declarations"].equals(other["declarations"])


def test_numeric_ids_share_no_format_with_plain_ones() -> None:
    tables, truth = generate_world(5_000, seed=5, id_style="numeric", schemes_per_kind=1)
    d = tables["declarations"].to_pandas()
    for column in ("declaration_id", "office_code", "officer_id", "declarant_id", "importer_id"):
        assert d[column].str.fullmatch(r"\d+").all(), column
    assert {s.officer_id for s in truth.schemes if s.officer_id} <= set(d["officer_id"])
    # Officer, broker and importer numbers differ in length, so an actor id is never ambiguous.
    lengths = [set(d[c].str.len()) for c in ("officer_id", "declarant_id", "importer_id")]
    assert all(len(a & b) == 0 for i, a in enumerate(lengths) for b in lengths[i + 1 :])


def test_the_honest_mix_looks_like_a_real_administration(
    world: tuple[dict[str, pa.Table], WorldTruth],
) -> None:
    d = world[0]["declarations"].to_pandas()
    mix = d["channel_final"].value_counts(normalize=True)
    assert mix["green"] == pytest.approx(0.55, abs=0.04)
    assert mix["blue"] == pytest.approx(0.05, abs=0.02)
    assert mix["yellow"] == pytest.approx(0.28, abs=0.04)
    assert mix["red"] == pytest.approx(0.12, abs=0.03)
    found = d[d["inspection_result"] != "none"].groupby("channel_final")["inspection_result"]
    hit = found.apply(lambda r: (r == "discrepancy").mean())
    assert hit["red"] == pytest.approx(0.25, abs=0.05) and hit["yellow"] == pytest.approx(0.10, abs=0.04)
    per_office = d["office_code"].value_counts()
    assert per_office.iloc[0] > 4 * per_office.iloc[-1]  # Zipf-like office sizes
    assert d["importer_id"].nunique() > 1_000
