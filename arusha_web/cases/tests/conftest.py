"""Fixtures of the cases tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _isolated(settings: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Own URLconf, own media directory and an empty throttle cache for every test."""
    settings.ROOT_URLCONF = "arusha_web.cases.tests.urls_isolated"  # type: ignore[attr-defined]
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    cache.clear()
    yield
    cache.clear()
