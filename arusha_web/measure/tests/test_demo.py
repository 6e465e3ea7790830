"""The module's demo: the demo analysis registered, triaged leads, signed contracts; run twice = same."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from arusha_web.measure.models import (
    AnalysisRun,
    Contract,
    ContractVersion,
    IndicatorValue,
    Lead,
    Referral,
    ScorecardLink,
)


@pytest.fixture
def demo_var(settings: Any, tmp_path: Path, analysed: dict[str, Path]) -> Path:
    """The demo's var/ with the session's small analysed dataset where `make demo` puts its own."""
    settings.VAR_DIR = tmp_path
    shutil.copytree(analysed["data"], tmp_path / "demo" / "clearance")
    shutil.copy(analysed["store"], tmp_path / "clearance.duckdb")
    shutil.copytree(analysed["out"], tmp_path / "analysis" / "demo")
    return tmp_path


def test_demo_is_complete_and_idempotent(db: None, demo_var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arusha_web.core import demo as core_demo
    from arusha_web.measure.demo import demo_setup

    users = {u.username: u for u in core_demo.demo_setup(password="demo")}
    messages: list[str] = []

    def counts() -> tuple[int, ...]:
        return (
            AnalysisRun.objects.count(),
            IndicatorValue.objects.count(),
            Lead.objects.count(),
            Referral.objects.count(),
            Contract.objects.count(),
            ContractVersion.objects.count(),
            ScorecardLink.objects.count(),
        )

    demo_setup(users=users, progress=messages.append)
    first = counts()
    assert first[0] == 1 and first[1] > 1000 and first[3] == 1 and first[4] == 2
    assert set(Lead.objects.values_list("status", flat=True)) >= {
        "new",
        "review",
        "explained",
        "dismissed",
        "referred",
    }
    assert all(v.signed_at for v in ContractVersion.objects.all())
    assert ScorecardLink.objects.get(user=users["officer"]).officer_id == "O-PORT1-01"
    demo_setup(users=users, progress=messages.append)
    assert counts() == first
    assert any("Measure" in m for m in messages)
