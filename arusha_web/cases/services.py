"""Writes of the reporting channel and of case management.

Reporter actions are audited with no actor (an anonymous user), whatever account the request
carries: a staff member who chose not to be identified must not appear in the audit trail
either. Reports and messages are therefore not registered with `audit_model`; the events are
recorded here, without their (encrypted) contents.

Nor may the *time* of a reporter's action point at him: an entry written at once would carry
the exact second and sit in the hash chain right after the sender's own login entry. What a
reporter does is therefore stored with the day only (models.reporter_day) and reaches the
audit trail in a batch written on a later day (reporter_audit_flush). That holds for a staff
member who let investigators see that he sent his report too: its entry names him, for those
who read the trail in full, but readers of the trail without need-to-know rights (who see
neither the user of report entries, audit/need_to_know.py, nor the report) must not be able to
tell him by the time either.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha_web.audit.services import audit_record
from arusha_web.org.models import Office, StaffRecord

from . import crypto, files
from .models import (
    Attachment,
    Case,
    CaseEntry,
    CaseStatus,
    Category,
    EntryKind,
    Message,
    Report,
    ReportStatus,
    Source,
    reporter_day,
    retention_years,
)

RECEIPT_DIGITS = 16
LOOKUP_DIGITS = 6
# Explicitly Argon2 (memory-hard), whatever PASSWORD_HASHERS says (tests speed passwords up).
RECEIPT_HASHER = "argon2"
NOBODY = AnonymousUser()


def receipt_generate() -> str:
    """Return a new random receipt code of RECEIPT_DIGITS digits."""
    return "".join(secrets.choice("0123456789") for _ in range(RECEIPT_DIGITS))


def receipt_normalise(code: str) -> str:
    """The code's digits as ASCII 0–9, whatever script they were typed in (Arabic-Indic "٣" is 3).

    Spaces, dashes and anything else are dropped; so are characters ``isdigit`` accepts that are
    not decimal digits ("²"), which ``int`` would refuse.
    """
    return "".join(str(unicodedata.decimal(ch)) for ch in code if unicodedata.decimal(ch, None) is not None)


RECEIPT_PURPOSE = "receipt"
LOOKUP_LENGTH = 32


def _receipt_lookup(code: str) -> str:
    # Only an HMAC of the first digits, so lookups touch few rows; without the key (not in
    # the database) it reveals nothing, and 10^10 codes share each prefix.
    return crypto.keyed_digest(RECEIPT_PURPOSE, code[:LOOKUP_DIGITS])[:LOOKUP_LENGTH]


def _receipt_lookups(code: str) -> list[str]:
    """The lookup under the current key and, while a key rotation is unfinished, the previous ones."""
    return [d[:LOOKUP_LENGTH] for d in crypto.keyed_digests(RECEIPT_PURPOSE, code[:LOOKUP_DIGITS])]


@transaction.atomic
def report_submit(
    *,
    source: str,
    category: str,
    description: str,
    office: Office | None = None,
    occurred_on: dt.date | None = None,
    place: str = "",
    contact: str = "",
    attachments: Sequence[files.CleanFile] = (),
    reporter: Any = None,
) -> tuple[Report, str]:
    """Store a report encrypted and return it with its receipt code (shown once, kept hashed).

    `reporter` is set only for staff who chose to be identified; anonymous reports keep no
    trace of who sent them.
    """
    if not description.strip():
        raise ValidationError({"description": _("Describe what happened.")})
    code = receipt_generate()
    # Every report goes into the next day's batch, dated by day only; a staff member who chose
    # to be named is audited under his name there.
    report = Report.objects.create(
        source=source,
        category=category,
        office=office,
        occurred_on=occurred_on,
        place_enc=crypto.encrypt_text(place.strip()),
        description_enc=crypto.encrypt_text(description.strip()),
        contact_enc=crypto.encrypt_text(contact.strip()),
        reporter=reporter,
        receipt_lookup=_receipt_lookup(code),
        receipt_hash=make_password(code, hasher=RECEIPT_HASHER),
        received_at=reporter_day(),
        audit_pending=True,
    )
    _store_reporter_files(report, attachments)
    return report, code


def _store_reporter_files(
    report: Report, attachments: Sequence[files.CleanFile], message: Message | None = None
) -> None:
    for clean in attachments:
        Attachment.objects.create(
            report=report,
            message=message,
            name_enc=crypto.encrypt_text(clean.name),
            content_type=clean.content_type,
            size=len(clean.data),
            stored_name=files.store(clean.data),
            uploaded_at=reporter_day(),
        )


def _report_event(report: Report) -> dict[str, Any]:
    return {
        "source": report.source,
        "category": report.category,
        "attachments": report.attachments.filter(message__isnull=True).count(),
        "day": report.received_at.date(),
    }


@transaction.atomic
def reporter_audit_flush(*, now: dt.datetime | None = None) -> int:
    """Write the audit entries of reporters' actions from before today; return how many.

    Called by the integrity unit's pages and the daily commands. Entries carry the day, not
    the time, and are written together, after the day is over, so neither their timestamps
    nor their place in the hash chain say when within the day the reporter acted. A report
    whose sender chose to be named is written under his name; every other one with no user.
    """
    today = reporter_day(now)
    written = 0
    reports = Report.objects.filter(audit_pending=True, received_at__lt=today).select_related("reporter")
    for report in reports.order_by("pk"):
        audit_record(
            action="create", actor=report.reporter or NOBODY, obj=report, after=_report_event(report)
        )
        written += 1
    pending = Message.objects.filter(audit_pending=True, created_at__lt=today).select_related("report")
    for message in pending.order_by("pk"):
        after = {
            "message": "from reporter",
            "attachments": message.attachments.count(),
            "day": message.created_at.date(),
        }
        audit_record(action="create", actor=NOBODY, obj=message.report, after=after)
        written += 1
    Report.objects.filter(audit_pending=True, received_at__lt=today).update(audit_pending=False)
    Message.objects.filter(audit_pending=True, created_at__lt=today).update(audit_pending=False)
    return written


@functools.cache
def _decoy_receipt_hash() -> str:
    """Return an Argon2 hash no code matches, made once per process."""
    return make_password(secrets.token_hex(16), hasher=RECEIPT_HASHER)


def report_by_receipt(*, code: str) -> Report | None:
    """Return the report whose receipt code is `code`, or None (slow by design: Argon2).

    Every code costs the same single Argon2 check, whether or not a report's code starts
    with the same digits: were a near miss slower, timing would tell a guesser which 6-digit
    prefixes are in use and leave him 10^10 codes to try instead of 10^16.
    """
    code = receipt_normalise(code)
    candidates = (
        list(Report.objects.filter(receipt_lookup__in=_receipt_lookups(code)))
        if len(code) == RECEIPT_DIGITS
        else []
    )
    if not candidates:
        check_password(code, _decoy_receipt_hash())
        return None
    found = None
    for report in candidates:
        if check_password(code, report.receipt_hash):
            found = report
    return found


@transaction.atomic
def message_from_reporter(
    *, report: Report, body: str, attachments: Sequence[files.CleanFile] = ()
) -> Message:
    """Store the reporter's answer and its files (checked and cleaned like the first report's).

    Dated by day and audited in the next day's batch, like the report itself.
    """
    if not body.strip() and not attachments:
        raise ValidationError({"body": _("Write your answer or attach a file before sending it.")})
    message = Message.objects.create(
        report=report,
        from_reporter=True,
        body_enc=crypto.encrypt_text(body.strip()),
        created_at=reporter_day(),
        audit_pending=True,
    )
    _store_reporter_files(report, attachments, message)
    return message


@transaction.atomic
def message_to_reporter(*, report: Report, author: Any, body: str) -> Message:
    """Send a question or update to the reporter, who reads it with the receipt code."""
    if not body.strip():
        raise ValidationError({"body": _("Write the message before sending it.")})
    message = Message.objects.create(
        report=report, from_reporter=False, author=author, body_enc=crypto.encrypt_text(body.strip())
    )
    audit_record(action="create", actor=author, obj=report, after={"message": "to reporter"})
    return message


@transaction.atomic
def report_acknowledge(*, report: Report, by: Any, body: str = "") -> Report:
    """Mark the report acknowledged (7-day clock) and tell the reporter."""
    if report.acknowledged_at is None:
        report.acknowledged_at = timezone.now()
        if report.status == ReportStatus.RECEIVED:
            report.status = ReportStatus.ACKNOWLEDGED
        report.save(update_fields=["acknowledged_at", "status"])
        audit_record(action="update", actor=by, obj=report, after={"acknowledged_at": report.acknowledged_at})
    message_to_reporter(
        report=report,
        author=by,
        body=body or _("Your report has been received and will be assessed by the integrity unit."),
    )
    return report


@transaction.atomic
def report_feedback(*, report: Report, by: Any, body: str) -> Report:
    """Give the reporter feedback on the action taken (3-month clock)."""
    message_to_reporter(report=report, author=by, body=body)
    report.feedback_at = timezone.now()
    if report.acknowledged_at is None:
        report.acknowledged_at = report.feedback_at
    report.save(update_fields=["feedback_at", "acknowledged_at"])
    audit_record(action="update", actor=by, obj=report, after={"feedback_at": report.feedback_at})
    return report


@transaction.atomic
def report_merge(*, report: Report, into: Report, by: Any) -> Report:
    """Mark `report` a duplicate of `into`; the reporter still reads and writes through his code."""
    if into.pk == report.pk or into.merged_into_id is not None:
        raise ValidationError({"into": _("Choose another report that is not itself merged.")})
    if report.acknowledged_at is None and report.source != Source.LEAD:
        # A merged report drops out of the intake and its clocks: its reporter must still
        # hear that the report arrived (the 7-day acknowledgement is owed to each reporter).
        report_acknowledge(report=report, by=by)
    report.merged_into = into
    report.status = ReportStatus.MERGED
    report.case = into.case
    report.save(update_fields=["merged_into", "status", "case"])
    Report.objects.filter(merged_into=report).update(merged_into=into, case=into.case)
    audit_record(action="update", actor=by, obj=report, after={"merged_into": into.pk})
    return report


@transaction.atomic
def report_close(*, report: Report, by: Any) -> Report:
    """Close a report that needs no case (out of scope, not enough to act on), with its duplicates.

    The duplicates' reporters then read "closed" too, not "an investigation is under way".
    """
    report.status = ReportStatus.CLOSED
    report.closed_at = timezone.now()
    report.save(update_fields=["status", "closed_at"])
    report.duplicates.update(status=ReportStatus.CLOSED, closed_at=report.closed_at)
    audit_record(action="update", actor=by, obj=report, after={"status": "closed"})
    return report


def _next_reference() -> str:
    year = timezone.now().year
    count = Case.objects.filter(reference__startswith=f"C-{year}-").count()
    while True:
        count += 1
        reference = f"C-{year}-{count:04d}"
        if not Case.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def case_open(
    *,
    reports: Iterable[Report],
    title: str,
    category: str,
    office: Office | None,
    by: Any,
    concerned_staff: Iterable[StaffRecord] = (),
) -> Case:
    """Open a case from reports (their duplicates follow) and mark them under investigation."""
    case = Case.objects.create(
        reference=_next_reference(), title=title.strip(), category=category, office=office, opened_by=by
    )
    case.concerned_staff.set(list(concerned_staff))
    for report in reports:
        report.case = case
        report.status = ReportStatus.CASE_OPENED
        report.save(update_fields=["case", "status"])
        report.duplicates.update(case=case)
        audit_record(action="update", actor=by, obj=report, after={"case": case.reference})
    return case


class AssignmentError(ValidationError):
    pass


def assignment_conflict(*, case: Case, user: Any) -> str | None:
    """Return why `user` may not work on `case`, or None.

    Nobody investigates a case that concerns himself; when ARUSHA_CASES_EXCLUDE_OWN_OFFICE is
    on (default), nor a case about his own office.
    """
    record = StaffRecord.objects.filter(user=user).first()
    if record is not None and case.concerned_staff.filter(pk=record.pk).exists():
        return _("%(user)s is one of the staff concerned by this case.") % {"user": user.get_username()}
    if getattr(settings, "ARUSHA_CASES_EXCLUDE_OWN_OFFICE", True) and case.office_id is not None:
        offices = {getattr(record, "office_id", None), getattr(user, "office_id", None)} - {None}
        if case.office_id in offices:
            return _("%(user)s works in the office this case concerns.") % {"user": user.get_username()}
    return None


@transaction.atomic
def case_assign(*, case: Case, investigator: Any, by: Any) -> Case:
    if investigator.role != "investigator":
        raise AssignmentError(_("Only investigators can be assigned to a case."))
    conflict = assignment_conflict(case=case, user=investigator)
    if conflict:
        raise AssignmentError(conflict)
    case.investigators.add(investigator)
    audit_record(action="update", actor=by, obj=case, after={"assigned": investigator.get_username()})
    return case


@transaction.atomic
def case_unassign(*, case: Case, investigator: Any, by: Any) -> Case:
    case.investigators.remove(investigator)
    audit_record(action="update", actor=by, obj=case, after={"unassigned": investigator.get_username()})
    return case


@transaction.atomic
def case_add_concerned(*, case: Case, staff: StaffRecord, by: Any) -> Case:
    """Record a member of staff as concerned; refused if he is assigned to the case."""
    if staff.user_id is not None and case.investigators.filter(pk=staff.user_id).exists():
        raise AssignmentError(_("This person is assigned to the case: unassign him first."))
    case.concerned_staff.add(staff)
    audit_record(action="update", actor=by, obj=case, after={"concerned": staff.officer_id})
    return case


@transaction.atomic
def case_entry_add(
    *,
    case: Case,
    kind: str,
    text: str,
    by: Any,
    occurred_on: dt.date | None = None,
    due_on: dt.date | None = None,
    evidence: files.CleanFile | None = None,
    link_path: str = "",
) -> CaseEntry:
    """Add an item to the case file; an evidence file is stored encrypted with its SHA-256.

    `link_path` (links only) is the checked path of a lead, risk or action page (links.clean_link).
    """
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    if not text.strip():
        raise ValidationError({"text": _("Write the text of the entry.")})
    if evidence is not None and kind != EntryKind.EVIDENCE:
        raise ValidationError({"file": _("Only evidence items take a file.")})
    if link_path and kind != EntryKind.LINK:
        raise ValidationError({"link": _("Only links take an address.")})
    entry = CaseEntry.objects.create(
        link_path=link_path,
        case=case,
        kind=kind,
        text_enc=crypto.encrypt_text(text.strip()),
        occurred_on=occurred_on,
        due_on=due_on,
        created_by=by,
    )
    if evidence is not None:
        Attachment.objects.create(
            entry=entry,
            name_enc=crypto.encrypt_text(evidence.name),
            content_type=evidence.content_type,
            size=len(evidence.data),
            sha256=evidence.sha256,
            stored_name=files.store(evidence.data),
        )
    return entry


@transaction.atomic
def case_entry_toggle(*, entry: CaseEntry, by: Any) -> CaseEntry:
    entry.done = not entry.done
    entry.save(update_fields=["done"])
    return entry


@transaction.atomic
def case_close(
    *, case: Case, outcome: str, sanction: str, referred_to_prosecution: bool, conclusion: str, by: Any
) -> Case:
    """Close the case with its outcome; its reports close and its retention period starts."""
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is already closed."))
    if not conclusion.strip():
        raise ValidationError({"conclusion": _("Summarise the conclusion of the investigation.")})
    now = timezone.now()
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    case.outcome = outcome
    case.sanction = sanction
    case.referred_to_prosecution = referred_to_prosecution
    case.conclusion_enc = crypto.encrypt_text(conclusion.strip())
    years = retention_years(outcome)
    case.delete_after = now.date().replace(year=now.year + years, day=min(now.day, 28))
    case.save()
    for report in case.reports.all():
        report.status = ReportStatus.CLOSED
        report.closed_at = now
        report.save(update_fields=["status", "closed_at"])
    return case


@transaction.atomic
def intake_from_lead(
    *,
    entity_type: str,
    entity_id: str,
    explanation: str,
    referred_by: Any,
    office_code: str = "",
    category: str = Category.OTHER,
) -> Report:
    """Put a lead referred from the performance workspace in the intake queue.

    Args:
        entity_type: What the lead is about, e.g. "officer", "office", "declaration".
        entity_id: Its identifier (officer id, office code, declaration id).
        explanation: Why it was referred (indicators, period); stored encrypted.
        referred_by: The user who referred it (recorded, and shown to the integrity unit).
        office_code: The lead's office (unknown codes leave the office empty).
        category: The likely category (the integrity unit can change it when it opens a case);
            anything not a ``Category`` is "other".

    Returns:
        The new intake item (source "lead"); the reporter clocks do not apply to it.
    """
    if not explanation.strip():
        raise ValidationError({"explanation": _("Explain why this lead is referred.")})
    report = Report.objects.create(
        source=Source.LEAD,
        category=category if category in Category.values else Category.OTHER,
        office=Office.objects.filter(code=office_code).first() if office_code else None,
        description_enc=crypto.encrypt_text(explanation.strip()),
        lead_entity_type=entity_type,
        lead_entity_id=str(entity_id),
        referred_by=referred_by,
    )
    audit_record(action="create", actor=referred_by, obj=report, after={"lead": f"{entity_type} {entity_id}"})
    return report


def _shred_attachments(attachments: Iterable[Attachment]) -> None:
    for attachment in attachments:
        files.shred(attachment.stored_name)


@transaction.atomic
def retention_purge(*, today: dt.date | None = None) -> dict[str, int]:
    """Delete closed cases past their retention date, their reports, messages and files.

    Reports closed without a case are kept for the shortest period (unfounded).
    """
    today = today or timezone.localdate()
    reporter_audit_flush()
    expired_cases = list(Case.objects.filter(status=CaseStatus.CLOSED, delete_after__lte=today))
    short = retention_years("unfounded")
    cutoff = timezone.now() - dt.timedelta(days=365 * short)
    stray = Report.objects.filter(case__isnull=True, status=ReportStatus.CLOSED, closed_at__lte=cutoff)
    reports = list(Report.objects.filter(case__in=expired_cases)) + list(stray)
    # Duplicates go with the report they were merged into (they have no case of their own).
    reports += list(Report.objects.filter(merged_into__in=reports).exclude(pk__in=[r.pk for r in reports]))
    _shred_attachments(Attachment.objects.filter(report__in=reports))
    _shred_attachments(Attachment.objects.filter(entry__case__in=expired_cases))
    for case in expired_cases:
        audit_record(action="delete", obj=case, before={"reference": case.reference, "retention": "expired"})
    for report in reports:
        audit_record(action="delete", obj=report, before={"retention": "expired"})
    Report.objects.filter(merged_into__in=reports).update(merged_into=None)
    Report.objects.filter(pk__in=[r.pk for r in reports]).delete()
    Case.objects.filter(pk__in=[c.pk for c in expired_cases]).delete()
    return {"cases": len(expired_cases), "reports": len(reports)}


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """E-mail every active integrity-unit user the overdue clocks; return the number of e-mails.

    The e-mail names report references and deadlines only, never contents.
    """
    from django.core.mail import send_mail

    from arusha_web.accounts.models import User

    from .selectors import clocks_overdue

    overdue = clocks_overdue(now=now)
    if not overdue["acknowledge"] and not overdue["feedback"]:
        return 0
    lines = [_("Reports not acknowledged within 7 days:")]
    lines += [f"  {r.reference} ({r.acknowledge_due:%Y-%m-%d})" for r in overdue["acknowledge"]] or ["  —"]
    lines += [_("Reports without feedback within 3 months:")]
    lines += [f"  {r.reference} ({r.feedback_due:%Y-%m-%d})" for r in overdue["feedback"]] or ["  —"]
    sent = 0
    for user in User.objects.filter(role="integrity", is_active=True).exclude(email=""):
        send_mail(_("Arusha: reporting deadlines overdue"), "\n".join(lines), None, [user.email])
        sent += 1
    return sent
