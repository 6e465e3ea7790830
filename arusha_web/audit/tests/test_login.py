from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from arusha_web.audit.models import Action, AuditEntry

from .helpers import PASSWORD, make_user


class LoginTestCase(TestCase):
    url = reverse("accounts:login")

    def setUp(self) -> None:
        # Sam is ordinary staff: every login is recorded, whatever the role.
        self.sam = make_user("sam", "staff")

    def test_it_records_a_login(self) -> None:
        r = self.client.post(self.url, {"username": "sam", "password": PASSWORD})
        self.assertEqual(r.status_code, 302)
        entry = AuditEntry.objects.filter(action=Action.LOGIN).get()
        self.assertEqual((entry.actor, entry.actor_username), (self.sam, "sam"))
        self.assertEqual((entry.object_type, entry.object_id), ("accounts.user", str(self.sam.pk)))

    def test_it_records_a_failed_login_without_the_password(self) -> None:
        r = self.client.post(self.url, {"username": "sam", "password": "guessed-wrong-123"})
        self.assertEqual(r.status_code, 200)
        entry = AuditEntry.objects.filter(action=Action.LOGIN_FAILED).get()
        self.assertEqual(entry.after, {"username": "sam"})
        self.assertEqual(entry.actor_username, "")
        row = str(AuditEntry.objects.filter(pk=entry.pk).values().get())
        self.assertNotIn("guessed-wrong-123", row)
        self.assertNotIn("*****", row)

    def test_it_records_a_failed_login_for_an_unknown_name(self) -> None:
        self.client.post(self.url, {"username": "nobody", "password": "guessed-wrong-123"})
        self.assertEqual(AuditEntry.objects.filter(action=Action.LOGIN_FAILED).get().object_repr, "nobody")

    def test_it_records_a_logout(self) -> None:
        self.client.force_login(self.sam)
        self.client.post(reverse("accounts:logout"))
        entry = AuditEntry.objects.filter(action=Action.LOGOUT).get()
        self.assertEqual(entry.actor_username, "sam")

    def test_login_does_not_record_the_last_login_update(self) -> None:
        self.client.post(self.url, {"username": "sam", "password": PASSWORD})
        self.assertFalse(
            AuditEntry.objects.filter(action=Action.UPDATE, object_type="accounts.user").exists()
        )
        self.assertTrue(AuditEntry.objects.filter(action=Action.LOGIN).exists())
