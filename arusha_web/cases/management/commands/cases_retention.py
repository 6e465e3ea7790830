"""Delete closed cases and reports whose retention period has expired (run daily from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from arusha_web.cases.services import retention_purge


class Command(BaseCommand):
    help = "Securely delete cases and reports past their retention date (files overwritten, then removed)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = retention_purge()
        self.stdout.write(f"Deleted {counts['cases']} case(s) and {counts['reports']} report(s).")
