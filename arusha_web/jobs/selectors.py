"""Reads shared by the pages, the JSON API and /healthz."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from arusha_web.accounts.models import User

from .models import Job, WorkerHeartbeat


def job_list_for_viewer(*, viewer: User) -> QuerySet[Job]:
    """Return the jobs `viewer` may see, newest first: all of them with "jobs.view", else none."""
    if not viewer.can("jobs.view"):
        return Job.objects.none()
    return Job.objects.select_related("created_by").order_by("-created_at")


def job_for_viewer(*, viewer: User, pk: UUID | str) -> Job:
    """Return job `pk` if `viewer` may see it; raise Http404 otherwise (unknown or not allowed)."""
    return get_object_or_404(job_list_for_viewer(viewer=viewer), pk=pk)


@dataclass(frozen=True)
class WorkerStatus:
    last_seen: datetime | None
    age_seconds: float | None
    ok: bool


def worker_status() -> WorkerStatus:
    """Return whether a worker was seen within ARUSHA_WORKER_STALE_SECONDS."""
    last_seen = WorkerHeartbeat.latest_seen()
    if last_seen is None:
        return WorkerStatus(last_seen=None, age_seconds=None, ok=False)
    # Clocks of two hosts may differ slightly: a heartbeat "from the future" is fresh.
    age = max(0.0, (timezone.now() - last_seen).total_seconds())
    return WorkerStatus(last_seen=last_seen, age_seconds=age, ok=age <= settings.ARUSHA_WORKER_STALE_SECONDS)
