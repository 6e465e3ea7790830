"""End-to-end tests in headless Chromium: what a user clicks, not what a view returns."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from arusha_web.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("ARUSHA_BROWSER_TESTS") != "1", reason="ARUSHA_BROWSER_TESTS is not 1"),
]


@pytest.fixture
def page(live_server: Any, transactional_db: None) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM is used by the
    # test (fixtures) on the same thread, which is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from arusha_web.browser import launch

    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server.url
        yield page
        browser.close()


def _login(page: Any, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(page.base_url + "/")


def test_a_user_logs_in_visits_every_section_switches_language_and_logs_out(page, personas):
    _login(page, "ingrid")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    nav = page.get_by_role("navigation", name="Modules")
    labels = [label.strip() for label in nav.get_by_role("link").all_inner_texts()]
    assert labels == ["Home", "Diagnose", "Risks", "Measure", "Prevent", "Cases", "Transparency"]
    for label in labels[1:]:
        nav.get_by_role("link", name=label, exact=True).click()
        assert page.get_by_role("heading", level=1).inner_text() == label
        assert page.get_by_role("link", name=label, exact=True).get_attribute("aria-current") == "page"

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    french = [label.strip() for label in nav.get_by_role("link").all_inner_texts()]
    assert french[:4] == ["Accueil", "Diagnostiquer", "Risques", "Mesurer"]

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/accounts/login/**")
    page.goto(page.base_url + "/")
    assert "/accounts/login/" in page.url


def test_staff_are_refused_an_admin_page(page, personas):
    _login(page, "sam")
    nav_labels = page.get_by_role("navigation", name="Modules").get_by_role("link").all_inner_texts()
    assert "Admin" not in nav_labels and "Cases" not in nav_labels
    response = page.goto(page.base_url + "/accounts/users/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"


def test_an_administrator_reaches_the_admin_pages(page, personas):
    _login(page, "alice")
    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="User accounts").click()
    assert page.get_by_role("cell", name="sam").count() == 1
