"""A small upload cannot tie up a web worker: costly files are refused at once, by name, and
nothing of them is kept.

The files are those of the security review, built here: a 24 KB Word file that unpacks to
15 MB of empty paragraphs (12.5 s and 780 MB to clean before), a ZIP bomb, a worksheet of
millions of cells, a 2 MB PDF of 300,000 objects packed in object streams (9 s before).
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from arusha_web.cases import clean_office, clean_process, files
from arusha_web.cases.clean_limits import CleaningLimits
from arusha_web.cases.models import Attachment, Report

from . import costly, misbehaving
from .documents import docx_with_metadata

# Before the limits, the review's files took 9 to 30 s; refused, they take a fraction of a
# second. The margin is for a loaded test machine.
QUICKLY = 4.0
MB = 1024 * 1024


@pytest.fixture(autouse=True, scope="module")
def _cleaning_server_started() -> None:
    """Start this test process's cleaning server, so that its start is not timed as a refusal."""
    files.clean_report_file(SimpleUploadedFile("warm-up.txt", b"warm up"))


def _post_timed(*uploads: SimpleUploadedFile) -> tuple[str, float]:
    """Return the page answering the report form sent with `uploads`, and how long it took."""
    data = {"category": "bribery", "description": "Money was asked at gate 4.", "attachments": list(uploads)}
    client = Client()
    client.get(reverse("report:index"))  # the first page of a test process is slow to render
    start = time.monotonic()
    response = client.post(reverse("report:index"), data)
    elapsed = time.monotonic() - start
    assert response.status_code == 200
    return response.content.decode(), elapsed


def _assert_nothing_stored() -> None:
    assert Report.objects.count() == 0 and Attachment.objects.count() == 0
    stored = Path(django_settings.MEDIA_ROOT) / "cases"
    assert not stored.exists() or not any(stored.iterdir())


COSTLY = [
    (
        "paragraphs.docx",
        lambda: costly.docx_of_empty_paragraphs(15),
        "holds more than 1,000,000 elements (paragraphs, cells, shapes…)",
    ),
    (
        "tracked.docx",  # must be parsed (an author to remove): the count comes first
        lambda: costly.docx_of_empty_paragraphs(30, tracked_change=True),
        "holds more than 1,000,000 elements",
    ),
    ("cells.xlsx", lambda: costly.xlsx_of_empty_cells(3_000_000), "holds more than 1,000,000 elements"),
    ("bomb.docx", lambda: costly.docx_with_picture_of(60 * MB), "unpacks to more than 50 MB"),
    (
        "claims-2-GB.docx",
        lambda: costly.with_stated_size(costly.docx_with_picture_of(MB), "word/media/image1.png", 2**31),
        "unpacks to more than 50 MB",
    ),
    (
        "objects.pdf",
        lambda: costly.pdf_with_objects_in_streams(300_000),
        "is made of more than 100,000 internal objects",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "build", "expected"), COSTLY, ids=[c[0] for c in COSTLY])
def test_a_costly_file_is_refused_quickly_by_name_and_nothing_is_stored(
    org: dict[str, Any], name: str, build: Any, expected: str
):
    upload = build()
    assert len(upload) < 2.5 * MB  # small uploads, far below the 10 MB limit
    page, elapsed = _post_timed(SimpleUploadedFile(name, upload))
    assert f"“{name}” {expected}" in page
    assert elapsed < QUICKLY, f"refused after {elapsed:.1f} s"
    assert "Money was asked at gate 4." in page  # what the reporter typed is kept
    _assert_nothing_stored()


@pytest.mark.django_db
def test_a_zip_that_understates_its_size_is_refused_without_being_unpacked(org: dict[str, Any]):
    # 60 MB of zeros said to be 1 KB: zipfile stops at 1 KB, and the checksum then fails.
    lying = costly.with_stated_size(costly.docx_with_picture_of(60 * MB), "word/media/image1.png", 1024)
    page, elapsed = _post_timed(SimpleUploadedFile("small.docx", lying))
    assert "“small.docx” could not be read as a Word, Excel or PowerPoint file" in page
    assert elapsed < QUICKLY
    _assert_nothing_stored()


