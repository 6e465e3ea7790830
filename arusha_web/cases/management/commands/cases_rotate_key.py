"""Replace the cases encryption key and re-encrypt every report, message, case text and file.

See arusha_web/cases/rotation.py for how an interrupted rotation loses nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arusha_web.cases import crypto, rotation

STEPS_FILE = """\
Before you start: stop the web server and the worker (they keep the key in memory), and back
up the database and the var/ folder.

This command:
  1. writes a new key, keeps the current one in var/cases.key.previous, makes the new one current;
  2. re-encrypts every encrypted value and attachment with the new key (all or nothing);
  3. keeps the old key until you run --forget-previous.
If it is interrupted, run it again: it finishes the same rotation and nothing is lost.
"""

STEPS_ENV = f"""\
The key comes from the {crypto.KEY_ENV} environment variable, which this command cannot change.
Rotate it in four steps:
  1. manage.py cases_rotate_key --generate          (prints a new key)
  2. stop the web server and the worker; set {crypto.PREVIOUS_KEYS_ENV}=<the current key>
     and {crypto.KEY_ENV}=<the new key> everywhere (web server, worker, this shell)
  3. manage.py cases_rotate_key                     (re-encrypts everything; start the services again)
  4. manage.py cases_rotate_key --forget-previous   (checks), then remove {crypto.PREVIOUS_KEYS_ENV}
"""


class Command(BaseCommand):
    help = (
        "Rotate the encryption key of reports and cases: a new key, every value and attachment "
        "re-encrypted all-or-nothing, the old key kept until --forget-previous. "
        "Example: manage.py cases_rotate_key --check"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--check", action="store_true", help="Only count what each key reads.")
        group.add_argument(
            "--forget-previous",
            action="store_true",
            help="Delete the previous key once everything reads with the current one.",
        )
        group.add_argument("--generate", action="store_true", help="Print a new random key and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            self.stdout.write(crypto.new_key().decode())
            return
        if not crypto.encryption_available():
            raise CommandError("The `cryptography` package is not installed: nothing can be encrypted.")
        try:
            if options["check"]:
                self._check()
            elif options["forget_previous"]:
                self._forget()
            else:
                self._rotate()
        except rotation.RotationError as exc:
            raise CommandError(str(exc)) from exc

    def _report(self, state: rotation.Survey) -> None:
        self.stdout.write(
            f"With the current key: {state.current}; with a previous key: {state.previous}; "
            f"unencrypted: {state.unencrypted}; unreadable: {len(state.unreadable)}; "
            f"files missing: {len(state.missing_files)}."
        )
        for label in state.unreadable[:20] + state.missing_files[:20]:
            self.stdout.write(f"  cannot read: {label}")

    def _check(self) -> None:
        state = rotation.survey()
        self._report(state)
        if state.unreadable or state.missing_files:
            raise CommandError("Some values or files cannot be read with any known key (listed above).")
        if state.finished:
            self.stdout.write("Everything reads with the current key alone.")

    def _forget(self) -> None:
        rotation.forget_previous_keys()
        if crypto.key_from_environment():
            self.stdout.write(
                f"Everything reads with the current key. Remove {crypto.PREVIOUS_KEYS_ENV} "
                "from the environment of the web server and the worker."
            )
        else:
            self.stdout.write("Everything reads with the current key; the previous key was deleted.")

    def _rotate(self) -> None:
        state = rotation.preflight()  # before any key changes: refuse if something is unreadable
        if crypto.key_from_environment():
            if not crypto.previous_keys():
                self.stdout.write(STEPS_ENV)
                raise CommandError(f"Set {crypto.PREVIOUS_KEYS_ENV} and a new {crypto.KEY_ENV} first.")
        else:
            self.stdout.write(STEPS_FILE)
            if rotation.pending_switch():
                self.stdout.write("Finishing the rotation interrupted earlier (same new key).")
                rotation.switch_to_new_key()
            elif crypto.previous_keys() and not state.finished:
                self.stdout.write("Finishing the rotation interrupted earlier (same new key).")
            else:
                rotation.switch_to_new_key()
                self.stdout.write(f"New key written to {crypto.key_path()}.")
        done = rotation.reencrypt_all(progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {done.values} value(s) and {done.files} file(s) re-encrypted, "
                f"{done.lookups} receipt-code lookup(s) updated."
            )
        )
        self.stdout.write(
            "Next: back up the new key (not next to the database backups), start the web server "
            "and the worker, and check a report opens. The previous key is still kept: database "
            "backups made before now need it. When you no longer need them, run "
            "`manage.py cases_rotate_key --forget-previous`."
        )
