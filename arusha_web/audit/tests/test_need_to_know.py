"""Need-to-know entries of the audit trail: masked for administrators, in full for those with case rights."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.apps import apps
from django.test import TestCase
from django.urls import reverse

from arusha_web.audit.checkpoints import Checkpoint
from arusha_web.audit.export_check import export_verify
from arusha_web.audit.models import Action, AuditEntry
from arusha_web.audit.need_to_know import HIDDEN, is_need_to_know
from arusha_web.audit.services import audit_record

from .helpers import make_office, make_user

CASE_REPR = "C-2026-0022 — Misconduct — INLD1 (2026)"


class NeedToKnowTestCase(TestCase):
    def setUp(self) -> None:
        # Ann administers accounts and must not learn who a case is about; Ada audits and Ingrid
        # is in the integrity unit: both may read case entries in full. Ivan investigates.
        self.ann = make_user("ann", "administrator")
        self.ada = make_user("ada", "auditor")
        self.ingrid = make_user("ingrid", "integrity")
        self.ivan = make_user("ivan", "investigator")
        make_office()
        self.case = audit_record(
            action=Action.UPDATE,
            actor=self.ingrid,
            object_type="cases.case",
            object_id=22,
            object_repr=CASE_REPR,
            before={"sanction": ""},
            after={"concerned": "OFF005", "sanction": "dismissal"},
        )
        self.lead = audit_record(
            action=Action.UPDATE,
            actor=self.ingrid,
            object_type="measure.lead",
            object_id=3,
            object_repr="#3 officer_pair",
            after={"reason": "OFF005 clears the same importer"},
        )
        self.office = AuditEntry.objects.get(object_type="org.office")

    def _csv(
        self, user: object, url: str, params: dict[str, str] | None = None
    ) -> tuple[str, list[dict[str, str]]]:
        self.client.force_login(user)  # type: ignore[arg-type]
        response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, 200)
        body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        return body, list(csv.DictReader(io.StringIO(body)))

    def test_administrators_see_who_did_what_but_not_what_it_is_about(self) -> None:
        self.client.force_login(self.ann)
        r = self.client.get(reverse("audit:list"))
        self.assertContains(r, "hidden (need-to-know)", count=2)
        self.assertContains(r, "MGTMM — Toamasina Port")  # other records stay readable
        self.assertContains(r, "ingrid")
        for secret in ("C-2026-0022", "Misconduct", "officer_pair"):
            self.assertNotContains(r, secret)

    def test_the_detail_page_hides_the_values_but_keeps_the_fingerprints(self) -> None:
        self.client.force_login(self.ann)
        r = self.client.get(reverse("audit:detail", args=[self.case.seq]))
        self.assertContains(r, "are need-to-know, and hidden from you")
        self.assertContains(r, self.case.hash)
        self.assertContains(r, self.case.prev_hash)
        self.assertContains(r, "sanction")  # which fields changed stays auditable
        for secret in ("C-2026-0022", "OFF005", "dismissal"):
            self.assertNotContains(r, secret)

    def test_the_export_masks_values_and_keeps_each_fingerprint(self) -> None:
        body, rows = self._csv(self.ann, reverse("audit:export"))
        for secret in ("C-2026-0022", "OFF005", "dismissal", "importer"):
            self.assertNotIn(secret, body)
        row = next(r for r in rows if r["seq"] == str(self.case.seq))
        self.assertEqual((row["object"], row["masked"]), (HIDDEN, "yes"))
        self.assertEqual(row["after"], '{"concerned": "[need-to-know]", "sanction": "[need-to-know]"}')
        self.assertEqual((row["prev_hash"], row["hash"]), (self.case.prev_hash, self.case.hash))
        office = next(r for r in rows if r["seq"] == str(self.office.seq))
        self.assertEqual(office["masked"], "no")
        # Every row is there, so the chain links through the masked ones.
        self.assertEqual([int(r["seq"]) for r in rows], list(range(1, len(rows) + 1)))

    def test_searching_does_not_reveal_masked_entries(self) -> None:
        self.client.force_login(self.ann)
        r = self.client.get(reverse("audit:list"), {"text": "Misconduct"})
        self.assertContains(r, "No entries match these filters.")
        _body, rows = self._csv(self.ann, reverse("audit:export"), {"text": "Misconduct"})
        self.assertEqual(rows, [])

    def test_searching_still_finds_what_the_reader_may_see(self) -> None:
        self._csv(self.ann, reverse("audit:export"))  # an export by someone who sees entries masked
        self.client.force_login(self.ann)
        r = self.client.get(reverse("audit:list"), {"text": "Audit trail (CSV)"})
        self.assertContains(r, "Audit trail (CSV)")
        r = self.client.get(reverse("audit:list"), {"text": "Toamasina"})
        self.assertContains(r, "MGTMM — Toamasina Port")

    def test_auditors_read_need_to_know_entries_in_full(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.get(reverse("audit:detail", args=[self.case.seq]))
        self.assertContains(r, CASE_REPR)
        self.assertContains(r, "OFF005")
        self.assertNotContains(r, "hidden (need-to-know)")
        _body, rows = self._csv(self.ada, reverse("audit:export"), {"text": "Misconduct"})
        self.assertEqual([(r["object"], r["masked"]) for r in rows], [(CASE_REPR, "no")])

    def test_what_a_full_reader_exports_is_need_to_know_too(self) -> None:
        self._csv(self.ada, reverse("audit:export"), {"text": "OFF005"})
        export = AuditEntry.objects.get(action=Action.EXPORT)
        self.assertTrue(is_need_to_know(export))
        self.client.force_login(self.ann)
        r = self.client.get(reverse("audit:detail", args=[export.seq]))
        self.assertNotContains(r, "OFF005")

    def test_the_integrity_unit_reads_only_the_need_to_know_entries(self) -> None:
        self.client.force_login(self.ingrid)
        self.assertEqual(self.client.get(reverse("audit:list")).status_code, 403)
        r = self.client.get(reverse("audit:need_to_know"))
        self.assertContains(r, CASE_REPR)
        self.assertContains(r, "#3 officer_pair")
        self.assertNotContains(r, "Toamasina Port")
        self.assertNotContains(r, reverse("audit:verify"))
        self.assertContains(r, reverse("audit:need_to_know_detail", args=[self.case.seq]))
        r = self.client.get(reverse("audit:need_to_know_detail", args=[self.case.seq]))
        self.assertContains(r, "OFF005")
        self.assertContains(r, reverse("audit:need_to_know_detail", args=[self.lead.seq]))
        self.assertEqual(
            self.client.get(reverse("audit:need_to_know_detail", args=[self.office.seq])).status_code, 404
        )
        _body, rows = self._csv(self.ingrid, reverse("audit:need_to_know_export"))
        self.assertEqual([int(r["seq"]) for r in rows], [self.case.seq, self.lead.seq])

    def test_the_integrity_unit_finds_the_case_trail_from_its_module_page(self) -> None:
        link = reverse("audit:need_to_know")
        self.client.force_login(self.ingrid)
        self.assertContains(self.client.get(reverse("cases:index")), link)
        self.client.force_login(self.ivan)
        self.assertNotContains(self.client.get(reverse("cases:index")), link)

    def test_others_cannot_read_the_need_to_know_entries(self) -> None:
        for user in (self.ann, self.ivan):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(reverse("audit:need_to_know")).status_code, 403)
                self.assertEqual(self.client.get(reverse("audit:need_to_know_export")).status_code, 403)

    def test_every_cases_record_type_is_need_to_know(self) -> None:
        # A record type added to Cases later is covered from its first entry.
        for model in apps.get_app_config("cases").get_models():
            entry = AuditEntry(object_type=model._meta.label_lower)
            self.assertTrue(is_need_to_know(entry), model._meta.label_lower)
        self.assertFalse(is_need_to_know(self.office))


class ReporterTestCase(TestCase):
    """A staff member who let investigators see that he sent a report is recorded as its user."""

    def setUp(self) -> None:
        self.ann = make_user("ann", "administrator")
        self.ada = make_user("ada", "auditor")
        self.ivan = make_user("ivan", "investigator")
        self.rakoto = make_user("rakoto", "staff")
        self.own = audit_record(
            action=Action.OTHER, actor=self.rakoto, object_type="tests.thing", object_repr="x"
        )
        self.report = audit_record(
            action=Action.CREATE,
            actor=self.rakoto,
            object_type="cases.report",
            object_id=83819248,
            object_repr="report 83819248",
            after={"source": "staff", "category": "misconduct", "attachments": 0, "day": "2026-03-02"},
        )
        self.case = audit_record(
            action=Action.UPDATE, actor=self.ivan, object_type="cases.case", object_id=22, after={"note": 1}
        )

    def _export(self, user: object, params: dict[str, str] | None = None) -> tuple[str, list[dict[str, str]]]:
        self.client.force_login(user)  # type: ignore[arg-type]
        response = self.client.get(reverse("audit:export"), params or {})
        body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        return body, list(csv.DictReader(io.StringIO(body)))

    def test_administrators_do_not_see_who_sent_a_report(self) -> None:
        # The acceptance review's case: /audit/?object_type=cases.report named the sender.
        self.client.force_login(self.ann)
        r = self.client.get(reverse("audit:list"), {"object_type": "cases.report"})
        self.assertContains(r, "hidden (need-to-know)", count=2)  # the user and the record
        self.assertContains(r, "83819248")  # the record id stays
        self.assertNotContains(r, "rakoto")
        r = self.client.get(reverse("audit:detail", args=[self.report.seq]))
        self.assertNotContains(r, "rakoto")
        self.assertContains(r, "So is its user, who can be the reporter.")

    def test_the_user_filter_does_not_find_the_reports_he_sent(self) -> None:
        self.client.force_login(self.ann)
        r = self.client.get(reverse("audit:list"), {"actor": "rakoto"})
        self.assertContains(r, reverse("audit:detail", args=[self.own.seq]))
        self.assertNotContains(r, reverse("audit:detail", args=[self.report.seq]))
        _body, rows = self._export(self.ann, {"actor": "rakoto"})
        self.assertEqual([int(row["seq"]) for row in rows], [self.own.seq])

    def test_investigators_work_on_cases_stays_visible(self) -> None:
        _body, rows = self._export(self.ann)
        users = {int(row["seq"]): row["user"] for row in rows}
        self.assertEqual((users[self.case.seq], users[self.own.seq]), ("ivan", "rakoto"))

    def test_the_masked_export_hides_the_user_and_still_verifies(self) -> None:
        body, rows = self._export(self.ann)
        self.assertEqual([int(r["seq"]) for r in rows if r["user"] == "rakoto"], [self.own.seq])
        row = next(r for r in rows if r["seq"] == str(self.report.seq))
        self.assertEqual((row["user"], row["object_id"], row["masked"]), (HIDDEN, "83819248", "yes"))
        self.assertEqual(row["hash"], self.report.hash)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.csv"
            path.write_text(body, encoding="utf-8")
            check = export_verify(path, checkpoints=[Checkpoint(self.case.hash)])
        self.assertTrue(check.ok, check.problem)
        self.assertEqual((check.masked, check.links, check.checkpoints_matched), (2, len(rows), 1))

    def test_need_to_know_readers_see_who_sent_it(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.get(reverse("audit:list"), {"actor": "rakoto", "object_type": "cases.report"})
        self.assertContains(r, "rakoto")
        self.assertContains(r, reverse("audit:detail", args=[self.report.seq]))
        self.assertNotContains(r, "hidden (need-to-know)")


class SelfAssessmentTestCase(TestCase):
    """Entries written before answering and reminders stopped being audited with the participant."""

    def setUp(self) -> None:
        self.ann = make_user("ann", "administrator")
        self.ada = make_user("ada", "auditor")
        self.ingrid = make_user("ingrid", "integrity")
        self.olu = make_user("olu", "staff")
        # As the old code wrote them: the participant's creation, his "responded" mark, written
        # by himself as he answered, and a reminder named after him.
        self.created = audit_record(
            action=Action.CREATE,
            actor=self.ingrid,
            object_type="diagnose.participant",
            object_id=12,
            object_repr="Olu Officer",
            after={"name": "Olu Officer", "group": "officer", "responded_at": None},
        )
        self.responded = audit_record(
            action=Action.UPDATE,
            actor=self.olu,
            object_type="diagnose.participant",
            object_id=12,
            object_repr="Olu Officer",
            before={"responded_at": None},
            after={"responded_at": "2026-03-02T09:14:00+00:00"},
        )
        self.reminder = audit_record(
            action=Action.CREATE,
            actor=self.ingrid,
            object_type="diagnose.reminder",
            object_id=5,
            object_repr="Olu Officer 2026-03-01 10:00",
            after={"participant": 12, "sent_at": "2026-03-01T10:00:00+00:00", "scheduled": False},
        )
        # As written now: no "responded" mark, no recipient.
        self.invited = audit_record(
            action=Action.CREATE,
            actor=self.ingrid,
            object_type="diagnose.participant",
            object_id=13,
            object_repr="Mia Manager",
            after={"name": "Mia Manager", "group": "manager"},
        )
        self.reminded = audit_record(
            action=Action.CREATE,
            actor=self.ingrid,
            object_type="diagnose.reminder",
            object_id=6,
            object_repr="7 · 2026-03-08 10:00",
            after={"sent_at": "2026-03-08T10:00:00+00:00", "scheduled": False},
        )
        self.hidden = [self.created, self.responded, self.reminder]

    def test_old_entries_are_need_to_know_and_new_ones_are_not(self) -> None:
        for entry in self.hidden:
            self.assertTrue(is_need_to_know(entry), entry)
        for entry in (self.invited, self.reminded):
            self.assertFalse(is_need_to_know(entry), entry)

    def test_no_reader_of_the_trail_learns_who_answered(self) -> None:
        # Administrators, auditors and the integrity unit all read Diagnose results.
        for user, url in (
            (self.ann, reverse("audit:list")),
            (self.ada, reverse("audit:list")),
            (self.ingrid, reverse("audit:need_to_know")),
        ):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                r = self.client.get(url, {"object_type": "diagnose.participant"})
                self.assertNotContains(r, "Olu Officer")
                self.assertNotContains(r, "<td>olu</td>")
                if url == reverse("audit:list"):
                    self.assertContains(r, "Mia Manager")  # entries written now stay readable
                r = self.client.get(url, {"actor": "olu"})
                self.assertContains(r, "No entries match these filters.")
                r = self.client.get(url, {"object_type": "diagnose.participant", "object_id": "12"})
                self.assertContains(r, "No entries match these filters.")
                r = self.client.get(url, {"text": "Olu Officer"})
                self.assertContains(r, "No entries match these filters.")

    def test_the_detail_page_hides_the_mark_from_auditors(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.get(reverse("audit:detail", args=[self.responded.seq]))
        self.assertContains(r, "hidden from every reader of the audit trail")
        for secret in ("Olu Officer", "<dd>olu", "2026-03-02T09", "All entries for this record"):
            self.assertNotContains(r, secret)
        self.assertContains(r, self.responded.hash)
        r = self.client.get(reverse("audit:detail", args=[self.reminder.seq]))
        self.assertNotContains(r, "Olu Officer")
        self.assertContains(r, "ingrid")  # who sent a reminder stays

    def test_exports_mask_them_for_every_reader_and_still_verify(self) -> None:
        for user, url in (
            (self.ann, reverse("audit:export")),
            (self.ada, reverse("audit:export")),
            (self.ingrid, reverse("audit:need_to_know_export")),
        ):
            self.client.force_login(user)
            response = self.client.get(url)
            body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
            with self.subTest(user=user.username):
                self.assertNotIn("Olu Officer", body)
                rows = {int(r["seq"]): r for r in csv.DictReader(io.StringIO(body))}
                self.assertFalse([seq for seq, r in rows.items() if r["user"] == "olu"])
                responded = rows[self.responded.seq]
                self.assertEqual(
                    (responded["user"], responded["object_id"], responded["after"], responded["masked"]),
                    (HIDDEN, HIDDEN, '{"responded_at": "[need-to-know]"}', "yes"),
                )
                self.assertEqual(rows[self.reminder.seq]["user"], "ingrid")
                if url == reverse("audit:export"):
                    with tempfile.TemporaryDirectory() as folder:
                        path = Path(folder) / "export.csv"
                        path.write_text(body, encoding="utf-8")
                        check = export_verify(path, checkpoints=[Checkpoint(self.reminded.hash)])
                    self.assertTrue(check.ok, check.problem)
                    self.assertEqual(check.checkpoints_matched, 1)
