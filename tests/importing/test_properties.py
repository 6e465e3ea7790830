"""Hypothesis properties: a load is all-or-nothing, and loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arusha.importing import LoadRejected, load_sources, parts
from tests.conftest import GOOD_ROW, write_csv

BAD_VALUES = {
    "channel_final": "purple",
    "declared_value": "-1",
    "registered_at": "not a date",
    "released_at": "2000-01-01 00:00",
    "importer_id": "",
}

rows = st.lists(
    st.tuples(st.booleans(), st.sampled_from(sorted(BAD_VALUES)), st.integers(0, 10**6)),
    min_size=1,
    max_size=12,
)


def _table(tmp: Path, spec: list[tuple[bool, str, int]]) -> tuple[Path, int]:
    out, bad = [], 0
    for i, (is_bad, column, value) in enumerate(spec):
        row = {**GOOD_ROW, "declaration_id": f"D{i}", "declared_value": str(value)}
        if is_bad:
            row[column] = BAD_VALUES[column]
            bad += 1
        out.append(row)
    return write_csv(tmp / "declarations.csv", out), bad


def _count(store: Path) -> int:
    if not store.exists():  # a refused first load leaves no store behind
        return 0
    con = duckdb.connect(str(store), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM declarations").fetchall()[0]
        return int(row[0]) if row else 0
    finally:
        con.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_a_load_is_all_or_nothing(spec: list[tuple[bool, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, bad = _table(Path(tmp), spec)
        store = Path(tmp) / "s.duckdb"
        try:
            result = load_sources([path], store)
        except LoadRejected:
            assert bad > 0
            assert _count(store) == 0
        else:
            assert bad == 0
            assert result.loaded == {"declarations": len(spec)} == {"declarations": _count(store)}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_a_quarantined_load_is_idempotent(spec: list[tuple[bool, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, bad = _table(Path(tmp), spec)
        store = Path(tmp) / "s.duckdb"
        first = load_sources([path], store, quarantine=True)
        assert first.quarantined == bad and _count(store) == len(spec) - bad
        second = load_sources([path], store, quarantine=True)
        assert second.loaded == {} and _count(store) == len(spec) - bad


# Typed Parquet values that break a rule; every other value is canonical, so a clean file is kept.
BAD_PARQUET = {
    "channel_final": "purple",
    "declared_value": -1.0,
    "released_at": dt.datetime(2000, 1, 1),
    "importer_id": " I1",
    "country_origin": "cn",
}


def _parquet(tmp: Path, spec: list[tuple[bool, str, int]]) -> tuple[Path, int]:
    out, bad = [], 0
    for i, (is_bad, column, value) in enumerate(spec):
        row: dict[str, object] = {
            "declaration_id": f"D{i}",
            "office_code": "CMDLA",
            "declarant_id": "B1",
            "importer_id": "I1",
            "officer_id": "O1",
            "channel_assigned": "red",
            "channel_final": "red",
            "registered_at": dt.datetime(2024, 1, 2, 8),
            "released_at": dt.datetime(2024, 1, 3, 10),
            "declared_value": float(value),
            "duties_declared": 100.0,
            "inspection_result": "no_discrepancy",
            "country_origin": "CN",
        }
        if is_bad:
            row[column] = BAD_PARQUET[column]
            bad += 1
        out.append(row)
    path = tmp / "declarations.parquet"
    pq.write_table(pa.Table.from_pylist(out), path)
    return path, bad


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.booleans(), st.sampled_from(sorted(BAD_PARQUET)), st.integers(0, 10**6)),
        min_size=1,
        max_size=12,
    )
)
def test_a_parquet_load_is_all_or_nothing_and_idempotent(spec: list[tuple[bool, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, bad = _parquet(Path(tmp), spec)
        store = Path(tmp) / "s.duckdb"
        kept = parts.parts_dir(store)
        broken = {c for b, c, _ in spec if b} - {"importer_id", "country_origin"}  # those two are converted
        try:
            load_sources([path], store)
        except LoadRejected:
            assert broken
            assert _count(store) == 0 and not list(kept.rglob("*.parquet"))
            return
        assert not broken
        assert _count(store) == len(spec)
        assert bool(list(kept.rglob("*.parquet"))) == (bad == 0)  # only a file needing no change is kept
        again = load_sources([path], store)
        assert again.loaded == {} and _count(store) == len(spec)
