"""Check that no audit entry was changed or removed; exit status 1 if one was.

Also checks the fingerprints kept at checkpoints (``--expect``, ``--checkpoints``), can add the
latest entry to the checkpoints file (``--record``, for the daily cron), and can check an
exported CSV instead of the database (``--export``, for an external auditor).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from arusha_web.audit import keys
from arusha_web.audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    checkpoint_append,
    checkpoint_line,
    checkpoint_parse,
    checkpoints_read,
)
from arusha_web.audit.export_check import ExportError, export_verify
from arusha_web.audit.services import VerifyResult, audit_chain_verify


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "?"


class Command(BaseCommand):
    help = "Verify the audit trail: report the first entry that was changed or removed, if any."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="FINGERPRINT",
            help="A fingerprint printed earlier; it must still be in the trail (repeatable).",
        )
        parser.add_argument(
            "--checkpoints",
            type=Path,
            metavar="FILE",
            help="A file of fingerprints kept earlier, one per line; each must still be in the trail.",
        )
        parser.add_argument(
            "--record",
            action="store_true",
            help="When the trail is intact, add its latest entry to the --checkpoints file.",
        )
        parser.add_argument(
            "--export",
            type=Path,
            metavar="CSV",
            help="Check a CSV exported from the audit trail page instead of the database.",
        )

    def _checkpoints(self, options: dict[str, Any]) -> list[Checkpoint]:
        path: Path | None = options["checkpoints"]
        if options["record"] and path is None:
            raise CommandError(_("--record needs --checkpoints FILE: the file to add the checkpoint to."))
        if options["record"] and options["export"] is not None:
            raise CommandError(_("--record adds a checkpoint of the database, not of an export."))
        try:
            found = [checkpoint_parse(value, source="--expect") for value in options["expect"]]
            if path is not None and (path.exists() or not options["record"]):
                found.extend(checkpoints_read(path))
        except CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        return found

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoints = self._checkpoints(options)
        if options["export"] is not None:
            self._check_export(options["export"], checkpoints)
            return
        result = audit_chain_verify(checkpoints=checkpoints)
        if not result.ok:
            self._report_break(result)
            # A non-zero exit status for scripts and monitoring, as `makemigrations --check` does.
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(result.message))
        self._report_seals(result)
        if checkpoints:
            self.stdout.write(
                _("Every fingerprint kept (%(count)s) is still in the trail.") % {"count": len(checkpoints)}
            )
        if result.last_seq is None or result.last_at is None:
            return
        self.stdout.write(
            _("Latest entry: #%(seq)s, recorded %(at)s. Its fingerprint is:")
            % {"seq": result.last_seq, "at": _when(result.last_at)}
        )
        self.stdout.write(f"  {result.last_hash}")
        self.stdout.write(
            _(
                "Keep a copy of this fingerprint somewhere else: a trail rewritten or "
                "cut short later will no longer end with it. As a line of a checkpoints file:"
            )
        )
        line = checkpoint_line(seq=result.last_seq, fingerprint=result.last_hash, at=result.last_at)
        self.stdout.write(f"  {line}")
        if options["record"]:
            path: Path = options["checkpoints"]
            if checkpoint_append(path, seq=result.last_seq, fingerprint=result.last_hash, at=result.last_at):
                self.stdout.write(_("Added to %(path)s.") % {"path": path})

    def _report_seals(self, result: VerifyResult) -> None:
        held = keys.verification_keys()
        if not held:
            self.stdout.write(
                _(
                    "No audit key is held here (ARUSHA_AUDIT_KEY, audit.key): seals were not checked, "
                    "only fingerprints."
                )
            )
        elif result.seal_key_id:
            self.stdout.write(
                _("Entries from #%(seq)s on are sealed with key %(key)s; %(count)s seals checked.")
                % {"seq": result.sealed_since, "key": result.seal_key_id, "count": result.seals_checked}
            )
            current = keys.configured_key_id()
            if current and current != result.seal_key_id:
                # Legitimate only just after the key was replaced: the next entry records the change.
                self.stdout.write(
                    _("This installation's key (%(key)s) has sealed no entry yet.") % {"key": current}
                )
        if result.sealing_recorded_since is not None:
            self.stdout.write(
                _("Every entry from #%(seq)s on must be sealed, as recorded beside the key.")
                % {"seq": result.sealing_recorded_since}
            )
        elif held and result.checked:
            # Lost with VAR_DIR, or sealing has not begun: the next entry written records it.
            self.stdout.write(
                _(
                    "Where sealing began is not recorded beside the key (%(path)s or %(env)s): until "
                    "the next entry is written, a trail whose seals were all removed would pass."
                )
                % {"path": keys.sealed_since_path(), "env": keys.SEALED_SINCE_ENV}
            )
        if result.seals_unchecked:
            self.stdout.write(
                ngettext(
                    "%(count)s seal could not be checked: its key is not held here.",
                    "%(count)s seals could not be checked: their key is not held here.",
                    result.seals_unchecked,
                )
                % {"count": result.seals_unchecked}
            )

    def _report_break(self, result: VerifyResult) -> None:
        self.stderr.write(self.style.ERROR(_("The audit trail has been tampered with.")))
        if result.broken_seq is not None and result.broken_at is not None:
            self.stderr.write(
                _("First broken entry: #%(seq)s, recorded %(at)s.")
                % {"seq": result.broken_seq, "at": _when(result.broken_at)}
            )
        elif result.broken_seq is not None:
            self.stderr.write(_("Entry #%(seq)s is missing.") % {"seq": result.broken_seq})
        self.stderr.write(result.explanation)
        if result.says_entries_before_are_intact:
            if result.last_seq == 1:
                self.stderr.write(_("Entry #1, before it, is intact."))
            else:
                self.stderr.write(
                    _("Entries #1 to #%(seq)s, before it, are intact.") % {"seq": result.last_seq}
                )
        self.stderr.write(
            _("Do not change the database: report this to the integrity unit and the auditors.")
        )

    def _check_export(self, path: Path, checkpoints: list[Checkpoint]) -> None:
        try:
            check = export_verify(path, checkpoints=checkpoints)
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        if not check.ok:
            self.stderr.write(self.style.ERROR(_("The export does not match the audit trail it came from.")))
            self.stderr.write(check.problem)
            sys.exit(1)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "The export is consistent: %(rows)s rows, %(recomputed)s fingerprints recomputed, "
                    "%(masked)s masked rows (linked, not recomputed), %(links)s links checked."
                )
                % {
                    "rows": check.rows,
                    "recomputed": check.recomputed,
                    "masked": check.masked,
                    "links": check.links,
                }
            )
        )
        if checkpoints:
            self.stdout.write(
                _("Checkpoints: %(matched)s matched, %(outside)s not in this export.")
                % {"matched": check.checkpoints_matched, "outside": check.checkpoints_outside}
            )
        if not check.complete:
            self.stdout.write(
                _(
                    "The export is filtered or does not start at entry #1: entries outside it were not checked."
                )
            )
