"""`arusha audit verify` as an operator types it (the cron line of the README)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from arusha.cli import app
from arusha_web.audit.models import Action
from arusha_web.audit.services import audit_record

runner = CliRunner()


@pytest.mark.django_db
def test_the_cron_line_keeps_checkpoints_and_prints_the_head(tmp_path):
    entry = audit_record(action=Action.OTHER, object_repr="something happened")
    kept = tmp_path / "audit-checkpoints.txt"
    result = runner.invoke(app, ["audit", "verify", "--checkpoints", str(kept), "--record"])
    assert result.exit_code == 0, result.output
    assert entry.hash in result.output
    assert kept.read_text().startswith(f"{entry.seq} {entry.hash} ")
    again = runner.invoke(app, ["audit", "verify", "--expect", entry.hash, "--checkpoints", str(kept)])
    assert again.exit_code == 0, again.output


@pytest.mark.django_db
def test_a_bad_fingerprint_is_refused_in_a_sentence():
    result = runner.invoke(app, ["audit", "verify", "--expect", "12ab"])
    assert result.exit_code == 2
    assert "--expect: “12ab” is not a fingerprint (64 hexadecimal characters" in result.output
