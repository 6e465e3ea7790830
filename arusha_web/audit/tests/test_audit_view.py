from __future__ import annotations

from django.test import RequestFactory, TestCase

from arusha_web.audit.models import Action
from arusha_web.audit.services import audit_view

from .helpers import make_office, make_user


class AuditViewTestCase(TestCase):
    def test_it_records_who_viewed_what(self) -> None:
        # Ivan investigates: his views of sensitive records are recorded, without his address.
        ivan = make_user("ivan", "investigator")
        office = make_office()
        request = RequestFactory().get("/cases/7/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox")
        request.user = ivan

        entry = audit_view(request, office)

        self.assertEqual((entry.action, entry.actor, entry.actor_username), (Action.VIEW, ivan, "ivan"))
        self.assertEqual((entry.object_type, entry.object_id), ("org.office", str(office.pk)))
        self.assertEqual(entry.object_repr, "MGTMM — Toamasina Port")
        self.assertNotIn("203.0.113.9", entry.canonical().decode())
        self.assertNotIn("Firefox", entry.canonical().decode())
