"""Which audit entries are need-to-know, and what a reader without the right sees of them.

The trail stores every entry complete: it is append-only, and each fingerprint covers the
whole content. What differs is what pages and exports show. An entry about a case, a report or
a lead about a person shows who did what to which record, and when, but neither the record's
description (a case's reference and title) nor the values before and after (outcome,
sanction, the officer concerned, the investigators assigned): those are shown only to readers
holding `audit.need_to_know` (the integrity unit and auditors, see apps.py). The fingerprints
stay, so a masked export still links entry to entry and matches the checkpoints.

Where the user or the record is itself the person to protect, they are hidden too: the user of
an entry about a report may be the staff member who sent it, and the record of a self-assessment
participant's "responded" mark says who answered. What must stay hidden even from need-to-know
readers (who answered a self-assessment, in entries written before that stopped being audited)
is masked for every reader and stays in the database only.

Like the capability table, this is a catalogue: a module whose records are need-to-know adds
a line to `RESTRICTED`, not a branch in a view.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, FieldChange

NEED_TO_KNOW = "audit.need_to_know"
# What a masked export shows instead of a value (machine-readable, like "[redacted]").
HIDDEN = "[need-to-know]"
# Set in the `after` of an export made by a reader who sees need-to-know entries: its filters
# (a record id, a name searched for) may say whom that reader is looking into.
EXPORT_FLAG = "need_to_know"


@dataclass(frozen=True)
class RestrictedRecords:
    """Records whose audit entries are need-to-know: one record type, or all of an app's ("cases.").

    `fields`: only the entries that carry one of these fields in their values before or after
    (every entry of the type when empty). `hide_user`, `hide_record`: the user, the record id are
    hidden too (and the filters on them do not find these entries). `from_everyone`: masked for
    readers holding `audit.need_to_know` as well.
    """

    object_type: str
    why: Promise
    fields: tuple[str, ...] = ()
    hide_user: bool = False
    hide_record: bool = False
    from_everyone: bool = False

    def q(self) -> Q:
        if self.object_type.endswith("."):
            condition = Q(object_type__startswith=self.object_type)
        else:
            condition = Q(object_type=self.object_type)
        if self.fields:
            carries = Q()
            for name in self.fields:
                carries |= Q(before__has_key=name) | Q(after__has_key=name)
            condition &= carries
        return condition

    def matches(self, entry: AuditEntry) -> bool:
        if self.object_type.endswith("."):
            if not entry.object_type.startswith(self.object_type):
                return False
        elif entry.object_type != self.object_type:
            return False
        if not self.fields:
            return True
        values = [v for v in (entry.before, entry.after) if isinstance(v, dict)]
        return any(name in v for v in values for name in self.fields)

    def applies_to(self, *, reveal: bool) -> bool:
        """Return whether a reader who holds `audit.need_to_know` (`reveal`) or not sees these masked."""
        return self.from_everyone or not reveal


# The user of an entry about a report can be its sender: a staff member who let investigators
# see that he sent it is recorded as its user. Every entry of these types hides its user (the
# investigators' too), so that a hidden user does not single out the reporters' entries.
_REPORTS_WHY = _(
    "Reports, reporters' messages and attachments: also who sent or handled them (the user can be the reporter)."
)

RESTRICTED: tuple[RestrictedRecords, ...] = (
    # A whole app, so that a record type added to Cases later is covered from its first entry.
    RestrictedRecords(
        "cases.",
        _("Cases, reports and messages: who is concerned, outcomes, sanctions, the investigators."),
    ),
    RestrictedRecords("cases.report", _REPORTS_WHY, hide_user=True),
    RestrictedRecords("cases.message", _REPORTS_WHY, hide_user=True),
    RestrictedRecords("cases.attachment", _REPORTS_WHY, hide_user=True),
    RestrictedRecords("measure.lead", _("Leads: the officer or trader an analysis points at, and why.")),
    RestrictedRecords("measure.leadcomment", _("Comments on leads.")),
    RestrictedRecords("measure.referral", _("Leads referred to the integrity unit, and why.")),
    # Self-assessments: entries written before answering and reminders stopped being audited
    # with the participant (diagnose/apps.py). A participant's "responded" mark was an update
    # written by the respondent himself; deletions still carried it. Masked for every reader:
    # nobody who reads the results may learn from Arusha who answered.
    RestrictedRecords(
        "diagnose.participant",
        _(
            "Self-assessment participants' “responded” marks, from before they stopped being audited: who answered, and when."
        ),
        fields=("responded_at",),
        hide_user=True,
        hide_record=True,
        from_everyone=True,
    ),
    RestrictedRecords(
        "diagnose.reminder",
        _(
            "Self-assessment reminders that name their recipient, from before they stopped doing so: who had not answered."
        ),
        fields=("participant",),
        from_everyone=True,
    ),
)


def _export_type() -> str:
    return AuditEntry._meta.label_lower


def _any(lines: Iterable[RestrictedRecords]) -> Q:
    condition = Q(pk__in=[])  # matches nothing, whatever it is combined with by OR
    for records in lines:
        condition |= records.q()
    return condition


def need_to_know_q() -> Q:
    """Return the condition that selects need-to-know entries in a queryset."""
    # has_key and isnull rather than `after__need_to_know=True`, which is NULL (neither true nor
    # false) on other entries, so that exclude() would drop them too.
    condition = Q(object_type=_export_type(), after__isnull=False, after__has_key=EXPORT_FLAG)
    return condition | _any(RESTRICTED)


def masked_q(*, reveal: bool) -> Q:
    """Return the condition that selects the entries whose description and values the reader
    (holding `audit.need_to_know` when `reveal`) sees masked."""
    if not reveal:
        return need_to_know_q()
    return _any(r for r in RESTRICTED if r.from_everyone)


def user_masked_q(*, reveal: bool) -> Q:
    """Return the condition that selects the entries whose user is hidden from the reader."""
    return _any(r for r in RESTRICTED if r.hide_user and r.applies_to(reveal=reveal))


def record_masked_q(*, reveal: bool) -> Q:
    """Return the condition that selects the entries whose record id is hidden from the reader."""
    return _any(r for r in RESTRICTED if r.hide_record and r.applies_to(reveal=reveal))


def _exported_by_full_reader(entry: AuditEntry) -> bool:
    after = entry.after
    return entry.object_type == _export_type() and isinstance(after, dict) and EXPORT_FLAG in after


def is_need_to_know(entry: AuditEntry) -> bool:
    """Return whether `entry` is shown in full only to readers holding `audit.need_to_know` (if at all)."""
    return any(records.matches(entry) for records in RESTRICTED) or _exported_by_full_reader(entry)


def _masking(entry: AuditEntry, *, reveal: bool) -> list[RestrictedRecords] | None:
    """Return the catalogue lines that mask `entry` for the reader, or None if he reads it in full."""
    lines = [r for r in RESTRICTED if r.applies_to(reveal=reveal) and r.matches(entry)]
    if lines or (not reveal and _exported_by_full_reader(entry)):
        return lines
    return None


def reads_need_to_know(user: Any) -> bool:
    """Return whether `user` may read need-to-know entries in full."""
    return bool(user.can(NEED_TO_KNOW))


def _masked(value: Any) -> Any:
    # Field names stay (an auditor sees that a sanction was set), values go.
    if value is None:
        return None
    if isinstance(value, dict):
        return dict.fromkeys(value, HIDDEN)
    return HIDDEN


def entry_for_reader(entry: AuditEntry, *, reveal: bool) -> AuditEntry:
    """Return `entry` as its reader may see it: itself, or a copy with need-to-know values hidden.

    The copy keeps the number, time, action, record type and both fingerprints, and the user and
    record id unless the catalogue hides them too; it cannot be saved (its content no longer
    matches its fingerprint).
    """
    lines = _masking(entry, reveal=reveal)
    if lines is None:
        return entry
    shown = copy.copy(entry)
    shown.object_repr = HIDDEN
    shown.before = _masked(entry.before)
    shown.after = _masked(entry.after)
    shown.masked = True
    shown.masked_from_everyone = any(r.from_everyone for r in lines)
    if any(r.hide_user for r in lines):
        shown.actor_username = HIDDEN
        shown.actor_id = None
        shown.user_masked = True
    if any(r.hide_record for r in lines):
        shown.object_id = HIDDEN
        shown.record_masked = True
    return shown


def field_changes_for_reader(entry: AuditEntry, *, reveal: bool, hidden_label: str) -> list[FieldChange]:
    """Return the before/after rows of `entry`, with values replaced by `hidden_label` when masked.

    Computed from the full entry, so that a masked row still says whether the field changed.
    """
    changes = entry.field_changes()
    if _masking(entry, reveal=reveal) is None:
        return changes
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    return [
        replace(
            change,
            before=hidden_label if change.field in before else "",
            after=hidden_label if change.field in after else "",
        )
        for change in changes
    ]
