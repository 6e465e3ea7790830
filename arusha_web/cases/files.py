"""Attachments: type checked by content, metadata stripped, stored encrypted.

Reporters' files can betray them (camera serial numbers and GPS in EXIF, author names in
document properties). Images are decoded and re-encoded by Pillow, which drops EXIF, XMP and
comments. PDFs are rewritten by pikepdf without their metadata (clean_pdf), Word, Excel and
PowerPoint files without theirs (clean_office); each module lists what it removes and what
it cannot. Files that cannot be cleaned completely (password-protected, macro-enabled, old
binary Office formats, damaged) are refused with the reason, since a half-cleaned file would
give false comfort. Evidence items uploaded by investigators are kept as received, with
their SHA-256, because altering evidence would break the chain of custody.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from . import crypto
from .clean_office import EXTENSIONS as OOXML_EXTENSIONS
from .clean_office import OOXML_TYPES, refuse_legacy_office, strip_office
from .clean_pdf import strip_pdf


def max_upload_bytes() -> int:
    return int(getattr(settings, "ARUSHA_CASES_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "cases"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class CleanFile:
    name: str
    content_type: str
    data: bytes
    sha256: str


def _sniff(head: bytes) -> str | None:
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
                raise ValidationError(
                    _(
                        "“%(name)s” is too large (%(width)s × %(height)s pixels; the limit is "
                        "%(limit)s million pixels): send a smaller photo or a screenshot."
                    )
                    % {"name": name, "width": width, "height": height, "limit": MAX_IMAGE_PIXELS // 1_000_000}
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
        raise ValidationError(
            _("“%(name)s” could not be read as an image; it may be damaged.") % {"name": name}
        ) from exc
    out = io.BytesIO()
    if kind == "image/jpeg":
        clean.convert("RGB").save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG")
    return out.getvalue()


def clean_report_file(upload: UploadedFile) -> CleanFile:
    """Return the reporter's file checked and stripped of metadata, or raise ValidationError."""
    name = os.path.basename(upload.name or "file")
    if upload.size is not None and upload.size > max_upload_bytes():
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": name, "size": round(upload.size / 1048576, 1), "limit": max_upload_bytes() // 1048576}
        )
    data = upload.read()
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    kind = _sniff(data[:16])
    stem = os.path.splitext(name)[0] or "file"
    if kind in ("image/jpeg", "image/png"):
        ext = ".jpg" if kind == "image/jpeg" else ".png"
        cleaned = _strip_image(data, kind, name)
        return CleanFile(stem + ext, kind, cleaned, hashlib.sha256(cleaned).hexdigest())
    text = _as_utf8_text(data) if kind is None and name.lower().endswith(".txt") else None
    if text is not None:
        return CleanFile(name, "text/plain", text, hashlib.sha256(text).hexdigest())
    if kind == "application/pdf":
        cleaned = strip_pdf(data, name)
        return CleanFile(stem + ".pdf", kind, cleaned, hashlib.sha256(cleaned).hexdigest())
    if kind == "application/zip":
        cleaned, kind, ext = strip_office(data, name)
        return CleanFile(stem + ext, kind, cleaned, hashlib.sha256(cleaned).hexdigest())
    if kind == "application/x-ole-storage":
        raise refuse_legacy_office(name)
    raise ValidationError(
        _(
            "“%(name)s” is not an accepted file: only JPEG or PNG images, PDF, Word (.docx), "
            "Excel (.xlsx), PowerPoint (.pptx) and plain text (.txt) files."
        )
        % {"name": name}
    )


_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "text/plain": ".txt",
    "application/pdf": ".pdf",
    **{OOXML_TYPES[prefix]: ext for prefix, ext in OOXML_EXTENSIONS.items()},
}


def extension_for(content_type: str) -> str:
    """The file-name extension of a stored type ('' if unknown), so a download opens by double-click."""
    return _EXTENSIONS.get(content_type, "")


def read_evidence_file(upload: UploadedFile) -> CleanFile:
    """Return an investigator's evidence file unchanged, with its SHA-256, or raise ValidationError."""
    name = os.path.basename(upload.name or "file")
    if upload.size is not None and upload.size > max_upload_bytes():
        raise ValidationError(
            _("“%(name)s” is too large; the limit is %(limit)s MB.")
            % {"name": name, "limit": max_upload_bytes() // 1048576}
        )
    data = upload.read()
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    kind = _sniff(data[:16]) or "application/octet-stream"
    return CleanFile(name, kind, data, hashlib.sha256(data).hexdigest())


def store(data: bytes) -> str:
    """Write `data` encrypted under MEDIA_ROOT/cases and return its random file name."""
    stored_name = secrets.token_hex(16) + ".bin"
    path = storage_dir() / stored_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(crypto.encrypt_bytes(data))
    return stored_name


def load(stored_name: str) -> bytes:
    return crypto.decrypt_bytes((storage_dir() / stored_name).read_bytes())


def shred(stored_name: str) -> None:
    """Overwrite the file with random bytes, then remove it.

    On copy-on-write file systems and SSDs an overwrite does not reach the old blocks; there
    the encryption is what protects deleted files (the key can be rotated).
    """
    path = storage_dir() / stored_name
    if not path.exists():
        return
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.write(secrets.token_bytes(size))
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
