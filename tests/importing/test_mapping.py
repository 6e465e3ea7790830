"""Mappings: rename, enum codes, date formats, decimal comma, scale, expressions, one source -> two tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest

from arusha.importing import LoadRejected, MappingError, load_mapping, load_sources
from arusha.importing.mapping import parse_mapping
from tests.conftest import DATA, GOOD_ROW, write_csv

ROOT = Path(__file__).parents[2]
KCS = Path("/work/shared/data/bacuda/kcs-customs-declaration-datasets/df_syn_valid_eng.csv")


def _rows(store: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_it_loads_an_asycuda_world_export(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    files = sorted((DATA / "asycuda").glob("*.csv"))
    result = load_sources(files, store, mapping=load_mapping(ROOT / "mappings" / "asycuda-world.yaml"))
    assert result.loaded == {"declarations": 3, "events": 5, "items": 4}
    [row] = _rows(
        store,
        "SELECT declaration_id, channel_assigned, channel_final, registered_at, declared_value, "
        "inspection_result FROM declarations WHERE declaration_id = 'CMDLA-2024-101'",
    )
    assert row == ("CMDLA-2024-101", "red", "green", dt.datetime(2024, 1, 2, 8, 15), 1250000.5, "none")
    items = _rows(store, "SELECT hs_code, net_mass_kg, duty_rate FROM items ORDER BY declaration_id, item_no")
    assert items[0] == ("84713000", 120.5, 0.25)
    assert _rows(store, 'SELECT event FROM events ORDER BY "at"')[-1] == ("released",)


def test_it_loads_the_kcs_layout_into_declarations_and_items(tmp_path: Path) -> None:
    if not KCS.exists():
        pytest.skip("KCS data not available")
    store = tmp_path / "s.duckdb"
    result = load_sources([KCS], store, mapping=load_mapping(ROOT / "mappings" / "kcs.yaml"))
    assert result.loaded == {"declarations": 8134, "items": 8134}
    assert "officer_id" in result.absent_columns["declarations"]
    [(duties, price, rate)] = _rows(
        store,
        "SELECT d.duties_declared, i.declared_value, i.duty_rate FROM declarations d JOIN items i "
        "USING (declaration_id) WHERE declaration_id = '10003881'",
    )
    assert duties == pytest.approx(price * rate)


def test_it_detects_a_decimal_comma_and_semicolon(tmp_path: Path) -> None:
    row = {**GOOD_ROW, "declared_value": "1 234,5", "duties_declared": "12,25"}
    path = write_csv(tmp_path / "declarations.csv", [row], delimiter=";")
    store = tmp_path / "s.duckdb"
    load_sources([path], store)
    assert _rows(store, "SELECT declared_value, duties_declared FROM declarations") == [(1234.5, 12.25)]


def test_it_scales_amounts_and_derives_columns(tmp_path: Path) -> None:
    src = {**{k: v for k, v in GOOD_ROW.items() if k != "duties_declared"}, "value_k": "2", "rate": "10"}
    src.pop("declared_value")
    path = write_csv(tmp_path / "declarations.csv", [src])
    mapping = parse_mapping(
        {
            "tables": {
                "declarations": {
                    "columns": {
                        "declared_value": {"source": "value_k", "scale": 1000},
                        "duties_declared": {"expr": 'num("value_k") * 1000 * num("rate") / 100'},
                        "regime": {"value": "IM4"},
                    }
                }
            }
        }
    )
    store = tmp_path / "s.duckdb"
    load_sources([path], store, mapping=mapping)
    assert _rows(store, "SELECT declared_value, duties_declared, regime FROM declarations") == [
        (2000.0, 200.0, "IM4")
    ]


def test_it_reads_excel(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(GOOD_ROW))
    sheet.append([dt.datetime(2024, 1, 2, 8) if k == "registered_at" else v for k, v in GOOD_ROW.items()])
    path = tmp_path / "declarations.xlsx"
    book.save(path)
    store = tmp_path / "s.duckdb"
    load_sources([path], store)
    assert _rows(store, "SELECT registered_at FROM declarations") == [(dt.datetime(2024, 1, 2, 8),)]


def test_a_mapping_naming_a_missing_source_column_reports_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW])
    mapping = parse_mapping({"tables": {"declarations": {"columns": {"office_code": "BUREAU"}}}})
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb", mapping=mapping)
    assert "'BUREAU'" in info.value.result.errors[0].message


@pytest.mark.parametrize(
    "doc",
    [
        {"tables": {"parcels": {"columns": {}}}},
        {"tables": {"declarations": {"columns": {"not_a_column": "x"}}}},
        {"tables": {"declarations": {"columns": {"office_code": {"source": "a", "expr": "b"}}}}},
        {"csv": {"decimal": ";"}},
    ],
)
def test_it_rejects_malformed_mappings(doc: dict[str, object]) -> None:
    with pytest.raises(MappingError):
        parse_mapping(doc)


def test_it_reads_a_latin1_export_when_the_mapping_says_so(tmp_path: Path) -> None:
    path = tmp_path / "declarations.csv"
    header = ",".join(GOOD_ROW)
    row = ",".join({**GOOD_ROW, "office_code": "DOUALA-PÔRT"}.values())
    path.write_bytes(f"{header}\n{row}\n".encode("latin-1"))
    store = tmp_path / "s.duckdb"
    load_sources([path], store, mapping=parse_mapping({"csv": {"encoding": "latin-1"}}))
    assert _rows(store, "SELECT office_code FROM declarations") == [("DOUALA-PÔRT",)]
