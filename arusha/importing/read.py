"""Stage a source file (CSV, Parquet, Excel) into DuckDB with a 1-based ``__row`` number.

Everything from CSV and Excel is staged as text so that a bad value is reported, not guessed at;
Parquet keeps its types. Row numbers count data rows (row 1 is the first record after the header).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from arusha.importing.mapping import Mapping


class UnreadableFile(Exception):
    """The source cannot be opened or parsed as the format its extension names."""


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def file_hash(path: Path) -> str:
    """Return the SHA-256 of the file content (the idempotency key of a load)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        sample = handle.read(65536)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


# How many leading rows may hold a title, an extraction date or blank lines above the header.
HEADER_SEARCH_ROWS = 20


def find_header(rows: Sequence[Sequence[object]], expected: set[str]) -> tuple[int, int]:
    """Return (index of the header among an export's first ``rows``, how many expected names it has).

    The header is the first row naming the most ``expected`` columns (lower-cased); row 0 when no row
    names any, so that a file without a recognisable header is reported as missing its columns.
    Exports often put a title ("Extraction SYDONIA du 05/12/2026") and blank lines above it.
    """
    best, best_score = 0, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = sum(1 for cell in row if cell is not None and str(cell).strip().lower() in expected)
        if score > best_score:
            best, best_score = i, score
    return best, best_score


# The first bytes of files that are no CSV, to say what a renamed file really is.
_MAGIC = {
    b"PK\x03\x04": "an Excel workbook or another zip archive (name it .xlsx)",
    b"PAR1": "a Parquet file (name it .parquet)",
}


def _not_text(path: Path) -> str | None:
    """Return why ``path`` is no text file (binary content), or ``None`` when it looks like text."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    kind = next((what for magic, what in _MAGIC.items() if head.startswith(magic)), None)
    if kind:
        return f"this is {kind}, not a CSV file"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary content, not a CSV text file"
    return None


def _first_undecodable(path: Path, encoding: str) -> str:
    """Return where ``path`` stops being valid ``encoding`` text, in words a user can act on."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                line += block.count(b"\n", 0, exc.start)
                bad = block[exc.start : exc.start + 1]
                return (
                    f"line {line} is not valid {encoding} text (byte {bad!r}); set csv.encoding in the "
                    "mapping to the export's encoding, e.g. encoding: cp1252 or latin-1"
                )
            line += block.count(b"\n")
    return f"the file is not valid {encoding} text; set csv.encoding in the mapping"


def _read_csv(path: Path, mapping: Mapping) -> pa.Table:
    encoding = mapping.encoding
    reason = _not_text(path)
    if reason:
        raise UnreadableFile(reason)
    delimiter = mapping.delimiter or _sniff_delimiter(path, encoding)
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        first = list(itertools.islice(csv.reader(handle, delimiter=delimiter), HEADER_SEARCH_ROWS))
    skip = find_header(first, mapping.header_names())[0]
    header = first[skip] if first else []
    if not header or not any(h.strip() for h in header):
        raise UnreadableFile("empty file or no header row")
    if skip == 0:
        header[0] = header[0].removeprefix("\ufeff")  # a byte-order mark is no part of the name
    ragged: list[pacsv.InvalidRow] = []
    try:
        table = _read_csv_table(path, encoding, delimiter, header, skip, ragged)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc):
            raise UnreadableFile(_first_undecodable(path, encoding)) from exc
        raise
    if ragged:
        raise UnreadableFile(_ragged_message(path, encoding, delimiter, skip, len(header), len(ragged)))
    return table


def _ragged_message(path: Path, encoding: str, delimiter: str, skip: int, width: int, count: int) -> str:
    """Say which record first has another number of fields than the header, and how many do."""
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        # Rows after the header; blank lines are no records, for Arrow either.
        records = (r for r in itertools.islice(reader, skip + 1, None) if r)
        for row, record in enumerate(records, start=1):
            if len(record) != width:
                shown = delimiter.join(record)[:80]
                others = f"; {count} rows are so" if count > 1 else ""
                return (
                    f"row {row} (line {reader.line_num}) has {len(record)} fields where the header has "
                    f"{width} ({shown!r}): a delimiter inside an unquoted value, or a line cut short{others}"
                )
    return f"{count} rows have another number of fields than the header ({width})"


