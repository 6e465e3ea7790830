"""In a browser: anonymous report -> investigator asks a question -> reporter answers -> case closed."""

from __future__ import annotations

from typing import Any

from arusha_web.cases.models import Case
from arusha_web.conftest import BROWSER, browser_login

pytestmark = BROWSER


def _logout(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()


def test_anonymous_report_to_closed_case(page: Any, personas: dict[str, Any]) -> None:
    base = page.base_url
    # 1. A trader reports anonymously, in a browser of his own.
    reporter = page.context.browser.new_context(locale="en-GB").new_page()
    reporter.goto(base + "/report/")
    reporter.get_by_label("What is it about?").select_option("bribery")
    reporter.get_by_label("What happened?").fill(
        "The officer at shed 4 wanted 20,000 to skip the inspection."
    )
    reporter.get_by_role("button", name="Send the report").click()
    code = reporter.get_by_test_id("receipt-code").inner_text().strip()
    assert len(code.replace(" ", "")) == 16

    # 2. The integrity unit opens a case and assigns Ivan.
    browser_login(page, "ingrid")
    page.goto(base + "/cases/intake/")
    page.locator("table.data a").first.click()
    page.get_by_label("Short title").fill("Shed 4 inspection fee")
    page.get_by_role("button", name="Open the case").click()
    page.get_by_role("row", name="ivan").get_by_role("button", name="Assign").click()
    _logout(page)

    # 3. Ivan asks the reporter a question.
    browser_login(page, "ivan")
    page.goto(base + "/cases/list/")
    page.get_by_role("link", name=Case.objects.get().reference).click()
    page.locator("dd a[href*='/cases/reports/']").first.click()
    page.get_by_label("Message").fill("On which day did this happen?")
    page.get_by_role("button", name="Send to the reporter").click()
    assert page.get_by_text("On which day did this happen?").is_visible()

    # 4. The reporter comes back with the receipt code and answers.
    reporter.goto(base + "/report/follow-up/")
    reporter.get_by_label("Receipt code").fill(code)
    reporter.get_by_role("button", name="Open my report").click()
    assert reporter.get_by_text("On which day did this happen?").is_visible()
    reporter.get_by_label("Your answer").fill("Tuesday morning, around nine.")
    reporter.get_by_label("Attachments (optional)").set_input_files(
        {"name": "shed-rota.txt", "mimeType": "text/plain", "buffer": b"Tuesday: shed 4, team B"}
    )
    reporter.get_by_role("button", name="Send my answer").click()
    assert reporter.get_by_text("Tuesday morning, around nine.").is_visible()
    assert reporter.get_by_text("shed-rota.txt").is_visible()

    # 5. Ivan reads the answer and its file, and closes the case.
    page.reload()
    assert page.get_by_text("Tuesday morning, around nine.").is_visible()
    assert page.get_by_role("link", name="shed-rota.txt").is_visible()
    page.get_by_role("link", name=f"Case {Case.objects.get().reference}").click()
    page.get_by_label("Outcome").select_option("substantiated")
    page.get_by_label("Sanction").select_option("suspension")
    page.get_by_label("Conclusion").fill("The fee was confirmed by two witnesses.")
    page.get_by_role("button", name="Close the case").click()
    assert page.get_by_text("Case closed.").is_visible()
    assert Case.objects.get().status == "closed"

    # 6. The reporter sees that his report is closed.
    reporter.reload()
    assert reporter.get_by_test_id("status").inner_text().startswith("Closed")
