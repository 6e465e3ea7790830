from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_pause_between_check_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pause only lets a person watch the progress bar.
    monkeypatch.setattr("arusha_web.jobs.job_kinds.STEP_PAUSE_SECONDS", 0)
