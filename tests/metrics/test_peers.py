"""Peer statistics and row order of ``indicators.parquet`` match the SQL they replaced, bit for bit."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from arusha import peers

# The query ``analysis`` used before peer statistics moved to NumPy: the reference.
REFERENCE = """
    WITH t AS (
        SELECT *, CASE WHEN entity_type IN ('officer', 'officer_declarant_pair', 'officer_importer_pair')
                       THEN coalesce(office_code, '') ELSE '' END AS gk
        FROM ind
    ), g AS (
        SELECT entity_type, indicator, period, gk, median(value) AS med, count(value) AS size
        FROM t GROUP BY ALL
    ), j AS (
        SELECT t.*, g.med, g.size FROM t JOIN g USING (entity_type, indicator, period, gk)
    ), m AS (
        SELECT entity_type, indicator, period, gk, 1.4826 * median(abs(value - med)) AS mad
        FROM j GROUP BY ALL
    )
    SELECT entity_type, entity_id, office_code, period, indicator, value, n,
           CASE WHEN size >= 3 AND entity_type <> 'administration' THEN med END AS peer_median,
           CASE WHEN size >= 3 AND entity_type <> 'administration' AND mad > 0
                THEN (value - med) / mad END AS z
    FROM j JOIN m USING (entity_type, indicator, period, gk)
    ORDER BY entity_type, indicator, period, entity_id, office_code
"""


def _long_rows(seed: int, rows: int, periods: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    types = np.array(["officer", "office", "importer", "administration", "officer_importer_pair"])
    offices = np.array(["A", "B", "C", None], dtype=object)
    value = np.round(rng.gamma(2.0, 3.0, rows), 1)  # rounded: ties and even-sized groups
    value[rng.random(rows) < 0.05] = 1.0  # groups with no spread
    return pa.table(
        {
            "entity_type": pa.array(types[rng.integers(0, types.size, rows)]),
            # Unique per type and indicator, as in the real output; "E1" < "E10" < "E2" as text.
            "entity_id": pa.array([f"E{i}" for i in range(rows)]),
            "office_code": pa.array(offices[rng.integers(0, offices.size, rows)], pa.string()),
            "period": pa.array(
                np.array([f"P{i:04d}" for i in range(periods)])[rng.integers(0, periods, rows)]
            ),
            "indicator": pa.array(np.array(["BP1", "TF5", "VOL_DECL"])[rng.integers(0, 3, rows)]),
            "value": pa.array(value, mask=rng.random(rows) < 0.03),
            "n": pa.array(rng.integers(1, 50, rows), pa.int64()),
        }
    )


def test_peer_statistics_and_order_match_the_sql_they_replaced() -> None:
    # Few groups (a selection in each) and many (one sort): both ways of taking medians.
    for seed, rows, periods in ((1, 40, 3), (2, 3000, 3), (3, 20000, 3), (4, 20000, 400)):
        table = _long_rows(seed, rows, periods)
        con = duckdb.connect()
        con.register("ind", table)
        expected = con.sql(REFERENCE).to_arrow_table().cast(peers.INDICATOR_SCHEMA)
        got = peers.assemble(peers.pieces_of(table))
        assert got.equals(expected), seed


def test_pieces_joined_out_of_order_are_sorted() -> None:
    later = peers.rows(
        pa.table({"entity_id": ["B"], "office_code": ["X"], "period": ["all"], "value": [1.0], "n": [1]})
    )
    earlier = peers.rows(
        pa.table({"entity_id": ["A"], "office_code": ["X"], "period": ["2024-01"], "value": [2.0], "n": [1]})
    )
    out = peers.assemble({("office", "BP1"): [later, earlier]})
    assert out["period"].to_pylist() == ["2024-01", "all"]


def _pairs(officers: list[str], others: list[str], offices: list[str | None]) -> pa.Table:
    n = len(officers)
    return pa.table(
        {
            "office_code": pa.array(offices, pa.string()),
            "officer_id": officers,
            "other_id": others,
            "value": np.arange(n, dtype=float),
            "n": pa.array(np.arange(n), pa.int64()),
        }
    )


@pytest.mark.parametrize("separator_in_ids", [False, True])
def test_pair_rows_come_in_the_order_duckdb_sorts_officer_bar_other(separator_in_ids: bool) -> None:
    # Officer ids that are prefixes of others, with characters on both sides of "|" (0x7C) after
    # the prefix ("{" is 0x7B, "~" 0x7E), unicode, and offices with a null.
    rng = np.random.default_rng(3)
    officer_ids = ["O1", "O1A", "O1{", "O1~", "O10", "O2", "Ö", "O", "O1|" if separator_in_ids else "O3"]
    other_ids = ["D1", "D10", "D2", "", "D|1", "Z", "é"]
    size = 3000
    table = _pairs(
        list(rng.choice(officer_ids, size)),
        list(rng.choice(other_ids, size)),
        list(rng.choice(np.array(["A", "B", None], dtype=object), size)),
    )
    got = peers.pair_rows(table)
    con = duckdb.connect()
    con.register("p", table)
    expected = con.sql(
        "SELECT officer_id || '|' || other_id AS entity_id, office_code FROM p "
        "ORDER BY entity_id, office_code NULLS LAST"
    ).to_arrow_table()
    assert got["entity_id"].to_pylist() == expected["entity_id"].to_pylist()
    assert got["office_code"].to_pylist() == expected["office_code"].to_pylist()
    # Each row keeps its own values through the reordering.
    original = {
        (o, x, f, v)
        for o, x, f, v in zip(
            *(table[c].to_pylist() for c in ("officer_id", "other_id", "office_code", "value")), strict=True
        )
    }
    moved = {
        (*e.split("|", 1), f, v)
        for e, f, v in zip(*(got[c].to_pylist() for c in ("entity_id", "office_code", "value")), strict=True)
    }
    if not separator_in_ids:
        assert moved == original
    assert set(got["period"].to_pylist()) == {"all"}
