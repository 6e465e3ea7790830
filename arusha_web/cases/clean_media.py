"""Lossless removal of metadata from JPEG and PNG images found inside documents.

Photos pasted into a Word document or scanned into a PDF keep their EXIF block (camera serial
number, GPS position, date): the document's own properties are not the only thing to clean.
Re-encoding would change every pixel of a scanned page; dropping the metadata segments keeps
the picture exactly as it was.
"""

from __future__ import annotations

import struct

# JPEG APPn segments kept: APP0 (JFIF header) and APP14 (Adobe colour transform) change how the
# pixels decode. APP2 is kept only when it holds an ICC colour profile.
_KEEP_APP = {0xE0, 0xEE}
_SOS = 0xDA


def jpeg_without_metadata(data: bytes) -> bytes:
    """Return the JPEG without EXIF, XMP, IPTC, comments; unchanged if it cannot be parsed."""
    if not data.startswith(b"\xff\xd8"):
        return data
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return data
        marker = data[pos + 1]
        if marker == _SOS:
            out += data[pos:]
            return bytes(out)
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos : pos + 2 + length]
        is_app = 0xE0 <= marker <= 0xEF
        is_icc = marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\x00"
        if not (is_app and marker not in _KEEP_APP and not is_icc) and marker != 0xFE:
            out += segment
        pos += 2 + length
    return data


# PNG chunks that carry text, dates or EXIF; none is needed to draw the image.
_PNG_METADATA = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_without_metadata(data: bytes) -> bytes:
    """Return the PNG without text, time and EXIF chunks; unchanged if it cannot be parsed."""
    if not data.startswith(_PNG_SIGNATURE):
        return data
    out = bytearray(_PNG_SIGNATURE)
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos : pos + 12 + length]
        if kind not in _PNG_METADATA:
            out += chunk
        pos += 12 + length
        if kind == b"IEND":
            return bytes(out)
    return data


def image_without_metadata(data: bytes) -> bytes:
    """Return JPEG or PNG data cleaned; any other data unchanged."""
    if data.startswith(b"\xff\xd8"):
        return jpeg_without_metadata(data)
    return png_without_metadata(data)
