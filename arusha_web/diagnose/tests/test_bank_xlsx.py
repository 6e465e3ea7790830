"""Question bank XLSX: round trip, and bad files that change nothing."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from arusha_web.conftest import client_for
from arusha_web.diagnose import services
from arusha_web.diagnose.bank_xlsx import COLUMNS
from arusha_web.diagnose.models import BankVersion, Question

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _content(bank: BankVersion) -> list[tuple[Any, ...]]:
    return list(
        bank.questions.order_by("code").values_list(
            "code", "element__code", "text_en", "text_fr", "evidence_en", "evidence_fr", "source", "retired"
        )
    )


def _upload(client: Any, data: bytes, name: str = "bank.xlsx") -> Any:
    return client.post(
        reverse("diagnose:bank_import"), {"file": SimpleUploadedFile(name, data, content_type=XLSX)}
    )


def test_export_then_import_gives_the_same_bank(personas):
    client = client_for(personas["ingrid"])
    before = _content(services.bank_current())
    exported = client.get(reverse("diagnose:bank_export"))
    assert exported.status_code == 200 and exported["Content-Type"] == XLSX
    response = _upload(client, exported.content)
    assert response.status_code == 302
    assert _content(services.bank_current()) == before


def test_an_edited_workbook_updates_adds_and_retires(personas):
    client = client_for(personas["ingrid"])
    book = load_workbook(io.BytesIO(client.get(reverse("diagnose:bank_export")).content))
    sheet = book["questions"]
    sheet.cell(row=2, column=3, value="Reworded in Excel")
    first_code = sheet.cell(row=2, column=1).value
    dropped_code = sheet.cell(row=3, column=1).value
    sheet.delete_rows(3)
    sheet.append(["Q-LOCAL-1", "F8.4", "Are tenures in vulnerable posts tracked?", "", "", "", "local", "no"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert _upload(client, buffer.getvalue()).status_code == 302
    bank = services.bank_current()
    assert bank.questions.get(code=first_code).text_en == "Reworded in Excel"
    assert bank.questions.get(code=dropped_code).retired
    assert bank.questions.get(code="Q-LOCAL-1").element.code == "F8.4"


def _workbook(rows: list[list[Any]], header: list[str] = COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "questions"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _assert_refused(client: Any, data: bytes, *messages: str) -> None:
    before = (BankVersion.objects.count(), _content(services.bank_current()))
    response = _upload(client, data)
    assert response.status_code == 400
    page = response.content.decode()
    for message in messages:
        assert message in page, message
    assert "Nothing was imported" in page
    assert (BankVersion.objects.count(), _content(services.bank_current())) == before


def test_duplicate_codes_unknown_elements_and_empty_text_are_named_by_row(personas):
    client = client_for(personas["ingrid"])
    data = _workbook(
        [
            ["Q-A", "F1.1", "One", "", "", "", "local", "no"],
            ["Q-A", "F1.2", "Two", "", "", "", "local", "no"],
            ["Q-B", "F99.1", "Three", "", "", "", "local", "no"],
            ["Q-C", "F1.1", "", "", "", "", "magic", "maybe"],
            ["Q-" + "X" * 30, "F1.1", "Long code", "", "", "", "local", "no"],
        ]
    )
    _assert_refused(
        client,
        data,
        "row 3: duplicate question code Q-A (also on row 2)",
        "row 4: unknown checklist element “F99.1”",
        "row 5: the English text is empty",
        "row 5: source “magic” must be one of",
        "row 5: retired must be yes or no",
        "row 6: the code “Q-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX” is longer than 20 characters",
    )


def test_a_file_that_is_not_xlsx_or_lacks_columns_is_refused(personas):
    client = client_for(personas["ingrid"])
    services.bank_current()
    _assert_refused(client, b"this is not a spreadsheet", "not a readable XLSX workbook")
    _assert_refused(
        client, _workbook([["Q-A", "F1.1"]], header=["code", "element"]), "Missing column(s): text_en"
    )
    assert Question.objects.filter(code="Q-A").count() == 0


def test_factor_wording_is_editable_audited_and_never_emptied(personas):
    from arusha_web.audit.models import AuditEntry
    from arusha_web.diagnose.models import Element

    services.bank_current()
    client = client_for(personas["ingrid"])
    url = reverse("diagnose:factor_edit", args=["F3"])
    response = client.post(
        url,
        {
            "title_en": "Transparency",
            "title_fr": "Transparence",
            "F3.1:text_en": "Clients can predict decisions.",
            "F3.1:text_fr": "Décisions prévisibles.",
        },
    )
    assert response.status_code == 302
    assert Element.objects.get(code="F3.1").text_en == "Clients can predict decisions."
    assert AuditEntry.objects.filter(object_type="diagnose.element", action="update").exists()
    bad = client.post(url, {"title_en": "", "F3.2:text_en": ""})
    assert bad.status_code == 400 and "English title of F3 cannot be empty" in bad.content.decode()
    assert "English text of F3.2 cannot be empty" in bad.content.decode()
    assert Element.objects.get(code="F3.2").text_en.startswith("Laws, regulations")


def test_an_over_long_factor_title_is_refused_and_nothing_changes(personas):
    from arusha_web.diagnose.models import Factor

    services.bank_current()
    response = client_for(personas["ingrid"]).post(
        reverse("diagnose:factor_edit", args=["F3"]), {"title_en": "T" * 201, "title_fr": "Transparence"}
    )
    assert response.status_code == 400
    assert "The English title of F3 is longer than 200 characters." in response.content.decode()
    assert Factor.objects.get(code="F3").title_en == "Transparency"
    # Both too long: each named once, by its language (not the same sentence twice).
    both = client_for(personas["ingrid"]).post(
        reverse("diagnose:factor_edit", args=["F3"]), {"title_en": "T" * 201, "title_fr": "T" * 201}
    )
    page = both.content.decode()
    assert page.count("The English title of F3 is longer") == 1
    assert page.count("The French title of F3 is longer") == 1
