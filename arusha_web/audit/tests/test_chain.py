from __future__ import annotations

import datetime as dt
import decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import TestCase

from arusha_web.audit import keys, services
from arusha_web.audit.models import GENESIS_HASH, Action, AppendOnlyError, AuditEntry
from arusha_web.audit.services import BreakReason, audit_chain_verify, audit_record

from .helpers import fields, tamper


def _record(n: int) -> list[AuditEntry]:
    return [
        audit_record(action=Action.OTHER, object_type="tests.thing", object_id=i, object_repr=f"thing {i}")
        for i in range(1, n + 1)
    ]


def _verify_command() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


class ChainTestCase(TestCase):
    def test_it_links_each_entry_to_the_previous_one(self) -> None:
        first, second, third = _record(3)
        self.assertEqual([first.seq, second.seq, third.seq], [1, 2, 3])
        self.assertEqual(first.prev_hash, GENESIS_HASH)
        self.assertEqual(second.prev_hash, first.hash)
        self.assertEqual(third.prev_hash, second.hash)
        self.assertEqual(len({first.hash, second.hash, third.hash}), 3)

    def test_it_verifies_an_intact_chain(self) -> None:
        entries = _record(5)
        result = audit_chain_verify()
        self.assertTrue(result.ok)
        self.assertEqual(result.checked, 5)
        self.assertEqual(result.last_seq, 5)
        self.assertEqual(result.last_hash, entries[-1].hash)

    def test_it_verifies_an_empty_trail(self) -> None:
        result = audit_chain_verify()
        self.assertTrue(result.ok)
        self.assertEqual(result.checked, 0)
        self.assertIn("empty", result.message)

    def test_values_survive_the_round_trip_through_the_database(self) -> None:
        # Each of these once risked a different hash after reading back (jsonb rewrites
        # large floats, isoformat() drops zero microseconds, non-ASCII text).
        audit_record(
            action=Action.UPDATE,
            object_type="tests.thing",
            object_repr="Bureau de Tamatave — Port",
            before={
                "amount": decimal.Decimal("1234.50"),
                "ratio": 1e16,
                "when": dt.date(2026, 1, 31),
                "tags": {"b", "a"},
            },
            after={
                "amount": None,
                "ratio": 0.1,
                "when": dt.datetime(2026, 1, 31, 8, 0, tzinfo=dt.UTC),
                "nested": {"k": [1, "é"]},
            },
        )
        with mock.patch(
            "django.utils.timezone.now", return_value=dt.datetime(2026, 2, 1, 9, 30, tzinfo=dt.UTC)
        ):
            audit_record(action=Action.OTHER, object_repr="on the second")
        self.assertTrue(audit_chain_verify().ok)
        entry = AuditEntry.objects.get(seq=1)
        self.assertEqual(fields(entry.before)["amount"], "1234.50")
        self.assertEqual(fields(entry.before)["tags"], ["a", "b"])

    def test_verify_names_a_row_edited_in_the_database(self) -> None:
        _record(5)
        tamper("UPDATE audit_auditentry SET object_repr = %s WHERE seq = %s", ["nothing to see", 3])
        result = audit_chain_verify()
        self.assertFalse(result.ok)
        self.assertEqual(result.broken_seq, 3)
        self.assertEqual(result.reason, BreakReason.HASH_MISMATCH)
        self.assertEqual(result.checked, 3)

        code, output = _verify_command()
        self.assertEqual(code, 1)
        self.assertIn("First broken entry: #3", output)
        self.assertIn("changed after it was written", output)
        self.assertIn("Entries #1 to #2, before it, are intact", output)

    def test_verify_names_an_entry_whose_json_was_edited(self) -> None:
        audit_record(
            action=Action.UPDATE, object_type="org.office", before={"name": "A"}, after={"name": "B"}
        )
        _record(1)
        tamper('UPDATE audit_auditentry SET "after" = %s WHERE seq = %s', ['{"name": "C"}', 1])
        result = audit_chain_verify()
        self.assertEqual((result.ok, result.broken_seq), (False, 1))

    def test_verify_detects_a_rewritten_entry_with_a_fresh_hash(self) -> None:
        entries = _record(4)
        forged = AuditEntry.objects.get(seq=2)
        forged.object_repr = "forged"
        tamper(
            "UPDATE audit_auditentry SET object_repr = %s, hash = %s WHERE seq = %s",
            ["forged", forged.compute_hash(), 2],
        )
        # Whoever rehashes an edited entry cannot seal it without the key...
        result = audit_chain_verify()
        self.assertEqual((result.broken_seq, result.reason), (2, BreakReason.SEAL_INVALID))
        # ...and, checked where no key is held, still breaks the link from the next one.
        with mock.patch.object(keys, "verification_keys", return_value={}):
            result = audit_chain_verify()
        self.assertEqual((result.broken_seq, result.reason), (3, BreakReason.PREV_LINK_BROKEN))
        self.assertNotEqual(entries[1].hash, forged.compute_hash())

    def test_verify_detects_a_deleted_entry(self) -> None:
        _record(5)
        tamper("DELETE FROM audit_auditentry WHERE seq = %s", [3])
        result = audit_chain_verify()
        self.assertFalse(result.ok)
        self.assertEqual((result.broken_seq, result.reason), (4, BreakReason.SEQ_GAP))
        self.assertIn("Entry #3, just before it, is missing.", result.message)

        code, output = _verify_command()
        self.assertEqual(code, 1)
        self.assertIn("First broken entry: #4", output)

    def test_verify_detects_a_deleted_first_entry(self) -> None:
        _record(3)
        tamper("DELETE FROM audit_auditentry WHERE seq = %s", [1])
        result = audit_chain_verify()
        self.assertEqual((result.broken_seq, result.reason), (2, BreakReason.SEQ_GAP))

    def test_the_command_reports_an_intact_trail(self) -> None:
        entries = _record(2)
        code, output = _verify_command()
        self.assertEqual(code, 0)
        self.assertIn("The audit trail is intact: 2 entries checked", output)
        self.assertIn(entries[-1].hash, output)

    def test_a_writer_that_lost_the_race_retries_on_the_new_head(self) -> None:
        first, second = _record(2)
        stale = iter([{"seq": first.seq, "hash": first.hash}])
        real_head = services._chain_head

        # The first read sees the trail as it was before `second` was written, as a writer
        # racing another would: its insert must fail, not fork the chain, and then succeed.
        with mock.patch.object(services, "_chain_head", side_effect=lambda: next(stale, None) or real_head()):
            third = audit_record(action=Action.OTHER, object_repr="late writer")
        self.assertEqual((third.seq, third.prev_hash), (3, second.hash))
        self.assertTrue(audit_chain_verify().ok)

    def test_a_failed_append_leaves_the_callers_transaction_usable(self) -> None:
        first = _record(1)[0]
        with transaction.atomic():
            with (
                mock.patch.object(services, "_chain_head", return_value={"seq": 0, "hash": "x" * 64}),
                self.assertRaises(IntegrityError),
            ):
                audit_record(action=Action.OTHER)
            # The outer transaction goes on: only the savepoint was rolled back.
            self.assertEqual(AuditEntry.objects.get().pk, first.pk)


