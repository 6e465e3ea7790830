"""Reads of the audit trail for the list page and the CSV export."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEntry


def _start_of(day: dt.date) -> dt.datetime:
    # Days as the auditor sees them, in the installation's time zone (UTC unless configured).
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def audit_entry_list(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """Return entries matching every filter given, newest first; an empty filter matches all.

    `actor` is a username (exact, any case), `date_to` is inclusive, `text` is searched in
    the record's description.
    """
    entries = AuditEntry.objects.order_by("-seq")
    if actor:
        entries = entries.filter(actor_username__iexact=actor.strip())
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type__iexact=object_type.strip())
    if object_id:
        entries = entries.filter(object_id=object_id.strip())
    if date_from:
        entries = entries.filter(at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    if text:
        entries = entries.filter(object_repr__icontains=text.strip())
    return entries
