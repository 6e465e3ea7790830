"""Seals: each entry's fingerprint signed with a key kept outside the database (chain.py, keys.py)."""

from __future__ import annotations

import os
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import TestCase, override_settings

from arusha_web.audit import chain, keys
from arusha_web.audit.models import AuditEntry
from arusha_web.audit.services import KEY_CHANGE_TYPE, BreakReason, audit_chain_verify

from .helpers import audit_key, fields, record_things, rewrite_from, run_verify, tamper

KEY_1 = "first-audit-key-of-the-administration-0001"
KEY_2 = "second-audit-key-of-the-administration-0002"


class SealTestCase(TestCase):
    def test_each_entry_is_sealed_with_the_key(self) -> None:
        with audit_key(KEY_1):
            with self.captureOnCommitCallbacks(execute=True):
                entries = record_things(3)
            result = audit_chain_verify()
        for entry in entries:
            self.assertEqual(entry.mac, chain.seal(KEY_1.encode(), entry.hash))
        self.assertTrue(result.ok)
        self.assertEqual(
            (result.seals_checked, result.sealed_since, result.sealing_recorded_since), (3, 1, 1)
        )
        self.assertEqual(result.seal_key_id, chain.key_id(KEY_1.encode()))

    def test_a_trail_rewritten_without_the_key_is_detected(self) -> None:
        # The review's case: edit an entry and recompute every later fingerprint.
        with audit_key(KEY_1):
            record_things(6)
            rewrite_from(3, object_repr="nothing to see")
            result = audit_chain_verify()
            code, output = run_verify()
        self.assertFalse(result.ok)
        self.assertEqual((result.broken_seq, result.reason), (3, BreakReason.SEAL_INVALID))
        self.assertEqual(code, 1)
        self.assertIn("First broken entry: #3", output)
        self.assertIn("Entries #1 to #2, before it, are intact", output)

    def test_removing_the_seals_is_detected(self) -> None:
        with audit_key(KEY_1):
            record_things(4)
            tamper("UPDATE audit_auditentry SET mac = '' WHERE seq >= %s", [3])
            result = audit_chain_verify()
        self.assertEqual((result.broken_seq, result.reason), (3, BreakReason.SEAL_MISSING))

    def test_removing_every_seal_is_detected(self) -> None:
        # The acceptance review's case: no key, but database access. Every seal removed, entry #3
        # edited and every later fingerprint recomputed: the trail looks written before sealing.
        with audit_key(KEY_1):
            with self.captureOnCommitCallbacks(execute=True):
                record_things(6)
            tamper("UPDATE audit_auditentry SET mac = ''", [])
            rewrite_from(3, object_repr="nothing to see")
            result = audit_chain_verify()
            code, output = run_verify()
        self.assertEqual(keys.sealed_since(), 1)
        self.assertFalse(result.ok)
        self.assertEqual((result.broken_seq, result.reason), (1, BreakReason.SEAL_REMOVED))
        self.assertEqual(code, 1)
        self.assertIn("First broken entry: #1", output)

    def test_removing_the_seals_from_the_cut_over_on_is_detected(self) -> None:
        # An upgraded trail: #1 and #2 written before sealing, #3 the cut-over. Stripping the
        # seals of #3 and after would make the whole trail look written before sealing.
        with audit_key(KEY_1):
            record_things(2)
            tamper("UPDATE audit_auditentry SET mac = ''", [])  # as written before migration 0003
            with self.captureOnCommitCallbacks(execute=True):
                record_things(3)
            intact = audit_chain_verify()
            tamper("UPDATE audit_auditentry SET mac = ''", [])
            rewrite_from(4, object_repr="nothing to see")
            result = audit_chain_verify()
        self.assertTrue(intact.ok, intact.message)
        self.assertEqual((intact.sealing_recorded_since, intact.seals_checked), (3, 4))  # cut-over + 3
        self.assertEqual((result.ok, result.broken_seq, result.reason), (False, 3, BreakReason.SEAL_REMOVED))
        self.assertEqual(result.last_seq, 2)  # the entries before sealing began still pass

    def test_cutting_off_the_sealed_entries_is_detected(self) -> None:
        with audit_key(KEY_1):
            record_things(2)
            tamper("UPDATE audit_auditentry SET mac = ''", [])
            with self.captureOnCommitCallbacks(execute=True):
                record_things(2)
            tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [3])
            result = audit_chain_verify()
            code, output = run_verify()
        self.assertEqual(
            (result.ok, result.broken_seq, result.reason), (False, 3, BreakReason.SEALED_ENTRIES_MISSING)
        )
        self.assertEqual(code, 1)
        self.assertIn("Entry #3 is missing.", output)
        self.assertNotIn("before it, are intact", output)

    def test_where_sealing_began_is_recorded_once_committed(self) -> None:
        with audit_key(KEY_1):
            try:
                with transaction.atomic():
                    record_things(1)
                    raise RuntimeError("the caller's work fails")
            except RuntimeError:
                pass
            self.assertFalse(keys.sealed_since_path().exists())  # no entry #1 was kept
            with self.captureOnCommitCallbacks(execute=True):
                record_things(2)
            with self.captureOnCommitCallbacks(execute=True):
                record_things(1)
        self.assertEqual(keys.sealed_since(), 1)
        self.assertTrue(keys.sealed_since_path().read_text().startswith("# "))

    def test_a_lost_record_is_written_again_by_the_next_entry(self) -> None:
        with audit_key(KEY_1):
            record_things(2)
            tamper("UPDATE audit_auditentry SET mac = ''", [])
            with self.captureOnCommitCallbacks(execute=True):
                record_things(2)
            keys.sealed_since_path().unlink()  # VAR_DIR lost, the key given by the environment
            code, output = run_verify()
            with self.captureOnCommitCallbacks(execute=True):
                record_things(1)
            result = audit_chain_verify()
        self.assertEqual(code, 0)
        self.assertIn("Where sealing began is not recorded", output)
        self.assertEqual(keys.sealed_since(), 3)  # the first sealed entry in the database
        self.assertTrue(result.ok, result.message)

    def test_the_environment_can_give_where_sealing_began(self) -> None:
        with audit_key(KEY_1):
            record_things(3)
            tamper("UPDATE audit_auditentry SET mac = ''", [])
            with mock.patch.dict(os.environ, {keys.SEALED_SINCE_ENV: "1"}):
                result = audit_chain_verify()
            with (
                mock.patch.dict(os.environ, {keys.SEALED_SINCE_ENV: "one"}),
                self.assertRaisesMessage(ImproperlyConfigured, keys.SEALED_SINCE_ENV),
            ):
                audit_chain_verify()
        self.assertEqual((result.broken_seq, result.reason), (1, BreakReason.SEAL_REMOVED))
        self.assertFalse(keys.sealed_since_path().exists())

    def test_a_seal_claiming_another_key_is_detected(self) -> None:
        with audit_key(KEY_1):
            entries = record_things(4)
            forged = chain.seal(KEY_2.encode(), entries[2].hash)
            tamper("UPDATE audit_auditentry SET mac = %s WHERE seq = %s", [forged, 3])
            result = audit_chain_verify()
        self.assertEqual((result.broken_seq, result.reason), (3, BreakReason.SEAL_KEY_SWITCH))

    def test_a_new_key_is_recorded_where_it_takes_over(self) -> None:
        with audit_key(KEY_1):
            record_things(2)
        with audit_key(KEY_2, previous=KEY_1):
            last = record_things(1)[0]
            result = audit_chain_verify()
        change = AuditEntry.objects.get(seq=3)
        self.assertEqual(
            (change.object_type, change.object_id), (KEY_CHANGE_TYPE, chain.key_id(KEY_2.encode()))
        )
        self.assertEqual(fields(change.before), {"key_id": chain.key_id(KEY_1.encode())})
        self.assertEqual(fields(change.after)["previous_seal"], "valid")
        self.assertEqual(change.actor_username, "")
        self.assertEqual(last.seq, 4)
        self.assertTrue(result.ok, result.message)
        self.assertEqual((result.sealed_since, result.seals_checked), (3, 4))

    def test_sealing_begins_on_a_trail_written_before_it(self) -> None:
        with audit_key(KEY_1):
            record_things(2)
            tamper("UPDATE audit_auditentry SET mac = ''", [])  # as written before migration 0003
            with self.captureOnCommitCallbacks(execute=True):
                record_things(1)
            result = audit_chain_verify()
        self.assertEqual(AuditEntry.objects.get(seq=3).object_type, KEY_CHANGE_TYPE)
        self.assertEqual(fields(AuditEntry.objects.get(seq=3).after)["previous_seal"], "unsealed")
        self.assertTrue(result.ok, result.message)
        self.assertEqual((result.sealed_since, result.sealing_recorded_since), (3, 3))

    def test_a_lost_key_fails_until_it_is_declared_lost(self) -> None:
        with audit_key(KEY_1):
            record_things(2)
        with audit_key(KEY_2):  # KEY_1 is not kept anywhere
            record_things(1)
            lost = audit_chain_verify()
            with override_settings(ARUSHA_AUDIT_LOST_KEY_IDS=[chain.key_id(KEY_1.encode())]):
                declared = audit_chain_verify()
        self.assertEqual(fields(AuditEntry.objects.get(seq=3).after)["previous_seal"], "key not held")
        self.assertEqual((lost.ok, lost.broken_seq, lost.reason), (False, 1, BreakReason.SEAL_UNKNOWN_KEY))
        self.assertTrue(declared.ok, declared.message)
        self.assertEqual((declared.seals_unchecked, declared.seals_checked), (2, 2))

    def test_a_key_declared_lost_cannot_seal_entries_after_the_new_one(self) -> None:
        # Otherwise whoever has the database could append unchecked entries "sealed" with it.
        with audit_key(KEY_1):
            record_things(2)
        lost_id = chain.key_id(KEY_1.encode())
        with audit_key(KEY_2):
            last = record_things(2)[-1]
            # The latest entry turned into a "change of key" back to the lost key, which nobody
            # can check: without the rule, the entries after it would pass unchecked.
            last.object_type, last.object_id = KEY_CHANGE_TYPE, lost_id
            tamper(
                "UPDATE audit_auditentry SET object_type = %s, object_id = %s, hash = %s, mac = %s WHERE seq = %s",
                [KEY_CHANGE_TYPE, lost_id, last.compute_hash(), f"{lost_id}:{'0' * 64}", last.seq],
            )
            with override_settings(ARUSHA_AUDIT_LOST_KEY_IDS=[lost_id]):
                result = audit_chain_verify()
        self.assertEqual((result.broken_seq, result.reason), (last.seq, BreakReason.SEAL_KEY_SWITCH))

    def test_without_the_key_only_fingerprints_are_checked(self) -> None:
        with audit_key(KEY_1):
            record_things(3)
        with mock.patch.object(keys, "verification_keys", return_value={}):
            result = audit_chain_verify()
            code, output = run_verify()
        self.assertTrue(result.ok)
        self.assertEqual((result.seals_checked, result.seals_unchecked), (0, 3))
        self.assertEqual(code, 0)
        self.assertIn("No audit key is held here", output)

    def test_a_short_key_is_refused_by_name(self) -> None:
        with audit_key("short"), self.assertRaisesMessage(ImproperlyConfigured, "ARUSHA_AUDIT_KEY"):
            record_things(1)
