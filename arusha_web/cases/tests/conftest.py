"""Fixtures of the cases tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _isolated(settings: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Own URLconf, own media directory and an empty throttle cache for every test.

    The cache is a memory cache of the test's own: the configured one is a file cache under
    var/, shared with a development server that may be running (clearing it would reset that
    server's throttle, and tests would leave their data in its pages).
    """
    settings.ROOT_URLCONF = "arusha_web.cases.tests.urls_isolated"  # type: ignore[attr-defined]
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }
    cache.clear()
    yield
    cache.clear()