def test_an_embedded_workbook_draws_on_the_documents_limits(settings: Any):
    # The document and its workbook each unpack to 0.6 MB, together to 1.2 MB: over 1 MB.
    settings.ARUSHA_CASES_MAX_UNPACKED_MB = 1
    workbook = costly.xlsx_embedding(picture=600_000)
    files.clean_report_file(SimpleUploadedFile("alone.xlsx", workbook))  # within the limit alone
    document = costly.docx_embedding(workbook, picture=600_000)
    with pytest.raises(ValidationError, match="“chart.docx” unpacks to more than 1 MB"):
        files.clean_report_file(SimpleUploadedFile("chart.docx", document))


def test_a_workbook_nested_in_an_embedded_workbook_is_refused_by_part_name():
    nested = costly.docx_embedding(costly.xlsx_embedding(costly.xlsx_embedding()))
    with pytest.raises(ValidationError) as refused:
        files.clean_report_file(SimpleUploadedFile("nested.docx", nested))
    embedded = "xl/embeddings/Microsoft_Excel_Worksheet.xlsx"
    assert f"contains an embedded file or object ({embedded})" in str(refused.value)
    one_level = costly.docx_embedding(costly.xlsx_embedding())
    assert files.clean_report_file(SimpleUploadedFile("chart.docx", one_level)).name == "chart.docx"


@pytest.mark.django_db
def test_a_file_that_takes_longer_than_its_time_is_stopped(org: dict[str, Any], settings: Any):
    # Without the object limit, visiting 300,000 objects takes seconds: the clock stops it.
    settings.ARUSHA_CASES_MAX_PDF_OBJECTS = 10**9
    settings.ARUSHA_CASES_CLEAN_SECONDS = 1
    page, elapsed = _post_timed(SimpleUploadedFile("slow.pdf", costly.pdf_with_objects_in_streams(300_000)))
    assert "“slow.pdf” took longer than 1 second to check and was not accepted" in page
    assert elapsed < 1 + QUICKLY
    _assert_nothing_stored()
    page, _elapsed = _post_timed(SimpleUploadedFile("next.txt", b"The next file is cleaned as usual."))
    assert Attachment.objects.count() == 1  # the cleaning server survived


@pytest.mark.django_db
def test_a_file_that_needs_more_memory_than_allowed_is_stopped(org: dict[str, Any], settings: Any):
    # Parsing 2.6 million paragraphs takes some 350 MB; without the element limit, the memory
    # limit stops it.
    settings.ARUSHA_CASES_MAX_XML_ELEMENTS = 10**9
    settings.ARUSHA_CASES_CLEAN_MEMORY_MB = 100
    page, _elapsed = _post_timed(
        SimpleUploadedFile("huge.docx", costly.docx_of_empty_paragraphs(15, tracked_change=True))
    )
    assert "“huge.docx” needed more memory to check than is allowed (100 MB) and was not accepted" in page
    _assert_nothing_stored()


@pytest.mark.django_db
def test_more_files_than_allowed_are_refused_before_any_is_cleaned(org: dict[str, Any], settings: Any):
    settings.ARUSHA_CASES_MAX_FILES = 2
    uploads = [SimpleUploadedFile(f"page{i}.txt", b"text") for i in range(3)]
    page, _elapsed = _post_timed(*uploads)
    assert "Send at most 2 files at once (you chose 3)" in page
    _assert_nothing_stored()


@pytest.mark.django_db
def test_an_ordinary_document_is_still_accepted_and_cleaned(org: dict[str, Any]):
    page, _elapsed = _post_timed(SimpleUploadedFile("draft.docx", docx_with_metadata()))
    assert 'data-testid="receipt-code"' in page
    assert Attachment.objects.get().name == "draft.docx"


@pytest.mark.parametrize(
    ("xml", "parsed"),
    [
        (b'<?xml version="1.0" encoding="UTF-8"?><worksheet><col width="9"/><c r="A1"/></worksheet>', False),
        (b'<w:document><w:ins w:author = "Jane"/></w:document>', True),  # spaces around "="
        (b"<w:document><x:presenceInfo/></w:document>", True),
        (b"<?xml version='1.0'?><!-- Jane's draft --><w:document/>", True),  # outside the root
        ('<?xml version="1.0" encoding="UTF-16"?><w:ins w:author="Jane"/>'.encode("utf-16"), True),
        (b'<?xml version="1.0" encoding="UTF-7"?><w:document/>', True),
    ],
)
def test_an_xml_part_is_kept_unparsed_only_when_it_surely_holds_nothing_to_remove(xml: bytes, parsed: bool):
    assert clean_office._may_identify(xml) is parsed


