"""Background jobs of the Diagnose module."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from arusha_web.jobs.registry import JobContext, job_kind

from . import services


@job_kind(
    "diagnose.action_reminders",
    label=gettext_lazy("Send the Diagnose reminders (actions due or overdue, self-assessment schedules)"),
    manual=True,
)
def action_reminders(job: JobContext) -> dict[str, Any]:
    """Daily: e-mail owners of actions due within 7 days or overdue (at most once a day each), and
    remind self-assessment participants who have not answered, as each open campaign's schedule says."""
    base_url = getattr(settings, "ARUSHA_BASE_URL", "")
    job.report(10, gettext("Looking for actions due soon or overdue"))
    actions = services.action_reminders_send(base_url=base_url)
    job.report(50, gettext("Looking for participants due for a reminder"))
    participants = services.campaign_reminders_send(base_url=base_url)
    return {"sent": actions + participants, "actions": actions, "participants": participants}
