"""The reporter's answers may carry files, checked and cleaned like those of the first report."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from arusha_web.cases import files
from arusha_web.cases.models import Attachment, Message, Report
from arusha_web.conftest import client_for

from .helpers import follow_up, jpeg_with_exif, submit_public


def _mailbox_client() -> tuple[Client, Report]:
    client = Client()
    _response, code = submit_public(client)
    follow_up(client, code)
    return client, Report.objects.get()


def _answer(client: Client, **data: Any) -> str:
    response = client.post(reverse("report:mailbox"), data)
    return response.content.decode() if response.status_code == 200 else ""


@pytest.mark.django_db
def test_a_photo_sent_with_an_answer_is_stripped_encrypted_and_shown_to_the_investigator(
    personas: dict[str, Any], settings: Any
):
    client, report = _mailbox_client()
    photo = SimpleUploadedFile("IMG_0042.jpeg", jpeg_with_exif(), content_type="image/jpeg")
    assert _answer(client, body="Here is the receipt he gave me", attachments=photo) == ""  # redirected
    message = Message.objects.get(from_reporter=True)
    attachment = message.attachments.get()
    assert attachment.report == report and attachment.name == "IMG_0042.jpg"
    stored = files.load(attachment.stored_name)
    assert b"SpyCam" not in stored and b"SecretSoftware" not in stored
    from PIL import Image

    assert not Image.open(io.BytesIO(stored)).getexif()
    # The reporter sees his file's name; the investigator of the case downloads it.
    assert "IMG_0042.jpg" in client.get(reverse("report:mailbox")).content.decode()
    page = client_for(personas["ingrid"]).get(reverse("cases:report_detail", args=[report.pk]))
    assert reverse("cases:attachment", args=[attachment.pk]) in page.content.decode()


@pytest.mark.django_db
def test_a_file_alone_is_a_valid_answer(org: dict[str, Any]):
    client, _report = _mailbox_client()
    note = SimpleUploadedFile("dates.txt", b"12 and 19 March", content_type="text/plain")
    _answer(client, body="", attachments=note)
    message = Message.objects.get(from_reporter=True)
    assert message.body == "" and message.attachments.get().name == "dates.txt"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("invoice.pdf", b"%PDF-1.7\n1 0 obj", "could not be read as a PDF"),
        ("photo.jpg", b"MZ\x90\x00\x03 not really a photo", "is not an accepted file"),
        ("notes.txt", b"\x00\x01\x02binary", "is not an accepted file"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "could not be read"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_a_bad_file_is_refused_by_name_and_nothing_is_sent(
    org: dict[str, Any], name: str, content: bytes, expected: str
):
    client, _report = _mailbox_client()
    upload = SimpleUploadedFile(name, content)
    page = _answer(client, body="Answer text kept", attachments=upload)
    assert expected in page and (f"“{name}”" in page or expected == "could not be read")
    assert "Answer text kept" in page  # what the reporter typed is not lost
    assert "Your answer was not sent" in page
    assert Message.objects.filter(from_reporter=True).count() == 0
    assert not Attachment.objects.filter(message__isnull=False).exists()


@pytest.mark.django_db
def test_an_oversized_file_is_refused_with_the_limit(org: dict[str, Any], settings: Any):
    settings.ARUSHA_CASES_MAX_UPLOAD_MB = 1
    client, _report = _mailbox_client()
    big = SimpleUploadedFile("scan.txt", b"a" * (1024 * 1024 + 1), content_type="text/plain")
    page = _answer(client, body="see file", attachments=big)
    assert "“scan.txt” is too large" in page and "the limit is 1 MB" in page
    assert Message.objects.filter(from_reporter=True).count() == 0


@pytest.mark.django_db
def test_one_bad_file_among_good_ones_stops_the_whole_answer(org: dict[str, Any], settings: Any):
    client, _report = _mailbox_client()
    good = SimpleUploadedFile("ok.txt", b"fine", content_type="text/plain")
    bad = SimpleUploadedFile("macro.docx", b"PK\x03\x04 office")
    page = _answer(client, body="two files", attachments=[good, bad])
    assert "“macro.docx”" in page and Message.objects.filter(from_reporter=True).count() == 0
    assert not Attachment.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).glob("cases/*.bin"))  # no file written either


@pytest.mark.django_db
def test_a_closed_report_takes_no_more_answers(personas: dict[str, Any]):
    from arusha_web.cases import services

    client, report = _mailbox_client()
    services.report_close(report=report, by=personas["ingrid"])
    _answer(client, body="late answer")
    assert Message.objects.filter(from_reporter=True).count() == 0