class AppendOnlyTestCase(TestCase):
    def setUp(self) -> None:
        self.entry = _record(1)[0]

    def test_save_refuses_to_update(self) -> None:
        self.entry.object_repr = "changed"
        with self.assertRaises(AppendOnlyError):
            self.entry.save()

    def test_delete_refuses(self) -> None:
        with self.assertRaises(AppendOnlyError):
            self.entry.delete()

    def test_queryset_update_and_delete_refuse(self) -> None:
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.filter(seq=1).update(object_repr="changed")
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.all().delete()
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.bulk_create([AuditEntry()])
        self.assertEqual(AuditEntry.objects.get().object_repr, "thing 1")

    def test_it_refuses_an_entry_not_chained_by_audit_record(self) -> None:
        with self.assertRaises(ValueError):
            AuditEntry(
                seq=2, prev_hash=self.entry.hash, hash="0" * 64, at=self.entry.at, action="other"
            ).save()

    @pytest.mark.postgres
    def test_postgresql_refuses_raw_updates_and_deletes(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("the trigger exists on PostgreSQL only")
        for sql in ("UPDATE audit_auditentry SET object_repr = 'x'", "DELETE FROM audit_auditentry"):
            with (
                self.subTest(sql=sql),
                self.assertRaises(DatabaseError),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql)
        self.assertEqual(AuditEntry.objects.get().object_repr, "thing 1")
