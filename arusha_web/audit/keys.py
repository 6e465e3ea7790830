"""The key that seals audit entries, kept outside the database.

Why a key at all: the fingerprints alone can be recomputed by anyone who can write to the
database, after editing an entry. A seal needs the key, which lives on the application server
(``ARUSHA_AUDIT_KEY``, or ``VAR_DIR/audit.key`` generated once with mode 0600), never in a table
nor in a database dump.

Replacing the key (docs/security.md, "Keeping the audit chain honest"): put the old key in
``VAR_DIR/audit.key.previous`` (one per line) or ``ARUSHA_AUDIT_PREVIOUS_KEYS``, so that entries
sealed with it can still be checked, and the new one in place; the next entry written records
the change. A key that is lost cannot check its entries any more: list its id in
``ARUSHA_AUDIT_LOST_KEY_IDS`` so that verification reports them as unchecked instead of failing.

Where sealing began is kept outside the database too (``VAR_DIR/audit.sealed-since``, or
``ARUSHA_AUDIT_SEALED_SINCE``): the number of the first sealed entry. Without it, someone who
can write to the database but has no key could remove every seal, rewrite the trail and have
it pass as one written before sealing began; with it, every entry from that number on must be
sealed. The application writes it once, when the first sealed entry is committed, and writes it
again (from the first sealed entry in the database) if it is lost.
"""

from __future__ import annotations

import logging
import os
import secrets
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import chain

KEY_ENV = "ARUSHA_AUDIT_KEY"
PREVIOUS_KEYS_ENV = "ARUSHA_AUDIT_PREVIOUS_KEYS"
SEALED_SINCE_ENV = "ARUSHA_AUDIT_SEALED_SINCE"
SEALED_SINCE_NOT_A_NUMBER = (
    "{source}: the number of the entry where audit sealing began is expected, not “{text}”"
)
# 32 characters of a generated key carry 192 bits; a typed one shorter than that is guessable.
MIN_KEY_LENGTH = 32
KEY_TOO_SHORT = "{source}: an audit key must have at least {length} characters (it has {actual})"

logger = logging.getLogger(__name__)
# Files that could not be written, so that a read-only VAR_DIR is reported once per process,
# not at every entry.
_unwritable: set[Path] = set()


def key_path() -> Path:
    return Path(settings.VAR_DIR) / "audit.key"


def previous_keys_path() -> Path:
    return Path(settings.VAR_DIR) / "audit.key.previous"


def _checked(text: str, source: str) -> bytes:
    key = text.strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(
            KEY_TOO_SHORT.format(source=source, length=MIN_KEY_LENGTH, actual=len(key))
        )
    return key.encode()


def _configured_key() -> bytes | None:
    """Return the key from the environment or the key file, without creating one."""
    if os.environ.get(KEY_ENV, "").strip():
        return _checked(os.environ[KEY_ENV], KEY_ENV)
    path = key_path()
    return _checked(path.read_text(), str(path)) if path.exists() else None


@cache
def sealing_key() -> bytes:
    """Return the key new entries are sealed with, generating the key file on first use."""
    key = _configured_key()
    if key is not None:
        return key
    # O_EXCL: two processes starting together must not write two different keys.
    try:
        fd = os.open(key_path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return _checked(key_path().read_text(), str(key_path()))


def configured_key_id() -> str:
    """Return the id of the key new entries are sealed with here, or "" if there is none yet."""
    key = _configured_key()
    return chain.key_id(key) if key is not None else ""


def verification_keys() -> dict[str, bytes]:
    """Return key id -> key for every key held here: the current one and the previous ones.

    Never creates a key: a check run where the key is missing (a copy of the database on
    another machine) reports the seals as unchecked instead of sealing with a new key.
    """
    found: dict[str, bytes] = {}
    current = _configured_key()
    if current is not None:
        found[chain.key_id(current)] = current
    texts = [os.environ.get(PREVIOUS_KEYS_ENV, "").replace(",", " ")]
    if previous_keys_path().exists():
        texts.append(previous_keys_path().read_text())
    for source, text in zip((PREVIOUS_KEYS_ENV, str(previous_keys_path())), texts, strict=False):
        for word in text.split():
            key = _checked(word, source)
            found.setdefault(chain.key_id(key), key)
    return found


def lost_key_ids() -> frozenset[str]:
    """Return the ids of keys declared lost: their seals are reported unchecked, not broken."""
    return frozenset(getattr(settings, "ARUSHA_AUDIT_LOST_KEY_IDS", ()))


def sealed_since_path() -> Path:
    """Return the file that records where sealing began (a setting, so that tests use their own)."""
    return Path(
        getattr(settings, "ARUSHA_AUDIT_SEALED_SINCE_FILE", Path(settings.VAR_DIR) / "audit.sealed-since")
    )


def sealed_since() -> int | None:
    """Return the number of the entry from which on every entry must be sealed, or None if not recorded.

    ``ARUSHA_AUDIT_SEALED_SINCE`` wins over the file (for an installation whose VAR_DIR does not
    last, which keeps the number with its key in a secrets store). Lines starting with # are
    comments.

    Raises:
        ImproperlyConfigured: when the number given is not a whole number of at least 1.
    """
    text, source = os.environ.get(SEALED_SINCE_ENV, "").strip(), SEALED_SINCE_ENV
    if not text:
        path = sealed_since_path()
        if not path.exists():
            return None
        lines = path.read_text(encoding="utf-8").splitlines()
        text = " ".join(line for line in lines if not line.lstrip().startswith("#")).strip()
        source = str(path)
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ImproperlyConfigured(SEALED_SINCE_NOT_A_NUMBER.format(source=source, text=text[:40]))
    return int(text)


def sealed_since_recorded() -> bool:
    """Return whether where sealing began is recorded (without reading it: one check per entry)."""
    # A folder found unwritable counts as recorded: otherwise every later entry of the process
    # would look for the first sealed entry again and queue a write that cannot happen.
    path = sealed_since_path()
    return bool(os.environ.get(SEALED_SINCE_ENV, "").strip()) or path in _unwritable or path.exists()


def sealed_since_record(seq: int) -> bool:
    """Record that every entry from `seq` on is sealed, unless it is recorded already; return
    whether this call wrote it.

    Never rewrites the file: the first number recorded is the one that protects the trail. A file
    that cannot be written is logged (once per process), not raised: auditing must not stop.
    """
    path = sealed_since_path()
    if path in _unwritable:
        return False
    # O_EXCL: two processes recording at once must not interleave; the first one wins.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        _unwritable.add(path)
        logger.error(
            "Cannot record where audit sealing began (entry #%s) in %s: %s. Removing every seal "
            "would not be detected until it is recorded (or %s is set).",
            seq,
            path,
            exc,
            SEALED_SINCE_ENV,
        )
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            '# Every audit entry from this number on is sealed (docs/security.md, "Keeping the audit\n'
            '# chain honest"). Keep this file with the key; do not edit it.\n'
            f"{seq}\n"
        )
    return True
