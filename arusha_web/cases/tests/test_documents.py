"""PDF and Office attachments are accepted cleaned of what identifies their author, or refused.

Each document is built here with the details a real one carries (author, company, XMP,
attachments, comment authors); after upload the stored file is decrypted and searched.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from lxml import etree

from arusha_web.cases import files
from arusha_web.cases.models import Attachment, Report
from arusha_web.conftest import client_for

from .documents import (
    OFFICE_IDENTIFYING,
    PDF_IDENTIFYING,
    docx_with_metadata,
    pdf_plain,
    pdf_with_metadata,
    pptx_with_metadata,
    xlsx_with_metadata,
    zip_of,
)


def _post_public(upload: SimpleUploadedFile) -> str:
    data = {"category": "bribery", "description": "Money was asked at gate 4.", "attachments": upload}
    return Client().post(reverse("report:index"), data).content.decode()


def _stored() -> tuple[Attachment, bytes]:
    attachment = Attachment.objects.get()
    return attachment, files.load(attachment.stored_name)


def _assert_nothing_identifying(data: bytes, secrets: tuple[bytes, ...] = OFFICE_IDENTIFYING) -> None:
    found = [s for s in secrets if s in data]
    assert not found, f"identifying details left in the stored file: {found}"


def _unzipped(data: bytes) -> bytes:
    """Every part of a ZIP package decompressed and joined, to search for strings."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"\n".join(archive.read(n) for n in archive.namelist())


@pytest.mark.django_db
def test_a_pdf_is_stored_without_author_xmp_attachments_scripts_or_comment_authors(org: dict[str, Any]):
    original = pdf_with_metadata()
    assert all(s in pdf_plain(original) for s in PDF_IDENTIFYING)  # the test means something
    _post_public(SimpleUploadedFile("letter.pdf", original, content_type="application/pdf"))
    attachment, stored = _stored()
    assert attachment.name == "letter.pdf" and attachment.content_type == "application/pdf"
    _assert_nothing_identifying(pdf_plain(stored), PDF_IDENTIFYING)
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 1
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root and "/OpenAction" not in pdf.Root
        assert not pdf.attachments
        comment = pdf.pages[0].obj.Annots[0]
        assert (
            str(comment.Contents) == "Visible note" and "/T" not in comment
        )  # the note stays, its author goes
    with pikepdf.open(io.BytesIO(original)) as before:
        original_id = bytes(before.trailer.ID[0])
    with pikepdf.open(io.BytesIO(stored)) as after:
        assert bytes(after.trailer.ID[0]) != original_id  # cannot be matched to the sender's copy


@pytest.mark.django_db
def test_a_docx_is_stored_without_properties_comment_authors_or_thumbnail(org: dict[str, Any]):
    original = docx_with_metadata()
    assert b"Acme Smuggling Ltd" in _unzipped(original)
    # Named .bin on purpose: the type comes from the content, and the stored name says what it is.
    _post_public(SimpleUploadedFile("draft.bin", original))
    attachment, stored = _stored()
    assert attachment.name == "draft.docx"
    assert attachment.content_type.endswith("wordprocessingml.document")
    text = _unzipped(stored)
    _assert_nothing_identifying(text)
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        names = archive.namelist()
        assert "docProps/custom.xml" not in names and "docProps/thumbnail.jpeg" not in names
        for name in names:
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name))  # every part still parses
        assert b"custom-properties" not in archive.read("_rels/.rels")
        assert b"custom.xml" not in archive.read("[Content_Types].xml")
        assert b"presenceInfo" not in archive.read("word/people.xml")
        comments = archive.read("word/comments.xml")
        document = archive.read("word/document.xml")
    assert b'w:author="Reporter"' in comments and b"Check gate 4" in comments
    assert b"Visible body text" in document and b"w:date" not in document


@pytest.mark.django_db
def test_an_xlsx_is_stored_without_comment_authors_persons_or_saved_path(org: dict[str, Any]):
    _post_public(SimpleUploadedFile("payments.xlsx", xlsx_with_metadata()))
    attachment, stored = _stored()
    assert attachment.content_type.endswith("spreadsheetml.sheet")
    text = _unzipped(stored)
    _assert_nothing_identifying(text)
    assert b"jane@acme.example" not in text
    assert b"Paid twice" in text and b"Payments" in text  # the content itself is kept


