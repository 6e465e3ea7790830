"""Exports the shipped mappings do not cover: what a new administration's files and mappings bring."""

from __future__ import annotations

from pathlib import Path

import pytest

from arusha.contract import Rule
from arusha.importing import LoadRejected, load_sources
from arusha.importing.mapping import parse_mapping
from tests.conftest import GOOD_ROW, store_rows, write_csv


def _declarations_mapping(**columns: object) -> object:
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
