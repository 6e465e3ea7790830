"""A job whose worker was killed (kill -9, crash, reboot) is marked failed, says so, and can be retried."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from arusha_web.accounts.models import User
from arusha_web.audit.models import AuditEntry
from arusha_web.conftest import client_for
from arusha_web.jobs import services
from arusha_web.jobs.models import Job, JobStatus
from arusha_web.jobs.registry import JobContext, job_kind
from arusha_web.jobs.services import RetryRefused, job_retry, job_run, jobs_fail_abandoned

ABANDONED: list[tuple[dict[str, Any], str]] = []
RETRIED: list[dict[str, Any]] = []


@job_kind(
    "tests.hooked",
    label="Hooked",
    on_abandoned=lambda params, message: ABANDONED.append((params, message)),
    on_retry=lambda params, _m: RETRIED.append(params),
)
def hooked(job: JobContext, *, n: int) -> dict[str, Any]:
    return {"n": n}


@job_kind("tests.slow", label="Slow")
def slow(job: JobContext) -> dict[str, Any]:
    time.sleep(0.5)
    return {}


def _killed_pid() -> int:
    """The id of a process that existed and was killed with SIGKILL (as a worker under kill -9)."""
    proc = subprocess.Popen(["sleep", "60"])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.pid


def _running(user: User, *, runner: str, heartbeat_age: float = 0, kind: str = "tests.hooked") -> Job:
    beat = timezone.now() - timedelta(seconds=heartbeat_age)
    return Job.objects.create(
        kind=kind,
        params={"n": 3},
        status=JobStatus.RUNNING,
        progress=60,
        created_by=user,
        started_at=beat,
        heartbeat_at=beat,
        runner=runner,
    )


@pytest.fixture(autouse=True)
def _clear_hooks() -> None:
    ABANDONED.clear()
    RETRIED.clear()


def test_a_job_whose_worker_was_killed_is_failed_with_a_clear_message_and_its_app_told(
    personas: dict[str, User],
) -> None:
    job = _running(personas["ana"], runner=f"{socket.gethostname()}:{_killed_pid()}")
    assert [j.pk for j in jobs_fail_abandoned()] == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "stopped before it finished" in job.error and "Retry" in job.error
    assert [({"n": 3}, job.error)] == ABANDONED
    assert jobs_fail_abandoned() == []  # once only


def test_a_job_whose_process_is_alive_is_left_running_however_long_it_is_silent(
    personas: dict[str, User], settings: Any
) -> None:
    # E.g. a long SQLite write keeps its heartbeat thread waiting: the process is asked, not the clock.
    job = _running(personas["ana"], runner=services.runner_id(), heartbeat_age=3600)
    assert jobs_fail_abandoned() == []
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and not ABANDONED


def test_on_another_host_a_silent_job_is_failed_after_the_stale_limit(
    personas: dict[str, User], settings: Any
) -> None:
    settings.ARUSHA_WORKER_STALE_SECONDS = 120
    fresh = _running(personas["ana"], runner="worker-2:4242", heartbeat_age=30)
    silent = _running(personas["ana"], runner="worker-2:4243", heartbeat_age=600)
    assert [j.pk for j in jobs_fail_abandoned()] == [silent.pk]
    fresh.refresh_from_db()
    assert fresh.status == JobStatus.RUNNING


def test_the_user_sees_it_failed_and_retries_it(personas: dict[str, User]) -> None:
    job = _running(personas["ana"], runner=f"{socket.gethostname()}:{_killed_pid()}")
    client = client_for(personas["ana"])
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Failed" in page and "stopped before it finished" in page
    assert reverse("jobs:retry", args=[job.pk]) in page
    # An auditor sees the failure but may not run jobs: no button.
    auditor_page = client_for(personas["aude"]).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "stopped before it finished" in auditor_page
    assert reverse("jobs:retry", args=[job.pk]) not in auditor_page

    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error, job.progress, job.runner) == (JobStatus.QUEUED, "", 0, "")
    assert RETRIED == [{"n": 3}]
    assert AuditEntry.objects.filter(object_id=str(job.pk), action="update").exists()
    assert job_run(job_id=job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.result == {"n": 3}


def test_only_failed_jobs_of_known_kinds_can_be_retried(personas: dict[str, User]) -> None:
    running = _running(personas["ana"], runner=services.runner_id())
    with pytest.raises(RetryRefused):
        job_retry(job=running, user=personas["ana"])
    response = client_for(personas["ana"]).post(reverse("jobs:retry", args=[running.pk]), follow=True)
    assert "Only a failed job can be run again." in response.content.decode()
    running.refresh_from_db()
    assert running.status == JobStatus.RUNNING
    gone = Job.objects.create(kind="tests.no_longer_installed", status=JobStatus.FAILED, error="x")
    with pytest.raises(RetryRefused, match="no longer exists"):
        job_retry(job=gone, user=personas["ana"])
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED and gone.error == "x"
    assert client_for(personas["aude"]).post(reverse("jobs:retry", args=[gone.pk])).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_running_job_beats_while_its_function_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "JOB_HEARTBEAT_SECONDS", 0.05)
    job = Job.objects.create(kind="tests.slow")
    assert job_run(job_id=job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.runner == services.runner_id()
    assert job.started_at is not None and job.heartbeat_at is not None
    assert job.heartbeat_at - job.started_at >= timedelta(seconds=0.2)


@pytest.mark.django_db(transaction=True)
def test_a_worker_starting_fails_the_jobs_its_killed_predecessor_left_running() -> None:
    from django.core.management import call_command

    ana = User.objects.create_user(username="ana", password="correct-horse-battery-9", role="analyst")
    job = _running(ana, runner=f"{socket.gethostname()}:{_killed_pid()}")
    call_command("arusha_worker", "--batch", "--no-startup-delay", "--worker-id", "test-worker", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "stopped before it finished" in job.error
    assert ABANDONED and ABANDONED[0][0] == {"n": 3}
