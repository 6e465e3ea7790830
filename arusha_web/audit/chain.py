"""The arithmetic of the audit chain, without Django: what a fingerprint covers, and the seal.

Kept apart from models.py so that an exported CSV can be checked where there is no database
(an external auditor's laptop, see export_check.py) with the very same canonical form.

- The *fingerprint* (`hash`) is a SHA-256 over the canonical JSON form of an entry, which
  includes the previous entry's fingerprint. Anyone can recompute it: that is what lets an
  outsider check an export, and also what lets someone with write access to the database edit
  an entry and recompute every later fingerprint.
- The *seal* (`mac`) is an HMAC-SHA256 of the fingerprint under a key kept outside the database
  (keys.py), written ``<key id>:<hex>``. Without the key, a rewritten entry cannot be given a
  valid seal; and since each fingerprint covers all the entries before it, one valid seal
  vouches for the whole trail up to its entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

# The prev_hash of the first entry. A fixed, documented value rather than "" so that every
# entry, the first included, is verified the same way.
GENESIS_HASH: Final = "0" * 64
FINGERPRINT_CHARS: Final = frozenset("0123456789abcdef")
# The fields a fingerprint covers: every stored field but the fingerprint, the seal and the
# `actor` link (cleared when an account is deleted; `actor_username` keeps who it was).
COVERED_FIELDS: Final = (
    "seq",
    "at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "prev_hash",
)
# Domain separation, so that the key id can never equal a seal of some fingerprint.
_KEY_ID_LABEL: Final = b"arusha audit key id"


def is_fingerprint(text: str) -> bool:
    """Return whether `text` looks like a fingerprint: 64 lowercase hexadecimal characters."""
    return len(text) == 64 and set(text) <= FINGERPRINT_CHARS


def canonical(fields: Mapping[str, Any]) -> bytes:
    """Return the bytes a fingerprint covers, from the `COVERED_FIELDS` of an entry.

    `at` is an aware datetime; it is written in one fixed format because isoformat() drops
    ".000000" and the database may hand it back in another time zone.
    """
    payload = {name: fields[name] for name in COVERED_FIELDS}
    at: datetime = fields["at"]
    payload["at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(fields: Mapping[str, Any]) -> str:
    """Return the SHA-256 fingerprint of an entry's covered fields."""
    return hashlib.sha256(canonical(fields)).hexdigest()


def key_id(key: bytes) -> str:
    """Return the public name of `key`: 16 hex characters that reveal nothing about it."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def seal(key: bytes, entry_fingerprint: str) -> str:
    """Return the seal of a fingerprint under `key`, as ``<key id>:<HMAC-SHA256 in hex>``."""
    mac = hmac.new(key, entry_fingerprint.encode(), hashlib.sha256).hexdigest()
    return f"{key_id(key)}:{mac}"


def seal_key_id(entry_seal: str) -> str:
    """Return the id of the key an entry was sealed with, or "" for an entry without a seal."""
    return entry_seal.partition(":")[0] if entry_seal else ""


def seal_matches(key: bytes, entry_fingerprint: str, entry_seal: str) -> bool:
    """Return whether `entry_seal` is the seal of `entry_fingerprint` under `key`."""
    return hmac.compare_digest(seal(key, entry_fingerprint), entry_seal)
