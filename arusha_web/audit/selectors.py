"""Reads of the audit trail for the list pages and the CSV exports."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEntry
from .need_to_know import masked_q, need_to_know_q, record_masked_q, user_masked_q


def _start_of(day: dt.date) -> dt.datetime:
    # Days as the auditor sees them, in the installation's time zone (UTC unless configured).
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def audit_entry_list(
    *,
    reveal: bool,
    need_to_know_only: bool = False,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """Return entries matching every filter given, newest first; an empty filter matches all.

    `reveal` says whether the reader sees need-to-know entries in full (need_to_know.py); if
    not, `text` does not search their descriptions, which he cannot read (a search for an officer
    id would otherwise tell him which cases name that officer), and `actor` and `object_id` do
    not find the entries whose user or record id are hidden from him (a search for a user would
    otherwise tell him which reports that user sent). `need_to_know_only` keeps only those
    entries. `actor` is a username (exact, any case), `date_to` is inclusive, `text` is searched
    in the record's description.
    """
    entries = AuditEntry.objects.order_by("-seq")
    if need_to_know_only:
        entries = entries.filter(need_to_know_q())
    if actor:
        entries = entries.filter(actor_username__iexact=actor.strip()).exclude(user_masked_q(reveal=reveal))
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type__iexact=object_type.strip())
    if object_id:
        entries = entries.filter(object_id=object_id.strip()).exclude(record_masked_q(reveal=reveal))
    if date_from:
        entries = entries.filter(at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    if text:
        entries = entries.filter(object_repr__icontains=text.strip()).exclude(masked_q(reveal=reveal))
    return entries
