"""A spreadsheet built to take a worker for long is refused before openpyxl reads it.

Staff imports (the risk register, the question bank) are read in the request, like the
reporting channel's files; these are the same ZIP bomb and worksheet of a million cells.
"""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from arusha_web.diagnose.bank_xlsx import BankImportError, bank_rows_from_xlsx
from arusha_web.risks.spreadsheet import ImportRejected, register_import

_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xlsx(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{_S}"/>')
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


BOMB = ("bomb", lambda: _xlsx({"xl/media/image1.png": bytes(30 * 1024 * 1024)}), "unpacks to more than 20 MB")
CELLS = (
    "cells",
    lambda: _xlsx(
        {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>" + b"<c/>" * 1_100_000 + b"</row>"}
    ),
    "holds more than 1,000,000 cells",
)


@pytest.mark.parametrize(("kind", "build", "expected"), [BOMB, CELLS], ids=["bomb", "cells"])
def test_a_costly_workbook_is_refused_by_both_imports_before_it_is_read(kind: str, build, expected: str):
    data = build()
    assert len(data) < 200_000
    start = time.monotonic()
    with pytest.raises(ImportRejected) as register:
        register_import(data=data, actor=None)  # refused before any database access
    with pytest.raises(BankImportError) as bank:
        bank_rows_from_xlsx(io.BytesIO(data))
    assert time.monotonic() - start < 4.0
    assert expected in register.value.errors[0] and expected in bank.value.errors[0]
