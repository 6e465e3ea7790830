"""End-to-end tests in headless Chromium: what a user clicks, not what a view returns."""

from __future__ import annotations

from arusha_web.conftest import BROWSER
from arusha_web.conftest import browser_login as _login

pytestmark = BROWSER


def test_a_user_logs_in_visits_every_section_switches_language_and_logs_out(page, personas):
    _login(page, "ingrid")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    nav = page.get_by_role("navigation", name="Modules")
    labels = [label.strip() for label in nav.get_by_role("link").all_inner_texts()]
    assert labels == ["Home", "Diagnose", "Risks", "Measure", "Prevent", "Cases", "Transparency"]
    for label in labels[1:]:
        nav.get_by_role("link", name=label, exact=True).click()
        # Each module's start page has its own title; the nav marks where the user is.
        assert page.get_by_role("heading", level=1).inner_text().strip()
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
