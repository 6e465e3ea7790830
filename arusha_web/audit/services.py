"""Appending to the audit trail and verifying its chain of fingerprints, seals and checkpoints."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import chain, keys
from .checkpoints import Checkpoint
from .middleware import current_actor
from .models import GENESIS_HASH, Action, AuditEntry

# Writers racing for the same `seq` lose on the unique constraint and try again; this many
# losses in a row means something else is wrong (or the caller holds a REPEATABLE READ snapshot).
MAX_APPEND_ATTEMPTS = 10
# Names the PostgreSQL advisory lock that queues appenders (any fixed 64-bit number: "auditlog").
_APPEND_LOCK_KEY = 0x61756469746C6F67
VERIFY_CHUNK_SIZE = 2000
# The record type of the entries that say from where on entries are sealed with which key.
KEY_CHANGE_TYPE = "audit.key"


class KeyChange(models.TextChoices):
    """What a key-change entry found on the entry before it (its `after["previous_seal"]`)."""

    VALID = "valid", gettext_lazy("sealed with a key held here, and the seal is valid")
    INVALID = "invalid", gettext_lazy("sealed with a key held here, but the seal is not valid")
    KEY_NOT_HELD = "key not held", gettext_lazy("sealed with a key not held here")
    UNSEALED = "unsealed", gettext_lazy("not sealed")


def json_safe(value: Any) -> Any:
    """Return `value` as plain JSON types whose hash survives a round trip through the database.

    Dates and times become ISO strings (datetimes in UTC), decimals and floats become strings
    (PostgreSQL's jsonb rewrites 1e16 as 10000000000000000, which would break the hash), UUIDs
    and lazy translations become strings, bytes become base64, sets and tuples become lists.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, str):
        # PostgreSQL text and jsonb cannot hold NUL characters.
        return str(value).replace("\x00", "\ufffd")
    if isinstance(value, float | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID | Promise):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_safe(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, models.Model):
        return json_safe(value.pk)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile: its path, not its bytes
        return value.name or None
    return str(value)


def _describe(obj: models.Model) -> str:
    """Return str(obj), or its type and pk if that fails."""
    try:
        return str(obj)
    except Exception:
        # A __str__ that follows a relation can fail on a row being deleted; failing here would
        # abort the change being recorded.
        return f"{obj._meta.verbose_name} {obj.pk}"


def _truncate(text: Any, length: int) -> str:
    return str(json_safe(str(text if text is not None else "")))[:length]


def audit_record(
    *,
    action: Action | str,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    object_repr: str | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry to the audit trail and return it.

    Args:
        action: What happened, one of `Action`.
        actor: Who did it; by default the user of the current request (or of `acting_as()`).
        obj: The record concerned; fills `object_type`, `object_id` and `object_repr`,
            which can also be given (or overridden) one by one.
        before: JSON-able state before the change (None for a creation).
        after: JSON-able state after it (None for a deletion).

    Returns:
        The saved entry.

    Example:
        audit_record(action=Action.VIEW, obj=case)

    Runs inside the caller's transaction, so an entry about a change that is rolled back is
    rolled back with it.
    """
    action = Action(action)
    if actor is None:
        actor = current_actor()
    elif not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_repr = _describe(obj) if object_repr is None else object_repr
    link = actor
    if action == Action.DELETE and actor is not None and obj is not None and obj == actor:
        # Users deleting their own account: the row the link would point to is gone.
        link = None
    fields: dict[str, Any] = {
        "actor": link,
        "actor_username": _truncate(actor.get_username() if actor is not None else "", 150),
        "action": action.value,
        "object_type": _truncate(object_type, 100),
        "object_id": _truncate(object_id, 64),
        "object_repr": _truncate(object_repr, 200),
        "before": json_safe(before),
        "after": json_safe(after),
    }
    for attempt in range(1, MAX_APPEND_ATTEMPTS + 1):
        try:
            return _append(fields)
        except IntegrityError:
            # Another writer took this seq (unique seq and prev_hash stop the chain forking).
            if attempt == MAX_APPEND_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _queue_for_append() -> None:
    """On PostgreSQL, make appenders take turns instead of racing.

    The unique constraints alone keep the chain from forking, but with many writers at once
    (a burst of logins) the same writer can lose the race again and again and give up. The
    lock is released when the caller's transaction ends, as the row locks of the insert are.
    SQLite needs nothing: its writers already hold the database lock in turn (IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])


