"""Encryption at rest for report contents and attachments, with a key kept out of the database.

Why a separate key: a copy of the database (a backup, a dump handed to a contractor) must not
reveal who reported what. The key comes from ``ARUSHA_CASES_KEY`` or is generated once into
``VAR_DIR/cases.key`` (mode 0600), never stored in a table.

Ciphertexts carry a scheme prefix so that stored values say how they were written:

- ``f1:`` Fernet (AES-128-CBC + HMAC-SHA256) from the ``cryptography`` package;
- ``p0:`` *no encryption*: written only while ``cryptography`` is not installed, so that the
  reporting channel keeps working; the investigators' pages then show a warning. Once the
  package is installed, new values are encrypted and old ``p0:`` values stay readable
  (``manage.py cases_reencrypt`` is not written yet).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

KEY_ENV = "ARUSHA_CASES_KEY"
FERNET_PREFIX = "f1:"
PLAIN_PREFIX = "p0:"


def _fernet_class() -> Any:
    try:
        from cryptography.fernet import Fernet
    except ImportError:
        return None
    return Fernet


def encryption_available() -> bool:
    """Return whether values written now are encrypted (the `cryptography` package is installed)."""
    return _fernet_class() is not None


def key_path() -> Path:
    return Path(settings.VAR_DIR) / "cases.key"


@cache
def _key() -> bytes:
    """Return the urlsafe-base64 key (Fernet format) from the environment or the key file."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].strip().encode()
    path = key_path()
    if not path.exists():
        # O_EXCL: two processes starting together must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    return path.read_text().strip().encode()


def reset_key_cache() -> None:
    """Forget the cached key (tests that change ARUSHA_CASES_KEY)."""
    _key.cache_clear()


def encrypt_bytes(data: bytes) -> bytes:
    fernet = _fernet_class()
    if fernet is None:
        return PLAIN_PREFIX.encode() + data
    return FERNET_PREFIX.encode() + fernet(_key()).encrypt(data)


def decrypt_bytes(data: bytes) -> bytes:
    if data.startswith(PLAIN_PREFIX.encode()):
        return data[len(PLAIN_PREFIX) :]
    if data.startswith(FERNET_PREFIX.encode()):
        fernet = _fernet_class()
        if fernet is None:
            raise RuntimeError("this value is encrypted; install the `cryptography` package to read it")
        return bytes(fernet(_key()).decrypt(data[len(FERNET_PREFIX) :]))
    raise ValueError("unknown encryption scheme")


def encrypt_text(text: str) -> str:
    """Return `text` encrypted as a printable string ('' stays '' so empty fields stay empty)."""
    if not text:
        return ""
    return encrypt_bytes(text.encode()).decode()


def decrypt_text(value: str) -> str:
    if not value:
        return ""
    return decrypt_bytes(value.encode()).decode()


def keyed_digest(purpose: str, value: str) -> str:
    """Return an HMAC-SHA256 of `value` under a sub-key of the cases key (hex).

    Used for the receipt-code lookup prefix: without the key, which is not in the database,
    the digest says nothing about the code.
    """
    subkey = hmac.new(_key(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(subkey, value.encode(), hashlib.sha256).hexdigest()
