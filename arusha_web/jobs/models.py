"""Background jobs (one row per run, with progress) and worker heartbeats."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import kind_label


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


# "ValueError: " or "arusha.analysis.NothingToAnalyse: " at the start of a stored error: the class of
# the exception, which means nothing to the person reading the sentence after it.
EXCEPTION_PREFIX = re.compile(r"^((?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*|[A-Za-z_]\w*(?:Error|Exception)): ")


class Job(models.Model):
    """One run of a registered job kind, from the queue to its result or error.

    The worker writes `progress` and `message` while the job runs, so the page that polls
    the row shows how far it got. django-tasks keeps its own row (`task_result_id`); this one
    is what users see and what later issues link imports and analyses to.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=100)
    params = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(_("result"), null=True, blank=True, encoder=DjangoJSONEncoder)
    # The worker writes messages in the language of the person who started the job.
    language = models.CharField(max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Touched by the process running the job (see services.job_run): a running job whose process
    # has not been heard from for ARUSHA_WORKER_STALE_SECONDS was killed and is marked failed.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    runner = models.CharField(max_length=255, blank=True, editable=False)  # "host:pid" running it
    task_result_id = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="jobs_job_progress_lte_100"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def error_summary(self) -> str:
        """The error's first paragraph: what a person reads (the rest is the traceback), without
        the exception's class ("arusha.analysis.NothingToAnalyse: "), which goes to the details."""
        return EXCEPTION_PREFIX.sub("", self.error.split("\n\n", 1)[0], count=1)

    @property
    def error_details(self) -> str:
        """The exception's class and the traceback frames, for whoever fixes the problem; "" when none."""
        parts = self.error.split("\n\n", 1)
        prefix = EXCEPTION_PREFIX.match(parts[0])
        details = parts[1] if len(parts) == 2 else ""
        return f"{prefix.group(1)}\n{details}".strip() if prefix else details

    @property
    def can_retry(self) -> bool:
        """A failed job can be queued again with the same parameters (its kind must still exist)."""
        from .registry import has_kind

        return self.status == JobStatus.FAILED and has_kind(self.kind)

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def status_badge(self) -> str:
        """Return the CSS class for this status's badge."""
        return _STATUS_BADGES[JobStatus(self.status)]


_STATUS_BADGES = {
    JobStatus.QUEUED: "",
    JobStatus.RUNNING: "badge-warn",
    JobStatus.SUCCEEDED: "badge-ok",
    JobStatus.FAILED: "badge-bad",
}


class WorkerHeartbeat(models.Model):
    """A running `arusha_worker` process; it touches `last_seen` every few seconds."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"

    @classmethod
    def latest_seen(cls) -> datetime | None:
        """Return when any worker was last seen, or None if none ever was."""
        latest: datetime | None = cls.objects.aggregate(latest=models.Max("last_seen"))["latest"]
        return latest
