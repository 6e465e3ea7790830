"""A small campaign end to end in a real browser: create, invite, answer, workshop, results."""

from __future__ import annotations

from typing import Any

from arusha_web.conftest import BROWSER, browser_login
from arusha_web.diagnose.models import Assessment, Participant, ResponseSheet

pytestmark = BROWSER


def test_a_small_campaign_end_to_end(page: Any, personas: dict[str, Any]):
    browser_login(page, "ingrid")
    page.goto(page.base_url + "/diagnose/")
    page.get_by_role("link", name="New self-assessment").click()
    page.get_by_label("Title").fill("Browser campaign")
    page.get_by_label("Period start").fill("2026-01-01")
    page.get_by_label("Period end").fill("2026-02-28")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Assessment created").wait_for()
    assessment = Assessment.objects.get(title="Browser campaign")

    page.get_by_label("Group").select_option("officer")
    page.get_by_label("Name").fill("Sam Staff")
    page.get_by_label("E-mail").fill("sam@example.org")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("Participant added").wait_for()
    page.get_by_role("button", name="Open for answers").click()
    page.get_by_text("Collecting answers").first.wait_for()

    # The participant answers through his personal link, anonymously.
    token = Participant.objects.get(assessment=assessment).token
    page.goto(page.base_url + f"/diagnose/r/{token}/")
    for radio in page.locator('input[type=radio][value="3"]').all():
        radio.check()
    page.get_by_label("Answer anonymously").check()
    page.get_by_role("button", name="Submit my answers").click()
    page.get_by_text("Your anonymous answers").wait_for()
    assert ResponseSheet.objects.get(assessment=assessment).participant_id is None

    # Workshop: consensus for F1, then close and read the results.
    page.goto(page.base_url + f"/diagnose/assessments/{assessment.pk}/")
    page.get_by_text("100%").first.wait_for()
    page.get_by_role("button", name="Stop answers and start the workshop").click()
    page.goto(page.base_url + f"/diagnose/assessments/{assessment.pk}/workshop/F1/")
    page.get_by_label("Consensus maturity").select_option("2")
    page.get_by_label("Strengths").fill("Strategy signed by the Director General")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("saved").first.wait_for()
    page.goto(page.base_url + f"/diagnose/assessments/{assessment.pk}/")
    page.get_by_role("button", name="Close the assessment").click()
    page.goto(page.base_url + f"/diagnose/assessments/{assessment.pk}/results/")
    assert page.locator("svg.chart").count() == 1
    row = page.locator("table.data").first.locator("tr", has_text="F1 · Leadership")
    assert row.locator("td").nth(1).inner_text() == "2"  # the consensus, not the mean (3.0)
    assert "Strategy signed by the Director General" in page.content()
