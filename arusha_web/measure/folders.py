"""Server-side folders as dataset sources: exports read where they are, never copied.

Why: clearance exports of several gigabytes often sit on a server share, and sending them through
a browser is slow and doubles the disk they take. An administrator lists the folders Arusha may
read (``ARUSHA_DATA_FOLDERS``, separated by ``os.pathsep``); an analyst registers a folder under
one of them, and its CSV, Excel and Parquet files are loaded through the same path as uploads
(``arusha.api.load_sources``), which skips a file whose content was already loaded.

Every path is checked after resolving ``..`` and symbolic links, at registration, at each scan and
again in the load job, so neither a crafted path nor a link planted later reads outside the roots.
A scan only lists and stats files (cheap on a web request); the job hashes them before loading.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha.contract import table_for_file
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record

from .models import DataFolder, Dataset, SourceFile

FOLDER_SUFFIXES = (".csv", ".xlsx", ".parquet")
SETTING = "ARUSHA_DATA_FOLDERS"


def allowed_roots() -> list[Path]:
    """The folders an administrator allowed (``ARUSHA_DATA_FOLDERS``), resolved; [] when none.

    Read from Django settings when defined there, else from the environment, so a deployment can
    set it either way.
    """
    raw: Any = getattr(settings, SETTING, None)
    if raw is None:
        raw = os.environ.get(SETTING, "")
    entries = raw.split(os.pathsep) if isinstance(raw, str) else [str(r) for r in raw]
    roots: list[Path] = []
    for entry in entries:
        entry = entry.strip()
        if entry and Path(entry).is_absolute():
            root = Path(entry).resolve()
            if root not in roots:
                roots.append(root)
    return roots


def _root_of(path: Path, roots: list[Path]) -> Path | None:
    return next((root for root in roots if path == root or path.is_relative_to(root)), None)


def checked_folder(raw: str) -> Path:
    """The resolved folder ``raw`` names, or a ValidationError saying plainly what is wrong.

    Refused: no roots configured, a relative path, a path outside the roots (also through ``..``
    or a symbolic link), a missing path, a file, a folder Arusha cannot read.
    """
    roots = allowed_roots()
    if not roots:
        raise ValidationError(
            _("No server folder is allowed yet: an administrator must set ARUSHA_DATA_FOLDERS.")
        )
    text = raw.strip()
    given = Path(text)
    if not text or not given.is_absolute():
        raise ValidationError(
            _("Give the full path of the folder, starting with one of: %(roots)s.")
            % {"roots": ", ".join(str(r) for r in roots)}
        )
    resolved = given.resolve()
    if _root_of(resolved, roots) is None:
        raise ValidationError(
            _("%(path)s is outside the folders Arusha may read (%(roots)s).")
            % {"path": text, "roots": ", ".join(str(r) for r in roots)}
        )
    if not resolved.exists():
        raise ValidationError(_("%(path)s does not exist.") % {"path": text})
    if not resolved.is_dir():
        raise ValidationError(_("%(path)s is a file, not a folder.") % {"path": text})
    try:
        with os.scandir(resolved) as entries:
            next(entries, None)
    except OSError as exc:
        raise ValidationError(
            _("Arusha cannot read %(path)s (%(reason)s).") % {"path": text, "reason": exc.strerror or exc}
        ) from exc
    return resolved


@dataclass(frozen=True)
class Found:
    """One loadable file of a folder as a scan saw it."""

    name: str
    path: Path
    size: int
    modified_at: dt.datetime
    table: str  # the table its name designates; "" when the name does not say


def _mtime(stat: os.stat_result) -> dt.datetime:
    return dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC).replace(microsecond=0)


def scan(folder: Path) -> tuple[list[Found], list[str]]:
    """The loadable files directly in ``folder`` (sorted by name), and the names left out with why.

    A file that is a symbolic link leading outside the allowed roots is left out (and said so).
    """
    roots = allowed_roots()
    found: list[Found] = []
    ignored: list[str] = []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if not entry.name.lower().endswith(FOLDER_SUFFIXES) or entry.name.startswith("."):
                continue
            real = Path(entry.path).resolve()
            if _root_of(real, roots) is None:
                ignored.append(_("%(name)s: leads outside the allowed folders") % {"name": entry.name})
                continue
            try:
                stat = real.stat()
            except OSError as exc:
                ignored.append(f"{entry.name}: {exc.strerror or exc}")
                continue
            if not real.is_file():
                continue
            found.append(
                Found(entry.name, real, stat.st_size, _mtime(stat), table_for_file(entry.name) or "")
            )
    return found, ignored


def _sync(folder: DataFolder, found: list[Found], user: User) -> dict[str, int]:
    """Bring the folder's SourceFile rows in line with what a scan saw; count new/changed/gone."""
    known = {f.path: f for f in folder.files.all()}
    new: list[SourceFile] = []
    changed = 0
    for f in found:
        row = known.pop(str(f.path), None)
        if row is None:
            new.append(
                SourceFile(
                    dataset=folder.dataset,
                    folder=folder,
                    original_name=f.name,
                    path=str(f.path),
                    size=f.size,
                    modified_at=f.modified_at,
                    table=f.table,
                    uploaded_by=user,
                )
            )
        elif (row.size, row.modified_at, row.present) != (f.size, f.modified_at, True):
            # A newer version of the file: its old hash no longer describes it.
            row.size, row.modified_at, row.present, row.sha256 = f.size, f.modified_at, True, ""
            row.save(update_fields=["size", "modified_at", "present", "sha256"])
            changed += 1
    gone = [row.pk for row in known.values() if row.present]
    SourceFile.objects.filter(pk__in=gone).update(present=False)
    # In bulk: a share may hold hundreds of files; the scan itself is one audit entry.
    SourceFile.objects.bulk_create(new)
    folder.scanned_at = timezone.now()
    folder.save(update_fields=["scanned_at"])
    return {"new": len(new), "changed": changed, "gone": len(gone), "files": len(found)}


