"""Integrity perception surveys (CIPS-like). Responses carry strata only, never an identity."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from .reference import Factor, in_language


def _slug() -> str:
    return secrets.token_urlsafe(9)


class Survey(models.Model):
    class Instrument(models.TextChoices):
        OFFICIALS = "officials", _("Customs officials")
        PRIVATE = "private", _("Private sector")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    instrument = models.CharField(_("respondents"), max_length=10, choices=Instrument.choices)
    iteration = models.PositiveSmallIntegerField(_("iteration"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous iteration"),
    )
    population = models.PositiveIntegerField(_("population size"), null=True, blank=True)
    opens_on = models.DateField(_("opens"), null=True, blank=True)
    closes_on = models.DateField(_("closes"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    slug = models.CharField(max_length=32, unique=True, default=_slug, editable=False)
    regions = models.TextField(_("regions offered (one per line)"), blank=True)
    offices = models.TextField(_("offices offered (one per line)"), blank=True)
    roles = models.TextField(_("roles or sectors offered (one per line)"), blank=True)

    class Meta:
        ordering = ["-iteration", "-id"]
        verbose_name = _("perception survey")
        verbose_name_plural = _("perception surveys")

    def __str__(self) -> str:
        return self.title

    def region_choices(self) -> list[str]:
        return [line.strip() for line in self.regions.splitlines() if line.strip()]

    def office_choices(self) -> list[str]:
        return [line.strip() for line in self.offices.splitlines() if line.strip()]

    def role_choices(self) -> list[str]:
        return [line.strip() for line in self.roles.splitlines() if line.strip()]


class SurveyItem(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert5", _("Agreement (1–5)")
        YES_NO = "yes_no", _("Yes / no")
        FREQUENCY = "frequency", _("Frequency (never … always)")
        EXPERIENCE = "experience_12m", _("Experience in the last 12 months (yes / no)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="items")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    text_en = models.TextField(_("text (English)"))
    text_fr = models.TextField(_("text (French)"))
    # True when a favourable answer is "no"/"never" (e.g. "were you asked for a payment?").
    reverse = models.BooleanField(_("favourable answer is the low value"), default=False)
    order = models.PositiveSmallIntegerField(default=0)
    # Once answered, an item's wording never changes: an edit adds version n+1 (pointing at the
    # version it replaces) and retires this one, so past answers keep the wording they were given.
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    retired = models.BooleanField(_("retired (no longer asked)"), default=False)

    class Meta:
        ordering = ["order", "version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "code", "version"], name="diagnose_item_code_version_once"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return in_language(self, "text")

    @property
    def scale_max(self) -> int:
        return 5 if self.kind in (self.Kind.LIKERT, self.Kind.FREQUENCY) else 1


class SurveyResponse(models.Model):
    """One completed questionnaire: strata only. No account, IP address, user agent or time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    region = models.CharField(_("region"), max_length=100, blank=True)
    office = models.CharField(_("office"), max_length=100, blank=True)
    role = models.CharField(_("role or sector"), max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.region or '—'} · {self.role or '—'}"


class SurveyAnswer(models.Model):
    # Random keys: sequential ids would order the answers, and so the responses, in time.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.CASCADE, related_name="answers")
    # likert/frequency 1..5; yes/no and experience: 1 = yes, 0 = no.
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="diagnose_survey_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"
