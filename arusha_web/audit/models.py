"""The audit trail: an append-only, hash-chained log of who did what, and when.

Each entry's `hash` is a SHA-256 over a canonical JSON form of its own fields and the
previous entry's hash, so changing, removing or reordering any entry breaks the chain from
that point on, and `audit_chain_verify()` (``arusha audit verify``) names the first broken
entry.

The application never updates or deletes entries: `AuditEntry.save()` refuses to update,
`delete()` and the queryset's bulk `update()` / `delete()` raise `AppendOnlyError`. That
stops mistakes in Python code, not a person with database access. In production the
database enforces it too:

* PostgreSQL: migration 0002 installs a trigger that rejects UPDATE and DELETE on the
  table (except the `actor` link being cleared when a user account is deleted). The
  application's database role should also be granted only ``SELECT, INSERT`` on
  ``audit_auditentry`` plus ``UPDATE (actor_id)``, with no ``DELETE`` or ``TRUNCATE``; migrations
  run under the owner role.
* SQLite: there is no role system, and Django rebuilds SQLite tables during some migrations,
  which would silently drop a trigger; file permissions are the only protection.

Whoever can bypass both can still rewrite the whole chain from some entry onwards, recomputing
every later fingerprint. Two things detect that (docs/security.md, "Keeping the audit chain
honest"): each entry's `mac` seals its fingerprint under a key kept outside the database
(chain.py, keys.py), which such a person does not hold; and the checkpoints people keep of
the fingerprints that ``arusha audit verify`` prints (``--expect``, ``--checkpoints``): a
rewritten chain no longer has them.

Nothing identifying a client (IP address, user agent) is stored: later modules take reports
from whistle-blowers, whose anonymity must not depend on how this table is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import chain
from .chain import GENESIS_HASH

__all__ = ["GENESIS_HASH", "REDACTED", "Action", "AppendOnlyError", "AuditEntry", "FieldChange"]


# Stored for excluded fields (passwords, token hashes) whose change is recorded but not the value.
REDACTED = "[redacted]"

APPEND_ONLY = "Audit entries are append-only: they cannot be changed or deleted."


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry through the ORM."""


class Action(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    VIEW = "view", _("View")
    EXPORT = "export", _("Export")
    OTHER = "other", _("Other")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(APPEND_ONLY)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError(APPEND_ONLY)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEntry]:  # type: ignore[override]
        # Bulk inserts would bypass the chaining in services.audit_record().
        raise AppendOnlyError("Audit entries are appended one at a time, with audit_record().")


_ACTION_BADGES: dict[str, str] = {
    Action.CREATE: "badge-ok",
    Action.DELETE: "badge-warn",
    Action.LOGIN_FAILED: "badge-bad",
    Action.EXPORT: "badge-warn",
}


@dataclass(frozen=True)
class FieldChange:
    """One row of the before/after table on the detail page."""

    field: str
    label: str
    before: str
    after: str
    changed: bool


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    at = models.DateTimeField(_("when"), editable=False, db_index=True)
    # A convenience link, cleared if the account is deleted; `actor_username` is what the
    # hash covers, so the entry still says who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("user"),
    )
    actor_username = models.CharField(
        _("username"), max_length=150, blank=True, editable=False, db_index=True
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices, editable=False)
    object_type = models.CharField(
        _("record type"), max_length=100, blank=True, editable=False, db_index=True
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True, editable=False)
    object_repr = models.CharField(_("record"), max_length=200, blank=True, editable=False)
    before = models.JSONField(_("before"), null=True, blank=True, editable=False)
    after = models.JSONField(_("after"), null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, unique=True, editable=False)
    hash = models.CharField(_("fingerprint"), max_length=64, unique=True, editable=False)
    # The fingerprint sealed with a key kept outside the database (chain.seal()); empty on
    # entries written before sealing began. Not covered by `hash`: it covers `hash`.
    mac = models.CharField(_("seal"), max_length=96, blank=True, default="", editable=False)

    objects: ClassVar[AuditEntryQuerySet] = AuditEntryQuerySet.as_manager()  # type: ignore[assignment]

    # True on a copy whose need-to-know values are hidden from its reader (need_to_know.py).
    # Such a copy can never be saved: its content no longer matches its fingerprint.
    masked = False
    # On such a copy: the user, the record id are hidden too; it is masked for every reader.
    user_masked = False
    record_masked = False
    masked_from_everyone = False

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_repr}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError(APPEND_ONLY)
        if self.hash != self.compute_hash():
            raise ValueError("Append audit entries with audit_record(), which chains and hashes them.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(APPEND_ONLY)

    def _model(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.object_type) if self.object_type.count(".") == 1 else None
        except LookupError:  # a type recorded by hand, or a model since removed
            return None

    @property
    def object_type_label(self) -> str:
        """Return the record type as people call it ("office"), or as recorded."""
        model = self._model()
        return str(model._meta.verbose_name) if model else self.object_type

    @property
    def action_badge(self) -> str:
        """Return the badge colour class for the list and detail pages."""
        return _ACTION_BADGES.get(self.action, "")

    def canonical(self) -> bytes:
        """Return the bytes that `hash` covers: every field but `hash`, `mac` and the `actor` link."""
        return chain.canonical({name: getattr(self, name) for name in chain.COVERED_FIELDS})

    def compute_hash(self) -> str:
        return chain.fingerprint({name: getattr(self, name) for name in chain.COVERED_FIELDS})

    def field_changes(self) -> list[FieldChange]:
        """Return one row per field named in `before` or `after` (jsonb on PostgreSQL reorders keys)."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        names = list(dict.fromkeys([*before, *after]))
        model = self._model()
        labels = {f.name: str(f.verbose_name) for f in model._meta.concrete_fields} if model else {}
        return [
            FieldChange(
                field=name,
                label=labels.get(name, name),
                before=_display(before.get(name)),
                after=_display(after.get(name)),
                changed=(name in before and name in after and before[name] != after[name]),
            )
            for name in names
        ]
