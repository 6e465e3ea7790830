from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from arusha_web.audit.models import Action, AuditEntry

from .helpers import make_office, make_user


class DetailTestCase(TestCase):
    def setUp(self) -> None:
        # Ada is an auditor; Sam is staff and must not see the trail.
        self.ada = make_user("ada", "auditor")
        self.sam = make_user("sam", "staff")
        office = make_office()
        office.name = "Toamasina"
        office.save()
        self.entry = AuditEntry.objects.get(object_type="org.office", action=Action.UPDATE)
        self.url = reverse("audit:detail", args=[self.entry.seq])

    def test_it_shows_before_and_after(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.get(self.url)
        self.assertContains(r, f"Audit entry #{self.entry.seq}")
        self.assertContains(r, "Toamasina Port")
        self.assertContains(r, "<td>Toamasina</td>", html=False)
        self.assertContains(r, self.entry.hash)
        self.assertContains(r, self.entry.prev_hash)
        self.assertContains(r, reverse("audit:detail", args=[self.entry.seq - 1]))

    def test_it_checks_permissions(self) -> None:
        self.client.force_login(self.sam)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_returns_404_for_an_unknown_entry(self) -> None:
        self.client.force_login(self.ada)
        self.assertEqual(self.client.get(reverse("audit:detail", args=[9999])).status_code, 404)
