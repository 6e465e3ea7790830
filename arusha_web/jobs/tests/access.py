"""Access matrix rows of the jobs app's own URLs beyond the platform's (collected by core)."""

from __future__ import annotations

from arusha_web.testing import Row

EXPECTED: dict[str, set[str]] = {}

URLS: dict[str, Row | list[Row]] = {
    # The matrix job is queued, not failed: allowed roles are told so (redirect), others refused.
    "jobs:retry": Row("jobs.run", "post", args=lambda o: [o["job"].pk]),
}
