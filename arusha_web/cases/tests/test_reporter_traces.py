"""What a reporter's visit leaves behind: on his device, in the database, on disk, in the logs.

A device seized later must not show the visit (no cookie outlives the browser session); the
server keeps no session for the reporter and no readable report id; file times and logs keep
no time finer than the day the reporter acted.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import time
from http.cookies import Morsel
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arusha_web.cases import reporter_pass
from arusha_web.cases.log_filters import ReportingChannelWarnings
from arusha_web.cases.models import Attachment, Report, reporter_day
from arusha_web.conftest import client_for

from .helpers import follow_up, submit_public


def _outliving(response: Any) -> list[str]:
    """Return the cookies of `response` that a browser keeps after it closes (deletions aside)."""
    kept = []
    for name, morsel in response.cookies.items():
        assert isinstance(morsel, Morsel)
        deletion = str(morsel["max-age"]) == "0"
        if not deletion and (morsel["max-age"] or morsel["expires"]):
            kept.append(f"{name}: max-age={morsel['max-age']!r} expires={morsel['expires']!r}")
    return kept


@pytest.mark.django_db
def test_no_public_reporting_page_sets_a_cookie_that_outlives_the_browser_session(org: dict[str, Any]):
    """Every step a reporter takes, from the first visit to logging out of his report."""
    client = Client()
    steps: list[tuple[str, Any]] = []

    def step(name: str, response: Any) -> Any:
        steps.append((name, response))
        # Nothing in django_session at any step, not even after the correct code.
        assert not Session.objects.exists(), f"a session row after: {name}"
        return response

    step("report form", client.get(reverse("report:index")))
    upload = SimpleUploadedFile("note.txt", b"ledger", content_type="text/plain")
    response, code = submit_public(client, attachments=upload)
    step("report sent", response)
    step("language switched", client.post(reverse("set_language"), {"language": "fr", "next": "/report/"}))
    step("language back", client.post(reverse("set_language"), {"language": "en", "next": "/report/"}))
    step("follow-up page", client.get(reverse("report:followup")))
    step("code mistyped", client.post(reverse("report:followup"), {"code": code[:15]}))
    step("code without JavaScript", client.post(reverse("report:followup"), {"code": code}))
    step("wrong code", follow_up(client, "0000 0000 0000 0001"))
    step("right code", follow_up(client, code))
    step("mailbox", client.get(reverse("report:mailbox")))
    step("answer", client.post(reverse("report:mailbox"), {"body": "More details"}))
    step("statistics", client.get(reverse("report:statistics")))
    step("leave", client.post(reverse("report:leave")))
    assert client.get(reverse("report:mailbox"))["Location"] == reverse("report:followup")
    # The steps did set cookies (so the check above is not vacuous)...
    assert {"csrftoken", reporter_pass.COOKIE, "django_language"} <= {
        name for _step, response in steps for name in response.cookies
    }
    # ...but none that a browser keeps once closed.
    assert [(name, _outliving(response)) for name, response in steps if _outliving(response)] == []


@pytest.mark.django_db
def test_the_pass_to_a_mailbox_holds_no_readable_report_id_and_cannot_be_forged(org: dict[str, Any]):
    _response, code = submit_public(Client())
    report = Report.objects.get()
    client = Client()
    follow_up(client, code)
    value = client.cookies[reporter_pass.COOKIE].value
    assert str(report.pk) not in value
    readable = "".join(
        base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("latin-1")
        for part in value.replace(":", ".").split(".")
        if part
    )
    assert str(report.pk) not in readable
    assert client.cookies[reporter_pass.COOKIE]["path"] == reverse("report:index")
    assert (
        client.cookies[reporter_pass.COOKIE]["httponly"] and client.cookies[reporter_pass.COOKIE]["samesite"]
    )
    assert client.get(reverse("report:mailbox")).status_code == 200
    # A pass altered by one character opens nothing.
    forged = Client()
    forged.cookies[reporter_pass.COOKIE] = value[:-1] + ("A" if value[-1] != "A" else "B")
    assert forged.get(reverse("report:mailbox")).status_code == 302


@pytest.mark.django_db
def test_a_pass_ends_after_the_session_length(org: dict[str, Any], settings: Any, rf: Any):
    settings.SESSION_COOKIE_AGE = 3600
    _response, code = submit_public(Client())
    client = Client()
    follow_up(client, code)
    request = rf.get("/report/mailbox/")
    request.COOKIES[reporter_pass.COOKIE] = client.cookies[reporter_pass.COOKIE].value
    assert reporter_pass.pass_report(request, now=time.time() + 3590) == Report.objects.get()
    assert reporter_pass.pass_report(request, now=time.time() + 3610) is None


@pytest.mark.django_db
def test_a_logged_in_staff_members_session_does_not_learn_which_report_he_follows(personas: dict[str, Any]):
    sam = client_for(personas["sam"])
    response = sam.post(reverse("cases:staff_report"), {"category": "misconduct", "description": "x"})
    code = "".join(
        ch for ch in response.content.decode().split('data-testid="receipt-code">')[1][:19] if ch.isdigit()
    )
    assert follow_up(sam, code).status_code == 302
    assert sam.get(reverse("report:mailbox")).status_code == 200
    report = Report.objects.get()
    [session] = Session.objects.all()  # his login's
    assert str(report.pk) not in str(session.get_decoded()) and str(report.pk) not in session.session_data


def _stored_file(settings: Any) -> Path:
    [path] = Path(settings.MEDIA_ROOT, "cases").glob("*.bin")
    return path


@pytest.mark.django_db
def test_attachment_files_and_their_folder_are_dated_to_the_day(org: dict[str, Any], settings: Any):
    upload = SimpleUploadedFile("note.txt", b"ledger", content_type="text/plain")
    submit_public(Client(), attachments=upload)
    day = reporter_day().timestamp()
    path = _stored_file(settings)
    assert path.stat().st_mtime == day and path.stat().st_atime == day
    assert path.parent.stat().st_mtime == day


@pytest.mark.django_db
def test_the_daily_run_redates_old_files_and_gives_all_the_same_change_time(
    org: dict[str, Any], settings: Any
):
    upload = SimpleUploadedFile("note.txt", b"ledger", content_type="text/plain")
    submit_public(Client(), attachments=upload)
    path = _stored_file(settings)
    exact = (timezone.now() - dt.timedelta(days=3, minutes=17)).timestamp()
    os.utime(path, (exact, exact))  # a file written before files were dated to the day
    before = time.time()
    call_command("cases_reminders", stdout=open(os.devnull, "w"))  # noqa: SIM115
    stat = path.stat()
    assert stat.st_mtime == reporter_day(dt.datetime.fromtimestamp(exact, tz=dt.UTC)).timestamp()
    assert stat.st_ctime >= before - 1  # the change time is the daily run's, not the upload's
    assert Attachment.objects.get().stored_name == path.name


@pytest.fixture
def console_records(monkeypatch: pytest.MonkeyPatch) -> list[logging.LogRecord]:
    """Collect the records that pass the filters of the configured console handler."""
    [console] = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    records: list[logging.LogRecord] = []
    monkeypatch.setattr(console, "emit", records.append)
    return records


@pytest.mark.django_db
def test_warnings_about_the_reporting_pages_are_not_logged(org: dict[str, Any], console_records: Any):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("report:followup"), {"code": "1"}).status_code == 403  # no CSRF cookie
    assert strict.get("/report/no-such-page/").status_code == 404
    assert strict.get(reverse("report:leave")).status_code == 405
    assert strict.get("/cases/no-such-page/").status_code == 404  # a staff page: still logged
    messages = [record.getMessage() for record in console_records]
    assert not [m for m in messages if "/report/" in m]
    assert [m for m in messages if "/cases/no-such-page/" in m]


def test_server_errors_on_the_reporting_pages_are_still_logged(rf: Any):
    def record(level: int, path: str) -> logging.LogRecord:
        made = logging.LogRecord("django.request", level, __file__, 1, "%s", (path,), None)
        made.request = rf.get(path)
        return made

    keep = ReportingChannelWarnings().filter
    assert keep(record(logging.ERROR, "/report/follow-up/"))
    assert not keep(record(logging.WARNING, "/report/follow-up/"))
    assert keep(record(logging.WARNING, "/cases/"))


def test_a_reporters_visit_writes_nothing_to_the_shared_cache(
    org: dict[str, Any], settings: Any, tmp_path: Path
):
    # Production's cache is files on disk: a file written during a visit would date it.
    folder = tmp_path / "file-cache"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(folder),
        },
    }
    before = {p: p.stat().st_mtime_ns for p in folder.glob("*")}
    client = Client()
    _response, code = submit_public(client)
    for name in ("report:index", "report:followup"):
        client.get(reverse(name))
    follow_up(client, code)
    client.get(reverse("report:mailbox"))
    after = {p: p.stat().st_mtime_ns for p in folder.glob("*")}
    assert after == before
