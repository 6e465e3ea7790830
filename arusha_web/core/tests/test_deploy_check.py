"""`manage.py check --deploy` is clean with the production settings the README gives."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _readme_production_settings() -> dict[str, str]:
    """Return the `ARUSHA_…=value` settings of step 2 ("Settings") of the README's deployment."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production deployment", 1)[1]
    step = section.split("2. **Settings**", 1)[1].split("3. **", 1)[0]
    return dict(re.findall(r"`(ARUSHA_[A-Z0-9_]+)=([^`]+)`", step))


def test_the_deploy_check_reports_nothing_with_the_readme_settings(tmp_path: Path):
    production = _readme_production_settings()
    assert {"ARUSHA_HTTPS", "ARUSHA_ALLOWED_HOSTS"} <= set(production), production
    env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_*: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process, which the
        # deploy check rightly refuses; a server started from the README has none of these.
        if not key.startswith(("ARUSHA_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(production, ARUSHA_SECRET_KEY=secrets.token_urlsafe(50), ARUSHA_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
