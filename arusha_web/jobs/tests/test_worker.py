from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from arusha_web.accounts.models import User
from arusha_web.jobs.models import JobStatus, WorkerHeartbeat
from arusha_web.jobs.services import job_start, worker_heartbeat, worker_heartbeats_prune

from .helpers import FAILING_KIND, FAILURE_MESSAGE


# Transactional: the worker commits, checks its connections and locks rows as in production.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_queued_jobs_in_batch_mode() -> None:
    ana = User.objects.create_user(username="ana", password="correct-horse-battery-9", role="analyst")
    ok = job_start(kind="system.selfcheck", params={}, user=ana)
    failing = job_start(kind=FAILING_KIND, params={}, user=ana)
    sigterm_before = signal.getsignal(signal.SIGTERM)

    call_command("arusha_worker", "--batch", "--no-startup-delay", "--worker-id", "test-worker", verbosity=0)

    ok.refresh_from_db()
    failing.refresh_from_db()
    assert (ok.status, ok.progress) == (JobStatus.SUCCEEDED, 100)
    assert failing.status == JobStatus.FAILED
    assert FAILURE_MESSAGE in failing.error
    # The task itself succeeded: the job's row, not the task's, records the failure.
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert WorkerHeartbeat.objects.get().worker_id == "test-worker"
    assert signal.getsignal(signal.SIGTERM) is sigterm_before


@pytest.mark.django_db
def test_the_heartbeat_is_created_then_touched() -> None:
    first = worker_heartbeat(worker_id="w1")
    WorkerHeartbeat.objects.filter(pk=first.pk).update(last_seen=timezone.now() - timedelta(minutes=5))
    second = worker_heartbeat(worker_id="w1")
    assert second.pk == first.pk
    assert timezone.now() - second.last_seen < timedelta(seconds=5)
    assert second.pid > 0 and second.hostname


@pytest.mark.django_db
def test_old_heartbeats_are_pruned() -> None:
    worker_heartbeat(worker_id="gone")
    worker_heartbeat(worker_id="alive")
    WorkerHeartbeat.objects.filter(worker_id="gone").update(last_seen=timezone.now() - timedelta(days=8))
    assert worker_heartbeats_prune() == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]
