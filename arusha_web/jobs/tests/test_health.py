from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arusha_web.jobs.models import WorkerHeartbeat

URL = reverse("healthz")


@pytest.fixture(autouse=True)
def _stale_after_two_minutes(settings: Any) -> None:
    settings.ARUSHA_WORKER_STALE_SECONDS = 120


def _beat(seconds_ago: int) -> None:
    last_seen = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(worker_id=f"w{seconds_ago}", hostname="h", pid=1, last_seen=last_seen)


@pytest.mark.django_db
def test_it_is_degraded_without_a_heartbeat(client: Client) -> None:
    r = client.get(URL)
    assert r.status_code == 503
    assert r.json() == {
        "status": "degraded",
        "database": {"ok": True},
        "worker": {"ok": False, "last_seen": None, "age_seconds": None},
    }


@pytest.mark.django_db
def test_it_is_ok_with_a_fresh_heartbeat(client: Client) -> None:
    _beat(300)
    _beat(5)
    r = client.get(URL)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["worker"]["ok"] is True
    assert body["worker"]["age_seconds"] == 5
    assert body["worker"]["last_seen"].endswith("+00:00")


@pytest.mark.django_db
def test_it_is_degraded_with_a_stale_heartbeat(client: Client) -> None:
    _beat(121)
    r = client.get(URL)
    assert r.status_code == 503
    assert r.json()["status"] == "degraded"
    assert r.json()["worker"]["age_seconds"] == 121


@pytest.mark.django_db
def test_it_reports_an_unreachable_database(client: Client) -> None:
    with mock.patch("arusha_web.jobs.views.connection.cursor", side_effect=Exception("down")):
        r = client.get(URL)
    assert r.status_code == 503
    assert r.json()["status"] == "error"
    assert r.json()["database"] == {"ok": False}


@pytest.mark.django_db
def test_it_needs_no_login_and_is_never_cached(client: Client) -> None:
    _beat(1)
    r = client.get(URL)
    assert r.status_code == 200
    assert "no-cache" in r["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_head_but_not_post(client: Client) -> None:
    assert client.head(URL).status_code == 503
    assert client.post(URL).status_code == 405
