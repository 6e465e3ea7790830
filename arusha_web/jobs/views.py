"""Job pages (list, detail with live progress, start) and the /healthz probe."""

from __future__ import annotations

import json
import logging
from uuid import UUID

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_htmx.middleware import HtmxDetails

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User

from . import services
from .registry import manual_kinds
from .selectors import WorkerStatus, job_for_viewer, job_list_for_viewer, worker_status

logger = logging.getLogger(__name__)

LIST_LIMIT = 50


class AuthenticatedHtmxRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


@require_capability("jobs.view")
def job_list(request: AuthenticatedHtmxRequest) -> HttpResponse:
    services.jobs_fail_abandoned()  # a job whose worker was killed shows as failed, not running
    jobs = list(job_list_for_viewer(viewer=request.user)[:LIST_LIMIT])
    ctx = {
        "jobs": jobs,
        "any_unfinished": any(not job.is_finished for job in jobs),
        "kinds": manual_kinds() if request.user.can("jobs.run") else [],
        "worker": worker_status(),
    }
    template = "jobs/list.html"
    if request.htmx:
        template += "#jobs"  # just the table, polled while a job is unfinished
    return render(request, template, ctx)


@require_capability("jobs.view")
def job_detail(request: AuthenticatedHtmxRequest, pk: UUID) -> HttpResponse:
    services.jobs_fail_abandoned()
    job = job_for_viewer(viewer=request.user, pk=pk)
    ctx = {
        "job": job,
        "retry_url": reverse("jobs:retry", args=[job.pk]) if request.user.can("jobs.run") else "",
        "worker": worker_status(),
        "result_json": json.dumps(job.result, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder),
    }
    template = "jobs/detail.html"
    if request.htmx:
        template += "#progress"  # polled every second until the job finishes
    return render(request, template, ctx)


@require_POST
@require_capability("jobs.run")
def job_start(request: AuthenticatedHtmxRequest) -> HttpResponse:
    allowed = {kind.name for kind in manual_kinds()}
    kind = request.POST.get("kind", "")
    if kind not in allowed:
        return HttpResponseBadRequest(_("This kind of job cannot be started here."))
    job = services.job_start(kind=kind, params={}, user=request.user)
    messages.success(request, _("Job started: %(kind)s.") % {"kind": job.kind_label})
    return redirect("jobs:detail", pk=job.pk)


@require_POST
@require_capability("jobs.run")
def job_retry(request: AuthenticatedHtmxRequest, pk: UUID) -> HttpResponse:
    """Run a failed job again with the same parameters."""
    job = job_for_viewer(viewer=request.user, pk=pk)
    try:
        services.job_retry(job=job, user=request.user)
    except services.RetryRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Job queued again: %(kind)s.") % {"kind": job.kind_label})
    return redirect("jobs:detail", pk=job.pk)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unreachable")
        return False
    return True


_NO_WORKER = WorkerStatus(last_seen=None, age_seconds=None, ok=False)


def _worker_status_or_unknown() -> WorkerStatus:
    try:
        return worker_status()
    except Exception:  # e.g. migrations not applied yet: no heartbeat table
        logger.exception("Health check: cannot read worker heartbeats")
        return _NO_WORKER


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Tell monitoring whether the database answers and a worker was seen recently.

    200 when both hold, 503 otherwise. Public on purpose, so it says nothing else.
    """
    database_ok = _database_ok()
    worker = _worker_status_or_unknown() if database_ok else _NO_WORKER
    if not database_ok:
        status = "error"
    elif not worker.ok:
        status = "degraded"
    else:
        status = "ok"
    body = {
        "status": status,
        "database": {"ok": database_ok},
        "worker": {
            "ok": worker.ok,
            "last_seen": worker.last_seen.isoformat() if worker.last_seen else None,
            "age_seconds": round(worker.age_seconds) if worker.age_seconds is not None else None,
        },
    }
    return JsonResponse(body, status=200 if status == "ok" else 503)
