"""Personas and a way to tamper with the trail the way someone with database access would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from arusha_web.accounts.models import User
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
