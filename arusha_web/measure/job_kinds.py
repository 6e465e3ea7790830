"""Background jobs of the Measure module: loading clearance data and analysing it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from arusha_web.jobs.registry import JobContext, job_kind


@job_kind("measure.import", label=gettext_lazy("Load clearance data"))
def import_data(job: JobContext, *, import_run_id: int) -> dict[str, Any]:
    from . import services
    from .models import ImportRun

    run = ImportRun.objects.select_related("dataset").get(pk=import_run_id)
    try:
        return services.import_execute(run=run, progress=job.report)
    except Exception as exc:
        services.import_mark_failed(run_id=import_run_id, error=str(exc))
        raise


@job_kind("measure.analyse", label=gettext_lazy("Analyse clearance data"))
def analyse_data(job: JobContext, *, analysis_run_id: int) -> dict[str, Any]:
    from . import services
    from .models import AnalysisRun

    run = AnalysisRun.objects.select_related("dataset", "started_by").get(pk=analysis_run_id)
    try:
        return services.analysis_execute(run=run, progress=job.report)
    except Exception as exc:
        services.analysis_mark_failed(run_id=analysis_run_id, error=str(exc))
        raise
