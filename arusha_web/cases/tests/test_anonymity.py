"""Nothing that identifies an anonymous reporter is stored or logged; contents are encrypted."""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arusha_web.audit.models import AuditEntry
from arusha_web.cases import crypto, services
from arusha_web.cases.models import Report, reporter_day

from .helpers import RECEIPT, follow_up

CLIENT_IP = "203.0.113.197"
USER_AGENT = "Zorglub-Browser/7.7 (distinctive-agent-4471)"
SECRET_TEXT = "Officer Quixotic-Marmalade took 900 francs at gate 12"


def _every_text_value() -> list[str]:
    """Return every non-empty value of every column of every table, as text."""
    values: list[str] = []
    for model in apps.get_models():
        for row in model._default_manager.all().values_list():
            values.extend(str(v) for v in row if v not in (None, ""))
    for session in Session.objects.all():
        values.append(str(session.get_decoded()))
    return values


@pytest.mark.django_db
def test_an_anonymous_report_leaves_no_ip_or_user_agent_in_any_table_or_log(caplog: Any, org: dict[str, Any]):
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR=CLIENT_IP, HTTP_USER_AGENT=USER_AGENT)
    response = client.post(
        reverse("report:index"),
        {"category": "bribery", "office": org["port"].pk, "description": SECRET_TEXT, "place": "Gate 12"},
        HTTP_X_FORWARDED_FOR=CLIENT_IP,
    )
    assert response.status_code == 200 and b"receipt-code" in response.content
    assert Report.objects.count() == 1
    # Sending a report sets no session; the CSRF cookie is random and stored nowhere.
    assert set(response.cookies) <= {"csrftoken"}
    # Follow up too (a wrong code, the right one, the mailbox): no request may keep the visitor.
    follow_up(client, "1111 2222 3333 4444")
    receipt = RECEIPT.search(response.content.decode())
    assert receipt is not None and follow_up(client, receipt.group(1)).status_code == 302
    assert client.get(reverse("report:mailbox")).status_code == 200
    values = _every_text_value()
    assert values, "the dump found nothing: the test would pass vacuously"
    for value in values:
        assert CLIENT_IP not in value
        assert "distinctive-agent-4471" not in value
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert CLIENT_IP not in logged and "distinctive-agent-4471" not in logged
    # The audit trail records the report without any actor (in the next day's batch).
    services.reporter_audit_flush(now=timezone.now() + dt.timedelta(days=1))
    entry = AuditEntry.objects.filter(object_type="cases.report").get()
    assert entry.actor_id is None and entry.actor_username == ""


@pytest.mark.django_db
def test_a_staff_member_who_hides_his_identity_is_not_linked_to_the_report(personas: dict[str, Any]):
    from arusha_web.conftest import client_for

    response = client_for(personas["sam"]).post(
        reverse("cases:staff_report"), {"category": "misconduct", "description": SECRET_TEXT}
    )
    assert b"receipt-code" in response.content
    report = Report.objects.get()
    assert report.reporter is None and report.source == "staff"
    services.reporter_audit_flush(now=timezone.now() + dt.timedelta(days=1))
    entry = AuditEntry.objects.filter(object_type="cases.report").get()
    assert entry.actor_id is None and "sam" not in entry.actor_username


