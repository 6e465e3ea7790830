"""The integrity action plan.

`Action` is a stable public name other modules use (risks, cases): its motivation is a
generic (`source_type`, `source_id`, `source_label`) triple rather than a foreign key, so a
risk or a lead can motivate an action without this app depending on theirs.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reference import Factor


class ActionPlan(models.Model):
    """A plan (usually one per assessment); its approval is recorded, never implied."""

    title = models.CharField(_("title"), max_length=200)
    assessment = models.OneToOneField(
        "diagnose.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan",
        verbose_name=_("assessment"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approval_note = models.CharField(_("approval note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.title


class Action(models.Model):
    class Horizon(models.TextChoices):
        SHORT = "short", _("Short term")
        MEDIUM = "medium", _("Medium term")
        LONG = "long", _("Long term")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ON_TRACK = "on_track", _("On track")
        DELAYED = "delayed", _("Delayed")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class SourceType(models.TextChoices):
        FACTOR = "factor_result", _("Self-assessment finding")
        SURVEY = "survey_item", _("Perception survey result")
        RISK = "risk", _("Corruption risk")
        LEAD = "lead", _("Lead or case")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("plan"),
    )
    factor = models.ForeignKey(
        Factor, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("factor")
    )
    # The office that carries the action out; empty for a national action. Office managers see
    # national actions and edit their own office's only.
    office = models.ForeignKey(
        "org.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
        help_text=_("Leave empty for a national action."),
    )
    source_type = models.CharField(_("motivated by"), max_length=20, choices=SourceType.choices, blank=True)
    source_id = models.CharField(_("source identifier"), max_length=64, blank=True)
    source_label = models.CharField(_("motivation"), max_length=300, blank=True)
    objective = models.CharField(_("objective"), max_length=300)
    activity = models.TextField(_("activity"), blank=True)
    horizon = models.CharField(_("horizon"), max_length=8, choices=Horizon.choices, default=Horizon.SHORT)
    owner_unit = models.CharField(_("owner unit"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    output = models.CharField(_("output"), max_length=300, blank=True)
    indicator = models.CharField(_("indicator"), max_length=300, blank=True)
    baseline = models.CharField(_("baseline"), max_length=100, blank=True)
    target = models.CharField(_("target"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), default=0)
    evidence_of_completion = models.TextField(_("evidence of completion"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    last_reminder_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100), name="diagnose_action_pct_0_100"
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(due_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="diagnose_action_due_after_start",
            ),
        ]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.objective

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.DONE, self.Status.DROPPED)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today
