"""Send the Diagnose reminders (run daily from cron, or as the job kinds of the same names).

Two kinds: owners of integrity actions due soon or overdue, and participants of open
self-assessment campaigns who have not answered when the campaign's schedule says so
("remind every N days"). Both are safe to run more than once a day.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from arusha_web.diagnose import services


class Command(BaseCommand):
    help = (
        "E-mail owners of integrity actions due within 7 days or overdue (once a day at most), and "
        "remind participants of open self-assessments who have not answered, as each campaign's "
        "'remind every N days' setting says."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--base-url", default="", help="Site address used in links, e.g. https://arusha.example.org"
        )
        parser.add_argument("--days-before", type=int, default=7)

    def handle(self, *args: Any, base_url: str, days_before: int, **options: Any) -> None:
        actions = services.action_reminders_send(base_url=base_url, days_before=days_before)
        self.stdout.write(f"{actions} action reminder(s) sent")
        campaigns = services.campaign_reminders_send(base_url=base_url)
        self.stdout.write(f"{campaigns} self-assessment reminder(s) sent")
