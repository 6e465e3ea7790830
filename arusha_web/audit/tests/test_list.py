from __future__ import annotations

import datetime as dt
from unittest import mock

from django.test import TestCase
from django.urls import reverse

from arusha_web.audit.middleware import acting_as
from arusha_web.audit.models import Action, AuditEntry
from arusha_web.audit.services import audit_record

from .helpers import make_office, make_user


class ListTestCase(TestCase):
    url = reverse("audit:list")

    def setUp(self) -> None:
        # Ada is an auditor (reads the trail); Ann is an administrator who changes records;
        # Sam is staff and must not see the trail.
        self.ada = make_user("ada", "auditor")
        self.ann = make_user("ann", "administrator")
        self.sam = make_user("sam", "staff")
        with acting_as(self.ann):
            self.office = make_office()

    def test_it_works(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.get(self.url)
        self.assertContains(r, "Audit trail")
        self.assertContains(r, "MGTMM — Toamasina Port")
        self.assertContains(r, reverse("audit:verify"))
        self.assertContains(r, "org.office")

    def test_it_checks_permissions(self) -> None:
        self.client.force_login(self.sam)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_it_lets_administrators_in(self) -> None:
        self.client.force_login(self.ann)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_filters(self) -> None:
        audit_record(
            action=Action.VIEW, actor=self.sam, object_type="cases.case", object_id=7, object_repr="Case 7"
        )
        self.client.force_login(self.ada)
        cases = {
            "actor": "SAM",
            "action": "view",
            "object_type": "cases.case",
            "object_id": "7",
            "text": "case",
        }
        for name, value in cases.items():
            with self.subTest(name=name):
                r = self.client.get(self.url, {name: value})
                self.assertContains(r, "Case 7")
                self.assertNotContains(r, "Toamasina Port")

    def test_it_filters_by_date(self) -> None:
        with mock.patch(
            "django.utils.timezone.now", return_value=dt.datetime(2020, 5, 4, 23, 59, tzinfo=dt.UTC)
        ):
            audit_record(action=Action.OTHER, object_repr="Long ago")
        self.client.force_login(self.ada)
        r = self.client.get(self.url, {"date_from": "2020-05-04", "date_to": "2020-05-04"})
        self.assertContains(r, "Long ago")
        self.assertNotContains(r, "Toamasina Port")
        r = self.client.get(self.url, {"date_from": "2020-05-05"})
        self.assertNotContains(r, "Long ago")
        self.assertContains(r, "Toamasina Port")

    def test_it_ignores_a_filter_it_cannot_read(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.get(self.url, {"date_from": "yesterday", "action": "create"})
        self.assertContains(r, "Some filters were not understood")
        self.assertContains(r, "Toamasina Port")

    def test_it_returns_fragment_for_htmx(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.get(self.url, {"action": "create"}, headers={"HX-Request": "true"})
        self.assertContains(r, "Toamasina Port")
        self.assertNotContains(r, "<html")
        self.assertNotContains(r, 'class="filters"')
        self.assertIn("HX-Request", r["Vary"])

    def test_it_returns_the_page_when_htmx_restores_history(self) -> None:
        self.client.force_login(self.ada)
        r = self.client.get(self.url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
        self.assertContains(r, "<html")

    def test_it_paginates(self) -> None:
        for i in range(60):
            audit_record(action=Action.OTHER, object_repr=f"Item {i:02d}")
        self.client.force_login(self.ada)
        r = self.client.get(self.url)
        self.assertContains(r, "Item 59")
        self.assertNotContains(r, "Item 09")
        self.assertContains(r, "page=2")
        r = self.client.get(self.url, {"page": 2})
        self.assertContains(r, "Item 09")
        self.assertNotContains(r, "Item 59")

    def test_it_does_not_record_browsing(self) -> None:
        self.client.force_login(self.ada)  # the login itself is recorded
        count = AuditEntry.objects.count()
        self.client.get(self.url)
        self.client.get(self.url, {"page": 1}, headers={"HX-Request": "true"})
        self.assertEqual(AuditEntry.objects.count(), count)
