"""Triage into a case, the case file, closing with outcome and sanction, retention."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arusha_web.cases import services
from arusha_web.cases.models import Attachment, Case, Report
from arusha_web.conftest import client_for

from .helpers import submit_public


@pytest.mark.django_db
def test_triage_merges_a_duplicate_and_opens_a_case_that_takes_it_along(
    personas: dict[str, Any], org: dict[str, Any]
):
    first, _ = services.report_submit(source="public", category="bribery", description="fee at the shed")
    dup, _ = services.report_submit(source="public", category="bribery", description="same fee at the shed")
    ingrid = client_for(personas["ingrid"])
    ingrid.post(reverse("cases:report_merge", args=[dup.pk]), {"into": first.pk})
    dup.refresh_from_db()
    assert dup.status == "merged" and dup.merged_into == first
    response = ingrid.post(
        reverse("cases:report_open_case", args=[first.pk]),
        {"title": "Shed fee", "category": "bribery", "office": org["port"].pk},
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert set(case.reports.all()) == {first, dup}
    assert case.reference.startswith("C-")


@pytest.mark.django_db
def test_a_closed_report_cannot_become_a_case(personas: dict[str, Any]):
    report, _ = services.report_submit(source="public", category="bribery", description="x")
    services.report_close(report=report, by=personas["ingrid"])
    response = client_for(personas["ingrid"]).post(
        reverse("cases:report_open_case", args=[report.pk]),
        {"title": "T", "category": "bribery"},
        follow=True,
    )
    assert "already part of a case, merged or closed" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_an_oversized_evidence_file_is_refused_by_name(case: Case, personas: dict[str, Any], settings: Any):
    settings.ARUSHA_CASES_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("video.mp4", b"v" * (1024 * 1024 + 1))
    response = client_for(personas["ivan"]).post(
        reverse("cases:case_entry_add", args=[case.pk]),
        {"kind": "evidence", "text": "CCTV", "file": big},
        follow=True,
    )
    assert "“video.mp4” is too large; the limit is 1 MB." in response.content.decode()
    assert case.entries.count() == 0


@pytest.mark.django_db
def test_merging_a_report_into_itself_is_refused(personas: dict[str, Any]):
    report, _ = services.report_submit(source="public", category="bribery", description="x")
    response = client_for(personas["ingrid"]).post(
        reverse("cases:report_merge", args=[report.pk]), {"into": report.pk}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()
    report.refresh_from_db()
    assert report.merged_into is None


@pytest.mark.django_db
def test_opening_a_case_without_a_title_says_so(personas: dict[str, Any]):
    report, _ = services.report_submit(source="public", category="bribery", description="x")
    response = client_for(personas["ingrid"]).post(
        reverse("cases:report_open_case", args=[report.pk]), {"category": "bribery"}, follow=True
    )
    assert "Short title: This field is required." in response.content.decode()
    assert not Case.objects.exists()


@pytest.fixture
def case(personas: dict[str, Any]) -> Case:
    report, _ = services.report_submit(source="public", category="bribery", description="x")
    case = services.case_open(
        reports=[report], title="Shed fee", category="bribery", office=None, by=personas["ingrid"]
    )
    services.case_assign(case=case, investigator=personas["ivan"], by=personas["ingrid"])
    return case


@pytest.mark.django_db
def test_the_investigator_builds_the_case_file_and_evidence_gets_its_hash(
    case: Case, personas: dict[str, Any]
):
    ivan = client_for(personas["ivan"])
    url = reverse("cases:case_entry_add", args=[case.pk])
    ivan.post(url, {"kind": "allegation", "text": "Fee of 10,000 per container"})
    ivan.post(url, {"kind": "task", "text": "Pull the exam times", "due_on": "2030-01-31"})
    content = b"ledger photo bytes"
    ivan.post(url, {"kind": "evidence", "text": "Ledger", "file": SimpleUploadedFile("ledger.bin", content)})
    assert [e.kind for e in case.entries.order_by("pk")] == ["allegation", "task", "evidence"]
    evidence = Attachment.objects.get(entry__case=case)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    page = ivan.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Fee of 10,000 per container" in page and evidence.sha256 in page
    download = ivan.get(reverse("cases:attachment", args=[evidence.pk]))
    assert download.content == content
    task = case.entries.get(kind="task")
    ivan.post(reverse("cases:entry_toggle", args=[task.pk]))
    task.refresh_from_db()
    assert task.done


@pytest.mark.django_db
def test_a_file_on_a_non_evidence_entry_or_an_empty_entry_is_refused(case: Case, personas: dict[str, Any]):
    ivan = client_for(personas["ivan"])
    url = reverse("cases:case_entry_add", args=[case.pk])
    page = ivan.post(
        url, {"kind": "note", "text": "x", "file": SimpleUploadedFile("a.txt", b"a")}, follow=True
    )
    assert "Only evidence items take a file." in page.content.decode()
    page = ivan.post(url, {"kind": "note", "text": ""}, follow=True)
    assert "Write the text of the entry." in page.content.decode()
    assert case.entries.count() == 0


@pytest.mark.django_db
def test_closing_records_outcome_sanction_prosecution_and_closes_the_reports(
    case: Case, personas: dict[str, Any]
):
    ivan = client_for(personas["ivan"])
    response = ivan.post(
        reverse("cases:case_close", args=[case.pk]), {"outcome": "substantiated"}, follow=True
    )
    assert "Summarise the conclusion" in response.content.decode() or "required" in response.content.decode()
    ivan.post(
        reverse("cases:case_close", args=[case.pk]),
        {
            "outcome": "substantiated",
            "sanction": "suspension",
            "referred_to_prosecution": "on",
            "conclusion": "Proven.",
        },
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.sanction, case.referred_to_prosecution) == (
        "closed",
        "substantiated",
        "suspension",
        True,
    )
    assert case.conclusion == "Proven."
    assert case.delete_after is not None and case.delete_after.year == case.closed_at.year + 10  # type: ignore[union-attr]
    assert case.reports.get().status == "closed"


@pytest.mark.django_db
def test_retention_periods_can_be_configured_by_outcome(case: Case, settings: Any):
    settings.ARUSHA_CASES_RETENTION_YEARS = {"unfounded": 1}
    services.case_close(
        case=case,
        outcome="unfounded",
        sanction="none",
        referred_to_prosecution=False,
        conclusion="No evidence.",
        by=None,
    )
    assert case.delete_after is not None and case.closed_at is not None
    assert case.delete_after.year == case.closed_at.year + 1


@pytest.mark.django_db
def test_retention_deletes_expired_cases_their_reports_and_shreds_their_files(
    personas: dict[str, Any], settings: Any
):
    _response, _code = submit_public(Client(), attachments=SimpleUploadedFile("n.txt", b"note"))
    report = Report.objects.get()
    case = services.case_open(
        reports=[report], title="T", category="bribery", office=None, by=personas["ingrid"]
    )
    services.case_close(
        case=case,
        outcome="unfounded",
        sanction="none",
        referred_to_prosecution=False,
        conclusion="No.",
        by=None,
    )
    kept, _ = services.report_submit(source="public", category="other", description="still open")
    stored = Path(settings.MEDIA_ROOT, "cases", report.attachments.get().stored_name)
    assert stored.exists()
    Case.objects.filter(pk=case.pk).update(delete_after=dt.date.today() + dt.timedelta(days=1))
    call_command("cases_retention")
    assert Case.objects.filter(pk=case.pk).exists()  # not yet expired
    Case.objects.filter(pk=case.pk).update(delete_after=dt.date.today())
    call_command("cases_retention")
    assert not Case.objects.filter(pk=case.pk).exists()
    assert list(Report.objects.all()) == [kept]
    assert not stored.exists()


@pytest.mark.django_db
def test_retention_deletes_the_duplicates_of_a_report_closed_without_a_case(personas: dict[str, Any]):
    target, _ = services.report_submit(source="public", category="other", description="first")
    duplicate, _ = services.report_submit(source="public", category="other", description="again")
    services.report_merge(report=duplicate, into=target, by=personas["ingrid"])
    services.report_close(report=target, by=personas["ingrid"])
    duplicate.refresh_from_db()
    assert duplicate.status == "closed"  # its reporter is not told an investigation goes on
    long_ago = timezone.now() - dt.timedelta(days=365 * 3)
    Report.objects.filter(pk=target.pk).update(closed_at=long_ago)
    call_command("cases_retention")
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_link_to_a_risk_is_a_working_link_for_who_may_open_it_and_a_foreign_address_is_refused(
    case: Case, personas: dict[str, Any], settings: Any
):
    settings.ROOT_URLCONF = "arusha_web.urls"  # the risks and measure pages exist there
    ivan = client_for(personas["ivan"])
    url = reverse("cases:case_entry_add", args=[case.pk])
    ivan.post(url, {"kind": "link", "text": "Same pattern", "link": "http://arusha.local/risks/12/"})
    entry = case.entries.get(kind="link")
    assert entry.link_path == "/risks/12/" and entry.link_label == "Risk"
    # The integrity unit may open the risk register: a link. The investigator may not: the
    # address and why there is no link, rather than a link that ends on "Not allowed".
    page = client_for(personas["ingrid"]).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert '<a href="/risks/12/">Risk /risks/12/</a>' in page
    page = ivan.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'href="/risks/12/"' not in page
    assert 'Risk /risks/12/ <span class="muted">(your role cannot open this page)</span>' in page
    for address, expected in [
        ("https://evil.example/phish", "“https://evil.example/phish” is not the address of a data lead"),
        ("/cases/list/", "“/cases/list/” is not the address of a data lead"),
    ]:
        response = ivan.post(url, {"kind": "link", "text": "x", "link": address}, follow=True)
        assert expected in response.content.decode()
    response = ivan.post(url, {"kind": "note", "text": "x", "link": "/risks/12/"}, follow=True)
    assert "Only links take an address." in response.content.decode()
    assert case.entries.count() == 1


@pytest.mark.django_db
def test_a_refused_entry_or_closing_keeps_what_was_typed(case: Case, personas: dict[str, Any], settings: Any):
    settings.ARUSHA_CASES_MAX_UPLOAD_MB = 1
    ivan = client_for(personas["ivan"])
    long_note = "Interview of the broker, two hours, notes typed during the meeting."
    response = ivan.post(
        reverse("cases:case_entry_add", args=[case.pk]),
        {
            "kind": "evidence",
            "text": long_note,
            "file": SimpleUploadedFile("v.mp4", b"v" * (1024 * 1024 + 1)),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Nothing was added" in page and "“v.mp4” is too large" in page
    assert long_note in page and case.entries.count() == 0
    response = ivan.post(
        reverse("cases:case_close", args=[case.pk]), {"conclusion": "Two witnesses confirm."}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "The case was not closed" in page
    assert "Two witnesses confirm." in page
    case.refresh_from_db()
    assert case.status == "open"
