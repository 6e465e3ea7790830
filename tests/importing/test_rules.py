"""One bad-input test per contract rule: a clear error naming file, row, column and rule; nothing loaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from arusha.contract import Rule
from arusha.importing import LoadRejected, load_sources
from tests.conftest import GOOD_ROW, write_csv


def _count(store: Path, table: str = "declarations") -> int:
    """Rows in ``table``; a store a refused first load never left behind holds none."""
    if not store.exists():
        return 0
    con = duckdb.connect(str(store), read_only=True)
    try:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0]
        return int(row[0]) if row else 0
    finally:
        con.close()


def _rejected(paths: list[Path], store: Path, **kwargs: object) -> LoadRejected:
    with pytest.raises(LoadRejected) as info:
        load_sources(paths, store, **kwargs)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("channel_assigned", "purple", Rule.UNKNOWN_ENUM_VALUE),
        ("channel_final", "VERT", Rule.UNKNOWN_ENUM_VALUE),
        ("inspection_result", "maybe", Rule.UNKNOWN_ENUM_VALUE),
        ("declared_value", "-1", Rule.NEGATIVE_AMOUNT),
        ("duties_declared", "-0.01", Rule.NEGATIVE_AMOUNT),
        ("declared_value", "12abc", Rule.UNPARSEABLE_VALUE),
        ("registered_at", "yesterday", Rule.UNPARSEABLE_VALUE),
        ("released_at", "2024-01-01 09:00", Rule.RELEASED_BEFORE_REGISTERED),
        ("importer_id", "", Rule.REQUIRED_VALUE_MISSING),
        ("officer_id", "", Rule.REQUIRED_VALUE_MISSING),
        ("country_origin", "CHN", Rule.INVALID_COUNTRY_CODE),
    ],
)
def test_it_rejects_a_bad_value(
    declarations_csv: Callable[..., Path], tmp_path: Path, column: str, value: str, rule: str
) -> None:
    path = declarations_csv({}, {column: value}, {})
    store = tmp_path / "s.duckdb"
    error = _rejected([path], store)
    assert error.result.error_count == 1
    [e] = error.result.errors
    assert (e.file, e.row, e.column, e.rule) == (str(path), 2, column, rule)
    assert str(path) in str(e) and "row 2" in str(e)
    assert _count(store) == 0


def test_it_rejects_a_missing_required_column(tmp_path: Path) -> None:
    row = {k: v for k, v in GOOD_ROW.items() if k != "declarant_id"}
    path = write_csv(tmp_path / "declarations.csv", [row])
    error = _rejected([path], tmp_path / "s.duckdb")
    [e] = error.result.errors
    assert (e.row, e.column, e.rule) == (None, "declarant_id", Rule.MISSING_REQUIRED_COLUMN)


def test_it_rejects_a_duplicate_declaration_id(declarations_csv: Callable[..., Path], tmp_path: Path) -> None:
    path = declarations_csv({}, {"declaration_id": "D1"})
    error = _rejected([path], tmp_path / "s.duckdb")
    assert {(e.row, e.rule) for e in error.result.errors} == {
        (1, Rule.DUPLICATE_KEY),
        (2, Rule.DUPLICATE_KEY),
    }


def test_it_rejects_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "declarations.parquet"
    path.write_bytes(b"not parquet at all")
    error = _rejected([path], tmp_path / "s.duckdb")
    [e] = error.result.errors
    assert e.rule == Rule.UNREADABLE_FILE and e.row is None


def test_it_rejects_a_file_it_cannot_assign_to_a_table(
    declarations_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = declarations_csv({}, name="export.csv")
    error = _rejected([path], tmp_path / "s.duckdb")
    assert "--table" in error.result.errors[0].message
    assert load_sources([path], tmp_path / "s.duckdb", table="declarations").loaded == {"declarations": 1}


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("hs_code", "8471", Rule.INVALID_HS_CODE),
        ("item_no", "0", Rule.OUT_OF_RANGE),
        ("item_no", "1.5", Rule.UNPARSEABLE_VALUE),
        ("duty_rate", "12", Rule.OUT_OF_RANGE),
        ("net_mass_kg", "-3", Rule.NEGATIVE_AMOUNT),
    ],
)
def test_it_rejects_bad_items(tmp_path: Path, column: str, value: str, rule: str) -> None:
    good = {
        "declaration_id": "D1",
        "item_no": "1",
        "hs_code": "847130",
        "declared_value": "10",
        "net_mass_kg": "2",
        "duty_rate": "0.2",
    }
    path = write_csv(tmp_path / "items.csv", [good, {**good, "item_no": "2", column: value}])
    store = tmp_path / "s.duckdb"
    error = _rejected([path], store)
    assert [(e.row, e.column, e.rule) for e in error.result.errors] == [(2, column, rule)]
    assert _count(store, "items") == 0


def test_it_rejects_everything_when_one_of_several_files_is_bad(
    declarations_csv: Callable[..., Path], tmp_path: Path
) -> None:
    good = declarations_csv({}, name="declarations-a.csv")
    bad = declarations_csv({"declared_value": "-5"}, name="declarations-b.csv")
    store = tmp_path / "s.duckdb"
    _rejected([good, bad], store)
    assert _count(store) == 0


def test_it_lists_100_errors_counts_all_and_writes_them_all(
    declarations_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = declarations_csv(*({"declared_value": "-1"} for _ in range(150)))
    error = _rejected([path], tmp_path / "s.duckdb")
    assert len(error.result.errors) == 100
    assert error.result.error_count == 150
    assert error.result.errors_csv is not None
    lines = error.result.errors_csv.read_text().splitlines()
    assert lines[0] == "file,row,column,rule,value,message" and len(lines) == 151


def test_it_quarantines_bad_rows_with_reasons(declarations_csv: Callable[..., Path], tmp_path: Path) -> None:
    path = declarations_csv({}, {"channel_final": "purple", "declared_value": "-2"}, {})
    store = tmp_path / "s.duckdb"
    result = load_sources([path], store, quarantine=True)
    assert result.loaded == {"declarations": 2} and result.quarantined == 1
    con = duckdb.connect(str(store), read_only=True)
    [(row, reasons, record)] = con.execute("SELECT row, reasons, record FROM quarantine").fetchall()
    con.close()
    assert row == 2
    assert (
        "channel_final: unknown_enum_value (purple)" in reasons
        and "declared_value: negative_amount" in reasons
    )
    assert '"D2"' in record


def test_quarantine_still_rejects_a_missing_column(tmp_path: Path) -> None:
    row = {k: v for k, v in GOOD_ROW.items() if k != "registered_at"}
    path = write_csv(tmp_path / "declarations.csv", [row])
    _rejected([path], tmp_path / "s.duckdb", quarantine=True)


def test_a_file_without_officer_and_channels_still_loads(tmp_path: Path) -> None:
    drop = {"officer_id", "channel_assigned", "channel_final"}
    path = write_csv(tmp_path / "declarations.csv", [{k: v for k, v in GOOD_ROW.items() if k not in drop}])
    result = load_sources([path], tmp_path / "s.duckdb")
    assert result.loaded == {"declarations": 1}
    assert drop <= set(result.absent_columns["declarations"])


def test_loading_the_same_file_twice_adds_nothing(
    declarations_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = declarations_csv({}, {})
    store = tmp_path / "s.duckdb"
    load_sources([path], store)
    second = load_sources([path], store)
    assert second.skipped == [str(path)] and second.loaded == {}
    assert _count(store) == 2


def test_a_newer_export_replaces_rows_with_the_same_key(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    load_sources([write_csv(tmp_path / "a" / "declarations.csv", [{**GOOD_ROW, "released_at": ""}])], store)
    load_sources([write_csv(tmp_path / "b" / "declarations.csv", [GOOD_ROW])], store)
    con = duckdb.connect(str(store), read_only=True)
    rows = con.execute("SELECT declaration_id, released_at FROM declarations").fetchall()
    con.close()
    assert len(rows) == 1 and rows[0][1] is not None


@pytest.mark.parametrize("source", ["csv", "parquet"])
def test_text_is_trimmed_and_a_blank_value_is_missing(tmp_path: Path, source: str) -> None:
    # Spaces and no-break spaces around a value are dropped; a value of spaces only is missing.
    rows = [
        {**GOOD_ROW, "declaration_id": " D1 ", "office_code": "\u00a0CMDLA", "regime": "IM4\u00a0"},
        {**GOOD_ROW, "declaration_id": "D2", "declarant_id": "B 2", "regime": "   "},
    ]
    path = write_csv(tmp_path / "declarations.csv", rows)
    if source == "parquet":
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        table = pacsv.read_csv(path)
        path = tmp_path / "declarations.parquet"
        pq.write_table(table.cast(pa.schema([(name, pa.string()) for name in table.column_names])), path)
    store = tmp_path / "s.duckdb"
    load_sources([path], store)
    con = duckdb.connect(str(store), read_only=True)
    try:
        stored = con.execute(
            "SELECT declaration_id, office_code, declarant_id, regime FROM declarations ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert stored == [("D1", "CMDLA", "B1", "IM4"), ("D2", "CMDLA", "B 2", None)]
    blank = write_csv(tmp_path / "declarations-blank.csv", [{**GOOD_ROW, "declarant_id": "  "}])
    error = _rejected([blank], tmp_path / "other.duckdb", table="declarations")
    assert [(e.column, e.rule) for e in error.result.errors] == [
        ("declarant_id", Rule.REQUIRED_VALUE_MISSING)
    ]


def test_a_file_of_headers_only_is_refused_and_a_new_store_is_not_left_behind(tmp_path: Path) -> None:
    empty = tmp_path / "declarations.csv"
    empty.write_text(",".join(GOOD_ROW) + "\n")
    store = tmp_path / "new.duckdb"
    with pytest.raises(LoadRejected) as refused:
        load_sources([empty], store)
    assert [e.rule for e in refused.value.result.errors] == ["no_rows"]
    assert not store.exists() and not store.with_name("new.duckdb.wal").exists()


def test_a_refused_load_into_an_existing_store_keeps_it(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    load_sources([write_csv(tmp_path / "declarations.csv", [GOOD_ROW])], store)
    bad = write_csv(
        tmp_path / "declarations-2.csv", [{**GOOD_ROW, "declaration_id": "D2", "declared_value": "x"}]
    )
    with pytest.raises(LoadRejected):
        load_sources([bad], store)
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("SELECT count(*) FROM declarations").fetchall() == [(1,)]
    con.close()
