"""Hypothesis properties: a load is all-or-nothing, and loading twice changes nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arusha.importing import LoadRejected, load_sources
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
