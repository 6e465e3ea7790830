"""Run every test group `make test` promises, saying in one line why a group is skipped.

1. The whole suite on SQLite (library, web app, and browser tests when Chromium is there).
2. The web app's suite again on PostgreSQL when DATABASE_URL is set (CI sets it).
3. The Spark equality tests when Java is available.

Exit status is non-zero when any group fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PYTEST = [sys.executable, "-m", "pytest"]
NO_TESTS = 5  # pytest's exit code when nothing was collected


def _browser_enabled() -> tuple[bool, str]:
    wanted = os.environ.get("ARUSHA_BROWSER_TESTS", "auto").lower()
    chromium = (
        os.environ.get("ARUSHA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if wanted in {"0", "false", "no", "off"}:
        return False, "browser tests skipped: ARUSHA_BROWSER_TESTS is off"
    if not chromium:
        return False, "browser tests skipped: Chromium is not installed (apt-get install chromium)"
    return True, f"browser tests on: {chromium}"


def main() -> int:
    failures: list[str] = []
    browser, why = _browser_enabled()
    print(why, flush=True)
    database_url = os.environ.get("DATABASE_URL", "")

    sqlite_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    sqlite_env["ARUSHA_BROWSER_TESTS"] = "1" if browser else "0"
    print("== tests on SQLite", flush=True)
    if subprocess.call([*PYTEST, *sys.argv[1:]], env=sqlite_env) != 0:
        failures.append("SQLite")

    if database_url.startswith(("postgres://", "postgresql://")):
        print(f"== web application tests on PostgreSQL ({database_url.rsplit('@', 1)[-1]})", flush=True)
        pg_env = {**os.environ, "ARUSHA_BROWSER_TESTS": "0"}
        if subprocess.call([*PYTEST, "arusha_web", "-m", "not browser", *sys.argv[1:]], env=pg_env) != 0:
            failures.append("PostgreSQL")
    else:
        print(
            "PostgreSQL tests skipped: DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)"
        )

    if shutil.which("java"):
        print("== Spark engine tests (local Spark)", flush=True)
        code = subprocess.call([*PYTEST, "tests", "-m", "spark", *sys.argv[1:]], env=sqlite_env)
        if code not in (0, NO_TESTS):
            failures.append("Spark")
    else:
        print("Spark tests skipped: Java is not installed (Spark needs Java 17)")

    if failures:
        print("FAILED groups: " + ", ".join(failures), flush=True)
        return 1
    print("All test groups passed.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