@pytest.mark.django_db
def test_a_hidden_staff_report_cannot_be_timed_against_the_senders_login(personas: dict[str, Any]):
    """The report, its files, the reporter's answers and their audit entries carry the day only,
    and the audit entries are written after the day is over, far from the login in the chain."""
    from arusha_web.conftest import client_for

    submitted = timezone.now()
    client = client_for(personas["sam"])  # logs in: writes sam's login entry to the trail
    login = AuditEntry.objects.filter(actor_username="sam").order_by("-seq").first()
    upload = SimpleUploadedFile("note.txt", b"ledger", content_type="text/plain")
    client.post(
        reverse("cases:staff_report"),
        {"category": "misconduct", "description": SECRET_TEXT, "attachments": upload},
    )
    report = Report.objects.get()
    services.message_from_reporter(report=report, body="More details")
    day_start = reporter_day(submitted)
    stored_times = [
        report.received_at,
        *report.messages.values_list("created_at", flat=True),
        *report.attachments.values_list("uploaded_at", flat=True),
    ]
    assert len(stored_times) == 3 and all(t == day_start for t in stored_times)
    # Nothing about the report reaches the trail on the day it was sent, even when the
    # integrity unit opens the intake...
    ingrid = client_for(personas["ingrid"])
    assert ingrid.get(reverse("cases:intake")).status_code == 200
    assert not AuditEntry.objects.filter(object_type="cases.report").exists()
    # ...it arrives in a later batch, dated by day, with no actor and not right after the login.
    tomorrow = submitted + dt.timedelta(days=1)
    last_of_the_day = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert services.reporter_audit_flush(now=tomorrow) == 2
    entries = list(AuditEntry.objects.filter(object_type="cases.report").order_by("seq"))
    afters: list[dict[str, Any]] = [e.after or {} for e in entries]
    assert [a["day"] for a in afters] == [day_start.date().isoformat()] * 2
    assert all(e.actor_id is None and e.actor_username == "" for e in entries)
    # In the chain they follow everything else of the day, not sam's login.
    assert login is not None and last_of_the_day is not None and login.seq < last_of_the_day
    assert [e.seq for e in entries] == [last_of_the_day + 1, last_of_the_day + 2]
    assert not any(":" in str(value) for a in afters for value in a.values())  # no time of day
    # The pages show the day, not a time.
    page = ingrid.get(reverse("cases:report_detail", args=[report.pk])).content.decode()
    assert re.search(r"Received</dt><dd>[^<]*\d:\d\d", page) is None
    assert services.reporter_audit_flush(now=tomorrow) == 0  # written once


@pytest.mark.django_db
def test_a_staff_member_who_shows_his_identity_is_named_to_investigators(personas: dict[str, Any]):
    from arusha_web.conftest import client_for

    client_for(personas["sam"]).post(
        reverse("cases:staff_report"), {"category": "misconduct", "description": "x", "show_identity": "on"}
    )
    report = Report.objects.get()
    assert report.reporter == personas["sam"]
    page = client_for(personas["ingrid"]).get(reverse("cases:report_detail", args=[report.pk]))
    assert b"sam" in page.content


@pytest.mark.django_db
def test_administrators_cannot_tell_who_sent_a_named_staff_report(personas: dict[str, Any]):
    """The acceptance review's case: /audit/?object_type=cases.report showed an administrator
    "sam · Create · report …" at the second he sent it, and the user filter found it."""
    from arusha_web.conftest import client_for

    client_for(personas["sam"]).post(
        reverse("cases:staff_report"), {"category": "misconduct", "description": "x", "show_identity": "on"}
    )
    report = Report.objects.get()
    # Not written at once: it would sit next to sam's login, at the second he sent it.
    assert not AuditEntry.objects.filter(object_type="cases.report").exists()
    assert services.reporter_audit_flush(now=timezone.now() + dt.timedelta(days=1)) == 1
    entry = AuditEntry.objects.get(object_type="cases.report")
    assert entry.actor_username == "sam"  # kept in full for those who may read it
    assert (entry.after or {})["day"] == reporter_day().date().isoformat()
    alice = client_for(personas["alice"])
    page = alice.get(reverse("audit:list"), {"object_type": "cases.report"}).content.decode()
    assert str(report.pk) in page and "sam" not in page
    by_user = alice.get(reverse("audit:list"), {"actor": "sam"}).content.decode()
    assert reverse("audit:detail", args=[entry.seq]) not in by_user
    assert reverse("audit:detail", args=[entry.seq]) in alice.get(reverse("audit:list")).content.decode()
    # The auditor, who holds need-to-know rights, still sees who sent it.
    aude = client_for(personas["aude"]).get(
        reverse("audit:list"), {"actor": "sam", "object_type": "cases.report"}
    )
    assert reverse("audit:detail", args=[entry.seq]) in aude.content.decode()


