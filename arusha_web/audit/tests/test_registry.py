from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, TestCase
from django.utils.functional import SimpleLazyObject

from arusha_web.audit.middleware import AuditContextMiddleware, acting_as
from arusha_web.audit.models import REDACTED, Action, AuditEntry
from arusha_web.audit.services import audit_chain_verify
from arusha_web.org.models import Office, StaffRecord

from .helpers import fields, make_office, make_user


class RegistryTestCase(TestCase):
    def setUp(self) -> None:
        # Ann is an administrator who manages the organisation records.
        self.ann = make_user("ann", "administrator")
        self.office = make_office()

    def _last(self, object_type: str) -> AuditEntry:
        return AuditEntry.objects.filter(object_type=object_type).order_by("-seq").first()  # type: ignore[return-value]

    def test_it_records_a_creation_with_the_new_values(self) -> None:
        entry = self._last("org.office")
        self.assertEqual(entry.action, Action.CREATE)
        self.assertEqual(entry.object_id, str(self.office.pk))
        self.assertEqual(entry.object_repr, "MGTMM — Toamasina Port")
        self.assertIsNone(entry.before)
        self.assertEqual(
            entry.after,
            {
                "id": self.office.pk,
                "administration": self.office.administration_id,  # foreign keys as ids
                "code": "MGTMM",
                "name": "Toamasina Port",
                "region": "",
                "is_active": True,
            },
        )
        self.assertEqual(fields(self._last("org.administration").after)["name"], "Douanes malagasy")

    def test_it_records_only_the_changed_fields_of_an_update(self) -> None:
        self.office.name = "Toamasina"
        self.office.is_active = False
        self.office.save()
        entry = self._last("org.office")
        self.assertEqual(entry.action, Action.UPDATE)
        self.assertEqual(entry.before, {"name": "Toamasina Port", "is_active": True})
        self.assertEqual(entry.after, {"name": "Toamasina", "is_active": False})

    def test_it_records_an_update_of_an_instance_built_with_an_existing_pk(self) -> None:
        Office(pk=self.office.pk, administration=self.office.administration, code="MGTMM", name="Port").save()
        entry = self._last("org.office")
        self.assertEqual(
            (entry.action, entry.before, entry.after),
            (Action.UPDATE, {"name": "Toamasina Port"}, {"name": "Port"}),
        )

    def test_it_records_only_the_fields_saved_with_update_fields(self) -> None:
        self.office.name = "Not saved"
        self.office.region = "Atsinanana"
        self.office.save(update_fields=["region"])
        entry = self._last("org.office")
        self.assertEqual((entry.before, entry.after), ({"region": ""}, {"region": "Atsinanana"}))

    def test_it_records_nothing_when_nothing_changed(self) -> None:
        count = AuditEntry.objects.count()
        self.office.save()
        self.assertEqual(AuditEntry.objects.count(), count)

    def test_it_records_a_deletion_with_the_old_values(self) -> None:
        pk = self.office.pk
        self.office.delete()
        entry = self._last("org.office")
        self.assertEqual(entry.action, Action.DELETE)
        self.assertEqual(entry.object_id, str(pk))
        self.assertEqual(fields(entry.before)["code"], "MGTMM")
        self.assertIsNone(entry.after)

    def test_it_stores_dates_as_iso_strings(self) -> None:
        StaffRecord.objects.create(
            administration=self.office.administration,
            officer_id="A-17",
            full_name="R. Rakoto",
            start_date=dt.date(2024, 3, 1),
        )
        self.assertEqual(fields(self._last("org.staffrecord").after)["start_date"], "2024-03-01")
        self.assertTrue(audit_chain_verify().ok)

    def test_it_redacts_excluded_fields(self) -> None:
        created = self._last("accounts.user")
        self.assertEqual(fields(created.after)["username"], "ann")
        self.assertNotIn("password", fields(created.after))

        self.ann.set_password("another long passphrase")
        self.ann.save()
        entry = self._last("accounts.user")
        self.assertEqual(entry.action, Action.UPDATE)
        self.assertEqual(entry.before, {"password": REDACTED})
        self.assertEqual(entry.after, {"password": REDACTED})
        self.assertNotIn("pbkdf2", str(entry.after) + str(entry.before))
        self.assertNotIn("argon2", str(entry.after) + str(entry.before))

    def test_it_ignores_a_change_of_last_login_alone(self) -> None:
        count = AuditEntry.objects.count()
        self.ann.last_login = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
        self.ann.save(update_fields=["last_login"])
        self.assertEqual(AuditEntry.objects.count(), count)

    def test_it_names_the_actor_of_the_request(self) -> None:
        def view(request: HttpRequest) -> HttpResponse:
            Office.objects.create(
                administration=self.office.administration, code="MGTNR", name="Antananarivo"
            )
            return HttpResponse()

        request = RequestFactory().post("/org/offices/new/")
        request.user = SimpleLazyObject(lambda: self.ann)  # type: ignore[assignment]  # as AuthenticationMiddleware does
        AuditContextMiddleware(view)(request)
        entry = self._last("org.office")
        self.assertEqual(
            (entry.object_repr, entry.actor, entry.actor_username), ("MGTNR — Antananarivo", self.ann, "ann")
        )

        # After the request, writes are no longer attributed to Ann.
        self.office.delete()
        self.assertEqual(self._last("org.office").actor_username, "")

    def test_it_names_the_actor_given_to_acting_as(self) -> None:
        with acting_as(self.ann):
            self.office.delete()
        self.assertEqual(self._last("org.office").actor_username, "ann")

    def test_entries_outlive_the_user_account(self) -> None:
        with acting_as(self.ann):
            self.office.delete()
        self.ann.delete()  # on PostgreSQL, the trigger allows clearing the actor link
        entry = AuditEntry.objects.filter(object_type="org.office", action=Action.DELETE).get()
        self.assertIsNone(entry.actor)
        self.assertEqual(entry.actor_username, "ann")
        self.assertEqual(self._last("accounts.user").action, Action.DELETE)
        self.assertTrue(audit_chain_verify().ok)

    def test_a_user_may_delete_their_own_account(self) -> None:
        with acting_as(self.ann):
            self.ann.delete()
        entry = self._last("accounts.user")
        self.assertEqual((entry.action, entry.actor_username, entry.actor), (Action.DELETE, "ann", None))
