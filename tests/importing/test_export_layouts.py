"""Exports the shipped mappings do not cover: what a new administration's files and mappings bring."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arusha.contract import Rule
from arusha.importing import LoadRejected, MappingError, load_sources
from arusha.importing.mapping import Mapping, parse_mapping
from tests.conftest import GOOD_ROW, store_rows, write_csv


def _declarations_mapping(**columns: object) -> Mapping:
    return parse_mapping({"tables": {"declarations": {"columns": columns}}})


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ('num("declared_value") *', "syntax error"),
        ('no_such_function(num("declared_value"))', "no_such_function"),
        ('CAST(txt("office_code") AS INTEGER)', "CMDLA"),  # fails only when run, on a value
    ],
)
def test_a_failing_mapping_expression_names_file_column_and_expression(
    tmp_path: Path, expr: str, reason: str
) -> None:
    store = tmp_path / "s.duckdb"
    load_sources(
        [write_csv(tmp_path / "declarations-old.csv", [{**GOOD_ROW, "declaration_id": "OLD"}])], store
    )
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW])
    column = "office_code" if "office_code" in expr else "declared_value"
    with pytest.raises(LoadRejected) as info:
        load_sources([path], store, mapping=_declarations_mapping(**{column: {"expr": expr}}))
    [error] = info.value.result.errors
    assert (error.file, error.row, error.column, error.rule) == (
        str(path),
        None,
        column,
        Rule.MAPPING_EXPRESSION_FAILS,
    )
    assert expr in error.message and reason in error.message
    assert store_rows(store, "SELECT declaration_id FROM declarations") == [("OLD",)]


@pytest.mark.parametrize(
    ("zone", "written", "stored"),
    [
        ("Africa/Douala", "2024-01-02T07:00:00Z", "2024-01-02 08:00:00"),
        ("Africa/Douala", "2024-01-02 10:00:00+03:00", "2024-01-02 08:00:00"),
        ("Africa/Douala", "2024-01-02T08:00:00.500+0100", "2024-01-02 08:00:00.5"),
        ("Africa/Douala", "2024-01-02 08:00", "2024-01-02 08:00:00"),  # plain: local time as written
        (None, "2024-01-02T10:00:00+03:00", "2024-01-02 07:00:00"),  # no zone: UTC
        (None, "2024-01-02", "2024-01-02 00:00:00"),
    ],
)
def test_a_text_timestamp_with_an_offset_is_stored_in_the_administrations_time(
    tmp_path: Path, zone: str | None, written: str, stored: str
) -> None:
    store = tmp_path / "s.duckdb"
    path = write_csv(
        tmp_path / "declarations.csv", [{**GOOD_ROW, "registered_at": written, "released_at": ""}]
    )
    load_sources([path], store, mapping=parse_mapping({"timezone": zone} if zone else {}))
    assert store_rows(store, "SELECT CAST(registered_at AS VARCHAR) FROM declarations") == [(stored,)]


def test_na_and_null_in_a_csv_are_values_not_empty_fields(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    row = {**GOOD_ROW, "importer_id": "NA", "country_origin": "NA", "offence_code": "NULL", "regime": "N/A"}
    load_sources([write_csv(tmp_path / "declarations.csv", [row])], store)
    assert store_rows(
        store, "SELECT importer_id, country_origin, offence_code, regime FROM declarations"
    ) == [("NA", "NA", "NULL", "N/A")]


@pytest.mark.parametrize("written", ["NaN", "inf", "-Infinity", "1e400"])
def test_a_number_that_is_not_finite_is_rejected(tmp_path: Path, written: str) -> None:
    path = write_csv(tmp_path / "declarations.csv", [{**GOOD_ROW, "declared_value": written}])
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    assert (1, "declared_value", Rule.UNPARSEABLE_VALUE) in {
        (e.row, e.column, e.rule) for e in info.value.result.errors
    }


def test_an_item_number_too_large_for_an_integer_is_rejected_not_a_crash(tmp_path: Path) -> None:
    row = {"declaration_id": "D1", "item_no": "1e30", "hs_code": "847130", "declared_value": "10"}
    path = write_csv(tmp_path / "items.csv", [row])
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    [error] = info.value.result.errors
    assert (error.row, error.column, error.rule) == (1, "item_no", Rule.UNPARSEABLE_VALUE)


def test_a_canonical_parquet_with_nan_amounts_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "declarations.parquet"
    row = {**GOOD_ROW, "registered_at": dt.datetime(2024, 1, 2, 8), "released_at": None}
    table = pa.table({k: [v] for k, v in row.items()})
    table = table.set_column(
        table.schema.get_field_index("declared_value"), "declared_value", pa.array([float("nan")])
    )
    table = table.set_column(
        table.schema.get_field_index("duties_declared"), "duties_declared", pa.array([1.0])
    )
    pq.write_table(table, path)
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    assert [(e.column, e.rule) for e in info.value.result.errors] == [
        ("declared_value", Rule.UNPARSEABLE_VALUE)
    ]


def test_a_csv_with_a_title_above_its_header_loads_and_counts_rows_from_the_first_record(
    tmp_path: Path,
) -> None:
    good = write_csv(
        tmp_path / "plain.csv", [GOOD_ROW, {**GOOD_ROW, "declaration_id": "D2", "channel_final": "mauve"}]
    )
    path = tmp_path / "declarations.csv"
    path.write_text("CUSTOMS EXPORT;;\nExtracted 05/12/2026\n\n" + good.read_text(), encoding="utf-8")
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    assert [(e.row, e.column, e.value) for e in info.value.result.errors] == [(2, "channel_final", "mauve")]


def test_a_byte_order_mark_does_not_turn_the_first_column_into_numbers(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    path = write_csv(tmp_path / "declarations.csv", [{**GOOD_ROW, "declaration_id": "00123"}])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    load_sources([path], store)
    assert store_rows(store, "SELECT declaration_id FROM declarations") == [("00123",)]


def test_an_excel_export_is_found_below_its_title_on_a_later_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Monthly summary"])  # a cover sheet comes first
    sheet = book.create_sheet("Data")
    sheet.append(["SYDONIA extraction, 05/12/2026"])
    sheet.append([])
    names = list(GOOD_ROW)
    sheet.append([*names[:3], None, *names[3:]])  # an unnamed column in the middle
    sheet.append([*list(GOOD_ROW.values())[:3], "ignored", *list(GOOD_ROW.values())[3:]])
    path = tmp_path / "declarations.xlsx"
    book.save(path)
    store = tmp_path / "s.duckdb"
    load_sources([path], store)
    assert store_rows(store, "SELECT declaration_id, importer_id, officer_id FROM declarations") == [
        ("D1", "I1", "O1")
    ]


def test_an_unknown_sheet_is_reported_with_the_sheets_the_workbook_has(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Declarations"
    path = tmp_path / "declarations.xlsx"
    book.save(path)
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb", mapping=parse_mapping({"sheet": "Decl"}))
    [error] = info.value.result.errors
    assert "'Decl'" in error.message and "'Declarations'" in error.message


def test_a_parquet_date_kept_as_an_integer_reads_with_the_mappings_format(tmp_path: Path) -> None:
    row = {k: v for k, v in GOOD_ROW.items() if k not in {"registered_at", "released_at"}}
    table = pa.table({**{k: [v] for k, v in row.items()}, "reg_day": pa.array([20240102], pa.int32())})
    path = tmp_path / "declarations.parquet"
    pq.write_table(table, path)
    store = tmp_path / "s.duckdb"
    mapping = _declarations_mapping(registered_at={"source": "reg_day", "date_format": "%Y%m%d"})
    load_sources([path], store, mapping=mapping)
    assert store_rows(store, "SELECT registered_at FROM declarations") == [(dt.datetime(2024, 1, 2),)]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (bytes(range(256)) * 20, "binary content"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel workbook"),
        (b"PAR1" + b"\x00" * 100, "Parquet file"),
    ],
)
def test_a_file_that_is_no_csv_is_named_for_what_it_is(tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "declarations.csv"
    path.write_bytes(content)
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    [error] = info.value.result.errors
    assert error.rule == Rule.UNREADABLE_FILE and said in error.message


def test_an_export_in_another_encoding_says_which_line_and_what_to_set(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW, {**GOOD_ROW, "declaration_id": "D2"}])
    text = path.read_text(encoding="utf-8").replace("O1", "Hervé", 1)
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    [error] = info.value.result.errors
    assert "line 2" in error.message and "encoding: cp1252" in error.message
    load_sources([path], tmp_path / "s.duckdb", mapping=parse_mapping({"csv": {"encoding": "cp1252"}}))
    assert store_rows(tmp_path / "s.duckdb", "SELECT officer_id FROM declarations ORDER BY 1") == [
        ("Hervé",),
        ("O1",),
    ]


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("IMPORTER_ID", "did you mean 'importer_id'?"),  # another case
        ("importer_idd", "did you mean 'importer_id'?"),  # a typo
        ("NIF", "the file has 'declaration_id', 'office_code'"),  # nothing near: the file's columns
    ],
)
def test_a_missing_column_is_reported_with_the_nearest_one_the_file_has(
    tmp_path: Path, source: str, hint: str
) -> None:
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW])
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb", mapping=_declarations_mapping(importer_id=source))
    [error] = info.value.result.errors
    assert (error.column, error.rule) == ("importer_id", Rule.MISSING_REQUIRED_COLUMN)
    assert str(error).startswith(f"{path}, column importer_id: required column {source!r} is missing")
    assert hint in str(error)


def test_a_file_level_error_without_a_column_names_no_empty_column(tmp_path: Path) -> None:
    path = tmp_path / "declarations.csv"
    path.write_text("")
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    assert str(info.value.result.errors[0]) == (
        f"{path}: file cannot be read: empty file or no header row [unreadable_file]"
    )


def test_the_same_content_named_twice_in_one_load_is_loaded_once(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW])
    copy = tmp_path / "declarations-copy.csv"
    copy.write_bytes(path.read_bytes())
    result = load_sources([path, copy, path], store)
    assert result.loaded == {"declarations": 1}
    assert result.skipped == [str(copy), str(path)]
    assert store_rows(store, "SELECT count(*) FROM _arusha_loads") == [(1,)]


def test_a_wrong_delimiter_is_reported_with_the_one_the_header_seems_to_use(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW], delimiter=";")
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb", mapping=parse_mapping({"csv": {"delimiter": ","}}))
    assert all("set csv.delimiter to ';'" in e.message for e in info.value.result.errors)


@pytest.mark.parametrize(
    ("csv_options", "declared", "expected"),
    [
        ({}, ["819,914.78", "12.5"], [819914.78, 12.5]),  # a dot decimal shows: commas group thousands
        ({}, ["1 250 000,50", "1.250,5"], [1250000.5, 1250.5]),  # decimal comma
        ({"thousands": ","}, ["1,250", "12,500"], [1250.0, 12500.0]),
        ({"decimal": ","}, ["1,250", "12,500"], [1.25, 12.5]),
    ],
)
def test_numbers_are_read_in_the_format_the_export_uses(
    tmp_path: Path, csv_options: dict[str, str], declared: list[str], expected: list[float]
) -> None:
    store = tmp_path / "s.duckdb"
    rows = [{**GOOD_ROW, "declaration_id": f"D{i}", "declared_value": v} for i, v in enumerate(declared)]
    load_sources(
        [write_csv(tmp_path / "declarations.csv", rows)], store, mapping=parse_mapping({"csv": csv_options})
    )
    assert [
        v for (v,) in store_rows(store, "SELECT declared_value FROM declarations ORDER BY 1 DESC")
    ] == sorted(expected, reverse=True)


def test_thousands_that_could_be_decimals_are_reported_not_guessed(tmp_path: Path) -> None:
    rows = [
        {**GOOD_ROW, "declaration_id": f"D{i}", "declared_value": v}
        for i, v in enumerate(["1,250", "12,500"])
    ]
    path = write_csv(tmp_path / "declarations.csv", rows)
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    [error] = info.value.result.errors
    assert (error.file, error.column, error.rule) == (
        str(path),
        "declared_value",
        Rule.AMBIGUOUS_NUMBER_FORMAT,
    )
    assert "'1,250'" in error.message and "csv.thousands" in error.message and "csv.decimal" in error.message


@pytest.mark.parametrize(
    ("doc", "said"),
    [
        (
            {"tables": {"declarations": {"columns": {"declared_value": {"source": "V", "scale": "abc"}}}}},
            "scale",
        ),
        (
            {"tables": {"declarations": {"columns": {"channel_final": {"source": "C", "values": ["a"]}}}}},
            "values",
        ),
        (
            {"tables": {"declarations": {"columns": {"registered_at": {"source": "R", "date_format": 5}}}}},
            "date_format",
        ),
        (
            {"tables": {"declarations": {"columns": {"declaration_number": "REF"}}}},
            "did you mean declaration_id",
        ),
        ({"csv": {"encoding": "utf8x"}}, "csv.encoding"),
        ({"csv": {"delimiter": ";;"}}, "csv.delimiter"),
    ],
)
def test_a_malformed_mapping_names_the_key_instead_of_crashing(doc: dict[str, object], said: str) -> None:
    with pytest.raises(MappingError, match=said):
        parse_mapping(doc)


def test_a_column_named_by_a_number_in_yaml_is_a_source_column(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    row = {**{k: v for k, v in GOOD_ROW.items() if k != "declared_value"}, "2024": "1000"}
    load_sources(
        [write_csv(tmp_path / "declarations.csv", [row])],
        store,
        mapping=_declarations_mapping(declared_value=2024),
    )
    assert store_rows(store, "SELECT declared_value FROM declarations") == [(1000.0,)]


def test_an_unknown_table_option_is_reported_not_a_crash(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", [GOOD_ROW])
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb", table="declaration")
    [error] = info.value.result.errors
    assert error.file == str(path) and "unknown table 'declaration'" in error.message


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("02/01/2024 08:15", 'date_format: "%d/%m/%Y %H:%M"'),
        ("20240102", 'date_format: "%Y%m%d"'),
        ("31/02/2024", None),
    ],
)
def test_an_unparseable_date_suggests_the_date_format_that_reads_it(
    tmp_path: Path, written: str, hint: str | None
) -> None:
    path = write_csv(
        tmp_path / "declarations.csv", [{**GOOD_ROW, "registered_at": written, "released_at": ""}]
    )
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    [error] = info.value.result.errors
    assert (error.row, error.column, error.rule) == (1, "registered_at", Rule.UNPARSEABLE_VALUE)
    assert (hint in error.message) if hint else ("date_format" not in error.message)


def test_excel_number_cells_keep_their_value_under_a_decimal_comma_mapping(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    rows = {**GOOD_ROW, "declared_value": 357373.22, "duties_declared": "71 474,64"}  # a number, a text
    book.active.append(list(rows))
    book.active.append(list(rows.values()))
    path = tmp_path / "declarations.xlsx"
    book.save(path)
    store = tmp_path / "s.duckdb"
    load_sources([path], store, mapping=parse_mapping({"csv": {"decimal": ","}}))
    assert store_rows(store, "SELECT declared_value, duties_declared FROM declarations") == [
        (357373.22, 71474.64)
    ]


def test_a_row_with_another_number_of_fields_is_named_by_row_and_line(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "plain.csv", [GOOD_ROW, {**GOOD_ROW, "declaration_id": "D2"}]).read_text()
    header, first, second = good.splitlines()
    path = tmp_path / "declarations.csv"
    path.write_text(f"EXPORT\n\n{header}\n{first}\nD9,CMDLA,B1\n{second}\n", encoding="utf-8")
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    [error] = info.value.result.errors
    assert "row 2 (line 5) has 3 fields where the header has 13" in error.message


def test_a_store_that_is_no_duckdb_file_is_reported_and_left_as_it_is(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW])
    not_a_store = write_csv(tmp_path / "items.csv", [{"declaration_id": "D1"}])
    before = not_a_store.read_bytes()
    with pytest.raises(LoadRejected) as info:
        load_sources([path], not_a_store)
    [error] = info.value.result.errors
    assert (error.file, error.rule) == (str(not_a_store), Rule.STORE_UNAVAILABLE)
    assert not_a_store.read_bytes() == before


def test_a_store_another_process_holds_is_reported_not_a_traceback(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(store)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(LoadRejected) as info:
            load_sources([write_csv(tmp_path / "declarations.csv", [GOOD_ROW])], store)
    finally:
        holder.kill()
        holder.wait()
    [error] = info.value.result.errors
    assert error.rule == Rule.STORE_UNAVAILABLE and "another process" in error.message


def test_an_items_file_not_named_so_is_told_how_to_say_its_table(tmp_path: Path) -> None:
    mapping = parse_mapping(
        {
            "tables": {
                "declarations": {"columns": {"declarant_id": "AGENT"}},
                "items": {"columns": {"hs_code": "HS"}},
            }
        }
    )
    path = write_csv(
        tmp_path / "lines.csv",
        [{"declaration_id": "D1", "item_no": "1", "HS": "847130", "declared_value": "5"}],
    )
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb", mapping=mapping)
    assert info.value.result.errors
    assert all("name it items*.csv or pass --table items" in e.message for e in info.value.result.errors)
    load_sources([path], tmp_path / "s.duckdb", mapping=mapping, table="items")
    assert store_rows(tmp_path / "s.duckdb", "SELECT hs_code FROM items") == [("847130",)]


def _per_item_mapping() -> Mapping:
    items = {"item_no": "LINE", "hs_code": "HS", "declared_value": "LINE_VALUE"}
    return parse_mapping({"tables": {"declarations": {"columns": {}}, "items": {"columns": items}}})


def test_a_file_with_one_line_per_item_fills_each_declaration_once(tmp_path: Path) -> None:
    lines = [
        {**GOOD_ROW, "LINE": "1", "HS": "847130", "LINE_VALUE": "600"},
        {**GOOD_ROW, "LINE": "2", "HS": "852872", "LINE_VALUE": "400"},
        {**GOOD_ROW, "declaration_id": "D2", "LINE": "1", "HS": "270900", "LINE_VALUE": "5"},
    ]
    store = tmp_path / "s.duckdb"
    result = load_sources([write_csv(tmp_path / "export.csv", lines)], store, mapping=_per_item_mapping())
    assert result.loaded == {"declarations": 2, "items": 3}
    assert store_rows(store, "SELECT declaration_id, count(*) FROM items GROUP BY 1 ORDER BY 1") == [
        ("D1", 2),
        ("D2", 1),
    ]


def test_lines_of_one_declaration_that_disagree_are_reported_as_duplicates(tmp_path: Path) -> None:
    lines = [
        {**GOOD_ROW, "LINE": "1", "HS": "847130", "LINE_VALUE": "600"},
        {**GOOD_ROW, "declared_value": "999", "LINE": "2", "HS": "852872", "LINE_VALUE": "400"},
    ]
    with pytest.raises(LoadRejected) as info:
        load_sources(
            [write_csv(tmp_path / "export.csv", lines)], tmp_path / "s.duckdb", mapping=_per_item_mapping()
        )
    assert [(e.row, e.rule) for e in info.value.result.errors] == [
        (1, Rule.DUPLICATE_KEY),
        (2, Rule.DUPLICATE_KEY),
    ]