@pytest.mark.django_db
def test_a_pdf_sent_with_an_answer_or_a_staff_report_is_cleaned_too(personas: dict[str, Any]):
    upload = SimpleUploadedFile("scan.pdf", pdf_with_metadata(), content_type="application/pdf")
    response = client_for(personas["sam"]).post(
        reverse("cases:staff_report"),
        {"category": "misconduct", "description": "See the scan.", "attachments": upload},
    )
    assert b"receipt-code" in response.content
    _attachment, stored = _stored()
    _assert_nothing_identifying(pdf_plain(stored), PDF_IDENTIFYING)


def test_a_pptx_loses_its_comment_authors_and_dates_but_keeps_the_comments():
    cleaned = files.clean_report_file(SimpleUploadedFile("slides", pptx_with_metadata()))
    assert cleaned.name == "slides.pptx" and cleaned.content_type.endswith("presentationml.presentation")
    text = _unzipped(cleaned.data)
    _assert_nothing_identifying(text)
    assert b"Ask the broker" in text and b'name="Reporter"' in text


def _encrypted_pdf() -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_with_metadata())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    return out.getvalue()


def _ole_header() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


BAD_DOCUMENTS = [
    ("locked.pdf", _encrypted_pdf, "is a password-protected PDF"),
    ("cut.pdf", lambda: pdf_with_metadata()[:400], "could not be read as a PDF"),
    ("photos.zip", lambda: zip_of({"a.txt": b"hello"}), "is a ZIP archive, not a Word, Excel or PowerPoint"),
    (
        "macro.docm",
        lambda: zip_of({"[Content_Types].xml": b"<Types/>", "word/vbaProject.bin": b"\x00"}),
        "contains macros",
    ),
    (
        "object.docx",
        lambda: zip_of({"[Content_Types].xml": b"<Types/>", "word/embeddings/oleObject1.bin": b"\xd0\xcf"}),
        "contains an embedded file or object (word/embeddings/oleObject1.bin)",
    ),
    ("old.doc", _ole_header, "is an old-format Office file"),
    (
        "broken.docx",
        lambda: zip_of({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w/>"}),
        "could not be read as a Word, Excel or PowerPoint file",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "build", "expected"), BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS])
def test_a_document_that_cannot_be_cleaned_is_refused_by_name_and_nothing_is_stored(
    org: dict[str, Any], settings: Any, name: str, build: Any, expected: str
):
    page = _post_public(SimpleUploadedFile(name, build()))
    assert f"“{name}” {expected}" in page
    assert "Money was asked at gate 4." in page  # what the reporter typed is kept
    assert Report.objects.count() == 0 and not Attachment.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).glob("cases/*.bin"))


def test_pictures_inside_a_document_lose_their_exif():
    from .helpers import jpeg_with_exif

    photo = jpeg_with_exif()
    package = io.BytesIO(docx_with_metadata())
    with zipfile.ZipFile(package, "a") as archive:
        archive.writestr("word/media/image1.jpeg", photo)
    upload = SimpleUploadedFile("photo.docx", package.getvalue())
    cleaned = files.clean_report_file(upload)
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        picture = archive.read("word/media/image1.jpeg")
    assert b"SpyCam Maker" in photo and b"SpyCam Maker" not in picture
    from PIL import Image

    assert Image.open(io.BytesIO(picture)).size == (32, 24)


def test_photos_inside_a_pdf_lose_their_exif_but_still_display():
    from pikepdf import PdfImage

    from .helpers import jpeg_with_exif

    pdf = pikepdf.new()
    pdf.add_blank_page()
    photo = pikepdf.Stream(
        pdf,
        jpeg_with_exif(),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=32,
        Height=24,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=photo))
    original = io.BytesIO()
    pdf.save(original)
    assert b"SpyCam Maker" in original.getvalue()
    cleaned = files.clean_report_file(SimpleUploadedFile("scan.pdf", original.getvalue()))
    assert b"SpyCam Maker" not in pdf_plain(cleaned.data)
    with pikepdf.open(io.BytesIO(cleaned.data)) as result:
        image = PdfImage(result.pages[0].obj.Resources.XObject.Im0).as_pil_image()
    assert image.size == (32, 24)
