"""One name per office: a manager picking "International Airport" must know which one he picked."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.org.models import Office


def test_a_second_office_of_the_same_name_is_refused_in_words(personas: dict[str, Any]) -> None:
    client = client_for(personas["alice"])
    response = client.post(
        reverse("org:office_create"), {"code": "AIRP2", "name": "  airport ", "region": "", "is_active": "on"}
    )
    assert response.status_code == 200 and not Office.objects.filter(code="AIRP2").exists()
    assert "Office AIRP1 is already called “Airport”" in response.content.decode()
    # Renaming an office to its own name, or to a free one, is fine.
    ok = client.post(
        reverse("org:office_edit", args=["AIRP1"]), {"code": "AIRP1", "name": "Airport", "is_active": "on"}
    )
    assert ok.status_code == 302


def test_the_database_refuses_a_duplicate_written_without_the_form(org: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.create(administration=org["administration"], code="SEA2", name="SEAPORT")


@pytest.mark.django_db(transaction=True)
def test_the_migration_tells_existing_duplicates_apart() -> None:
    """An install from before the rule may hold two offices of one name: the upgrade keeps both."""
    executor = MigrationExecutor(connection)
    executor.migrate([("org", "0001_initial")])
    apps = executor.loader.project_state([("org", "0001_initial")]).apps
    administration = apps.get_model("org", "Administration").objects.create(name="Old install")
    office = apps.get_model("org", "Office")
    for code in ("AIRPT", "AIRP1", "PORT1"):
        office.objects.create(
            administration=administration,
            code=code,
            name="Port" if code == "PORT1" else "International Airport",
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    names = dict(Office.objects.values_list("code", "name"))
    assert names == {
        "AIRP1": "International Airport",
        "AIRPT": "International Airport (AIRPT)",
        "PORT1": "Port",
    }