def _chain_head() -> dict[str, Any] | None:
    """Return the `seq`, `hash` and `mac` of the latest entry, or None for an empty trail."""
    head = AuditEntry.objects.order_by("-seq").values("seq", "hash", "mac").first()
    return dict(head) if head is not None else None


def _insert(head: dict[str, Any] | None, fields: dict[str, Any], key: bytes) -> AuditEntry:
    entry = AuditEntry(
        seq=head["seq"] + 1 if head else 1,
        prev_hash=head["hash"] if head else GENESIS_HASH,
        at=timezone.now(),
        **fields,
    )
    entry.hash = entry.compute_hash()
    entry.mac = chain.seal(key, entry.hash)
    entry.save()
    return entry


def _key_change_fields(head: dict[str, Any], key: bytes) -> dict[str, Any]:
    """Return the fields of the entry that records sealing with `key` from here on.

    It says which key sealed the entry before it and whether that seal could be checked here,
    so that a key replaced without keeping the old one (or a trail whose latest entries were
    rewritten without a key) is visible in the trail itself, at the place it happened.
    """
    previous_seal = head.get("mac") or ""
    previous_id = chain.seal_key_id(previous_seal)
    previous_key = keys.verification_keys().get(previous_id)
    if not previous_id:
        status = KeyChange.UNSEALED
    elif previous_key is None:
        status = KeyChange.KEY_NOT_HELD
    elif chain.seal_matches(previous_key, head["hash"], previous_seal):
        status = KeyChange.VALID
    else:
        status = KeyChange.INVALID
    new_id = chain.key_id(key)
    return {
        "actor": None,
        "actor_username": "",
        "action": Action.OTHER.value,
        "object_type": KEY_CHANGE_TYPE,
        "object_id": new_id,
        "object_repr": "audit sealing key",
        "before": {"key_id": previous_id or None},
        "after": {"key_id": new_id, "previous_seal": status.value},
    }


def _append(fields: dict[str, Any]) -> AuditEntry:
    # A savepoint, so that losing the race rolls back only this insert, not the caller's work.
    with transaction.atomic():
        _queue_for_append()
        head = _chain_head()
        key = keys.sealing_key()
        if head is not None and chain.seal_key_id(head.get("mac") or "") != chain.key_id(key):
            # The first entry written with this key (sealing begins, or the key was replaced).
            cut_over = _insert(head, _key_change_fields(head, key), key)
            head = {"seq": cut_over.seq, "hash": cut_over.hash, "mac": cut_over.mac}
        entry = _insert(head, fields, key)
        _record_where_sealing_began()
    return entry


def _record_where_sealing_began() -> None:
    """Have the number of the first sealed entry written beside the key, if it is not there yet.

    It is written once the entry is committed (a rolled-back first entry must not leave a
    number that no entry has), from the database: the entry just written when sealing begins,
    the first sealed entry when the record was lost. Only the file's absence costs a query.
    """
    if keys.sealed_since_recorded():
        return
    first = AuditEntry.objects.exclude(mac="").order_by("seq").values_list("seq", flat=True).first()
    if first is not None:
        transaction.on_commit(functools.partial(keys.sealed_since_record, first))


def audit_view(request: HttpRequest, obj: models.Model) -> AuditEntry:
    """Record that the request's user viewed `obj`; call it from views of sensitive records
    (scorecards, cases, reports)."""
    return audit_record(action=Action.VIEW, actor=request.user, obj=obj)


