"""Statistics carry no personal data and suppress cells under 5."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from arusha_web.cases import selectors, services
from arusha_web.conftest import client_for


@pytest.mark.django_db
def test_cells_under_five_are_suppressed(org: dict[str, Any]):
    for _ in range(6):
        services.report_submit(source="public", category="bribery", office=org["port"], description="x")
    for _ in range(2):
        services.report_submit(
            source="public", category="extortion", office=org["air"], description="Zyx-Name"
        )
    stats = selectors.statistics()
    by_cat = {row["key"]: row["count"] for row in stats["reports_by_category"]}
    assert by_cat == {"bribery": 6, "extortion": None}
    by_office = {row["key"]: row["count"] for row in stats["reports_by_office"]}
    assert by_office == {"PORT1": 6, "AIRP1": None}
    assert stats["reports_total"] == 8 and stats["cases_total"] is None
    page = Client().get(reverse("report:statistics")).content.decode()
    assert "&lt;&nbsp;5" in page and "Zyx-Name" not in page


@pytest.mark.django_db
def test_the_statistics_page_for_management_works(personas: dict[str, Any]):
    page = client_for(personas["aude"]).get(reverse("cases:statistics"), {"year": "2026"})
    assert page.status_code == 200 and "No personal data" in page.content.decode()
