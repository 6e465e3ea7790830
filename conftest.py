"""Settings every test run shares (library and web app alike)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def _test_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def _test_audit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audit")


@pytest.fixture(autouse=True)
def _own_audit_sealing_record(request: pytest.FixtureRequest) -> Any:
    """Each test starts with no record of where audit sealing began, and never uses var/'s.

    The record (audit/keys.py) belongs to one database: var/'s, left by a development server,
    would make a test database's short trail look cut short, and a test's would end up there.
    """
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    settings = request.getfixturevalue("settings")
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.delenv("ARUSHA_AUDIT_SEALED_SINCE", raising=False)
    path = request.getfixturevalue("_test_audit_dir") / "audit.sealed-since"
    path.unlink(missing_ok=True)
    settings.ARUSHA_AUDIT_SEALED_SINCE_FILE = path
    yield
    path.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _plain_static_files(request: pytest.FixtureRequest) -> Any:
    """Tests render pages without running collectstatic, so they use plain static storage."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    # The same cache backend as production, but never var/cache: a dev server reading it would show
    # the tests' organisation in its header.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": request.getfixturevalue("_test_cache_dir"),
        },
    }
    # Argon2 is deliberately slow; tests create many accounts. test_login pins production's choice.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    yield
