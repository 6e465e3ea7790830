"""Background jobs of the Measure module: loading clearance data and analysing it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from arusha_web.jobs.registry import JobContext, job_kind


def _import_abandoned(params: dict[str, Any], message: str) -> None:
    from . import services

    services.import_mark_failed(run_id=params["import_run_id"], error=message)


def _import_retried(params: dict[str, Any], _message: str) -> None:
    from . import services

    services.run_requeue(model="import", run_id=params["import_run_id"])


def _analysis_abandoned(params: dict[str, Any], message: str) -> None:
    from . import services

    services.analysis_mark_failed(run_id=params["analysis_run_id"], error=message)


def _analysis_retried(params: dict[str, Any], _message: str) -> None:
    from . import services

    services.run_requeue(model="analysis", run_id=params["analysis_run_id"])


@job_kind(
    "measure.import",
    label=gettext_lazy("Load clearance data"),
    on_abandoned=_import_abandoned,
    on_retry=_import_retried,
)
def import_data(job: JobContext, *, import_run_id: int) -> dict[str, Any]:
    from . import services
    from .models import ImportRun

    run = ImportRun.objects.select_related("dataset").get(pk=import_run_id)
    try:
        return services.import_execute(run=run, progress=job.report)
    except Exception as exc:
        services.import_mark_failed(run_id=import_run_id, error=str(exc))
        raise


@job_kind(
    "measure.analyse",
    label=gettext_lazy("Analyse clearance data"),
    on_abandoned=_analysis_abandoned,
    on_retry=_analysis_retried,
)
def analyse_data(job: JobContext, *, analysis_run_id: int) -> dict[str, Any]:
    from . import services
    from .models import AnalysisRun

    run = AnalysisRun.objects.select_related("dataset", "started_by").get(pk=analysis_run_id)
    try:
        result = services.analysis_execute(run=run, progress=job.report)
    except Exception as exc:
        services.analysis_mark_failed(run_id=analysis_run_id, error=str(exc))
        raise
    # The analysis is usable from here; drawing its pages ahead only spares the first visitors.
    from .warm import warm_pages

    run.refresh_from_db()
    result["pages_drawn"] = warm_pages(run, progress=job.report)
    return result
