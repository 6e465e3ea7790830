"""`arusha audit verify --export FILE`: an external auditor checks an export without the database."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from arusha_web.accounts.models import User
from arusha_web.audit.models import Action
from arusha_web.audit.services import audit_record

from .helpers import make_office, make_user, run_verify


class ExportCheckTestCase(TestCase):
    def setUp(self) -> None:
        # Ada is an auditor (reads need-to-know entries); Ann is an administrator (does not).
        self.ada = make_user("ada", "auditor")
        self.ann = make_user("ann", "administrator")
        make_office()
        # A description the export defuses with a leading ': the check must see through it.
        self.case = audit_record(
            action=Action.UPDATE,
            actor=self.ada,
            object_type="cases.case",
            object_id=22,
            object_repr="=C-2026-0022 — Misconduct",
            after={"concerned": "OFF005"},
        )
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def _export(self, user: User) -> Path:
        self.client.force_login(user)
        response = self.client.get(reverse("audit:export"))
        path = self.folder / f"export-{user.username}.csv"
        path.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
        return path

    def test_an_auditor_checks_a_full_export(self) -> None:
        path = self._export(self.ada)
        code, output = run_verify("--export", str(path))
        self.assertEqual(code, 0, output)
        self.assertIn("The export is consistent", output)
        self.assertIn("0 masked rows", output)
        self.assertNotIn("filtered", output)

    def test_a_masked_export_still_links_and_matches_checkpoints(self) -> None:
        path = self._export(self.ann)
        self.assertNotIn("OFF005", path.read_text(encoding="utf-8-sig"))
        code, output = run_verify("--export", str(path), "--expect", self.case.hash)
        self.assertEqual(code, 0, output)
        self.assertIn("1 masked rows (linked, not recomputed)", output)
        self.assertIn("Checkpoints: 1 matched", output)

    def test_an_edited_export_is_detected(self) -> None:
        path = self._export(self.ada)
        path.write_text(path.read_text(encoding="utf-8-sig").replace("Toamasina Port", "Elsewhere"), "utf-8")
        code, output = run_verify("--export", str(path))
        self.assertEqual(code, 1)
        self.assertIn("no longer matches its fingerprint", output)

    def test_a_checkpoint_the_export_does_not_have_is_reported(self) -> None:
        path = self._export(self.ada)
        code, output = run_verify("--export", str(path), "--expect", f"{self.case.seq} {'a' * 64}")
        self.assertEqual(code, 1)
        self.assertIn(f"Entry #{self.case.seq} does not have the fingerprint kept for it", output)

    def test_a_file_that_is_not_an_export_is_refused_by_name(self) -> None:
        path = self.folder / "other.csv"
        path.write_text("seq,name\n1,x\n")
        with self.assertRaisesMessage(
            CommandError, "other.csv is not an audit trail export: the columns at_utc"
        ):
            call_command("audit_verify", "--export", str(path))
