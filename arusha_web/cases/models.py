"""Reports from the channel (intake items) and the cases opened from them.

Everything a reporter or an investigator writes is stored encrypted (fields ending in
``_enc``, see crypto.py). Reports hold no IP address, user agent or cookie, and a staff
reporter who chose not to be identified is not linked to the report at all.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arusha_web.org.models import Office, StaffRecord

from . import crypto

ACKNOWLEDGE_DAYS = 7  # EU directive 2019/1937 art. 9(1)(b)
FEEDBACK_DAYS = 90  # "within a reasonable timeframe not exceeding three months", art. 9(1)(f)


def reporter_day(now: dt.datetime | None = None) -> dt.datetime:
    """Return the start of today (local time): the only "when" kept for what a reporter does.

    An exact time could be matched against login records, badge readers or CCTV to find the
    staff member who sent a report without showing who he is; the day is enough for the
    7-day and 3-month clocks. Reports, reporters' messages and their attachments use it.
    """
    day = timezone.localtime(now or timezone.now()).date()
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


# Ids of reports, messages and attachments are drawn at random from 8-digit numbers.
RANDOM_ID_MIN = 10_000_000
RANDOM_ID_SPAN = 90_000_000


class RandomIdModel(models.Model):
    """A model whose new rows get a random id instead of the next number.

    Sequential ids give away the order of submissions: a hidden staff report numbered between
    two reports whose senders are known (or between two messages with exact times) was sent
    between them. A random id says nothing about when a row was written.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            manager = type(self)._default_manager
            while self.pk is None or manager.filter(pk=self.pk).exists():
                self.pk = RANDOM_ID_MIN + secrets.randbelow(RANDOM_ID_SPAN)
            kwargs["force_insert"] = True
        super().save(*args, **kwargs)


class Category(models.TextChoices):
    BRIBERY = "bribery", _("Bribery")
    EXTORTION = "extortion", _("Extortion")
    FAVOURITISM = "favouritism", _("Favouritism")
    SMUGGLING = "smuggling", _("Facilitation of smuggling")
    PROCUREMENT = "procurement", _("Procurement")
    MISCONDUCT = "misconduct", _("Misconduct")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    PUBLIC = "public", _("Public channel")
    STAFF = "staff", _("Staff account")
    LEAD = "lead", _("Data lead")


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    MERGED = "merged", _("Merged into another report")
    CASE_OPENED = "case_opened", _("Under investigation")
    CLOSED = "closed", _("Closed")


class Report(RandomIdModel):
    """One report (or referred lead) waiting for triage, then attached to a case."""

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    office = models.ForeignKey(
        Office, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("office")
    )
    occurred_on = models.DateField(_("date of the facts"), null=True, blank=True)
    place_enc = models.TextField(blank=True, editable=False)
    description_enc = models.TextField(editable=False)
    contact_enc = models.TextField(blank=True, editable=False)
    # Only when a staff member chose to let investigators see who they are.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    receipt_lookup = models.CharField(max_length=64, db_index=True, blank=True, editable=False)
    receipt_hash = models.CharField(max_length=200, blank=True, editable=False)
    # Leads referred from the performance workspace.
    lead_entity_type = models.CharField(max_length=40, blank=True)
    lead_entity_id = models.CharField(max_length=100, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), default=reporter_day)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default="received")
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    case = models.ForeignKey(
        "Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("case"),
    )
    # The reporter's own events reach the audit trail in a later daily batch (see
    # services.reporter_audit_flush): an entry written at once would date the report to the
    # second and sit next to the sender's login in the chain.
    audit_pending = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"R-{self.pk}"

    @property
    def reference(self) -> str:
        return f"R-{self.pk}"

    @property
    def description(self) -> str:
        return crypto.decrypt_text(self.description_enc)

    @property
    def place(self) -> str:
        return crypto.decrypt_text(self.place_enc)

    @property
    def contact(self) -> str:
        return crypto.decrypt_text(self.contact_enc)

    @property
    def acknowledge_due(self) -> dt.datetime:
        return self.received_at + dt.timedelta(days=ACKNOWLEDGE_DAYS)

    @property
    def feedback_due(self) -> dt.datetime:
        return self.received_at + dt.timedelta(days=FEEDBACK_DAYS)

    def acknowledge_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.acknowledged_at is None and (now or timezone.now()) > self.acknowledge_due

    def feedback_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.feedback_at is None and (now or timezone.now()) > self.feedback_due

    @property
    def clock_applies(self) -> bool:
        """Return whether the legal clocks run: they protect reporters, not referred data leads."""
        return self.source != Source.LEAD and self.status != ReportStatus.MERGED


