"""Starting jobs, running them in the worker, and the worker's heartbeat."""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arusha_web.accounts.models import User

from .models import Job, JobStatus, WorkerHeartbeat
from .registry import JobContext, get_kind, has_kind

logger = logging.getLogger(__name__)

UNKNOWN_KIND = "unknown job kind {kind!r}"
# Heartbeats of workers gone this long are deleted when a worker starts.
HEARTBEAT_RETENTION = timedelta(days=7)
# Frames of the traceback kept in Job.error: enough to find the line, short enough to read.
TRACEBACK_FRAMES = 4
# How often a running job's process touches Job.heartbeat_at (well under the stale limit).
JOB_HEARTBEAT_SECONDS = 30.0


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
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, progress=0, runner=runner_id()
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
        with translation.override(job.language or None), _heartbeat(job.pk):
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


def runner_id() -> str:
    """This process, as a job's ``runner``: "host:pid"."""
    return f"{socket.gethostname()[:200]}:{os.getpid()}"


@contextmanager
def _heartbeat(job_id: UUID) -> Iterator[None]:
    """Touch the job's heartbeat every JOB_HEARTBEAT_SECONDS while the job function runs.

    A thread, not the progress reports: one step of a large analysis may report nothing for
    minutes. When the process is killed (kill -9, out of memory, power cut) the beats stop.
    """
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(JOB_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
                except Exception:  # a locked database: the next beat may succeed
                    logger.warning("Could not record the heartbeat of job %s", job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"job-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def _abandoned(job: Job, *, now: Any, stale: timedelta) -> bool:
    """Whether a "running" job's process is gone.

    On this host the process is asked directly (a killed worker is noticed at once, even while a
    long SQLite write keeps its heartbeat thread waiting); on another host (web and worker in
    separate containers, on PostgreSQL) a heartbeat older than ARUSHA_WORKER_STALE_SECONDS says it.
    """
    host, _sep, pid = job.runner.rpartition(":")
    if host == socket.gethostname()[:200] and pid.isdigit():
        return not _process_alive(int(pid))
    last = job.heartbeat_at or job.started_at or job.created_at
    return now - last > stale


def jobs_fail_abandoned() -> list[Job]:
    """Mark failed the running jobs whose worker died (kill -9, crash, reboot); return them.

    Called when a worker starts, at each worker heartbeat and when a jobs page is shown, so the
    person who started the job sees what happened without anyone cleaning up. The job kind's
    ``on_abandoned`` hook lets its app mark its own records (an import, an analysis) failed too.
    """
    now = timezone.now()
    stale = timedelta(seconds=settings.ARUSHA_WORKER_STALE_SECONDS)
    gone = [
        job for job in Job.objects.filter(status=JobStatus.RUNNING) if _abandoned(job, now=now, stale=stale)
    ]
    failed = []
    for job in gone:
        last = job.heartbeat_at or job.started_at or job.created_at
        # In the language of the person who started it, like the job's own messages.
        with translation.override(job.language or None):
            error = _(
                "The worker running this job stopped before it finished (last sign of life: %(when)s UTC): "
                "it was killed or the server restarted. Nothing it had not finished was kept. "
                "Use “Retry” to run it again."
            ) % {"when": last.strftime("%Y-%m-%d %H:%M:%S")}
        # Conditional on "running": another process may have reaped it (or it may have finished).
        if not Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=error, finished_at=now
        ):
            continue
        logger.warning("Job %s (%s) abandoned by its worker %s", job.pk, job.kind, job.runner)
        hook = get_kind(job.kind).on_abandoned if has_kind(job.kind) else None
        if hook is not None:
            try:
                hook(dict(job.params), error)
            except Exception:
                logger.exception("on_abandoned hook of %s failed for job %s", job.kind, job.pk)
        job.status, job.error, job.finished_at = JobStatus.FAILED, error, now
        failed.append(job)
    return failed


class RetryRefused(Exception):
    """The job cannot be run again (not failed, or its kind no longer exists)."""


@transaction.atomic
def job_retry(*, job: Job, user: User | None) -> Job:
    """Queue a failed job again with the same parameters (same row: pages that link to it follow).

    Raises:
        RetryRefused: the job did not fail, or its kind is no longer installed.
    """
    if job.status != JobStatus.FAILED:
        raise RetryRefused(_("Only a failed job can be run again."))
    if not has_kind(job.kind):
        raise RetryRefused(_("This kind of job no longer exists."))
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.QUEUED,
        progress=0,
        message="",
        error="",
        result=None,
        started_at=None,
        finished_at=None,
        heartbeat_at=None,
        runner="",
        task_result_id="",
    )
    if not updated:
        raise RetryRefused(_("Only a failed job can be run again."))
    from arusha_web.audit.services import audit_record

    audit_record(action="update", actor=user, obj=job, before={"status": "failed"}, after={"retry": True})
    hook = get_kind(job.kind).on_retry
    if hook is not None:
        hook(dict(job.params), "")
    transaction.on_commit(lambda: _enqueue(job.pk))
    job.refresh_from_db()
    return job


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