def test_a_utf16_part_is_cleaned_like_any_other():
    document = '<?xml version="1.0" encoding="UTF-16"?><w:document xmlns:w="urn:w"><w:ins w:author="Jane"/></w:document>'
    cleaned = files.clean_report_file(
        SimpleUploadedFile("a.docx", costly.office({"word/document.xml": document.encode("utf-16")}))
    )
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        assert b'w:author="Reporter"' in archive.read("word/document.xml")


def test_a_refusal_is_written_in_the_readers_language_with_his_numbers():
    # Raised in the cleaning process, which has no language: translated when shown.
    with pytest.raises(ValidationError) as refused:
        files.clean_report_file(SimpleUploadedFile("cells.xlsx", costly.xlsx_of_empty_cells(1_100_000)))
    with translation.override("fr"):
        french = refused.value.messages[0]
    assert french.startswith("« cells.xlsx » contient plus de 1\xa0000\xa0000 éléments"), french
    assert refused.value.messages[0].startswith("“cells.xlsx” holds more than 1,000,000 elements")


def test_a_limit_set_to_zero_is_named(settings: Any):
    settings.ARUSHA_CASES_CLEAN_SECONDS = 0
    with pytest.raises(ImproperlyConfigured, match="ARUSHA_CASES_CLEAN_SECONDS = 0"):
        files.cleaning_limits()


LIMITS = CleaningLimits(
    unpacked_bytes=MB, xml_elements=1000, pdf_objects=1000, seconds=1, memory_bytes=100 * MB
)


def test_the_clock_stops_a_child_that_never_ends():
    start = time.monotonic()
    with pytest.raises(ValidationError, match="“x.pdf” took longer than 1 second"):
        clean_process.run_limited(misbehaving.sleep_forever, name="x.pdf", limits=LIMITS)
    assert time.monotonic() - start < 1 + QUICKLY
    assert clean_process.run_limited(misbehaving.echo, b"next", name="y", limits=LIMITS) == b"next"


@pytest.mark.skipif(sys.platform != "linux", reason="the memory limit is Linux's RLIMIT_AS")
def test_the_memory_limit_stops_a_child_that_fills_it():
    with pytest.raises(ValidationError, match="needed more memory to check than is allowed .100 MB."):
        clean_process.run_limited(misbehaving.fill_memory, name="x.jpg", limits=LIMITS)


def test_a_child_that_crashes_is_reported_and_the_next_file_is_cleaned(caplog: Any):
    with (
        caplog.at_level(logging.ERROR, logger="arusha_web.cases.clean_process"),
        pytest.raises(ValidationError, match="“x.png” could not be checked: the check stopped"),
    ):
        clean_process.run_limited(misbehaving.crash, name="x.png", limits=LIMITS)
    assert "died" in caplog.text
    assert clean_process.run_limited(misbehaving.echo, b"next", name="y", limits=LIMITS) == b"next"


def test_a_failure_in_a_child_is_logged_without_what_the_file_said(caplog: Any):
    with (
        caplog.at_level(logging.ERROR, logger="arusha_web.cases.clean_process"),
        pytest.raises(ValidationError, match="could not be checked"),
    ):
        clean_process.run_limited(misbehaving.fail, "Jane Whistleblower", name="x.docx", limits=LIMITS)
    assert "KeyError" in caplog.text and "Jane" not in caplog.text


def test_a_refusal_in_the_child_reaches_the_form_as_it_was_raised():
    with pytest.raises(ValidationError, match="“x.txt” is refused."):
        clean_process.run_limited(misbehaving.refuse, "x.txt", name="x.txt", limits=LIMITS)


def test_a_dead_cleaning_server_is_replaced():
    assert clean_process._server is not None
    clean_process._server[0].kill()
    clean_process._server[0].wait()
    assert clean_process.run_limited(misbehaving.echo, b"again", name="y", limits=LIMITS) == b"again"


def test_the_cleaners_need_neither_settings_nor_models():
    # What runs in the cleaning server: no settings to read, no database to reach.
    code = (
        "import sys, arusha_web.cases.clean_upload as c, arusha_web.cases.clean_process;"
        "from arusha_web.cases.tests.documents import docx_with_metadata as d;"
        "from arusha_web.cases.clean_limits import CleaningLimits as L;"
        "c.clean_report_data(d(), 'a.docx', L(2**20, 1000, 1000, 1, 2**27));"
        "assert not [m for m in sys.modules if m.endswith('.models') and m.startswith('arusha_web')]"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
