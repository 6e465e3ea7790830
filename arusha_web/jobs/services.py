"""Starting jobs, running them in the worker, and the worker's heartbeat."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone, translation

from arusha_web.accounts.models import User

from .models import Job, JobStatus, WorkerHeartbeat
from .registry import JobContext, get_kind

logger = logging.getLogger(__name__)

UNKNOWN_KIND = "unknown job kind {kind!r}"
# Heartbeats of workers gone this long are deleted when a worker starts.
HEARTBEAT_RETENTION = timedelta(days=7)
# Frames of the traceback kept in Job.error: enough to find the line, short enough to read.
TRACEBACK_FRAMES = 4


def job_start(*, kind: str, params: dict[str, Any] | None = None, user: User | None) -> Job:
    """Create a queued job and hand it to the worker once the current transaction commits.

    Args:
        kind: A registered job kind, e.g. "system.selfcheck".
        params: Keyword arguments for the kind's function; must be JSON-serialisable.
        user: Who started it (None for the system).

    Returns:
        The new `Job`, status "queued".

    Raises:
        ValueError: if `kind` is not registered.
    """
    try:
        get_kind(kind)
    except KeyError:
        raise ValueError(UNKNOWN_KIND.format(kind=kind)) from None
    job = Job.objects.create(
        kind=kind, params=params or {}, created_by=user, language=translation.get_language() or ""
    )
    # Starting a job (an import, an analysis) is recorded; its progress updates are not.
    from arusha_web.audit.services import audit_record

    audit_record(action="create", actor=user, obj=job, after={"kind": kind, "params": job.params})
    # After commit: a worker polling the queue must find the Job row the task points to.
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: UUID) -> None:
    from .tasks import run_job  # tasks.py imports this module

    try:
        task_result = run_job.enqueue(str(job_id))
    except Exception as exc:
        logger.exception("Could not enqueue job %s", job_id)
        _mark_failed(job_id, exc, message="")
        return
    Job.objects.filter(pk=job_id).update(task_result_id=str(task_result.id))


def job_run(*, job_id: UUID | str) -> str:
    """Run a queued job in this process, recording progress, result or error on its row.

    The worker calls this through the `run_job` task; tests may call it directly. A job that
    is no longer queued (already run by another worker) is left alone.

    Returns:
        The job's final status.
    """
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), progress=0
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        logger.warning("Job %s is %s, not queued: not running it again", job_id, job.status)
        return job.status
    try:
        kind = get_kind(job.kind)
    except KeyError:
        _mark_failed(job.pk, LookupError(UNKNOWN_KIND.format(kind=job.kind)), message="")
        return JobStatus.FAILED
    context = JobContext(job)
    try:
        with translation.override(job.language or None):
            result = kind.func(context, **job.params)
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.SUCCEEDED,
                progress=100,
                message=context.message,
                result=result,
                finished_at=timezone.now(),
            )
    except BaseException as exc:
        # BaseException too: a second Ctrl+C or SIGTERM stops the worker mid-job, and the
        # row must not stay "running" for ever.
        _mark_failed(job.pk, exc, message=context.message)
        if not isinstance(exc, Exception):
            raise
        return JobStatus.FAILED
    return JobStatus.SUCCEEDED


def _mark_failed(job_id: UUID, exc: BaseException, *, message: str) -> None:
    logger.warning("Job %s failed: %s", job_id, exc, exc_info=exc)
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, error=_format_error(exc), message=message, finished_at=timezone.now()
    )


def _format_error(exc: BaseException) -> str:
    """Return the exception message, then the last frames of its traceback."""
    summary = "".join(traceback.format_exception_only(exc)).strip()
    frames = traceback.format_tb(exc.__traceback__)[-TRACEBACK_FRAMES:]
    if not frames:
        return summary
    return summary + "\n\n" + "".join(frames).rstrip()


def worker_heartbeat(*, worker_id: str) -> WorkerHeartbeat:
    """Record that the worker `worker_id` (this process) is alive now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
    if updated:
        return WorkerHeartbeat.objects.get(worker_id=worker_id)
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "last_seen": now},
    )
    return beat


def worker_heartbeats_prune() -> int:
    """Delete heartbeats of workers gone longer than HEARTBEAT_RETENTION; return how many."""
    deleted, _ = WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - HEARTBEAT_RETENTION).delete()
    return deleted
