from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from arusha_web.audit.models import AuditEntry

from .helpers import make_office, make_user, tamper


class VerifyTestCase(TestCase):
    url = reverse("audit:verify")

    def setUp(self) -> None:
        # Ada is an auditor; Sam is staff and must not run the check.
        self.ada = make_user("ada", "auditor")
        self.sam = make_user("sam", "staff")
        make_office()

    def test_it_reports_an_intact_trail(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.post(self.url, headers={"HX-Request": "true"})
        self.assertContains(r, "The audit trail is intact")
        self.assertContains(r, AuditEntry.objects.order_by("-seq").first().hash)  # type: ignore[union-attr]
        self.assertNotContains(r, "<html")

    def test_it_names_the_first_broken_entry(self) -> None:
        tamper("UPDATE audit_auditentry SET object_repr = %s WHERE seq = %s", ["edited", 2])
        self.client.force_login(self.ada)
        r = self.client.post(self.url, headers={"HX-Request": "true"})
        self.assertContains(r, "First broken entry: #2")
        self.assertContains(r, reverse("audit:detail", args=[2]))

    def test_it_works_without_htmx(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.post(self.url)
        self.assertContains(r, "The audit trail is intact")
        self.assertContains(r, "<html")

    def test_it_accepts_only_post(self) -> None:
        self.client.force_login(self.ada)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_it_checks_permissions(self) -> None:
        self.client.force_login(self.sam)
        self.assertEqual(self.client.post(self.url).status_code, 403)
