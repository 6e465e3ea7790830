"""A mapping's ``system_actors``: event actors that are no officer are stored as SYSTEM."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arusha.importing import MappingError, load_sources
from arusha.importing.mapping import parse_mapping
from tests.conftest import write_csv

EVENTS = [
    {"declaration_id": "D1", "event": "released", "at": "2024-01-03 22:00", "actor_id": "SYSTEME"},
    {"declaration_id": "D1", "event": "paid", "at": "2024-01-03 09:00", "actor_id": "svc_bank"},
    {"declaration_id": "D2", "event": "released", "at": "2024-01-04 10:00", "actor_id": "74021"},
]


def _actors(store: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return [
            tuple(r)
            for r in con.execute("SELECT declaration_id, actor_id FROM events ORDER BY ALL").fetchall()
        ]
    finally:
        con.close()


def test_listed_actors_are_stored_as_system_and_officers_are_kept(tmp_path: Path) -> None:
    mapping = parse_mapping({"system_actors": ["SYSTEME", "svc_bank"]})
    path = write_csv(tmp_path / "events.csv", EVENTS)
    load_sources([path], tmp_path / "s.duckdb", mapping=mapping)
    assert _actors(tmp_path / "s.duckdb") == [("D1", "SYSTEM"), ("D1", "SYSTEM"), ("D2", "74021")]


def test_a_canonical_parquet_export_is_converted_too_not_kept_as_it_is(tmp_path: Path) -> None:
    table = pa.table({k: [e[k] for e in EVENTS] for k in EVENTS[0]})
    table = table.set_column(
        2, "at", pa.array([pa.scalar(v).as_py() for v in table["at"]]).cast(pa.timestamp("us"))
    )
    pq.write_table(table, tmp_path / "events.parquet")
    load_sources(
        [tmp_path / "events.parquet"],
        tmp_path / "s.duckdb",
        mapping=parse_mapping({"system_actors": "SYSTEME"}),
    )
    assert ("D1", "SYSTEM") in _actors(tmp_path / "s.duckdb")


@pytest.mark.parametrize("raw", [{"a": 1}, [True], 3.5])
def test_a_malformed_system_actors_key_is_reported_by_name(raw: object) -> None:
    with pytest.raises(MappingError, match="system_actors: expected a list of actor ids"):
        parse_mapping({"system_actors": raw})
