"""In a browser: create a risk, rate it, add a control and an action, see the heat map change."""

from __future__ import annotations

from typing import Any

from arusha_web.conftest import BROWSER, browser_login

pytestmark = BROWSER


def _residual_cells(page: Any) -> list[str]:
    table = page.locator("table.heat-table").nth(1)
    return [c.strip() for c in table.locator("tbody td").all_inner_texts()]


def test_create_rate_control_action_and_see_the_heat_map_change(page, personas):
    browser_login(page, "ingrid")
    page.goto(page.base_url + "/risks/")
    assert set(_residual_cells(page)) == {"0"}
    page.get_by_role("link", name="New risk").first.click()
    page.get_by_label("Process step").select_option(label="Import clearance › Risk selectivity (channel)")
    page.get_by_label("Title").fill("Officers downgrade red channel")
    page.get_by_label("Revenue leakage and fraud").check()
    page.get_by_label("Inherent likelihood").select_option("4")
    page.get_by_label("Inherent impact").select_option("5")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Risk R-001 saved.").wait_for()

    page.get_by_role("link", name="Add a control").click()
    page.get_by_label("Type").select_option("detective")
    page.get_by_label("Description").fill("Weekly override review by the head of office")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("cell", name="Weekly override review by the head of office").wait_for()

    page.get_by_role("link", name="Add an action").click()
    page.locator("#id_title").fill("Alert on override outliers")
    page.get_by_label("Also put this action in the integrity action plan").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Alert on override outliers in the action plan").wait_for()

    page.get_by_role("link", name="Edit or re-rate").click()
    page.get_by_label("Residual likelihood").select_option("2")
    page.get_by_label("Residual impact").select_option("5")
    page.get_by_label("Why (for the history)").fill("Override review in place")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("cell", name="Override review in place").wait_for()

    page.goto(page.base_url + "/risks/")
    cells = _residual_cells(page)
    # Rows run from likelihood 5 down to 1: L2 is the fourth row, I5 its fifth cell.
    assert cells[3 * 5 + 4] == "1" and cells.count("1") == 1
    assert "Risks without controls" in page.content()


def test_a_very_long_word_in_a_review_does_not_widen_the_page(page, personas, make_risk):
    from arusha_web.risks import services

    risk = make_risk()
    services.risk_review(risk=risk, actor=personas["ingrid"], reason="x" * 3000, next_review=None)
    browser_login(page, "ingrid")
    page.goto(f"{page.base_url}/risks/{risk.pk}/")
    page.get_by_text("Record a review").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
