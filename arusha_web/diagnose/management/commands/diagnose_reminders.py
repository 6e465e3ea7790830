"""Send the action-plan reminders (run daily from cron, or as the job kind of the same name)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from arusha_web.diagnose import services


class Command(BaseCommand):
    help = "E-mail owners of integrity actions due within 7 days or overdue (once a day at most)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--base-url", default="", help="Site address used in links, e.g. https://arusha.example.org"
        )
        parser.add_argument("--days-before", type=int, default=7)

    def handle(self, *args: Any, base_url: str, days_before: int, **options: Any) -> None:
        sent = services.action_reminders_send(base_url=base_url, days_before=days_before)
        self.stdout.write(f"{sent} reminder(s) sent")
