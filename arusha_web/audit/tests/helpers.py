"""Personas and a way to tamper with the trail the way someone with database access would."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from io import StringIO
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from arusha_web.accounts.models import User
from arusha_web.audit import keys
from arusha_web.audit.models import Action, AuditEntry
from arusha_web.audit.services import audit_record
from arusha_web.org.models import Administration, Office

PASSWORD = "correct horse battery"


def make_user(username: str, role: str) -> User:
    user: User = get_user_model().objects.create_user(username=username, password=PASSWORD, role=role)
    return user


def fields(value: Any) -> dict[str, Any]:
    """Return an entry's `before` or `after`, which must be a dict."""
    assert isinstance(value, dict), value
    return value


def make_office(code: str = "MGTMM", name: str = "Toamasina Port") -> Office:
    administration = Administration.objects.create(name="Douanes malagasy", currency="MGA")
    return Office.objects.create(administration=administration, code=code, name=name)


def tamper(sql: str, params: Sequence[Any]) -> None:
    """Run raw SQL on audit_auditentry, switching off PostgreSQL's append-only trigger as the
    table owner could (the test transaction rolls the switch back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_auditentry_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def audit_key(key: str, *, previous: str = "") -> Iterator[None]:
    """Seal with `key` (and hold the `previous` keys) inside the block, as ARUSHA_AUDIT_KEY would."""
    keys.sealing_key.cache_clear()
    try:
        with mock.patch.dict(os.environ, {keys.KEY_ENV: key, keys.PREVIOUS_KEYS_ENV: previous}):
            yield
    finally:
        keys.sealing_key.cache_clear()


def rewrite_from(seq: int, **changes: Any) -> None:
    """Edit entry `seq` and recompute every later fingerprint, as someone with database access
    but without the audit key could (the seals stay as they were)."""
    prev_hash = None
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        if entry.seq == seq:
            for name, value in changes.items():
                setattr(entry, name, value)
        if prev_hash is not None:
            entry.prev_hash = prev_hash
        entry.hash = entry.compute_hash()
        tamper(
            'UPDATE audit_auditentry SET object_repr = %s, "after" = %s, prev_hash = %s, hash = %s WHERE seq = %s',
            [entry.object_repr, json.dumps(entry.after), entry.prev_hash, entry.hash, entry.seq],
        )
        prev_hash = entry.hash


def record_things(n: int) -> list[AuditEntry]:
    """Write ``n`` plain entries to the trail (what the chain tests seal, tamper with and verify)."""
    return [
        audit_record(action=Action.OTHER, object_type="tests.thing", object_repr=f"thing {i}")
        for i in range(n)
    ]


def run_verify(*args: str) -> tuple[int, str]:
    """Run ``audit_verify`` with ``args``: its exit status and everything it printed."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()
