from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arusha_web.accounts.models import User
from arusha_web.conftest import client_for
from arusha_web.jobs.models import Job, JobStatus, WorkerHeartbeat
from arusha_web.jobs.services import job_run

from .helpers import FAILING_KIND, FAILURE_MESSAGE


@pytest.fixture
def running(personas: dict[str, User]) -> Job:
    return Job.objects.create(
        kind="system.selfcheck",
        status=JobStatus.RUNNING,
        progress=40,
        message="Checking: disk",
        created_by=personas["ana"],
    )


def _url(job: Job) -> str:
    return reverse("jobs:detail", args=[job.pk])


def test_it_works(personas: dict[str, User], running: Job) -> None:
    r = client_for(personas["ana"]).get(_url(running))
    assert r.status_code == 200
    body = r.content.decode()
    assert "System check" in body
    assert '<progress value="40" max="100"' in body
    assert "Checking: disk" in body


def test_it_polls_while_the_job_runs(personas: dict[str, User], running: Job) -> None:
    body = client_for(personas["ana"]).get(_url(running)).content.decode()
    assert f'hx-get="{_url(running)}"' in body
    assert 'hx-trigger="every 1s"' in body
    assert 'hx-swap="outerHTML"' in body


def test_it_returns_fragment_for_htmx(personas: dict[str, User], running: Job) -> None:
    r = client_for(personas["ana"]).get(_url(running), headers={"HX-Request": "true"})
    body = r.content.decode()
    assert '<progress value="40" max="100"' in body
    assert 'hx-trigger="every 1s"' in body
    assert "<html" not in body


def test_it_stops_polling_and_shows_the_error_when_the_job_failed(personas: dict[str, User]) -> None:
    job = Job.objects.create(kind=FAILING_KIND, created_by=personas["ana"])
    job_run(job_id=job.pk)
    client = client_for(personas["ana"])
    for headers in ({}, {"HX-Request": "true"}):
        body = client.get(_url(job), headers=headers).content.decode()
        assert "hx-trigger" not in body
        assert "Failed" in body
        # The sentence without the exception's class; the class is in the technical details.
        assert f"<p>{FAILURE_MESSAGE}</p>" in body and "<pre>ValueError\n" in body


def test_it_shows_the_checks_of_a_finished_system_check(personas: dict[str, User], running: Job) -> None:
    checks = [{"name": "Disk space under var/", "ok": False, "detail": "0.2 GiB free of 20.0 GiB"}]
    Job.objects.filter(pk=running.pk).update(
        status=JobStatus.SUCCEEDED, progress=100, result={"checks": checks}
    )
    body = client_for(personas["ana"]).get(_url(running)).content.decode()
    assert "hx-trigger" not in body
    assert "0.2 GiB free of 20.0 GiB" in body
    assert "badge-bad" in body


def test_it_says_when_no_worker_runs(personas: dict[str, User], running: Job) -> None:
    client = client_for(personas["ana"])
    assert "No worker is running" in client.get(_url(running)).content.decode()
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="h", pid=1, last_seen=timezone.now())
    assert "No worker is running" not in client.get(_url(running)).content.decode()


def test_it_says_when_the_worker_is_stale(personas: dict[str, User], running: Job) -> None:
    WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="h", pid=1, last_seen=timezone.now() - timedelta(hours=1)
    )
    assert "No worker is running" in client_for(personas["ana"]).get(_url(running)).content.decode()


def test_it_checks_permissions(personas: dict[str, User], running: Job) -> None:
    assert client_for(personas["aude"]).get(_url(running)).status_code == 200
    assert client_for(personas["ingrid"]).get(_url(running)).status_code == 200
    assert client_for(personas["sam"]).get(_url(running)).status_code == 403
    assert client_for(personas["ivan"]).get(_url(running)).status_code == 403


def test_it_requires_login(client: Client, running: Job) -> None:
    assert client.get(_url(running)).status_code == 302


def test_it_returns_404_for_unknown_jobs(personas: dict[str, User]) -> None:
    url = reverse("jobs:detail", args=["6f1c7bd0-0000-4000-8000-000000000000"])
    assert client_for(personas["ana"]).get(url).status_code == 404


def test_a_failure_reads_without_the_exception_class_of_the_library() -> None:
    job = Job(error="arusha.analysis.NothingToAnalyse: no declaration was registered\n\n  File x, line 1")
    assert job.error_summary == "no declaration was registered"
    assert job.error_details == "arusha.analysis.NothingToAnalyse\n  File x, line 1"
    plain = Job(error="The worker running this job stopped before it finished: use Retry.")
    assert plain.error_summary == plain.error and plain.error_details == ""
