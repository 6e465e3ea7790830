"""Key rotation: everything readable afterwards, nothing lost when interrupted, bad states refused."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from arusha_web.audit.models import AuditEntry
from arusha_web.cases import crypto, files, rotation, services
from arusha_web.cases.files import CleanFile
from arusha_web.cases.models import Attachment, Case, CaseEntry, Message, Report, reporter_day

pytest.importorskip("cryptography", reason="key rotation needs the cryptography package")

SECRET = "Officer Quixotic-Marmalade took 900 francs"


@pytest.fixture(autouse=True)
def _own_key(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A key file of the test's own, under a VAR_DIR of its own."""
    monkeypatch.delenv(crypto.KEY_ENV, raising=False)
    monkeypatch.delenv(crypto.PREVIOUS_KEYS_ENV, raising=False)
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    crypto.reset_key_cache()
    yield
    crypto.reset_key_cache()


def _everything(personas: dict[str, Any]) -> dict[str, Any]:
    """A report with a file and an answer, a case with an evidence file and a conclusion."""
    report, code = services.report_submit(
        source="public",
        category="bribery",
        description=SECRET,
        place="Gate 12",
        contact="+000 555",
        attachments=[CleanFile("ledger.txt", "text/plain", b"ledger page 7", "")],
    )
    services.message_from_reporter(
        report=report,
        body="He came back on Friday",
        attachments=[CleanFile("more.txt", "text/plain", b"p8", "")],
    )
    case = services.case_open(
        reports=[report], title="Gate 12", category="bribery", office=None, by=personas["ingrid"]
    )
    services.case_entry_add(
        case=case,
        kind="evidence",
        text="Bank statement",
        by=personas["ingrid"],
        evidence=CleanFile("bank.csv", "text/csv", b"date;amount\n2026-01-02;900\n", "x"),
    )
    services.case_close(
        case=case,
        outcome="substantiated",
        sanction="warning",
        referred_to_prosecution=False,
        conclusion="Proven by the bank statement",
        by=personas["ingrid"],
    )
    return {"report": report, "code": code, "case": case}


def _readable_contents() -> dict[str, Any]:
    report = Report.objects.get()
    return {
        "description": report.description,
        "place": report.place,
        "contact": report.contact,
        "message": Message.objects.get(from_reporter=True).body,
        "entries": sorted(e.text for e in CaseEntry.objects.all()),
        "conclusion": Case.objects.get().conclusion,
        "files": sorted((a.name, files.load(a.stored_name)) for a in Attachment.objects.all()),
    }


def _raw_values() -> list[str]:
    report = Report.objects.get()
    return [report.description_enc, report.place_enc, *Attachment.objects.values_list("name_enc", flat=True)]


def _stored_files(settings: Any) -> set[str]:
    return {p.name for p in Path(settings.MEDIA_ROOT, "cases").glob("*.bin")}


@pytest.mark.django_db
def test_after_rotation_everything_reads_with_the_new_key_only(personas: dict[str, Any], settings: Any):
    made = _everything(personas)
    before = _readable_contents()
    old_key = crypto.current_key()
    old_raw, old_files = _raw_values(), _stored_files(settings)
    out = io.StringIO()
    call_command("cases_rotate_key", stdout=out)
    assert "Done: " in out.getvalue() and "--forget-previous" in out.getvalue()
    assert crypto.current_key() != old_key
    assert crypto.previous_keys() == (old_key,)
    assert _readable_contents() == before
    assert not set(_raw_values()) & set(old_raw)  # every value rewritten
    assert not _stored_files(settings) & old_files  # every file rewritten, old ones gone
    assert services.report_by_receipt(code=made["code"]) == made["report"]  # the code still works
    assert rotation.survey().finished
    assert AuditEntry.objects.filter(object_type="cases.encryption_key").count() == 1

    call_command("cases_rotate_key", "--forget-previous", stdout=io.StringIO())
    crypto.reset_key_cache()
    assert crypto.previous_keys() == () and not crypto.previous_keys_path().exists()
    assert _readable_contents() == before
    assert services.report_by_receipt(code=made["code"]) == made["report"]
    # And the old key alone reads none of it any more.
    from cryptography.fernet import Fernet, InvalidToken

    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(Report.objects.get().description_enc.removeprefix(crypto.FERNET_PREFIX))


