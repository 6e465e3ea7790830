from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django_tasks_db.models import DBTaskResult

from arusha_web.accounts.models import User
from arusha_web.jobs.models import Job, JobStatus
from arusha_web.jobs.registry import JobContext, job_kind
from arusha_web.jobs.services import job_run, job_start

from .helpers import FAILING_KIND, FAILURE_MESSAGE


@job_kind("tests.echo", label="Echo")
def echo(job: JobContext, *, text: str) -> dict[str, Any]:
    job.report(50, "Halfway")
    return {"echo": text, "progress_seen": job.progress}


def test_it_queues_the_job_and_enqueues_the_task_on_commit(
    personas: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_start(kind="system.selfcheck", params={}, user=personas["ana"])
        assert not DBTaskResult.objects.exists()  # not before the commit
    # The job's own callback; the audit trail may add one (noting where its sealing began).
    assert len([c for c in callbacks if "job_start" in getattr(c, "__qualname__", "")]) == 1
    job.refresh_from_db()
    assert (job.status, job.created_by) == (JobStatus.QUEUED, personas["ana"])
    task = DBTaskResult.objects.get()
    assert job.task_result_id == str(task.id)
    assert task.args_kwargs["args"] == [str(job.pk)]


@pytest.mark.django_db
def test_it_rejects_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown job kind 'nope'"):
        job_start(kind="nope", params={}, user=None)


@pytest.mark.django_db
def test_it_runs_the_system_check_to_100_percent() -> None:
    job = job_start(kind="system.selfcheck", params={}, user=None)
    assert job_run(job_id=job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.SUCCEEDED, 100)
    assert job.started_at is not None and job.finished_at is not None
    assert job.result is not None
    names = [check["name"] for check in job.result["checks"]]
    assert names == [
        "Database reachable",
        "Migrations applied",
        "Static files present",
        "Disk space under var/",
    ]
    assert job.result["checks"][0]["ok"]


@pytest.mark.django_db
def test_it_passes_params_and_stores_the_result() -> None:
    job = job_start(kind="tests.echo", params={"text": "hello"}, user=None)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.result == {"echo": "hello", "progress_seen": 50}
    assert job.message == "Halfway"


@pytest.mark.django_db
def test_it_stores_failures_with_their_error() -> None:
    job = job_start(kind=FAILING_KIND, params={}, user=None)
    assert job_run(job_id=job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith(f"ValueError: {FAILURE_MESSAGE}")
    assert "raise ValueError(FAILURE_MESSAGE)" in job.error  # the traceback's tail
    assert job.message == "Reading the mapping"  # where it stopped
    assert job.finished_at is not None


@pytest.mark.django_db
def test_it_fails_a_job_whose_kind_is_no_longer_registered() -> None:
    job = Job.objects.create(kind="tests.removed", params={})
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "unknown job kind 'tests.removed'" in job.error


@pytest.mark.django_db
def test_it_does_not_run_a_job_twice() -> None:
    job = job_start(kind="tests.echo", params={"text": "once"}, user=None)
    job_run(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(result=None)
    assert job_run(job_id=job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.result is None


@pytest.mark.django_db
def test_report_writes_at_most_twice_a_second_except_at_100() -> None:
    job = Job.objects.create(kind="tests.echo", params={})
    context = JobContext(job)
    with mock.patch("arusha_web.jobs.registry.time.monotonic", side_effect=[10.0, 10.1, 10.2]):
        context.report(10, "first")
        context.report(20, "skipped")
        context.report(100, "done")
    job.refresh_from_db()
    assert (job.progress, job.message) == (100, "done")
    with mock.patch("arusha_web.jobs.registry.time.monotonic", side_effect=[20.0, 20.1]):
        context.report(130, "clamped")
        context.report(-5, "throttled")
    job.refresh_from_db()
    assert (job.progress, job.message) == (100, "clamped")


@pytest.mark.django_db
def test_a_progress_write_the_busy_database_refuses_does_not_fail_the_job() -> None:
    # SQLite locks the table while the page that watches the job reads it: the work goes on.
    from django.db import OperationalError
    from django.db.models import QuerySet

    job = job_start(kind="tests.echo", params={"text": "busy"}, user=None)
    real_update = QuerySet.update
    calls = {"n": 0}

    def flaky_update(self: Any, **kwargs: Any) -> Any:
        if self.model is Job and kwargs.get("message") == "Halfway" and calls["n"] == 0:
            calls["n"] += 1
            raise OperationalError("database table is locked: jobs_job")
        return real_update(self, **kwargs)

    with mock.patch.object(QuerySet, "update", flaky_update):
        assert job_run(job_id=job.pk) == JobStatus.SUCCEEDED
    assert calls["n"] == 1
    job.refresh_from_db()
    assert job.result == {"echo": "busy", "progress_seen": 50}
