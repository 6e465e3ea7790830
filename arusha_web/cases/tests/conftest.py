"""Fixtures of the cases tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import caches

from arusha_web.cases.puzzle import USED_CACHE


@pytest.fixture(autouse=True)
def _isolated(settings: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Own URLconf, own media directory, empty caches and easy receipt puzzles for every test.

    The caches are memory caches of the test's own: the configured default one is a file cache
    under var/, shared with a development server that may be running (clearing it would touch
    that server's entries, and tests would leave their data in its pages). Puzzles of 4 bits
    take Python's hashlib a few dozen tries; test_receipt_puzzle.py checks the difficulty.
    """
    settings.ROOT_URLCONF = "arusha_web.cases.tests.urls_isolated"  # type: ignore[attr-defined]
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)},
        USED_CACHE: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"{tmp_path}-puzzles",
        },
    }
    settings.ARUSHA_CASES_RECEIPT_PUZZLE_BITS = 4  # type: ignore[attr-defined]
    for alias in ("default", USED_CACHE):
        caches[alias].clear()
    yield
    for alias in ("default", USED_CACHE):
        caches[alias].clear()
