"""Rotating the cases encryption key: every encrypted value and file rewritten with the new key.

Why rotate: a key that may have leaked (a departing administrator, a lost backup of var/)
must stop protecting anything, and deleted reports stay readable in old database backups only
as long as the key that encrypted them exists.

How it stays all-or-nothing:

1. The new key becomes the *current* key only after the old one has been saved as a
   *previous* key (crypto.previous_keys); from then on every value is readable whichever key
   wrote it.
2. Files are re-encrypted into *new* files; the database (every ``*_enc`` field, every
   attachment's file name and every receipt-code lookup) is rewritten in one transaction.
   Until that transaction commits, the database points at the old files, which are intact.
3. Only after the commit are the old files overwritten and removed. An interruption leaves
   either the old state or the new one (plus unreferenced new files, removed on the next run).
4. The previous key is forgotten only on request (``--forget-previous``), and only once every
   value and file is checked to read with the current key alone.

The receipt-code lookup is an HMAC of the code's first 6 digits under the key; the codes are
not stored, but 10^6 prefixes are few enough to recompute every lookup under the old key and
map it to the same prefix under the new one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction

from arusha_web.audit.services import audit_record

from . import crypto, files

# Files younger than this are not treated as left over by an interrupted rotation: they may be
# an upload whose database row is not committed yet.
ORPHAN_MIN_AGE_SECONDS = 3600


class RotationError(Exception):
    """The rotation cannot run; nothing was changed."""


@dataclass
class Survey:
    """Which key every encrypted value and file needs (see crypto.key_index)."""

    current: int = 0
    previous: int = 0
    unencrypted: int = 0
    unreadable: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Whether everything reads with the current key alone."""
        return not (self.previous or self.unencrypted or self.unreadable or self.missing_files)


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every model of the cases app with its ``*_enc`` fields (found, so none is forgotten)."""
    for model in apps.get_app_config("cases").get_models():
        names = [f.name for f in model._meta.concrete_fields if f.name.endswith("_enc")]
        if names:
            yield model, names


def _label(obj: models.Model, field_name: str) -> str:
    return f"{obj._meta.verbose_name} {obj.pk} ({field_name.removesuffix('_enc')})"


def _attachments() -> Any:
    return apps.get_model("cases", "Attachment").objects.order_by("pk")


def survey() -> Survey:
    """Count values and files by the key they need; name those no known key can read."""
    result = Survey()

    def count(index: int | None, label: str) -> None:
        if index == 0:
            result.current += 1
        elif index == -1:
            result.unencrypted += 1
        elif index is None:
            result.unreadable.append(label)
        else:
            result.previous += 1

    for model, names in encrypted_fields():
        for obj in model._default_manager.order_by("pk").only("pk", *names):
            for name in names:
                value = getattr(obj, name)
                if value:
                    count(crypto.key_index(value.encode()), _label(obj, name))
    for attachment in _attachments():
        path = files.storage_dir() / attachment.stored_name
        if not path.exists():
            result.missing_files.append(f"attachment {attachment.pk} ({attachment.stored_name})")
            continue
        count(crypto.key_index(path.read_bytes()), f"attachment {attachment.pk} (file)")
    return result


def preflight() -> Survey:
    """Return the survey, or raise RotationError naming what no known key can read."""
    state = survey()
    if state.unreadable or state.missing_files:
        problems = state.unreadable + [f"{m}: file missing" for m in state.missing_files]
        raise RotationError(
            "Nothing was changed: these cannot be read with the current or a previous key: "
            + "; ".join(problems[:20])
            + (f" (and {len(problems) - 20} more)" if len(problems) > 20 else "")
        )
    return state


def _lookup_translation(stored: set[str]) -> dict[str, str]:
    """Map each stored receipt lookup made with a previous key to the current key's lookup.

    Walks the 10^6 possible prefixes once (about a second per previous key).
    """
    from .services import LOOKUP_DIGITS, LOOKUP_LENGTH, RECEIPT_PURPOSE

    translation: dict[str, str] = {}
    if not crypto.previous_keys() or not stored:
        return translation
    new = crypto.digester(RECEIPT_PURPOSE, crypto.current_key())
    olds = [crypto.digester(RECEIPT_PURPOSE, key) for key in crypto.previous_keys()]
    for number in range(10**LOOKUP_DIGITS):
        prefix = str(number).zfill(LOOKUP_DIGITS)
        for old in olds:
            lookup = old(prefix)[:LOOKUP_LENGTH]
            if lookup in stored:
                translation[lookup] = new(prefix)[:LOOKUP_LENGTH]
    return translation


def _reencrypt_text(value: str) -> str:
    return crypto.encrypt_text(crypto.decrypt_text(value)) if value else value


@dataclass
class Rotated:
    values: int
    files: int
    lookups: int


def reencrypt_all(*, progress: Callable[[str], object] = lambda _m: None) -> Rotated:
    """Rewrite every encrypted value, file and receipt lookup under the current key.

    Raises RotationError, changing nothing, when a value or file cannot be read with any known
    key or a file is missing.
    """
    preflight()
    remove_orphan_files()
    progress("Computing receipt-code lookups under the new key…")
    Report = apps.get_model("cases", "Report")
    lookups = _lookup_translation(
        set(Report.objects.exclude(receipt_lookup="").values_list("receipt_lookup", flat=True))
    )
    progress("Re-encrypting attachments into new files…")
    moved: list[tuple[Any, str, str]] = []  # (attachment, old name, new name)
    try:
        for attachment in _attachments():
            data = files.load(attachment.stored_name)
            # The new file keeps the day its reporter sent it, not the day of the rotation.
            moved.append((attachment, attachment.stored_name, files.store(data, day=attachment.uploaded_at)))
        progress("Re-encrypting database values in one transaction…")
        counts = _rewrite_database(moved, lookups)
    except BaseException:
        # The database still points at the old files: the new ones are of no use.
        for _attachment, _old, new_name in moved:
            files.shred(new_name)
        raise
    for _attachment, old_name, _new in moved:
        files.shred(old_name)
    return Rotated(values=counts["values"], files=len(moved), lookups=counts["lookups"])


@transaction.atomic
def _rewrite_database(moved: list[tuple[Any, str, str]], lookups: dict[str, str]) -> dict[str, int]:
    values = 0
    for model, names in encrypted_fields():
        for obj in model._default_manager.order_by("pk").only("pk", *names):
            changes = {name: _reencrypt_text(getattr(obj, name)) for name in names if getattr(obj, name)}
            if changes:
                # update(), not save(): no model signal, no "modified" audit entry per row.
                model._default_manager.filter(pk=obj.pk).update(**changes)
                values += len(changes)
    Attachment = apps.get_model("cases", "Attachment")
    for attachment, _old, new_name in moved:
        Attachment.objects.filter(pk=attachment.pk).update(stored_name=new_name)
    relinked = 0
    Report = apps.get_model("cases", "Report")
    for pk, lookup in Report.objects.exclude(receipt_lookup="").values_list("pk", "receipt_lookup"):
        if lookup in lookups:
            Report.objects.filter(pk=pk).update(receipt_lookup=lookups[lookup])
            relinked += 1
    audit_record(
        action="update",
        object_type="cases.encryption_key",
        object_repr="cases encryption key",
        after={"rotated": True, "values": values, "files": len(moved), "receipt_lookups": relinked},
    )
    return {"values": values, "lookups": relinked}


def remove_orphan_files(*, now: float | None = None) -> int:
    """Shred files under MEDIA_ROOT/cases that no attachment points at (left by an interruption)."""
    referenced = set(_attachments().values_list("stored_name", flat=True))
    now = time.time() if now is None else now
    removed = 0
    for path in files.storage_dir().glob("*.bin"):
        # The change time, not the modification time: files are dated to their day (files.store).
        if path.name not in referenced and now - path.stat().st_ctime > ORPHAN_MIN_AGE_SECONDS:
            files.shred(path.name)
            removed += 1
    return removed


def switch_to_new_key() -> None:
    """Make a fresh key current, keeping the old one as a previous key (key file only).

    Order, so that a crash at any point leaves every value readable: (1) the new key is written
    to cases.key.next; (2) the current key is added to cases.key.previous; (3) cases.key.next
    replaces cases.key in one rename. A rerun after a crash between (1) and (3) finishes the
    switch with the key already written instead of making another.
    """
    if crypto.key_from_environment():
        raise RotationError("the key comes from ARUSHA_CASES_KEY; it cannot be replaced from here")
    key_file = crypto.key_path()
    next_file = key_file.with_name(key_file.name + ".next")
    if not next_file.exists():
        crypto.write_secret_file(next_file, crypto.new_key().decode())
    current = crypto.current_key()
    kept = list(crypto.previous_keys())
    if current not in kept:
        kept.append(current)
    crypto.write_secret_file(crypto.previous_keys_path(), "\n".join(k.decode() for k in kept) + "\n")
    os.replace(next_file, key_file)
    crypto.reset_key_cache()


def pending_switch() -> bool:
    """Whether a previous run wrote a new key but stopped before making it current."""
    key_file = crypto.key_path()
    return key_file.with_name(key_file.name + ".next").exists()


def forget_previous_keys() -> Survey:
    """Delete the previous keys once everything reads with the current key; else RotationError."""
    state = survey()
    if not state.finished:
        raise RotationError(
            f"Not yet: {state.previous} value(s) or file(s) still need a previous key, "
            f"{state.unencrypted} are unencrypted, {len(state.unreadable)} unreadable, "
            f"{len(state.missing_files)} file(s) missing. Run cases_rotate_key first."
        )
    path = crypto.previous_keys_path()
    if path.exists():
        # Overwrite, then remove (see files.shred for the limits of overwriting).
        path.write_text("0" * len(path.read_text()))
        path.unlink()
    crypto.reset_key_cache()
    return state