class BreakReason(models.TextChoices):
    HASH_MISMATCH = (
        "hash_mismatch",
        gettext_lazy("It was changed after it was written: its content no longer matches its fingerprint."),
    )
    PREV_LINK_BROKEN = (
        "prev_link_broken",
        gettext_lazy("It no longer links to the entry before it: entries were changed, removed or inserted."),
    )
    SEQ_GAP = "seq_gap", gettext_lazy("Entries before it are missing.")
    SEAL_MISSING = (
        "seal_missing",
        gettext_lazy(
            "It has no seal, though the entries before it are sealed: it was written or rewritten "
            "by someone who does not hold the key."
        ),
    )
    SEAL_REMOVED = (
        "seal_removed",
        gettext_lazy(
            "It has no seal, though every entry from the one where sealing began is sealed (as "
            "recorded beside the key): its seal was removed, or it was written or rewritten by "
            "someone who does not hold the key."
        ),
    )
    SEALED_ENTRIES_MISSING = (
        "sealed_entries_missing",
        gettext_lazy(
            "The trail ends before this entry, where sealing began (as recorded beside the key): "
            "the sealed entries were removed."
        ),
    )
    SEAL_INVALID = (
        "seal_invalid",
        gettext_lazy(
            "Its seal does not match its fingerprint: it was changed, or the trail was rewritten "
            "from here by someone who does not hold the key."
        ),
    )
    SEAL_KEY_SWITCH = (
        "seal_key_switch",
        gettext_lazy(
            "It is sealed with another key than the entry before it, without the entry that "
            "records a change of key (or with a key that was replaced earlier)."
        ),
    )
    SEAL_UNKNOWN_KEY = (
        "seal_unknown_key",
        gettext_lazy(
            "It is sealed with a key that is not held here and not declared lost "
            "(ARUSHA_AUDIT_PREVIOUS_KEYS, ARUSHA_AUDIT_LOST_KEY_IDS)."
        ),
    )
    CHECKPOINT_MISMATCH = (
        "checkpoint_mismatch",
        gettext_lazy(
            "It no longer has the fingerprint kept for it at a checkpoint: the trail was rewritten "
            "at this entry or before it."
        ),
    )
    CHECKPOINT_MISSING = (
        "checkpoint_missing",
        gettext_lazy(
            "A fingerprint kept at a checkpoint is in no entry: entries were removed from the end, "
            "or the trail was rewritten before the entry it belonged to."
        ),
    )


