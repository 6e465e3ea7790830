"""Need-to-know: investigators see only assigned cases; no conflicts of interest; views audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from arusha_web.accounts.models import User
from arusha_web.audit.models import AuditEntry
from arusha_web.cases import services
from arusha_web.cases.models import Case
from arusha_web.conftest import client_for
from arusha_web.org.models import StaffRecord


def _case(personas: dict[str, Any], office: Any = None, title: str = "Case") -> Case:
    report, _code = services.report_submit(source="public", category="bribery", description="cash asked")
    return services.case_open(
        reports=[report], title=title, category="bribery", office=office, by=personas["ingrid"]
    )


@pytest.mark.django_db
def test_an_investigator_cannot_open_an_unassigned_case_by_url(personas: dict[str, Any], org: dict[str, Any]):
    mine = _case(personas, title="Assigned to Ivan")
    other = _case(personas, title="Not for Ivan")
    services.case_assign(case=mine, investigator=personas["ivan"], by=personas["ingrid"])
    ivan = client_for(personas["ivan"])
    listing = ivan.get(reverse("cases:case_list")).content.decode()
    assert "Assigned to Ivan" in listing and "Not for Ivan" not in listing
    assert ivan.get(reverse("cases:case_detail", args=[mine.pk])).status_code == 200
    assert ivan.get(reverse("cases:case_detail", args=[other.pk])).status_code == 404
    other_report = other.reports.get()
    assert ivan.get(reverse("cases:report_detail", args=[other_report.pk])).status_code == 404
    assert (
        ivan.post(reverse("cases:case_entry_add", args=[other.pk]), {"kind": "note", "text": "x"}).status_code
        == 404
    )
    assert (
        ivan.post(reverse("cases:report_message", args=[other_report.pk]), {"body": "x"}).status_code == 404
    )
    assert other.entries.count() == 0 and other_report.messages.count() == 0


@pytest.mark.django_db
def test_nobody_is_assigned_a_case_that_concerns_himself(personas: dict[str, Any], org: dict[str, Any]):
    ivan = personas["ivan"]
    record = StaffRecord.objects.create(
        administration=org["administration"], officer_id="INV-IVAN", full_name="Ivan", user=ivan
    )
    case = _case(personas)
    services.case_add_concerned(case=case, staff=record, by=personas["ingrid"])
    with pytest.raises(ValidationError, match="concerned"):
        services.case_assign(case=case, investigator=ivan, by=personas["ingrid"])
    response = client_for(personas["ingrid"]).post(
        reverse("cases:case_assign", args=[case.pk]), {"investigator": ivan.pk}, follow=True
    )
    assert "is one of the staff concerned" in response.content.decode()
    assert not case.investigators.exists()


@pytest.mark.django_db
def test_an_assigned_investigator_cannot_then_be_added_as_concerned(
    personas: dict[str, Any], org: dict[str, Any]
):
    ivan = personas["ivan"]
    record = StaffRecord.objects.create(
        administration=org["administration"], officer_id="INV-IVAN", full_name="Ivan", user=ivan
    )
    case = _case(personas)
    services.case_assign(case=case, investigator=ivan, by=personas["ingrid"])
    with pytest.raises(ValidationError):
        services.case_add_concerned(case=case, staff=record, by=personas["ingrid"])


@pytest.mark.django_db
def test_nobody_is_assigned_a_case_about_his_own_office_when_configured(
    personas: dict[str, Any], org: dict[str, Any], settings: Any
):
    ivan = personas["ivan"]
    StaffRecord.objects.create(
        administration=org["administration"],
        officer_id="INV-IVAN",
        full_name="Ivan",
        office=org["port"],
        user=ivan,
    )
    case = _case(personas, office=org["port"])
    with pytest.raises(ValidationError, match="office"):
        services.case_assign(case=case, investigator=ivan, by=personas["ingrid"])
    settings.ARUSHA_CASES_EXCLUDE_OWN_OFFICE = False
    services.case_assign(case=case, investigator=ivan, by=personas["ingrid"])
    assert list(case.investigators.all()) == [ivan]


@pytest.mark.django_db
def test_only_investigators_can_be_assigned(personas: dict[str, Any]):
    with pytest.raises(ValidationError):
        services.case_assign(case=_case(personas), investigator=personas["ana"], by=personas["ingrid"])


@pytest.mark.django_db
def test_the_integrity_unit_does_not_see_a_case_that_concerns_one_of_its_members(
    personas: dict[str, Any], org: dict[str, Any]
):
    record = StaffRecord.objects.create(
        administration=org["administration"],
        officer_id="INT-ING",
        full_name="Ingrid",
        user=personas["ingrid"],
    )
    case = _case(personas)
    case.concerned_staff.add(record)
    ingrid = client_for(personas["ingrid"])
    assert ingrid.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    other = User.objects.create_user(username="irene", password="x" * 12, role="integrity")
    assert client_for(other).get(reverse("cases:case_detail", args=[case.pk])).status_code == 200


@pytest.mark.django_db
def test_every_view_of_a_case_and_of_a_report_is_audited(personas: dict[str, Any]):
    case = _case(personas)
    services.case_assign(case=case, investigator=personas["ivan"], by=personas["ingrid"])
    ivan = client_for(personas["ivan"])
    ivan.get(reverse("cases:case_detail", args=[case.pk]))
    ivan.get(reverse("cases:case_detail", args=[case.pk]))
    ivan.get(reverse("cases:report_detail", args=[case.reports.get().pk]))
    views = AuditEntry.objects.filter(action="view", actor=personas["ivan"])
    assert views.filter(object_type="cases.case", object_id=str(case.pk)).count() == 2
    assert views.filter(object_type="cases.report").count() == 1
