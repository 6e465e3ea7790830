"""Peer statistics and row order of ``indicators.parquet`` match the SQL they replaced, bit for bit."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

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
