"""Bad input on the public form gives a clear error, stores nothing, and loses nothing typed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from arusha_web.cases import files
from arusha_web.cases.models import Attachment, Report

from .helpers import jpeg_with_exif


def _post(**data: Any) -> str:
    base = {"category": "bribery", "description": "Money was asked at gate 4."}
    response = Client().post(reverse("report:index"), {**base, **data})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_an_empty_report_is_refused(org: dict[str, Any]):
    page = _post(description="   ")
    assert "Describe what happened." in page
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_an_oversized_attachment_is_refused_by_name_and_the_text_is_kept(org: dict[str, Any], settings: Any):
    settings.ARUSHA_CASES_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("scan.txt", b"a" * (1024 * 1024 + 10), content_type="text/plain")
    page = _post(attachments=big)
    assert "“scan.txt” is too large" in page and "the limit is 1 MB" in page
    assert "Money was asked at gate 4." in page  # nothing typed is lost
    assert "The files you chose have not been sent: choose them again" in page  # a browser cannot refill them
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_a_disguised_attachment_is_refused(org: dict[str, Any]):
    fake = SimpleUploadedFile(
        "holiday.jpg", b"MZ\x90\x00\x03\x00\x00\x00 not a picture", content_type="image/jpeg"
    )
    page = _post(attachments=fake)
    assert "“holiday.jpg” is not an accepted file" in page
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_a_damaged_pdf_is_refused_by_name(org: dict[str, Any]):
    pdf = SimpleUploadedFile("letter.txt", b"%PDF-1.7\n1 0 obj <<>>", content_type="text/plain")
    page = _post(attachments=pdf)
    assert "“letter.txt” could not be read as a PDF" in page
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_a_broken_image_is_refused(org: dict[str, Any]):
    broken = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, content_type="image/jpeg")
    page = _post(attachments=broken)
    assert "could not be read" in page
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_image_metadata_is_stripped(org: dict[str, Any]):
    from PIL import Image

    original = jpeg_with_exif()
    assert b"SpyCam Maker" in original
    photo = SimpleUploadedFile("IMG_2041.jpeg", original, content_type="image/jpeg")
    _post(attachments=photo)
    attachment = Attachment.objects.get()
    data = files.load(attachment.stored_name)
    assert b"SpyCam Maker" not in data and b"SecretSoftware" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (32, 24) and not image.getexif()
    assert attachment.name == "IMG_2041.jpg" and attachment.content_type == "image/jpeg"
    assert attachment.sha256 == ""  # reporters' files get no fingerprint


@pytest.mark.django_db
def test_a_date_of_the_facts_in_the_future_is_refused(org: dict[str, Any]):
    page = _post(occurred_on="2099-01-01")
    assert "The date of the facts (2099-01-01) is in the future" in page
    assert "choose them again" not in page  # no files were chosen
    assert "Money was asked at gate 4." in page
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    ["Reçu café".encode("cp1252"), "Reçu café".encode("utf-16"), "\ufeffReçu café".encode("utf-8")],
    ids=["windows-1252", "utf-16-notepad", "utf-8-bom"],
)
def test_text_files_saved_by_windows_notepad_are_accepted_as_utf8(org: dict[str, Any], raw: bytes):
    _post(attachments=SimpleUploadedFile("note.txt", raw, content_type="text/plain"))
    attachment = Attachment.objects.get()
    assert files.load(attachment.stored_name).decode("utf-8").lstrip("\ufeff") == "Reçu café"


@pytest.mark.django_db
def test_a_binary_file_named_txt_is_refused(org: dict[str, Any]):
    page = _post(attachments=SimpleUploadedFile("note.txt", b"\x01\x02\x03abc", content_type="text/plain"))
    assert "“note.txt” is not an accepted file" in page
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(org: dict[str, Any]):
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (8000, 7000)).save(out, format="PNG")  # 56 million pixels, a few kB
    page = _post(attachments=SimpleUploadedFile("map.png", out.getvalue(), content_type="image/png"))
    assert "“map.png” is too large (8000 × 7000 pixels" in page
    assert Report.objects.count() == 0