@pytest.mark.django_db
def test_an_interrupted_rotation_loses_nothing_and_a_rerun_finishes_it(
    personas: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
):
    made = _everything(personas)
    before = _readable_contents()
    old_raw, old_files = _raw_values(), _stored_files(settings)

    def crash(**_kwargs: Any) -> None:
        raise RuntimeError("power cut")

    # Fails at the very end of the database transaction, after every row was rewritten.
    monkeypatch.setattr(rotation, "audit_record", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        call_command("cases_rotate_key", stdout=io.StringIO())
    monkeypatch.undo()
    crypto.reset_key_cache()
    # The database rolled back: same ciphertexts, same files, the new files removed...
    assert _raw_values() == old_raw and _stored_files(settings) == old_files
    # ...the new key is current, the old one kept, and everything still reads.
    assert crypto.previous_keys_path().exists()
    assert _readable_contents() == before
    assert services.report_by_receipt(code=made["code"]) == made["report"]
    state = rotation.survey()
    assert state.previous > 0 and not state.finished
    with pytest.raises(CommandError, match="Not yet"):
        call_command("cases_rotate_key", "--forget-previous", stdout=io.StringIO())
    assert crypto.previous_keys_path().exists()  # refused: the old key is still needed

    new_key = crypto.current_key()
    out = io.StringIO()
    call_command("cases_rotate_key", stdout=out)
    assert "Finishing the rotation interrupted earlier" in out.getvalue()
    crypto.reset_key_cache()
    assert crypto.current_key() == new_key  # the same rotation, not a third key
    assert rotation.survey().finished and _readable_contents() == before
    assert services.report_by_receipt(code=made["code"]) == made["report"]


@pytest.mark.django_db
def test_a_crash_during_the_key_switch_is_finished_with_the_key_already_written(personas: dict[str, Any]):
    _everything(personas)
    before = _readable_contents()
    old_key = crypto.current_key()
    # As if the process died after writing cases.key.next, before anything else.
    written = crypto.new_key()
    crypto.write_secret_file(crypto.key_path().with_name("cases.key.next"), written.decode())
    assert _readable_contents() == before  # still the old key: nothing changed yet
    call_command("cases_rotate_key", stdout=io.StringIO())
    crypto.reset_key_cache()
    assert crypto.current_key() == written and crypto.previous_keys() == (old_key,)
    assert _readable_contents() == before and rotation.survey().finished


@pytest.mark.django_db
def test_files_left_by_a_killed_rotation_are_removed_later_not_while_fresh(
    personas: dict[str, Any], settings: Any
):
    _everything(personas)
    left_over = files.store(b"half-rotated copy")
    assert rotation.remove_orphan_files() == 0  # may be an upload not committed yet
    assert rotation.remove_orphan_files(now=time.time() + 2 * rotation.ORPHAN_MIN_AGE_SECONDS) == 1
    assert left_over not in _stored_files(settings)
    assert len(_stored_files(settings)) == Attachment.objects.count()  # the real files stay


@pytest.mark.django_db
def test_rewritten_files_keep_the_day_their_reporter_sent_them(personas: dict[str, Any], settings: Any):
    _everything(personas)
    sent = reporter_day(timezone.now() - dt.timedelta(days=40))
    Attachment.objects.update(uploaded_at=sent)
    call_command("cases_rotate_key", stdout=io.StringIO())
    stored = [Path(settings.MEDIA_ROOT, "cases", a.stored_name) for a in Attachment.objects.all()]
    assert len(stored) == 3 and {p.stat().st_mtime for p in stored} == {sent.timestamp()}


@pytest.mark.django_db
def test_a_value_no_key_can_read_stops_the_rotation_before_any_change(personas: dict[str, Any]):
    made = _everything(personas)
    from cryptography.fernet import Fernet

    stranger = crypto.FERNET_PREFIX + Fernet(Fernet.generate_key()).encrypt(b"x").decode()
    Report.objects.filter(pk=made["report"].pk).update(contact_enc=stranger)
    key = crypto.current_key()
    with pytest.raises(CommandError, match=r"Nothing was changed.*report \d+ \(contact\)"):
        call_command("cases_rotate_key", stdout=io.StringIO())
    crypto.reset_key_cache()
    assert crypto.current_key() == key and not crypto.previous_keys_path().exists()
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("cases_rotate_key", "--check", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_missing_attachment_file_stops_the_rotation(personas: dict[str, Any], settings: Any):
    _everything(personas)
    attachment = Attachment.objects.first()
    assert attachment is not None
    Path(settings.MEDIA_ROOT, "cases", attachment.stored_name).unlink()
    with pytest.raises(CommandError, match=rf"attachment {attachment.pk} .*file missing"):
        call_command("cases_rotate_key", stdout=io.StringIO())


@pytest.mark.django_db
def test_unencrypted_values_get_encrypted(personas: dict[str, Any]):
    made = _everything(personas)
    Report.objects.filter(pk=made["report"].pk).update(place_enc=crypto.PLAIN_PREFIX + "Gate 12")
    assert rotation.survey().unencrypted == 1
    call_command("cases_rotate_key", stdout=io.StringIO())
    report = Report.objects.get()
    assert report.place == "Gate 12" and report.place_enc.startswith(crypto.FERNET_PREFIX)


@pytest.mark.django_db
def test_with_the_key_in_the_environment_the_steps_are_explained(
    personas: dict[str, Any], monkeypatch: pytest.MonkeyPatch
):
    old = crypto.new_key().decode()
    monkeypatch.setenv(crypto.KEY_ENV, old)
    crypto.reset_key_cache()
    made = _everything(personas)
    out = io.StringIO()
    with pytest.raises(CommandError, match=crypto.PREVIOUS_KEYS_ENV):
        call_command("cases_rotate_key", stdout=out)
    assert "--generate" in out.getvalue()
    generated = io.StringIO()
    call_command("cases_rotate_key", "--generate", stdout=generated)
    new = generated.getvalue().strip()
    monkeypatch.setenv(crypto.KEY_ENV, new)
    monkeypatch.setenv(crypto.PREVIOUS_KEYS_ENV, old)
    crypto.reset_key_cache()
    call_command("cases_rotate_key", stdout=io.StringIO())
    monkeypatch.delenv(crypto.PREVIOUS_KEYS_ENV)
    crypto.reset_key_cache()
    assert Report.objects.get().description == SECRET  # new key alone
    assert services.report_by_receipt(code=made["code"]) == made["report"]


def test_a_malformed_key_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv(crypto.KEY_ENV, "not-a-key")
    crypto.reset_key_cache()
    with pytest.raises(ImproperlyConfigured, match="cases_rotate_key --generate"):
        crypto.encrypt_text("x")
