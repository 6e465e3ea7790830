from __future__ import annotations

from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.org.models import Office, StaffRecord


def test_an_administrator_creates_an_office_and_a_staff_record(personas):
    client = client_for(personas["alice"])
    response = client.post(
        reverse("org:office_create"), {"code": "BORD1", "name": "Border", "region": "", "is_active": "on"}
    )
    assert response.status_code == 302
    office = Office.objects.get(code="BORD1")
    response = client.post(
        reverse("org:staff_create"),
        {
            "officer_id": "OFF-NEW",
            "full_name": "New Officer",
            "post": "",
            "office": office.pk,
            "start_date": "2024-03-01",
        },
    )
    assert response.status_code == 302
    assert StaffRecord.objects.get(officer_id="OFF-NEW").office == office


def test_a_duplicate_office_code_is_refused_with_a_clear_error(personas):
    client = client_for(personas["alice"])
    response = client.post(
        reverse("org:office_create"), {"code": "PORT1", "name": "Again", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Office.objects.filter(code="PORT1").count() == 1


def test_an_invalid_date_is_refused_and_nothing_changes(personas):
    client = client_for(personas["alice"])
    response = client.post(
        reverse("org:staff_edit", args=["OFF-PORT"]),
        {"officer_id": "OFF-PORT", "full_name": "Changed", "start_date": "31/31/2024"},
    )
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    assert StaffRecord.objects.get(officer_id="OFF-PORT").full_name == "Pat Port"
