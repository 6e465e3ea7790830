"""Over-long text on the reporting channel and in cases is refused, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from arusha_web.cases import services
from arusha_web.cases.models import Message, Report
from arusha_web.conftest import client_for
from arusha_web.core.text_limits import LONG_TEXT


@pytest.mark.django_db
def test_the_public_form_refuses_over_long_text_and_keeps_nothing(org: dict[str, Any]):
    response = Client().post(
        reverse("report:index"),
        {"category": "bribery", "description": "d" * 200_000, "place": "p" * 201, "contact": "c" * 301},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Ensure this value has at most {LONG_TEXT} characters (it has 200000)." in page
    assert "Ensure this value has at most 200 characters (it has 201)." in page
    assert "Ensure this value has at most 300 characters (it has 301)." in page
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_an_over_long_conclusion_does_not_close_the_case(personas: dict[str, Any]):
    report, _ = services.report_submit(source="public", category="bribery", description="x")
    case = services.case_open(
        reports=[report], title="Shed fee", category="bribery", office=None, by=personas["ingrid"]
    )
    services.case_assign(case=case, investigator=personas["ivan"], by=personas["ingrid"])
    response = client_for(personas["ivan"]).post(
        reverse("cases:case_close", args=[case.pk]),
        {"outcome": "substantiated", "sanction": "none", "conclusion": "c" * (LONG_TEXT + 1)},
    )
    assert f"at most {LONG_TEXT} characters (it has {LONG_TEXT + 1})" in response.content.decode()
    case.refresh_from_db()
    assert case.status != "closed" and case.conclusion == ""


@pytest.mark.django_db
def test_an_acknowledgement_sends_the_standard_text_whatever_a_request_carries(personas: dict[str, Any]):
    report, _ = services.report_submit(source="public", category="bribery", description="x")
    client_for(personas["ingrid"]).post(
        reverse("cases:report_acknowledge", args=[report.pk]), {"body": "b" * 200_000}
    )
    [message] = Message.objects.filter(report=report)
    assert message.body == "Your report has been received and will be assessed by the integrity unit."
