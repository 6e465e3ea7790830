"""Personas shared by the web app's tests.

Alice administers; Ingrid is in the integrity unit; Ana analyses data; Marc manages the PORT1
office only; Ivan investigates; Aude audits (read-only); Sam is frontline staff and must see
only his own records.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from arusha_web.accounts.models import User
from arusha_web.accounts.roles import Role
from arusha_web.org.models import Administration, Office, StaffRecord

PASSWORD = "correct-horse-battery-9"
PERSONAS = {
    "alice": Role.ADMINISTRATOR,
    "ingrid": Role.INTEGRITY,
    "ana": Role.ANALYST,
    "marc": Role.OFFICE_MANAGER,
    "ivan": Role.INVESTIGATOR,
    "aude": Role.AUDITOR,
    "sam": Role.STAFF,
}


@pytest.fixture
def org(db: None) -> dict[str, Any]:
    administration = Administration.objects.create(name="Test Customs")
    port = Office.objects.create(administration=administration, code="PORT1", name="Seaport")
    air = Office.objects.create(administration=administration, code="AIRP1", name="Airport")
    return {"administration": administration, "port": port, "air": air}


@pytest.fixture
def personas(org: dict[str, Any]) -> dict[str, User]:
    users = {}
    for username, role in PERSONAS.items():
        users[username] = User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            office=org["port"] if role == Role.OFFICE_MANAGER else None,
        )
    administration = org["administration"]
    StaffRecord.objects.create(
        administration=administration,
        officer_id="OFF-SAM",
        full_name="Sam Staff",
        office=org["port"],
        user=users["sam"],
    )
    StaffRecord.objects.create(
        administration=administration, officer_id="OFF-PORT", full_name="Pat Port", office=org["port"]
    )
    StaffRecord.objects.create(
        administration=administration, officer_id="OFF-AIR", full_name="Abe Air", office=org["air"]
    )
    return users


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