_CHECKPOINT_REASONS = frozenset({BreakReason.CHECKPOINT_MISMATCH, BreakReason.CHECKPOINT_MISSING})
# Reasons that say nothing about the entries before the one named.
_NOTHING_SAID_BEFORE = _CHECKPOINT_REASONS | {BreakReason.SEALED_ENTRIES_MISSING}


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `audit_chain_verify()`.

    `last_*` describe the latest entry of an intact trail, or the last entry known intact
    before the first broken one (None when a checkpoint failed: the rewrite may start earlier).
    """

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: BreakReason | None = None
    expected_seq: int | None = None
    broken_at: dt.datetime | None = None
    last_seq: int | None = None
    last_hash: str = ""
    last_at: dt.datetime | None = None
    # The key that sealed the latest entries checked, from which entry on; how many seals were
    # checked, and how many could not be (their key is lost, or no key is held here).
    seal_key_id: str = ""
    sealed_since: int | None = None
    seals_checked: int = 0
    seals_unchecked: int = 0
    # Where sealing began as recorded beside the key (keys.sealed_since()), None if not recorded.
    sealing_recorded_since: int | None = None
    checkpoint: Checkpoint | None = None

    @property
    def explanation(self) -> str:
        """Return why the first broken entry is broken, in plain words ("" when intact)."""
        if self.reason is None:
            return ""
        missing_last = (self.broken_seq or 0) - 1
        if self.reason == BreakReason.SEQ_GAP and self.expected_seq == missing_last:
            return _("Entry #%(seq)s, just before it, is missing.") % {"seq": missing_last}
        if self.reason == BreakReason.SEQ_GAP and self.expected_seq is not None:
            return _("Entries #%(first)s to #%(last)s, just before it, are missing.") % {
                "first": self.expected_seq,
                "last": missing_last,
            }
        if self.reason in _CHECKPOINT_REASONS and self.checkpoint is not None:
            return _("%(why)s (Checkpoint: %(source)s.)") % {
                "why": self.reason.label,
                "source": self.checkpoint.source,
            }
        return str(self.reason.label)

    @property
    def says_entries_before_are_intact(self) -> bool:
        """Return whether the entries before the broken one are known to be intact."""
        return not self.ok and self.reason not in _NOTHING_SAID_BEFORE and self.last_seq is not None

    @property
    def message(self) -> str:
        """Return the outcome in sentences for someone who does not know what a hash is."""
        if self.ok and not self.checked:
            return _("The audit trail is empty: there is nothing to verify yet.")
        if self.ok:
            return ngettext(
                "The audit trail is intact: %(count)s entry checked, none changed or missing.",
                "The audit trail is intact: %(count)s entries checked, none changed or missing.",
                self.checked,
            ) % {"count": number_format(self.checked, force_grouping=True)}
        if self.broken_seq is None:
            return _("The audit trail has been tampered with. %(why)s") % {"why": self.explanation}
        return _("The audit trail has been tampered with. First broken entry: #%(seq)s. %(why)s") % {
            "seq": self.broken_seq,
            "why": self.explanation,
        }


class _SealCheck:
    """Follows which key seals the entries, in trail order, and checks every seal it can.

    A run of entries sealed with one key begins at entry #1 or at the entry recording the key
    change (written by `_append()` with the new key). Once sealing has begun, every entry must be
    sealed; a key that was replaced may not come back, so a key declared lost cannot be used to
    append unchecked entries after the current key's run.

    `required_from` is where sealing began as recorded beside the key: from that entry on an
    entry without a seal is refused even when no sealed entry comes before it, so that removing
    every seal (and rewriting the trail) does not pass for a trail written before sealing.
    """

    def __init__(
        self, held: dict[str, bytes], lost: frozenset[str], required_from: int | None = None
    ) -> None:
        self.held, self.lost, self.required_from = held, lost, required_from
        self.key_id = ""
        self.since: int | None = None
        self.retired: set[str] = set()
        self.checked = self.unchecked = 0

    def problem(self, entry: AuditEntry) -> BreakReason | None:
        """Return what is wrong with `entry`'s seal, or None."""
        key_id = chain.seal_key_id(entry.mac)
        if not key_id:
            if self.key_id:
                return BreakReason.SEAL_MISSING
            if self.required_from is not None and entry.seq >= self.required_from:
                return BreakReason.SEAL_REMOVED
            return None
        if key_id != self.key_id:
            starts_run = entry.seq == 1 or (
                entry.object_type == KEY_CHANGE_TYPE and entry.object_id == key_id
            )
            if not starts_run or key_id in self.retired:
                return BreakReason.SEAL_KEY_SWITCH
            if self.key_id:
                self.retired.add(self.key_id)
            self.key_id, self.since = key_id, entry.seq
        key = self.held.get(key_id)
        if key is None:
            # No key at all here (a copy of the database elsewhere): nothing to check against.
            if self.held and key_id not in self.lost:
                return BreakReason.SEAL_UNKNOWN_KEY
            self.unchecked += 1
            return None
        if not chain.seal_matches(key, entry.hash, entry.mac):
            return BreakReason.SEAL_INVALID
        self.checked += 1
        return None


