"""Attachments: type checked by content, metadata stripped, stored encrypted.

Reporters' files can betray them (camera serial numbers and GPS in EXIF, author names in
document properties). Images are decoded and re-encoded by Pillow, which drops EXIF, XMP and
comments. PDFs are rewritten by pikepdf without their metadata (clean_pdf), Word, Excel and
PowerPoint files without theirs (clean_office); each module lists what it removes and what
it cannot. Files that cannot be cleaned completely (password-protected, macro-enabled, old
binary Office formats, damaged) are refused with the reason, since a half-cleaned file would
give false comfort. Evidence items uploaded by investigators are kept as received, with
their SHA-256, because altering evidence would break the chain of custody.

A reporter's file is cleaned (clean_upload) in a child process with a time and a memory limit
(clean_process), after counts checked before the work (clean_limits): a small upload can
otherwise unpack to gigabytes or hold millions of elements, and tie up a web worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto
from .clean_limits import CleaningLimits
from .clean_office import EXTENSIONS as OOXML_EXTENSIONS
from .clean_office import OOXML_TYPES
from .clean_process import run_limited
from .clean_upload import CleanFile, clean_report_data, sniff
from .models import reporter_day


def max_upload_bytes() -> int:
    return int(getattr(settings, "ARUSHA_CASES_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "cases"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_report_files() -> int:
    """Return how many files a reporter may send at once: each may take the full time limit."""
    return int(getattr(settings, "ARUSHA_CASES_MAX_FILES", 5))


# The limits of cleaning one reporter's file: setting -> default.
_LIMIT_SETTINGS = {
    "ARUSHA_CASES_MAX_UNPACKED_MB": 50,
    "ARUSHA_CASES_MAX_XML_ELEMENTS": 1_000_000,
    "ARUSHA_CASES_MAX_PDF_OBJECTS": 100_000,
    "ARUSHA_CASES_CLEAN_SECONDS": 10,
    "ARUSHA_CASES_CLEAN_MEMORY_MB": 1024,
}


def cleaning_limits() -> CleaningLimits:
    """Return the limits of the work cleaning one reporter's file may take, from settings."""
    value = {name: getattr(settings, name, default) for name, default in _LIMIT_SETTINGS.items()}
    wrong = [f"{name} = {v!r}" for name, v in value.items() if not isinstance(v, int) or v <= 0]
    if wrong:
        raise ImproperlyConfigured(f"These settings must be whole numbers above 0: {', '.join(wrong)}.")
    return CleaningLimits(
        unpacked_bytes=value["ARUSHA_CASES_MAX_UNPACKED_MB"] * 1048576,
        xml_elements=value["ARUSHA_CASES_MAX_XML_ELEMENTS"],
        pdf_objects=value["ARUSHA_CASES_MAX_PDF_OBJECTS"],
        seconds=value["ARUSHA_CASES_CLEAN_SECONDS"],
        memory_bytes=value["ARUSHA_CASES_CLEAN_MEMORY_MB"] * 1048576,
    )


def clean_report_file(upload: UploadedFile) -> CleanFile:
    """Return the reporter's file checked and stripped of metadata, or raise ValidationError.

    The work is done by clean_upload in a child process within cleaning_limits(), so that a
    file built to be slow or to fill the memory costs its time limit and nothing more.
    """
    name = os.path.basename(upload.name or "file")
    if upload.size is not None and upload.size > max_upload_bytes():
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": name, "size": round(upload.size / 1048576, 1), "limit": max_upload_bytes() // 1048576}
        )
    data = upload.read()
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    limits = cleaning_limits()
    return run_limited(clean_report_data, data, name, limits, name=name, limits=limits)


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
    kind = sniff(data[:16]) or "application/octet-stream"
    return CleanFile(name, kind, data, hashlib.sha256(data).hexdigest())


def _set_day(path: Path, day: dt.datetime) -> None:
    """Set the file's access and modification times to the start of its day."""
    stamp = reporter_day(day).timestamp()
    os.utime(path, (stamp, stamp))


def store(data: bytes, *, day: dt.datetime | None = None) -> str:
    """Write `data` encrypted under MEDIA_ROOT/cases and return its random file name.

    The file and the folder are dated to the start of `day` (default today), like the
    database rows (models.reporter_day): a modification time to the millisecond would say
    when a reporter sent the file. The kernel's change time (ctime) cannot be set; see
    blur_change_times.
    """
    stored_name = secrets.token_hex(16) + ".bin"
    folder = storage_dir()
    path = folder / stored_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(crypto.encrypt_bytes(data))
    when = day or timezone.now()
    _set_day(path, when)
    _set_day(folder, when)
    return stored_name


def blur_change_times() -> int:
    """Re-date every stored file to its day, so that all share the change time of this run.

    The kernel sets a file's change time (ctime) to the second of every write, and no program
    may set it back; touching every file at once (cases_reminders, daily) leaves each with the
    time of that run instead of the time its reporter sent it. Returns how many files.
    """
    folder = storage_dir()
    count = 0
    for path in folder.glob("*.bin"):
        _set_day(path, dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC))
        count += 1
    _set_day(folder, dt.datetime.fromtimestamp(folder.stat().st_mtime, tz=dt.UTC))
    return count


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
