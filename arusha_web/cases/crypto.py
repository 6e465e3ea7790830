"""Encryption at rest for report contents and attachments, with a key kept out of the database.

Why a separate key: a copy of the database (a backup, a dump handed to a contractor) must not
reveal who reported what. The key comes from ``ARUSHA_CASES_KEY`` or is generated once into
``VAR_DIR/cases.key`` (mode 0600), never stored in a table.

Ciphertexts carry a scheme prefix so that stored values say how they were written:

- ``f1:`` Fernet (AES-128-CBC + HMAC-SHA256) from the ``cryptography`` package;
- ``p0:`` *no encryption*: written only while ``cryptography`` is not installed, so that the
  reporting channel keeps working; the investigators' pages then show a warning. Once the
  package is installed, new values are encrypted, old ``p0:`` values stay readable and
  ``manage.py cases_rotate_key`` encrypts them.

Key rotation (rotation.py, ``manage.py cases_rotate_key``): values are always written with the
current key; while a rotation runs they are read with the current key or any *previous* key
(``VAR_DIR/cases.key.previous``, one per line, or ``ARUSHA_CASES_PREVIOUS_KEYS``), so an
interrupted rotation leaves everything readable.

Fernet writes its creation time, in clear, into every token. We write 0 instead: the time a
report was encrypted is the time it was sent, which must not be recoverable (see
models.reporter_day).
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
from django.core.exceptions import ImproperlyConfigured

KEY_ENV = "ARUSHA_CASES_KEY"
PREVIOUS_KEYS_ENV = "ARUSHA_CASES_PREVIOUS_KEYS"
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


def previous_keys_path() -> Path:
    return Path(settings.VAR_DIR) / "cases.key.previous"


def key_from_environment() -> bool:
    """Return whether the key comes from ARUSHA_CASES_KEY (then rotation cannot rewrite it)."""
    return bool(os.environ.get(KEY_ENV, "").strip())


def new_key() -> bytes:
    """Return a fresh random key in Fernet's format (32 bytes, URL-safe base64)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32))


def write_secret_file(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600, atomically (a crash leaves the old file or the new)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@cache
def _key() -> bytes:
    """Return the current urlsafe-base64 key (Fernet format) from the environment or the key file."""
    if key_from_environment():
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
                fh.write(new_key().decode())
    return path.read_text().strip().encode()


@cache
def previous_keys() -> tuple[bytes, ...]:
    """Return the keys of a rotation not finished yet (readable, never written with)."""
    found: list[bytes] = []
    texts = [os.environ.get(PREVIOUS_KEYS_ENV, "").replace(",", " ")]
    if previous_keys_path().exists():
        texts.append(previous_keys_path().read_text())
    for text in texts:
        found.extend(k.encode() for k in text.split() if k.encode() not in found)
    return tuple(k for k in found if k != _key())


def current_key() -> bytes:
    return _key()


def reset_key_cache() -> None:
    """Forget the cached keys (tests, and the rotation command once it switched keys)."""
    _key.cache_clear()
    previous_keys.cache_clear()


def _fernet(key: bytes) -> Any:
    try:
        return _fernet_class()(key)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "The cases encryption key is not a valid key (32 bytes in URL-safe base64). "
            "Generate one with: manage.py cases_rotate_key --generate"
        ) from exc


def encrypt_bytes(data: bytes) -> bytes:
    if _fernet_class() is None:
        return PLAIN_PREFIX.encode() + data
    return FERNET_PREFIX.encode() + _fernet(_key()).encrypt_at_time(data, 0)


def key_index(data: bytes) -> int | None:
    """Return which key decrypts `data`: 0 the current key, 1.. a previous one, None no key.

    Unencrypted (``p0:``) values give -1.
    """
    if data.startswith(PLAIN_PREFIX.encode()):
        return -1
    if not data.startswith(FERNET_PREFIX.encode()) or _fernet_class() is None:
        return None
    from cryptography.fernet import InvalidToken

    token = data[len(FERNET_PREFIX) :]
    for index, key in enumerate((_key(), *previous_keys())):
        try:
            _fernet(key).decrypt(token)
        except InvalidToken:
            continue
        return index
    return None


def decrypt_bytes(data: bytes) -> bytes:
    if data.startswith(PLAIN_PREFIX.encode()):
        return data[len(PLAIN_PREFIX) :]
    if data.startswith(FERNET_PREFIX.encode()):
        fernet = _fernet_class()
        if fernet is None:
            raise RuntimeError("this value is encrypted; install the `cryptography` package to read it")
        from cryptography.fernet import MultiFernet

        keys = [_fernet(k) for k in (_key(), *previous_keys())]
        return bytes(MultiFernet(keys).decrypt(data[len(FERNET_PREFIX) :]))
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
    return keyed_digests(purpose, value)[0]


def keyed_digests(purpose: str, value: str) -> list[str]:
    """Return the digest of `value` under the current key, then under each previous key."""
    return [digester(purpose, key)(value) for key in (_key(), *previous_keys())]


def digester(purpose: str, key: bytes) -> Any:
    """Return a fast function value -> HMAC-SHA256 hex under `key`'s sub-key for `purpose`."""
    subkey = hmac.new(key, purpose.encode(), hashlib.sha256).digest()
    base = hmac.new(subkey, digestmod=hashlib.sha256)

    def digest(value: str) -> str:
        h = base.copy()
        h.update(value.encode())
        return h.hexdigest()

    return digest