def _entry_problem(entry: AuditEntry, expected_seq: int, expected_prev: str) -> BreakReason | None:
    if entry.seq != expected_seq:
        return BreakReason.SEQ_GAP
    if entry.compute_hash() != entry.hash:
        return BreakReason.HASH_MISMATCH
    if entry.prev_hash != expected_prev:
        return BreakReason.PREV_LINK_BROKEN
    return None


def audit_chain_verify(*, checkpoints: Sequence[Checkpoint] = ()) -> VerifyResult:
    """Walk the whole trail in order and report the first entry that breaks the chain.

    Args:
        checkpoints: Fingerprints kept earlier (`checkpoints.py`); each must still be the
            fingerprint of its entry, or of some entry when its number is not known.

    Returns:
        A `VerifyResult`: `ok`, how many entries were checked and, when broken, the `seq`
        of the first broken entry and why.

    Example:
        result = audit_chain_verify()
        if not result.ok:
            print(result.broken_seq, result.reason)

    Checks each entry's fingerprint and link, and its seal with the keys held here; from where
    sealing began as recorded beside the key (keys.sealed_since()) on, every entry must be
    sealed, and the trail must reach that entry. Streams the table in chunks, so memory stays
    flat however long the trail is. Removing other entries from the end cannot be seen from the
    chain alone: that is what checkpoints are for.
    """
    by_seq: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        if checkpoint.seq is not None:
            by_seq.setdefault(checkpoint.seq, []).append(checkpoint)
    loose = {c.fingerprint: c for c in checkpoints if c.seq is None}
    sealed_since = keys.sealed_since()
    seals = _SealCheck(keys.verification_keys(), keys.lost_key_ids(), sealed_since)
    expected_seq, expected_prev = 1, GENESIS_HASH
    checked = 0
    last: AuditEntry | None = None

    def outcome(ok: bool, **fields: Any) -> VerifyResult:
        return VerifyResult(
            ok=ok,
            checked=checked,
            seal_key_id=seals.key_id,
            sealed_since=seals.since,
            seals_checked=seals.checked,
            seals_unchecked=seals.unchecked,
            sealing_recorded_since=sealed_since,
            **fields,
        )

    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=VERIFY_CHUNK_SIZE):
        checked += 1
        reason = _entry_problem(entry, expected_seq, expected_prev) or seals.problem(entry)
        if reason is not None:
            return outcome(
                False,
                broken_seq=entry.seq,
                reason=reason,
                expected_seq=expected_seq,
                broken_at=entry.at,
                last_seq=last.seq if last else None,
                last_hash=last.hash if last else "",
                last_at=last.at if last else None,
            )
        for kept in by_seq.pop(entry.seq, []):
            if kept.fingerprint != entry.hash:
                return outcome(
                    False,
                    broken_seq=entry.seq,
                    reason=BreakReason.CHECKPOINT_MISMATCH,
                    broken_at=entry.at,
                    checkpoint=kept,
                )
        loose.pop(entry.hash, None)
        expected_seq, expected_prev, last = entry.seq + 1, entry.hash, entry
    if sealed_since is not None and (last is None or last.seq < sealed_since):
        # Sealing began at an entry the trail no longer has: the sealed part was cut off.
        return outcome(
            False,
            broken_seq=sealed_since,
            reason=BreakReason.SEALED_ENTRIES_MISSING,
            expected_seq=expected_seq,
            last_seq=last.seq if last else None,
            last_hash=last.hash if last else "",
            last_at=last.at if last else None,
        )
    missing = [kept for group in by_seq.values() for kept in group] + list(loose.values())
    if missing:
        first = min(missing, key=lambda c: (c.seq is None, c.seq or 0))
        return outcome(False, broken_seq=first.seq, reason=BreakReason.CHECKPOINT_MISSING, checkpoint=first)
    return outcome(
        True,
        last_seq=last.seq if last else None,
        last_hash=last.hash if last else "",
        last_at=last.at if last else None,
    )
