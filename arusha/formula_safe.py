"""CSV and XLSX files for people: text in them is never run as a formula.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return, which it skips) as a formula, and openpyxl stores a string that starts with ``=``
as a formula. Text that reaches an export (a risk title, a reporter's words, an identifier in an
uploaded file) could then fetch an address or start a program on the reader's machine (OWASP's
"CSV injection"). Every CSV and XLSX file that Arusha writes for people goes through this module.

The CSV half exists on PyPI as ``defusedcsv``, but it lets a leading tab or carriage return
through (OWASP lists both) and rewrites every ``|`` inside the cells it escapes; the rule is the
few lines of `csv_cell`.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> csv_writer(out).writerow(["=1+2", "-12.5", 7])
    15
    >>> out.getvalue()
    "'=1+2,-12.5,7\\r\\n"
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:  # openpyxl is loaded by the caller that builds a workbook, not on import
    from openpyxl import Workbook

__all__ = ["FORMULA_STARTS", "CsvWriter", "csv_cell", "csv_writer", "xlsx_bytes"]

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
# "-12.5" or "+3e-05" is read as a number, not run: left as it is, so numeric columns stay numeric.
_PLAIN_NUMBER: Final = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_cell(value: Any) -> Any:
    """Return ``value`` as a CSV cell that no spreadsheet runs as a formula.

    Text that would start a formula gets a leading ``'``, which spreadsheets take as "this is
    text" and do not show. Numbers, and text that is only a number, are returned unchanged.

    Example:
        >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-3"), csv_cell("@SUM(A1)"), csv_cell(4)
        ('\\'=HYPERLINK("http://x")', '-3', "'@SUM(A1)", 4)
    """
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class CsvWriter:
    """A `csv.writer` whose cells pass through `csv_cell` first."""

    def __init__(self, file: _Writable, **fmtparams: Any) -> None:
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row; return what the file's ``write`` returned (a streaming response uses it)."""
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file: _Writable, **fmtparams: Any) -> CsvWriter:
    """Return a CSV writer for a file people will open in a spreadsheet (same options as `csv.writer`)."""
    return CsvWriter(file, **fmtparams)


def xlsx_bytes(workbook: Workbook) -> bytes:
    """Return the workbook as XLSX bytes, every text cell stored as text, never as a formula.

    openpyxl turns a string starting with ``=`` into a formula when it is put in a cell. Setting
    the cell's type back to text stores the very same characters, so reading the file back (the
    risk register and the question bank are imported from their own exports) gives exactly what
    was written; a leading ``'`` would instead become part of the text.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
