from __future__ import annotations

from django.urls import reverse

from arusha_web.accounts.models import User
from arusha_web.conftest import client_for
from arusha_web.jobs.models import Job, JobStatus

URL = reverse("jobs:list")


def test_it_works(personas: dict[str, User]) -> None:
    Job.objects.create(kind="system.selfcheck", status=JobStatus.FAILED, created_by=personas["ana"])
    body = client_for(personas["ana"]).get(URL).content.decode()
    assert "System check" in body
    assert "badge-bad" in body
    assert 'name="kind" value="system.selfcheck"' in body


def test_it_shows_an_empty_state(personas: dict[str, User]) -> None:
    assert "No jobs yet." in client_for(personas["ana"]).get(URL).content.decode()


def test_it_polls_only_while_a_job_is_unfinished(personas: dict[str, User]) -> None:
    client = client_for(personas["ana"])
    job = Job.objects.create(kind="system.selfcheck", status=JobStatus.SUCCEEDED, progress=100)
    assert "hx-trigger" not in client.get(URL).content.decode()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    assert 'hx-trigger="every 2s"' in client.get(URL).content.decode()


def test_it_returns_fragment_for_htmx(personas: dict[str, User]) -> None:
    body = client_for(personas["ana"]).get(URL, headers={"HX-Request": "true"}).content.decode()
    assert 'id="job-list"' in body
    assert "<html" not in body


def test_auditors_may_watch_but_get_no_start_button(personas: dict[str, User]) -> None:
    r = client_for(personas["aude"]).get(URL)
    assert r.status_code == 200
    assert reverse("jobs:start") not in r.content.decode()


def test_it_checks_permissions(personas: dict[str, User]) -> None:
    assert client_for(personas["sam"]).get(URL).status_code == 403
    assert client_for(personas["marc"]).get(URL).status_code == 403
