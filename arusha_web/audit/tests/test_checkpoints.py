"""`arusha audit verify --expect / --checkpoints / --record`: fingerprints kept outside the database."""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase

from arusha_web.audit import keys
from arusha_web.audit.models import AuditEntry

from .helpers import record_things, rewrite_from, run_verify, tamper


class CheckpointTestCase(TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.file = Path(folder.name) / "checkpoints.txt"

    def test_expect_accepts_a_fingerprint_of_the_trail(self) -> None:
        entries = record_things(3)
        code, output = run_verify("--expect", entries[1].hash.upper())
        self.assertEqual(code, 0, output)
        self.assertIn("Every fingerprint kept (1) is still in the trail.", output)

    def test_expect_detects_a_rewrite_the_chain_alone_does_not_show(self) -> None:
        # Checked where the key is not held (a copy of the database), the rewritten chain is
        # consistent: only the fingerprint kept earlier shows the rewrite.
        entries = record_things(5)
        kept = entries[3].hash
        rewrite_from(2, object_repr="nothing to see")
        with mock.patch.object(keys, "verification_keys", return_value={}):
            self.assertEqual(run_verify()[0], 0)
            code, output = run_verify("--expect", kept)
        self.assertEqual(code, 1)
        self.assertIn("A fingerprint kept at a checkpoint is in no entry", output)
        self.assertIn("--expect", output)

    def test_record_keeps_the_head_and_later_runs_check_it(self) -> None:
        record_things(2)
        code, output = run_verify("--checkpoints", str(self.file), "--record")
        self.assertEqual(code, 0, output)
        first = self.file.read_text().splitlines()
        head = AuditEntry.objects.order_by("-seq").first()
        assert head is not None
        self.assertEqual(first, [f"{head.seq} {head.hash} {head.at.strftime('%Y-%m-%dT%H:%M:%SZ')}"])
        self.assertIn(first[0], output)  # the cron's e-mail carries the line too

        record_things(2)
        self.assertEqual(run_verify("--checkpoints", str(self.file), "--record")[0], 0)
        self.assertEqual(len(self.file.read_text().splitlines()), 2)
        self.assertEqual(run_verify("--checkpoints", str(self.file), "--record")[0], 0)
        self.assertEqual(len(self.file.read_text().splitlines()), 2, "an unchanged head is kept once")

        with mock.patch.object(keys, "verification_keys", return_value={}):
            rewrite_from(head.seq, object_repr="nothing to see")
            code, output = run_verify("--checkpoints", str(self.file))
        self.assertEqual(code, 1)
        self.assertIn(f"First broken entry: #{head.seq}", output)
        self.assertIn("checkpoints.txt, line 1", output)

    def test_a_trail_cut_short_misses_its_checkpoint(self) -> None:
        record_things(4)
        self.assertEqual(run_verify("--checkpoints", str(self.file), "--record")[0], 0)
        tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [3])
        code, output = run_verify("--checkpoints", str(self.file))
        self.assertEqual(code, 1)
        self.assertIn("Entry #4 is missing.", output)
        self.assertIn("entries were removed from the end", output)

    def test_it_names_what_is_wrong_with_a_checkpoint(self) -> None:
        record_things(1)
        with self.assertRaisesMessage(CommandError, "--expect: “abc” is not a fingerprint"):
            call_command("audit_verify", "--expect", "abc")
        self.file.write_text("# kept by the auditor\n\n12 not-a-fingerprint\n")
        with self.assertRaisesMessage(CommandError, "checkpoints.txt, line 3: “not-a-fingerprint”"):
            call_command("audit_verify", "--checkpoints", str(self.file))
        with self.assertRaisesMessage(CommandError, "does-not-exist.txt"):
            call_command("audit_verify", "--checkpoints", str(self.file.with_name("does-not-exist.txt")))
        with self.assertRaisesMessage(CommandError, "--record needs --checkpoints FILE"):
            call_command("audit_verify", "--record")
