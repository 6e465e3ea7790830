"""E-mail the integrity unit the reports whose legal deadlines are overdue (run daily from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from arusha_web.cases.files import blur_change_times
from arusha_web.cases.services import reminders_send, reporter_audit_flush


class Command(BaseCommand):
    help = (
        "E-mail the integrity unit about reports not acknowledged in 7 days or without feedback in 3 months."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Also the daily moment at which reporters' actions of past days reach the audit trail.
        reporter_audit_flush()
        # And the moment every attachment file's change time stops pointing at its upload.
        blur_change_times()
        sent = reminders_send()
        self.stdout.write(f"Sent {sent} reminder e-mail(s).")
