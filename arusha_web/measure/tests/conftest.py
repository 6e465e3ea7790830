"""A small generated clearance dataset, loaded and analysed once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from arusha import api

    root = tmp_path_factory.mktemp("measure")
    api.write_dataset(root / "data", n=4000, seed=1)  # large enough for every kind of planted lead
    sources = [root / "data" / f"{t}.parquet" for t in ("declarations", "items", "events")]
    api.load_sources(sources, root / "store.duckdb")
    api.analyze_store(root / "store.duckdb", root / "out")
    return {"root": root, "data": root / "data", "store": root / "store.duckdb", "out": root / "out"}


@pytest.fixture
def run(analysed: dict[str, Path], personas: dict[str, Any], tmp_path: Path) -> Any:
    """The session's analysis registered in this test's database (a private copy of the store)."""
    from arusha_web.measure.services import register_existing

    store = tmp_path / "store.duckdb"
    shutil.copy(analysed["store"], store)
    from arusha_web.measure.models import Publication

    found = register_existing(name="Test data", store=store, out_dir=analysed["out"], user=personas["ana"])
    Publication.objects.create(run=found, published_by=personas["ana"])  # the official analysis
    return found


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _no_saved_risk_model(settings: Any) -> None:
    """Analyses in tests do not pick up a model saved under var/ by ``make demo``; tests that want
    one point ``ARUSHA_RISK_MODEL`` at their own."""
    settings.ARUSHA_RISK_MODEL = Path("/nonexistent/arusha-tests/risk-model.json")