# transaction=True: SQLite's backup cannot copy a database while a test transaction holds it.
@pytest.mark.django_db(transaction=True)
def test_report_text_is_not_in_the_raw_database_file(tmp_path: Path, org: dict[str, Any], settings: Any):
    pytest.importorskip("cryptography", reason="encryption at rest needs the cryptography package")
    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite file")
    Client().post(
        reverse("report:index"), {"category": "bribery", "description": SECRET_TEXT, "place": "Gate 12"}
    )
    report = Report.objects.get()
    assert report.description == SECRET_TEXT  # readable through the key...
    copy = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    raw = copy.read_bytes()
    assert b"Quixotic-Marmalade" not in raw  # ...but not in the file
    assert report.description_enc.encode() in raw  # (the row is there, encrypted)
    assert report.description_enc.startswith(crypto.FERNET_PREFIX)
    stored = next(Path(settings.MEDIA_ROOT, "cases").glob("*.bin"), None)
    assert stored is None  # no attachment in this report


@pytest.mark.django_db
def test_attachments_are_encrypted_on_disk(org: dict[str, Any], settings: Any):
    pytest.importorskip("cryptography")
    upload = SimpleUploadedFile("notes.txt", b"Quixotic-Marmalade ledger page", content_type="text/plain")
    Client().post(
        reverse("report:index"), {"category": "bribery", "description": "see file", "attachments": upload}
    )
    [stored] = Path(settings.MEDIA_ROOT, "cases").glob("*.bin")
    assert b"Quixotic-Marmalade" not in stored.read_bytes()
    assert stored.stat().st_mode & 0o777 == 0o600


def test_without_the_cryptography_package_values_are_marked_unencrypted():
    if crypto.encryption_available():
        pytest.skip("cryptography is installed")
    stored = crypto.encrypt_text("hello")
    assert stored.startswith(crypto.PLAIN_PREFIX) and crypto.decrypt_text(stored) == "hello"


@pytest.mark.django_db
def test_investigators_are_warned_when_encryption_is_off(personas: dict[str, Any]):
    from arusha_web.conftest import client_for

    page = client_for(personas["ingrid"]).get(reverse("cases:index")).content.decode()
    assert ("Encryption at rest is OFF" in page) is (not crypto.encryption_available())


def test_the_key_is_generated_once_in_var_dir_with_mode_0600(settings: Any, tmp_path: Path, monkeypatch: Any):
    monkeypatch.delenv(crypto.KEY_ENV, raising=False)
    settings.VAR_DIR = tmp_path
    crypto.reset_key_cache()
    try:
        first = crypto.keyed_digest("t", "1")
        crypto.reset_key_cache()
        assert crypto.keyed_digest("t", "1") == first
        assert (tmp_path / "cases.key").stat().st_mode & 0o777 == 0o600
        monkeypatch.setenv(crypto.KEY_ENV, "another-key")
        crypto.reset_key_cache()
        assert crypto.keyed_digest("t", "1") != first
    finally:
        crypto.reset_key_cache()


@pytest.mark.django_db
def test_report_message_and_file_ids_do_not_give_away_the_order_of_submission(personas: dict[str, Any]):
    """Sequential ids would place a hidden report between two reports of known senders."""
    from arusha_web.cases.files import CleanFile
    from arusha_web.cases.models import Message

    note = CleanFile("n.txt", "text/plain", b"n", "")
    reports = [
        services.report_submit(source="public", category="other", description=f"r{i}", attachments=[note])[0]
        for i in range(12)
    ]
    ids = [r.pk for r in reports]
    assert all(10_000_000 <= pk < 100_000_000 for pk in ids)
    assert ids != sorted(ids) and len(set(ids)) == 12  # 12 increasing ids by chance: 1 in 479 million
    attachment_ids = [r.attachments.get().pk for r in reports]
    assert attachment_ids != sorted(attachment_ids)
    # The conversation keeps its order although message ids are random.
    first = reports[0]
    for i in range(8):
        if i % 2:
            services.message_from_reporter(report=first, body=f"m{i}")
        else:
            services.message_to_reporter(report=first, author=personas["ingrid"], body=f"m{i}")
    assert [m.body for m in first.messages.all()] == [f"m{i}" for i in range(8)]
    assert [m.position for m in Message.objects.filter(report=first)] == list(range(1, 9))