def _read_csv_table(
    path: Path, encoding: str, delimiter: str, header: list[str], skip: int, ragged: list[pacsv.InvalidRow]
) -> pa.Table:
    def keep_aside(row: pacsv.InvalidRow) -> str:
        ragged.append(row)  # counted here, located by _ragged_message (Arrow's threads lose lines)
        return "skip"

    return pacsv.read_csv(
        path,
        # The names are given, so no cell is read as a header and every column is text: a first
        # column "00123" behind a byte-order mark keeps its zeros.
        read_options=pacsv.ReadOptions(
            encoding=encoding, block_size=1 << 24, column_names=header, skip_rows=skip + 1
        ),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=keep_aside),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            # Only an empty field is missing: Arrow's default list would also empty "NA" (Namibia's
            # country code, or an identifier), "NULL", "N/A" and "NaN" without a word.
            null_values=[""],
            strings_can_be_null=True,
        ),
    )


def _cell(value: object, decimal: str) -> str | None:
    """Return an Excel cell as the text the mapping's number and date rules read.

    A number cell is written with the mapping's decimal separator: a mapping shared with the
    system's CSV exports (``decimal: ","``) would otherwise read 357373.22 as 35737322.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float) and decimal == ",":
        return str(value).replace(".", ",")
    return str(value)


def _read_xlsx(path: Path, mapping: Mapping) -> pa.Table:
    import openpyxl  # only Excel sources pay for it

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        expected = mapping.header_names()
        if mapping.sheet:
            if mapping.sheet not in book.sheetnames:
                raise UnreadableFile(
                    f"no sheet named {mapping.sheet!r}; the workbook has {', '.join(map(repr, book.sheetnames))}"
                )
            sheet = book[mapping.sheet]
        else:
            # The sheet whose header names the most expected columns (the first on a tie): a
            # workbook often opens on a summary or a cover sheet.
            sheet = max(book.worksheets, key=lambda ws: _header_score(ws, expected))
        rows = sheet.iter_rows(values_only=True)
        first = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        skip = find_header([list(r) for r in first], expected)[0]
        header_row = first[skip] if first else ()
        # Positions of the named columns: an unnamed column in between must not shift the others.
        named = [(i, str(h)) for i, h in enumerate(header_row) if h is not None and str(h).strip()]
        if not named:
            raise UnreadableFile(f"empty sheet {sheet.title!r} or no header row")
        columns: list[list[str | None]] = [[] for _ in named]
        for row in itertools.chain(first[skip + 1 :], rows):
            if row is None or all(v is None for v in row):
                continue
            for n, (i, _name) in enumerate(named):
                columns[n].append(_cell(row[i], mapping.decimal) if i < len(row) else None)
    finally:
        book.close()
    return pa.table(
        {name: pa.array(values, pa.string()) for (_i, name), values in zip(named, columns, strict=True)}
    )


def _header_score(sheet: Any, expected: set[str]) -> int:
    first = itertools.islice(sheet.iter_rows(values_only=True), HEADER_SEARCH_ROWS)
    return find_header([list(r) for r in first], expected)[1]


def stage(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, name: str) -> int:
    """Create relation ``name`` over ``path`` with a ``__row`` column; return its row count.

    Raises:
        UnreadableFile: When the file cannot be read.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * EXCLUDE (file_row_number), "
                f"file_row_number + 1 AS __row FROM read_parquet({_literal(str(path))}, file_row_number = true)"
            )
        elif suffix in {".csv", ".txt", ".tsv", ".xlsx"}:
            table = _read_xlsx(path, mapping) if suffix == ".xlsx" else _read_csv(path, mapping)
            table = table.append_column("__row", pa.array(range(1, table.num_rows + 1), pa.int64()))
            con.register(f"{name}_arrow", table)
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_arrow")
        else:
            raise UnreadableFile(f"unsupported file type {suffix!r} (use .csv, .parquet or .xlsx)")
        count = con.execute(f"SELECT count(*) FROM {name}").fetchall()[0]
    except UnreadableFile:
        raise
    except (duckdb.Error, pa.ArrowException, OSError, UnicodeError, KeyError, ValueError) as exc:
        raise UnreadableFile(str(exc).splitlines()[0]) from exc
    return int(count[0]) if count else 0


def source_types(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, str]:
    """Return source column name -> DuckDB type of a staged relation."""
    rows = con.execute(f"DESCRIBE {name}").fetchall()
    return {str(r[0]): str(r[1]) for r in rows if r[0] != "__row"}
