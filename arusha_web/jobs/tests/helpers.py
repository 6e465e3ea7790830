"""A job kind that always fails, for the tests of failures."""

from __future__ import annotations

from typing import Any

from arusha_web.jobs.registry import JobContext, job_kind

FAILING_KIND = "tests.always_fails"
FAILURE_MESSAGE = "the mapping file names no declaration_id column"


@job_kind(FAILING_KIND, label="Always fails")
def always_fails(job: JobContext, **params: Any) -> dict[str, Any]:
    job.report(40, "Reading the mapping")
    raise ValueError(FAILURE_MESSAGE)
