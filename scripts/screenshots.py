"""Screenshots of the running app, as a user sees it: `python scripts/screenshots.py URL OUTDIR`.

Logs in with a demo account (ARUSHA_DEMO_PASSWORD, default 'demo') and saves one PNG per page.
Used to look at every page after a change, and for the README's screenshot.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from arusha_web.browser import launch  # noqa: E402

PAGES = {
    "admin": ["/", "/admin-overview/", "/org/offices/", "/org/staff/", "/accounts/users/", "/accounts/me/", "/jobs/"],
    "integrity": ["/diagnose/", "/risks/", "/risks/map/", "/cases/", "/measure/"],
    "analyst": ["/measure/", "/measure/leads/", "/measure/targeting/"],
    "auditor": ["/audit/"],
    "officer": ["/", "/measure/"],
}


def main(base: str, out: Path, language: str = "en") -> None:
    out.mkdir(parents=True, exist_ok=True)
    password = os.environ.get("ARUSHA_DEMO_PASSWORD", "demo")
    with sync_playwright() as p:
        browser = launch(p)
        for username, paths in PAGES.items():
            context = browser.new_context(viewport={"width": 1280, "height": 860}, locale=language)
            context.set_default_timeout(60000)
            page = context.new_page()
            page.goto(base + "/accounts/login/")
            page.screenshot(path=str(out / "login.png"), full_page=True)
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            for path in paths:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                name = f"{username}-{path.strip('/').replace('/', '_') or 'home'}.png"
                page.screenshot(path=str(out / name), full_page=True)
                print(out / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]), *(sys.argv[3:4]))
