"""Fixtures of the risk register tests: a step and a helper to record rated risks."""

from __future__ import annotations

from typing import Any

import pytest

from arusha_web.org.models import Office
from arusha_web.risks import services
from arusha_web.risks.models import ProcessStep, Risk


@pytest.fixture
def step(db: None) -> ProcessStep:
    return ProcessStep.objects.get(process__code="import", code="selectivity")


@pytest.fixture
def make_risk(personas: dict[str, Any], step: ProcessStep) -> Any:
    def make(office: str | None = "PORT1", **fields: Any) -> Risk:
        values = {"step": step, "title": "Channel downgraded", "inherent_likelihood": 4, "inherent_impact": 4}
        values.update(fields)
        risk = Risk(office=Office.objects.get(code=office) if office else None, **values)
        return services.risk_save(risk=risk, actor=personas["ingrid"])

    return make
