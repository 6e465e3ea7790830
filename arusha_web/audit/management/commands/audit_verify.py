"""Check that no audit entry was changed or removed; exit status 1 if one was."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from arusha_web.audit.services import audit_chain_verify


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "?"


class Command(BaseCommand):
    help = "Verify the audit trail: report the first entry that was changed or removed, if any."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_chain_verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(result.message))
            if result.last_seq is not None:
                self.stdout.write(
                    _("Latest entry: #%(seq)s, recorded %(at)s. Its fingerprint is:")
                    % {"seq": result.last_seq, "at": _when(result.last_at)}
                )
                self.stdout.write(f"  {result.last_hash}")
                self.stdout.write(
                    _(
                        "Keep a copy of this fingerprint somewhere else: a trail rewritten or "
                        "cut short later will no longer end with it."
                    )
                )
            return
        self.stderr.write(self.style.ERROR(_("The audit trail has been tampered with.")))
        self.stderr.write(
            _("First broken entry: #%(seq)s, recorded %(at)s.")
            % {"seq": result.broken_seq, "at": _when(result.broken_at)}
        )
        self.stderr.write(result.explanation)
        if result.last_seq == 1:
            self.stderr.write(_("Entry #1, before it, is intact."))
        elif result.last_seq is not None:
            self.stderr.write(_("Entries #1 to #%(seq)s, before it, are intact.") % {"seq": result.last_seq})
        self.stderr.write(
            _("Do not change the database: report this to the integrity unit and the auditors.")
        )
        # A non-zero exit status for scripts and monitoring, as `makemigrations --check` does.
        sys.exit(1)
