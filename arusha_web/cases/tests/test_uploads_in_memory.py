"""A reporter's raw file never touches the server's disk before it is cleaned.

Django keeps uploads over 2.5 MB in a temporary file while the request runs; the reporting
pages read them into memory instead (cases/uploads_in_memory.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.core.files import uploadedfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from arusha_web.cases.models import Attachment, Report

from .helpers import follow_up

MB = 1024 * 1024
# Over Django's FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), under the reporting form's 10 MB.
BIG_TEXT = ("The officer at gate 4 asked for money again.\n" * (3 * MB // 45)).encode()


@pytest.fixture
def no_temporary_files(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an upload was written to a temporary file on disk")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", refuse)


def test_a_big_file_sent_with_a_report_is_read_in_memory(org: dict[str, Any], no_temporary_files: None):
    assert len(BIG_TEXT) > 2.5 * MB
    data = {
        "category": "bribery",
        "description": "Money was asked at gate 4.",
        "attachments": [SimpleUploadedFile("notes.txt", BIG_TEXT, content_type="text/plain")],
    }
    response = Client().post(reverse("report:index"), data)
    assert 'data-testid="receipt-code"' in response.content.decode()
    assert Attachment.objects.get().name == "notes.txt"


def test_a_big_file_sent_to_the_mailbox_is_read_in_memory(org: dict[str, Any], no_temporary_files: None):
    client = Client()
    page = client.post(reverse("report:index"), {"category": "bribery", "description": "Money at gate 4."})
    code = re.search(r'data-testid="receipt-code"[^>]*>([\d ]+)<', page.content.decode())
    assert code is not None
    follow_up(client, code.group(1))
    client.post(
        reverse("report:mailbox"),
        {"body": "Here are my notes.", "attachments": [SimpleUploadedFile("notes.txt", BIG_TEXT)]},
    )
    attached = Attachment.objects.get(message__isnull=False)
    assert attached.name == "notes.txt"
    assert attached.message is not None and attached.message.body == "Here are my notes."


def test_files_bigger_than_the_form_accepts_are_dropped_and_the_text_is_kept(
    org: dict[str, Any], settings: Any, caplog: pytest.LogCaptureFixture
):
    settings.ARUSHA_CASES_MAX_FILES, settings.ARUSHA_CASES_MAX_UPLOAD_MB = 1, 1
    data = {
        "category": "bribery",
        "description": "Money was asked at gate 4.",
        "attachments": [SimpleUploadedFile("notes.txt", BIG_TEXT)],
    }
    with caplog.at_level(logging.DEBUG):
        response = Client().post(reverse("report:index"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "larger than this form accepts" in page
    assert "Money was asked at gate 4." in page  # what he typed is still in the form
    assert Report.objects.count() == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # no time stamp of the visit


def test_the_reporting_form_still_checks_its_csrf_token(org: dict[str, Any]):
    client = Client(enforce_csrf_checks=True)
    data = {"category": "bribery", "description": "Money was asked at gate 4."}
    assert client.post(reverse("report:index"), data).status_code == 403
    assert Report.objects.count() == 0
