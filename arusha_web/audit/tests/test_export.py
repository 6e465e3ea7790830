from __future__ import annotations

import csv
import io

from django.test import TestCase
from django.urls import reverse

from arusha_web.audit.models import Action, AuditEntry
from arusha_web.audit.services import audit_chain_verify, audit_record

from .helpers import make_office, make_user


class ExportTestCase(TestCase):
    url = reverse("audit:export")

    def setUp(self) -> None:
        # Ada is an auditor; Sam is staff and must not export the trail.
        self.ada = make_user("ada", "auditor")
        self.sam = make_user("sam", "staff")
        make_office()
        audit_record(
            action=Action.VIEW,
            actor=self.sam,
            object_type="cases.case",
            object_id=7,
            object_repr="=HYPERLINK(1)",
        )

    def _rows(self, response: object) -> list[dict[str, str]]:
        body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        return list(csv.DictReader(io.StringIO(body)))

    def test_it_exports_the_filtered_entries(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.get(self.url, {"object_type": "org.office"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", r["Content-Disposition"])
        rows = self._rows(r)
        self.assertEqual(
            [(row["action"], row["object"]) for row in rows], [("create", "MGTMM — Toamasina Port")]
        )
        office = AuditEntry.objects.get(object_type="org.office")
        self.assertEqual(rows[0]["seq"], str(office.seq))
        self.assertEqual(rows[0]["hash"], office.hash)
        self.assertIn('"code": "MGTMM"', rows[0]["after"])

    def test_it_exports_everything_oldest_first(self) -> None:
        self.client.force_login(self.ada)
        rows = self._rows(self.client.get(self.url))
        seqs = [int(row["seq"]) for row in rows]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(rows), AuditEntry.objects.count() - 1)  # all but the export's own entry

    def test_it_records_the_export(self) -> None:
        self.client.force_login(self.ada)
        self._rows(self.client.get(self.url, {"action": "view", "date_from": "2026-01-01"}))
        entry = AuditEntry.objects.filter(action=Action.EXPORT).get()
        self.assertEqual(entry.actor_username, "ada")
        # Ada reads need-to-know entries: what she looked for is need-to-know too.
        self.assertEqual(
            entry.after, {"filters": {"action": "view", "date_from": "2026-01-01"}, "need_to_know": True}
        )
        self.assertTrue(audit_chain_verify().ok)

    def test_it_defuses_spreadsheet_formulas(self) -> None:
        self.client.force_login(self.ada)
        rows = self._rows(self.client.get(self.url, {"action": "view"}))
        self.assertEqual(rows[0]["object"], "'=HYPERLINK(1)")

    def test_it_checks_permissions(self) -> None:
        self.client.force_login(self.sam)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertFalse(AuditEntry.objects.filter(action=Action.EXPORT).exists())
