"""Over-long text in Diagnose is refused with the limit and the length, and nothing is stored."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from arusha_web.conftest import client_for
from arusha_web.core.text_limits import NOTE, TEXT
from arusha_web.diagnose import services
from arusha_web.diagnose.models import (
    Action,
    ActionPlan,
    Answer,
    Assessment,
    Element,
    FactorResult,
    ResponseSheet,
)

from .factories import answers_for, first_question, make_assessment, open_assessment, participant

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def campaign(personas: dict[str, Any]) -> Assessment:
    return open_assessment(make_assessment())


def test_an_over_long_swot_field_is_refused_and_nothing_changes(campaign, personas):
    services.sheet_submit(
        participant=participant(campaign, "manager", "A"), data=answers_for(campaign), anonymous=False
    )
    campaign = services.assessment_advance(assessment=campaign, user=None)
    url = reverse("diagnose:factor_result_edit", args=[campaign.pk, "F1"])
    response = client_for(personas["ingrid"]).post(
        url, {"consensus": "1", "priority": "1", "strengths": "s" * 200_000, "weaknesses": "Few audits"}
    )
    assert response.status_code == 200
    assert f"Ensure this value has at most {TEXT} characters (it has 200000)." in response.content.decode()
    result = FactorResult.objects.get(assessment=campaign, factor__code="F1")
    assert (result.strengths, result.weaknesses, result.consensus) == ("", "", None)


def test_an_over_long_answer_is_named_by_question_and_nothing_is_stored(campaign, personas):
    sam = participant(campaign, "officer", "Sam")
    q = first_question(campaign)
    data = answers_for(campaign) | {f"comment-{q.pk}": "c" * (TEXT + 1)}
    response = client_for(personas["sam"]).post(reverse("diagnose:respond", args=[sam.token]), data)
    assert response.status_code == 400
    assert f"{q.code}: the comment has {TEXT + 1} characters; at most {TEXT}." in response.content.decode()
    assert not ResponseSheet.objects.exists() and not Answer.objects.exists()


def test_an_over_long_element_text_is_refused_and_nothing_changes(personas):
    services.bank_current()
    before = Element.objects.get(code="F3.2").text_en
    response = client_for(personas["ingrid"]).post(
        reverse("diagnose:factor_edit", args=["F3"]),
        {"title_en": "Transparency", "F3.2:text_en": "e" * (NOTE + 1)},
    )
    assert response.status_code == 400
    assert f"The English text of F3.2 is longer than {NOTE} characters." in response.content.decode()
    assert Element.objects.get(code="F3.2").text_en == before


def test_an_over_long_approval_note_is_refused_not_cut(personas):
    plan = ActionPlan.objects.create(title="2026 plan")
    Action.objects.create(plan=plan, objective="Publish service standards")
    response = client_for(personas["ingrid"]).post(
        reverse("diagnose:plan_approve", args=[plan.pk]), {"note": "n" * 301}, follow=True
    )
    assert "The approval note has 301 characters; at most 300." in response.content.decode()
    plan.refresh_from_db()
    assert plan.approved_at is None and plan.approval_note == ""


def test_an_over_long_question_in_an_imported_bank_is_named_and_nothing_changes(personas):
    client = client_for(personas["ingrid"])
    bank = services.bank_current()
    book = load_workbook(io.BytesIO(client.get(reverse("diagnose:bank_export")).content))
    book["questions"].cell(row=2, column=5, value="v" * (NOTE + 1))  # evidence_en
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("bank.xlsx", buffer.getvalue(), content_type=XLSX)
    response = client.post(reverse("diagnose:bank_import"), {"file": upload})
    assert f"row 2, column evidence_en: {NOTE + 1} characters; at most {NOTE}." in response.content.decode()
    assert services.bank_current() == bank
