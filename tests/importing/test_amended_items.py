"""An amended declaration's item lines replace its old ones all together: a dropped line goes too."""

from __future__ import annotations

from pathlib import Path

import duckdb

from arusha.importing import load_sources
from tests.conftest import GOOD_ROW, store_rows, write_csv


def _items(path: Path, lines: list[tuple[str, int]]) -> Path:
    rows = [
        {"declaration_id": d, "item_no": str(n), "hs_code": "870323", "declared_value": str(100 * n)}
        for d, n in lines
    ]
    return write_csv(path, rows)


def _declarations(tmp: Path) -> Path:
    return write_csv(tmp / "declarations.csv", [{**GOOD_ROW, "declaration_id": d} for d in ("D1", "D2")])


def _lines(store: Path) -> list[tuple[str, int]]:
    return [
        (d, int(n)) for d, n in store_rows(store, "SELECT declaration_id, item_no FROM items ORDER BY 1, 2")
    ]


def test_a_newer_items_export_replaces_all_the_lines_of_its_declarations(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first = _items(tmp_path / "jan" / "items.csv", [("D1", 1), ("D1", 2), ("D1", 3), ("D2", 1)])
    load_sources([_declarations(tmp_path), first], store)
    amended = _items(tmp_path / "feb" / "items.csv", [("D1", 1), ("D1", 2)])
    load_sources([amended], store)
    assert _lines(store) == [("D1", 1), ("D1", 2), ("D2", 1)], "line 3 of D1 was dropped by the amendment"


def test_lines_of_one_declaration_spread_over_two_files_of_one_load_are_all_kept(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    load_sources([_declarations(tmp_path), _items(tmp_path / "old" / "items.csv", [("D1", 9)])], store)
    part_a = _items(tmp_path / "a" / "items.csv", [("D1", 1), ("D1", 2)])
    part_b = _items(tmp_path / "b" / "items.csv", [("D1", 3)])
    load_sources([part_a, part_b], store)
    assert _lines(store) == [("D1", 1), ("D1", 2), ("D1", 3)]


def test_a_kept_parquet_items_file_gives_up_the_lines_of_amended_declarations(tmp_path: Path) -> None:
    scratch, store = tmp_path / "scratch.duckdb", tmp_path / "s.duckdb"
    load_sources(
        [_declarations(tmp_path), _items(tmp_path / "x" / "items.csv", [("D1", 1), ("D1", 2), ("D2", 1)])],
        scratch,
    )
    parquet = tmp_path / "items-jan.parquet"
    con = duckdb.connect(str(scratch))
    try:
        con.execute(f"COPY items TO '{parquet}' (FORMAT parquet)")
    finally:
        con.close()
    first = load_sources([_declarations(tmp_path), parquet], store)
    assert first.kept == [str(parquet)], "a clean canonical Parquet export is kept as it is"
    load_sources([_items(tmp_path / "feb" / "items.csv", [("D1", 1)])], store)
    assert _lines(store) == [("D1", 1), ("D2", 1)]


def test_with_quarantine_the_good_lines_replace_the_old_ones_and_the_bad_are_kept_aside(
    tmp_path: Path,
) -> None:
    store = tmp_path / "s.duckdb"
    load_sources(
        [_declarations(tmp_path), _items(tmp_path / "jan" / "items.csv", [("D1", 1), ("D1", 2)])], store
    )
    amended = write_csv(
        tmp_path / "feb" / "items.csv",
        [
            {"declaration_id": "D1", "item_no": "1", "hs_code": "870323", "declared_value": "100"},
            {"declaration_id": "D1", "item_no": "5", "hs_code": "870323", "declared_value": "-3"},
        ],
    )
    result = load_sources([amended], store, quarantine=True)
    assert result.quarantined == 1
    assert _lines(store) == [("D1", 1)]


def test_the_load_says_how_many_stored_rows_newer_ones_replaced(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first = _items(tmp_path / "jan" / "items.csv", [("D1", 1), ("D1", 2), ("D1", 3), ("D2", 1)])
    assert load_sources([_declarations(tmp_path), first], store).replaced == {}
    newer = write_csv(
        tmp_path / "feb" / "declarations.csv", [{**GOOD_ROW, "declaration_id": d} for d in ("D2", "D3")]
    )
    amended = _items(tmp_path / "feb" / "items.csv", [("D1", 1), ("D1", 2)])
    result = load_sources([newer, amended], store)
    assert result.replaced == {"declarations": 1, "items": 3}


def test_a_quarantined_load_counts_each_replaced_row_once(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    load_sources([_declarations(tmp_path)], store)
    newer = write_csv(
        tmp_path / "feb" / "declarations.csv",
        [
            {**GOOD_ROW, "declaration_id": "D1"},
            {**GOOD_ROW, "declaration_id": "D9", "channel_final": "purple"},
        ],
    )
    result = load_sources([newer], store, quarantine=True)
    assert (result.quarantined, result.replaced) == (1, {"declarations": 1})