class Message(RandomIdModel):
    """One message between the reporter (through the receipt code) and the investigators."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    from_reporter = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body_enc = models.TextField(editable=False)
    # Day only for the reporter's messages (see reporter_day), so the order within the
    # conversation is kept here (ids are random, see RandomIdModel).
    created_at = models.DateTimeField(default=timezone.now)
    position = models.PositiveIntegerField(default=0, editable=False)
    audit_pending = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None and not self.position:
            last = Message.objects.filter(report_id=self.report_id).aggregate(last=Max("position"))["last"]
            self.position = (last or 0) + 1
        super().save(*args, **kwargs)

    @property
    def body(self) -> str:
        return crypto.decrypt_text(self.body_enc)


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    UNFOUNDED = "unfounded", _("Unfounded")
    PARTLY = "partly", _("Partly substantiated")
    SUBSTANTIATED = "substantiated", _("Substantiated")


class Sanction(models.TextChoices):
    """Graduated sanctions (editable defaults, to be aligned with the code of conduct)."""

    NONE = "none", _("No sanction")
    COUNSELLING = "counselling", _("Counselling or training")
    WARNING = "warning", _("Written warning")
    REPRIMAND = "reprimand", _("Reprimand")
    SUSPENSION = "suspension", _("Suspension")
    DEMOTION = "demotion", _("Demotion or transfer")
    DISMISSAL = "dismissal", _("Dismissal")


# Years a closed case is kept, by outcome [D: defaults to adapt to national law]; a setting
# ARUSHA_CASES_RETENTION_YEARS = {"unfounded": 1, ...} overrides them.
RETENTION_YEARS = {Outcome.UNFOUNDED: 2, Outcome.PARTLY: 5, Outcome.SUBSTANTIATED: 10}


def retention_years(outcome: str) -> int:
    """Return how many years a case closed with `outcome` is kept."""
    configured = getattr(settings, "ARUSHA_CASES_RETENTION_YEARS", {})
    defaults = {str(k): v for k, v in RETENTION_YEARS.items()}
    return int(configured.get(outcome, defaults.get(outcome, max(defaults.values()))))


class Case(models.Model):
    """An investigation opened from one or more reports."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(
        _("short title"), max_length=120, help_text=_("No names: the title appears in lists and statistics.")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    office = models.ForeignKey(
        Office, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("office")
    )
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default="open")
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    investigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases", verbose_name=_("investigators")
    )
    concerned_staff = models.ManyToManyField(
        StaffRecord, blank=True, related_name="+", verbose_name=_("staff concerned")
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    sanction = models.CharField(_("sanction"), max_length=20, choices=Sanction.choices, blank=True)
    referred_to_prosecution = models.BooleanField(_("referred to prosecution"), default=False)
    conclusion_enc = models.TextField(blank=True, editable=False)
    delete_after = models.DateField(_("delete after"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def conclusion(self) -> str:
        return crypto.decrypt_text(self.conclusion_enc)


class EntryKind(models.TextChoices):
    ALLEGATION = "allegation", _("Allegation")
    PERSON = "person", _("Person or entity concerned")
    EVENT = "event", _("Timeline event")
    TASK = "task", _("Task")
    INTERVIEW = "interview", _("Interview")
    EVIDENCE = "evidence", _("Evidence item")
    LINK = "link", _("Link to a data lead, risk or action")
    NOTE = "note", _("Note")


class CaseEntry(models.Model):
    """One item of the case file; its text is encrypted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    text_enc = models.TextField(editable=False)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    # Links only: the path of a lead, risk or action page (see links.py).
    link_path = models.CharField(_("address"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_on", "created_at", "pk"]
        verbose_name = _("case file entry")
        verbose_name_plural = _("case file entries")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_kind_display()}"

    @property
    def text(self) -> str:
        return crypto.decrypt_text(self.text_enc)

    @property
    def link_label(self) -> str:
        from .links import link_label

        return link_label(self.link_path) if self.link_path else ""


class Attachment(RandomIdModel):
    """A file attached to a report or a reporter's message (metadata stripped), or to an
    evidence item; stored encrypted."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    # Set when the reporter sent the file with an answer (report is set too).
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    entry = models.ForeignKey(
        CaseEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    name_enc = models.TextField(editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # SHA-256 of the file as received: recorded for evidence items (chain of custody) only.
    sha256 = models.CharField(max_length=64, blank=True)
    stored_name = models.CharField(max_length=80, unique=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        # Not the file name: object descriptions are stored in clear in the audit trail.
        return f"attachment {self.pk}"

    @property
    def name(self) -> str:
        return crypto.decrypt_text(self.name_enc)
