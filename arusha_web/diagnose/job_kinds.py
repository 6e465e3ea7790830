"""Background jobs of the Diagnose module."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from arusha_web.jobs.registry import JobContext, job_kind

from . import services


@job_kind(
    "diagnose.action_reminders",
    label=gettext_lazy("Send reminders for integrity actions due soon or overdue"),
    manual=True,
)
def action_reminders(job: JobContext) -> dict[str, Any]:
    """Daily: e-mail owners of actions due within 7 days or overdue (at most once a day each)."""
    job.report(10, gettext("Looking for actions due soon or overdue"))
    sent = services.action_reminders_send(base_url=getattr(settings, "ARUSHA_BASE_URL", ""))
    return {"sent": sent}
