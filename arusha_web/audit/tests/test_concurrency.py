from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test import TransactionTestCase

from arusha_web.audit.models import Action, AuditEntry
from arusha_web.audit.services import audit_chain_verify, audit_record

WRITERS = 8
ENTRIES_EACH = 10


@pytest.mark.postgres
class ConcurrentAppendTestCase(TransactionTestCase):
    def test_racing_writers_do_not_fork_the_chain(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite serialises writers itself; real concurrency needs PostgreSQL")
        start = threading.Barrier(WRITERS)
        errors: list[BaseException] = []

        def write(writer: int) -> None:
            try:
                start.wait()
                for n in range(ENTRIES_EACH):
                    with transaction.atomic():  # as a view's transaction would
                        audit_record(action=Action.OTHER, object_repr=f"writer {writer} entry {n}")
            except BaseException as exc:  # collected, so that the main thread can fail the test
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        self.assertEqual(errors, [])
        self.assertEqual(AuditEntry.objects.count(), WRITERS * ENTRIES_EACH)
        result = audit_chain_verify()
        self.assertTrue(result.ok, result.message)
        self.assertEqual(result.checked, WRITERS * ENTRIES_EACH)
