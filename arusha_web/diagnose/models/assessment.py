"""Self-assessment campaigns: participants, answer sheets, workshop results per factor."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reference import BankVersion, Factor, Question, WordingVersion


class Group(models.TextChoices):
    HQ = "hq", _("Headquarters")
    MANAGER = "manager", _("Managers")
    OFFICER = "officer", _("Frontline officers")
    PRIVATE = "private", _("Private sector")


class Rating(models.TextChoices):
    R0 = "0", _("0 — not in place")
    R1 = "1", _("1 — initiated")
    R2 = "2", _("2 — partially implemented")
    R3 = "3", _("3 — largely implemented")
    R4 = "4", _("4 — fully implemented and monitored")
    NA = "na", _("N/A — not applicable")


class Assessment(models.Model):
    """One self-assessment campaign, frozen to the question-bank version it started with."""

    class Scope(models.TextChoices):
        NATIONAL = "national", _("National")
        OFFICE = "office", _("Office")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Collecting answers")
        WORKSHOP = "workshop", _("Workshop")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.NATIONAL)
    office = models.ForeignKey(
        "org.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    bank = models.ForeignKey(
        BankVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("question bank version"),
    )
    wording = models.ForeignKey(
        WordingVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("factor wording version"),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous assessment"),
    )
    remind_every_days = models.PositiveSmallIntegerField(
        _("remind every (days)"),
        null=True,
        blank=True,
        help_text=_(
            "While answers are being collected, e-mail a reminder to invited participants who have "
            "not answered every this many days. Leave empty for no automatic reminders."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def questions(self) -> models.QuerySet[Question]:
        return self.bank.questions.filter(retired=False).select_related("element__factor")

    def factor_title(self, factor: Factor) -> str:
        """The factor's title as worded when this assessment was run (later edits do not show)."""
        return self.wording.factor_title(factor.code) or factor.title

    def factor_label(self, factor: Factor) -> str:
        return f"{factor.code} · {self.factor_title(factor)}"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Participant(models.Model):
    """Someone invited to answer; the personal link carries `token`.

    `responded_at` only says that this person has answered (for progress by group). When the
    answer is anonymous, nothing on the answer sheet points back here or to an account.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="participants")
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    class Meta:
        ordering = ["group", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "email"],
                condition=~models.Q(email=""),
                name="diagnose_participant_email_once",
            )
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """One reminder e-mailed to a participant who had not answered yet: every one is kept.

    Pages and the audit trail show how many were sent, when and by whom, never to whom.
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    # Who pressed "send reminders"; empty when the campaign's schedule sent it.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    scheduled = models.BooleanField(_("sent by the schedule"), default=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        # Never names the participant: the string is the audit trail's label, and whom a
        # reminder went to says who had not answered yet.
        return f"{self.participant.assessment_id} · {self.sent_at:%Y-%m-%d %H:%M}"


class ResponseSheet(models.Model):
    """One respondent's answers. Anonymous sheets have no participant and no timestamp.

    The primary key is a random UUID (not a sequence) so the order of anonymous sheets does
    not reveal who answered when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sheets")
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="sheet"
    )
    submitted = models.BooleanField(_("submitted"), default=False)

    class Meta:
        verbose_name = _("answer sheet")
        verbose_name_plural = _("answer sheets")

    def __str__(self) -> str:
        # Never names the participant: the string may end up in logs or the audit trail.
        return f"{self.assessment_id} · {self.get_group_display()}"

    @property
    def is_anonymous(self) -> bool:
        return self.participant_id is None


class Answer(models.Model):
    # Random keys here too: sequential ids would order anonymous answers in time.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sheet = models.ForeignKey(ResponseSheet, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("maturity"), max_length=2, choices=Rating.choices)
    evidence = models.TextField(_("evidence"), blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "question"], name="diagnose_answer_once"),
            models.CheckConstraint(
                condition=models.Q(rating__in=["0", "1", "2", "3", "4", "na"]),
                name="diagnose_answer_rating_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.rating}"


class FactorResult(models.Model):
    """What the workshop agreed for one factor: consensus maturity (not an average) and SWOT."""

    class Priority(models.IntegerChoices):
        HIGH = 1, _("1 — high")
        MEDIUM = 2, _("2 — medium")
        LOW = 3, _("3 — low")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="factor_results")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    consensus = models.PositiveSmallIntegerField(
        _("consensus maturity"), null=True, blank=True, choices=[(i, str(i)) for i in range(5)]
    )
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    opportunities = models.TextField(_("opportunities"), blank=True)
    threats = models.TextField(_("threats"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), null=True, blank=True, choices=Priority.choices
    )

    class Meta:
        ordering = ["factor__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"], name="diagnose_factor_result_once"),
            models.CheckConstraint(
                condition=models.Q(consensus__isnull=True) | models.Q(consensus__lte=4),
                name="diagnose_consensus_0_4",
            ),
        ]
        verbose_name = _("factor result")
        verbose_name_plural = _("factor results")

    def __str__(self) -> str:
        return f"{self.assessment} — {self.factor.code}"
