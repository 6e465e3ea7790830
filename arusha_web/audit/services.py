"""Appending to the audit trail and verifying its chain of hashes."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
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

from .middleware import current_actor
from .models import GENESIS_HASH, Action, AuditEntry

# Writers racing for the same `seq` lose on the unique constraint and try again; this many
# losses in a row means something else is wrong (or the caller holds a REPEATABLE READ snapshot).
MAX_APPEND_ATTEMPTS = 10
# Names the PostgreSQL advisory lock that queues appenders (any fixed 64-bit number: "auditlog").
_APPEND_LOCK_KEY = 0x61756469746C6F67
VERIFY_CHUNK_SIZE = 2000


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
    """Return the `seq` and `hash` of the latest entry, or None for an empty trail."""
    head = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
    return dict(head) if head is not None else None


def _append(fields: dict[str, Any]) -> AuditEntry:
    # A savepoint, so that losing the race rolls back only this insert, not the caller's work.
    with transaction.atomic():
        _queue_for_append()
        last = _chain_head()
        entry = AuditEntry(
            seq=last["seq"] + 1 if last else 1,
            prev_hash=last["hash"] if last else GENESIS_HASH,
            at=timezone.now(),
            **fields,
        )
        entry.hash = entry.compute_hash()
        entry.save()
    return entry


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


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `audit_chain_verify()`."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: BreakReason | None = None
    expected_seq: int | None = None
    broken_at: dt.datetime | None = None
    last_seq: int | None = None
    last_hash: str = ""
    last_at: dt.datetime | None = None

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
        return str(self.reason.label)

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
        return _("The audit trail has been tampered with. First broken entry: #%(seq)s. %(why)s") % {
            "seq": self.broken_seq,
            "why": self.explanation,
        }


def audit_chain_verify() -> VerifyResult:
    """Walk the whole trail in order and report the first entry that breaks the chain.

    Returns:
        A `VerifyResult`: `ok`, how many entries were checked and, when broken, the `seq`
        of the first broken entry and why.

    Example:
        result = audit_chain_verify()
        if not result.ok:
            print(result.broken_seq, result.reason)

    Streams the table in chunks, so memory stays flat however long the trail is. Removing
    entries from the end cannot be seen from the chain alone: compare `last_hash` with a copy
    kept elsewhere.
    """
    expected_seq, expected_prev = 1, GENESIS_HASH
    checked = 0
    last: AuditEntry | None = None
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=VERIFY_CHUNK_SIZE):
        checked += 1
        reason: BreakReason | None = None
        if entry.seq != expected_seq:
            reason = BreakReason.SEQ_GAP
        elif entry.compute_hash() != entry.hash:
            reason = BreakReason.HASH_MISMATCH
        elif entry.prev_hash != expected_prev:
            reason = BreakReason.PREV_LINK_BROKEN
        if reason is not None:
            return VerifyResult(
                ok=False,
                checked=checked,
                broken_seq=entry.seq,
                reason=reason,
                expected_seq=expected_seq,
                broken_at=entry.at,
                last_seq=last.seq if last else None,
                last_hash=last.hash if last else "",
                last_at=last.at if last else None,
            )
        expected_seq, expected_prev, last = entry.seq + 1, entry.hash, entry
    return VerifyResult(
        ok=True,
        checked=checked,
        last_seq=last.seq if last else None,
        last_hash=last.hash if last else "",
        last_at=last.at if last else None,
    )
