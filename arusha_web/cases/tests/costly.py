"""Small files that ask for a great deal of work, built in the tests like the security review's.

Each builder takes well under a second; none writes to disk.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import partial

_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_CT}"/>'


def office(parts: dict[str, bytes | str]) -> bytes:
    """A ZIP package holding `parts` and an empty [Content_Types].xml, every part deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_of_empty_paragraphs(megabytes: int, *, tracked_change: bool = False) -> bytes:
    """A Word file of some 25 KB whose text part unpacks to `megabytes` of empty paragraphs.

    With `tracked_change`, one paragraph carries an author and a date, so that the text part
    must be parsed to remove them.
    """
    change = (
        '<w:p><w:ins w:id="1" w:author="Jane" w:date="2031-05-06T10:00:00Z"/></w:p>' if tracked_change else ""
    )
    body = b"<w:p/>" * (megabytes * 1024 * 1024 // 6)
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>{change}'.encode()
    return office({"word/document.xml": document + body + b"</w:body></w:document>"})


def xlsx_of_empty_cells(count: int) -> bytes:
    """An Excel file whose one sheet holds `count` empty cells in one row."""
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_S}"><sheetData><row r="1">'.encode()
    return office(
        {
            "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{_S}"/>',
            "xl/worksheets/sheet1.xml": sheet + b"<c/>" * count + b"</row></sheetData></worksheet>",
        }
    )


def docx_with_picture_of(size: int) -> bytes:
    """A Word file holding a "picture" of `size` zero bytes: a ZIP bomb with honest sizes."""
    return office(
        {"word/document.xml": f'<w:document xmlns:w="{_W}"/>', "word/media/image1.png": bytes(size)}
    )


def with_stated_size(package: bytes, part: str, size: int) -> bytes:
    """The ZIP `package` with the unpacked size of `part` stated as `size` in its directory.

    Only the central directory is changed: it is what zipfile reads the sizes from.
    """
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = archive.getinfo(part)
    name = part.encode()
    data = bytearray(package)
    directory = data.find(b"PK\x01\x02")
    while directory != -1:
        name_length = struct.unpack_from("<H", data, directory + 28)[0]
        if data[directory + 46 : directory + 46 + name_length] == name:
            assert struct.unpack_from("<I", data, directory + 24)[0] == info.file_size
            struct.pack_into("<I", data, directory + 24, size)
            return bytes(data)
        directory = data.find(b"PK\x01\x02", directory + 4)
    raise AssertionError(f"no {part} in the package")


def docx_embedding(workbook: bytes, *, picture: int = 0) -> bytes:
    """A Word file with `workbook` embedded as a chart's data, and a "picture" of `picture` zero bytes."""
    parts: dict[str, bytes | str] = {
        "word/document.xml": f'<w:document xmlns:w="{_W}"/>',
        "word/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook,
    }
    if picture:
        parts["word/media/image1.png"] = bytes(picture)
    return office(parts)


def xlsx_embedding(workbook: bytes | None = None, *, picture: int = 0) -> bytes:
    """An Excel file embedding `workbook`, and holding a "picture" of `picture` zero bytes."""
    parts: dict[str, bytes | str] = {"xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{_S}"/>'}
    if workbook is not None:
        parts["xl/embeddings/Microsoft_Excel_Worksheet.xlsx"] = workbook
    if picture:
        parts["xl/media/image1.png"] = bytes(picture)
    return office(parts)


def pdf_with_objects_in_streams(count: int) -> bytes:
    """A valid one-page PDF of some 10 bytes per object, whose `count` objects are packed in an
    object stream (the review's file: 2 MB, 300,000 objects, 9 s to clean)."""
    first = 5  # 1-3: catalog, pages, page; 4: the object stream; then its objects; then the xref
    objects = b"<<>>\n" * count
    index = (
        b" ".join(
            map(b"%d %d".__mod__, zip(range(first, first + count), range(0, 5 * count, 5), strict=True))
        )
        + b"\n"
    )
    packed = zlib.compress(index + objects, 1)
    out = bytearray(b"%PDF-1.5\n")
    offsets = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    add(1, b"<</Type/Catalog/Pages 2 0 R>>")
    add(2, b"<</Type/Pages/Kids[3 0 R]/Count 1>>")
    add(3, b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<<>>>>")
    stream_head = b"<</Type/ObjStm/N %d/First %d/Length %d/Filter/FlateDecode>>" % (
        count,
        len(index),
        len(packed),
    )
    add(4, stream_head + b"\nstream\n" + packed + b"\nendstream")
    xref = first + count
    offsets[xref] = len(out)
    rows = [struct.pack(">BII", 0, 0, 65535)]
    rows += [struct.pack(">BII", 1, offsets[n], 0) for n in range(1, first)]
    rows += map(partial(struct.pack, ">BII", 2, 4), range(count))
    rows.append(struct.pack(">BII", 1, offsets[xref], 0))
    table = zlib.compress(b"".join(rows), 1)
    head = b"<</Type/XRef/Size %d/W[1 4 4]/Root 1 0 R/Length %d/Filter/FlateDecode>>" % (xref + 1, len(table))
    out.extend(b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (xref, head, table))
    out.extend(b"startxref\n%d\n%%%%EOF\n" % offsets[xref])
    return bytes(out)
