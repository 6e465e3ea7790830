from __future__ import annotations

from typing import Any

from django.urls import reverse

from arusha_web.accounts.models import User
from arusha_web.conftest import client_for
from arusha_web.jobs.models import Job, JobStatus

from .helpers import FAILING_KIND

URL = reverse("jobs:start")


def test_it_works(personas: dict[str, User], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(personas["ana"]).post(URL, {"kind": "system.selfcheck"})
    job = Job.objects.get()
    assert r.status_code == 302
    assert r["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.status, job.created_by) == ("system.selfcheck", JobStatus.QUEUED, personas["ana"])
    assert job.task_result_id != ""


def test_it_rejects_kinds_not_offered_on_the_page(personas: dict[str, User]) -> None:
    r = client_for(personas["ana"]).post(URL, {"kind": FAILING_KIND})
    assert r.status_code == 400
    assert not Job.objects.exists()


def test_it_requires_post(personas: dict[str, User]) -> None:
    assert client_for(personas["ana"]).get(URL).status_code == 405


def test_it_checks_permissions(personas: dict[str, User]) -> None:
    for username in ("aude", "ingrid", "sam"):
        r = client_for(personas[username]).post(URL, {"kind": "system.selfcheck"})
        assert r.status_code == 403, username
    assert not Job.objects.exists()
    assert client_for(personas["alice"]).post(URL, {"kind": "system.selfcheck"}).status_code == 302
