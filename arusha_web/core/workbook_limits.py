"""A spreadsheet that staff upload is read in the request: one built to take a worker for long is
refused before openpyxl opens it.

An .xlsx file is a ZIP of XML parts: 50 KB can unpack to gigabytes, or to millions of cells that
openpyxl reads one by one while a web worker waits. The ZIP's directory states each part's
unpacked size (binding: zipfile stops at it, and a part that holds more fails its checksum), and
the "<" bytes of a part bound its elements; both cost a few milliseconds. The reporting
channel's files are bounded the same way, with more (cases/clean_limits.py).
"""

from __future__ import annotations

import io
import zipfile

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# The risk register's 5,000 rows of 30 columns unpack to some 10 MB; a question bank to far less.
MAX_UNPACKED_MB = 20
MAX_ELEMENTS = 1_000_000
MAX_PARTS = 1_000


def workbook_problem(data: bytes) -> str | None:
    """Return why the workbook `data` is refused before it is read, or None.

    A file that is not a ZIP is left to openpyxl, whose own message says so.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED_MB * 1048576:
                return _(
                    "The workbook unpacks to more than %(limit)s MB (an .xlsx file is compressed), more "
                    "than an import needs. Keep only the sheet to import, then send it again."
                ) % {"limit": MAX_UNPACKED_MB}
            elements = sum(archive.read(p).count(b"<") for p in parts if p.filename.endswith(".xml"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, ValueError, OSError, EOFError):
        return None
    if elements > MAX_ELEMENTS:
        return _(
            "The workbook holds more than %(limit)s cells and other elements, more than an import "
            "needs. Keep only the sheet to import, then send it again."
        ) % {"limit": number_format(MAX_ELEMENTS, force_grouping=True)}
    return None
