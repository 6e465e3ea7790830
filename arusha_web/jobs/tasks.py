"""The one django-tasks task: run a `Job` row in the worker."""

from __future__ import annotations

from django_tasks import task

from .services import job_run


@task()
def run_job(job_id: str) -> str:
    """Run the job `job_id`; its row, not this task's result, holds progress and errors."""
    return job_run(job_id=job_id)
