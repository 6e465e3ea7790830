"""A reporter's file checked by its content and stripped of what identifies its author.

This is what runs in the cleaning process (clean_process): it imports no model and reads no
setting, and every refusal is a lazy message with its values, translated when the form shows
it in the web process. files.clean_report_file is the entry point from a form.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .clean_limits import CleaningLimits, WorkBudget, refusal
from .clean_office import refuse_legacy_office, strip_office
from .clean_pdf import strip_pdf


@dataclass(frozen=True)
class CleanFile:
    name: str
    content_type: str
    data: bytes
    sha256: str


def sniff(head: bytes) -> str | None:
    """Return the type named by the file's first bytes (magic numbers), not by its name."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "application/x-ole-storage"  # old .doc/.xls/.ppt, or a password-protected .docx
    return None


# Control characters other than tab, line feed, form feed and carriage return: binary data.
_BINARY = {chr(c) for c in range(32) if c not in (9, 10, 12, 13)} | {"\x7f"}


def _as_utf8_text(data: bytes) -> bytes | None:
    """Return a text file re-encoded as UTF-8, or None when it is not text.

    Reporters write on whatever computer they have: Windows Notepad saves UTF-16 ("Unicode")
    or Windows-1252 ("ANSI") as often as UTF-8, and refusing those would tell a reporter that
    his plain text file is "not accepted" for no reason he can see.
    """
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    candidates = ["utf-16"] if utf16 else ["utf-8-sig", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ch in _BINARY for ch in text):
            return None
        return text.encode("utf-8")
    return None


# Decoding a larger image would need gigabytes of memory: a photo of a document needs far less.
MAX_IMAGE_PIXELS = 50_000_000


def _strip_image(data: bytes, kind: str, name: str) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise refusal(
                    _(
                        "“%(name)s” is too large (%(width)s × %(height)s pixels; the limit is "
                        "%(limit)s million pixels): send a smaller photo or a screenshot."
                    ),
                    name,
                    width=width,
                    height=height,
                    limit=MAX_IMAGE_PIXELS // 1_000_000,
                )
            image.load()
            mode = (
                "RGBA"
                if kind == "image/png" and "A" in image.getbands() or "transparency" in image.info
                else "RGB"
            )
            pixels = image.convert(mode)
            # A new image built from raw pixels carries no EXIF, XMP, ICC or text chunks.
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise refusal(_("“%(name)s” could not be read as an image; it may be damaged."), name) from exc
    out = io.BytesIO()
    if kind == "image/jpeg":
        clean.convert("RGB").save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG")
    return out.getvalue()


def clean_report_data(data: bytes, name: str, limits: CleaningLimits) -> CleanFile:
    """Return the file `name` checked and stripped of metadata, or raise ValidationError."""
    kind = sniff(data[:16])
    stem = os.path.splitext(name)[0] or "file"
    budget = WorkBudget(limits, name)
    if kind in ("image/jpeg", "image/png"):
        ext = ".jpg" if kind == "image/jpeg" else ".png"
        cleaned = _strip_image(data, kind, name)
        return CleanFile(stem + ext, kind, cleaned, hashlib.sha256(cleaned).hexdigest())
    text = _as_utf8_text(data) if kind is None and name.lower().endswith(".txt") else None
    if text is not None:
        return CleanFile(name, "text/plain", text, hashlib.sha256(text).hexdigest())
    if kind == "application/pdf":
        cleaned = strip_pdf(data, name, budget)
        return CleanFile(stem + ".pdf", kind, cleaned, hashlib.sha256(cleaned).hexdigest())
    if kind == "application/zip":
        cleaned, kind, ext = strip_office(data, name, budget)
        return CleanFile(stem + ext, kind, cleaned, hashlib.sha256(cleaned).hexdigest())
    if kind == "application/x-ole-storage":
        raise refuse_legacy_office(name)
    raise refusal(
        _(
            "“%(name)s” is not an accepted file: only JPEG or PNG images, PDF, Word (.docx), "
            "Excel (.xlsx), PowerPoint (.pptx) and plain text (.txt) files."
        ),
        name,
    )
