"""The API gives the same need-to-know answers as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from arusha_web.accounts.models import ApiToken
from arusha_web.audit.models import AuditEntry
from arusha_web.cases import services
from arusha_web.conftest import client_for


@pytest.mark.django_db
def test_an_investigator_cannot_read_an_unassigned_case_through_the_api(personas: dict[str, Any]):
    cases = []
    for title in ("Assigned", "Unassigned"):
        report, _ = services.report_submit(source="public", category="bribery", description="x")
        cases.append(
            services.case_open(reports=[report], title=title, category="bribery", office=None, by=None)
        )
    mine, other = cases
    services.case_assign(case=mine, investigator=personas["ivan"], by=personas["ingrid"])
    _token, key = ApiToken.issue(user=personas["ivan"], name="script")
    bearer = {"Authorization": f"Bearer {key}"}
    listing = Client().get("/api/cases", headers=bearer)
    assert [c["reference"] for c in listing.json()] == [mine.reference]
    assert Client().get(f"/api/cases/{mine.pk}", headers=bearer).status_code == 200
    assert Client().get(f"/api/cases/{other.pk}", headers=bearer).status_code == 404
    assert (
        AuditEntry.objects.filter(action="view", object_type="cases.case", actor=personas["ivan"]).count()
        == 1
    )
    assert client_for(personas["ingrid"]).get("/api/cases").json()[0]["reference"] in {
        mine.reference,
        other.reference,
    }
    assert client_for(personas["ana"]).get("/api/cases").status_code == 403
    assert Client().get("/api/cases").status_code == 401