@transaction.atomic
def folder_register(*, dataset: Dataset, raw_path: str, user: User) -> DataFolder:
    """Register a folder for ``dataset`` and scan it; refused (nothing saved) with a plain reason."""
    path = checked_folder(raw_path)
    found, ignored = scan(path)
    if not found:
        detail = (" " + "; ".join(ignored)) if ignored else ""
        raise ValidationError(
            _("%(path)s holds no CSV, Excel (.xlsx) or Parquet file to load.") % {"path": raw_path.strip()}
            + detail
        )
    if DataFolder.objects.filter(dataset=dataset, path=str(path)).exists():
        raise ValidationError(_("%(path)s is already registered for this dataset.") % {"path": str(path)})
    try:
        with transaction.atomic():
            folder = DataFolder.objects.create(dataset=dataset, path=str(path), registered_by=user)
    except IntegrityError as exc:  # registered by someone else a moment ago
        raise ValidationError(
            _("%(path)s is already registered for this dataset.") % {"path": str(path)}
        ) from exc
    counts = _sync(folder, found, user)
    audit_record(
        action="create",
        actor=user,
        obj=folder,
        after={"dataset": dataset.pk, "path": str(path), "files": counts["files"]},
    )
    return folder


@transaction.atomic
def folder_scan(*, folder: DataFolder, user: User) -> dict[str, int]:
    """Scan a registered folder again: new files appear, changed ones are marked, vanished ones flagged."""
    path = checked_folder(folder.path)
    found, _ignored = scan(path)
    counts = _sync(folder, found, user)
    audit_record(action="update", actor=user, obj=folder, after={"scanned": counts})
    return counts


class FolderFileChanged(Exception):
    """A folder's file vanished, moved out of the roots or changed between the scan and the load."""

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name


def verify_and_hash(
    files: list[SourceFile], progress: Callable[[int, str], None] | None = None
) -> list[dict[str, Any]]:
    """Check each folder file against what the scan saw, then hash it; the record of what a load reads.

    Runs in the load job (hashing a large file on a web request would hold it for minutes).

    Raises:
        FolderFileChanged: with a sentence naming the file and what happened; nothing is loaded.
    """
    from arusha.importing.read import file_hash

    roots = allowed_roots()
    records: list[dict[str, Any]] = []
    for f in files:
        path = Path(f.path)
        if f.folder_id is not None:
            real = path.resolve()
            if _root_of(real, roots) is None:
                raise FolderFileChanged(
                    _("%(name)s is no longer inside the folders Arusha may read. Nothing was loaded.")
                    % {"name": f.original_name},
                    name=f.original_name,
                )
            try:
                stat = real.stat()
            except OSError as exc:
                raise FolderFileChanged(
                    _(
                        "%(name)s is no longer in the folder (%(reason)s). Nothing was loaded: scan the folder again."
                    )
                    % {"name": f.original_name, "reason": exc.strerror or exc},
                    name=f.original_name,
                ) from exc
            if stat.st_size != f.size or (f.modified_at and _mtime(stat) != f.modified_at):
                raise FolderFileChanged(
                    _(
                        "%(name)s changed since the folder was scanned. Nothing was loaded: scan the folder again, then load."
                    )
                    % {"name": f.original_name},
                    name=f.original_name,
                )
        records.append(
            {
                "name": f.original_name,
                "path": f.path,
                "size": f.size,
                "modified_at": f.modified_at.isoformat() if f.modified_at else "",
                "folder": f.folder_id is not None,
            }
        )
    for i, (f, record) in enumerate(zip(files, records, strict=True)):
        if progress is not None:
            progress(int(10 * i / max(len(files), 1)), _("Checking %(name)s") % {"name": f.original_name})
        try:
            digest = file_hash(Path(f.path))
        except OSError as exc:
            raise FolderFileChanged(
                _("Arusha cannot read %(name)s (%(reason)s). Nothing was loaded.")
                % {"name": f.original_name, "reason": exc.strerror or exc},
                name=f.original_name,
            ) from exc
        record["sha256"] = digest
        if f.sha256 != digest:
            SourceFile.objects.filter(pk=f.pk).update(sha256=digest)
    return records
