"""In Chromium, as the people of issue 18 would: publish a trial, a refused load, a lead's assignee
and its referral into Cases (items 1, 8, 9, 10, 11 and 12)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from arusha_web.accounts.models import User
from arusha_web.accounts.roles import Role
from arusha_web.conftest import BROWSER, browser_login
from arusha_web.jobs.services import job_run
from arusha_web.measure.models import (
    AnalysisRun,
    Dataset,
    ImportRun,
    IndicatorValue,
    Lead,
    Publication,
    RunStatus,
)
from arusha_web.measure.tests.test_data import GOOD

pytestmark = BROWSER


def _run(name: str, *, days_ago: int, publish: bool, officer: str) -> AnalysisRun:
    when = timezone.now() - dt.timedelta(days=days_ago)
    dataset = Dataset.objects.get_or_create(name=name, store_path=f"/nonexistent/{name}.duckdb")[0]
    run = AnalysisRun.objects.create(
        dataset=dataset, out_dir="/nonexistent", status=RunStatus.DONE, created_at=when, finished_at=when
    )
    IndicatorValue.objects.create(run=run, entity_type="administration", entity_id="", period="2024-03",
                                  indicator="VOL_DECL", value=1.0)  # fmt: skip
    Lead.objects.create(run=run, rank=1, entity_type="officer", entity_id=officer, officer_id=officer,
                        office_code="PORT1", score=5.0, kind="channel_override", explanation=officer,
                        window_start="2024-01", window_end="2024-03")  # fmt: skip
    if publish:
        Publication.objects.create(run=run, published_at=when)
    return run


def test_an_analyst_publishes_a_trial_and_the_manager_then_sees_it(page: Any, personas: Any) -> None:
    _run("National data", days_ago=5, publish=True, officer="O-OFFICIAL-1")
    trial = _run("Second quarter", days_ago=0, publish=False, officer="O-TRIAL-1")
    browser_login(page, "marc")
    page.goto(page.base_url + "/measure/leads/")
    page.get_by_text("Official analysis").first.wait_for()
    assert page.get_by_text("O-OFFICIAL-1").count() and not page.get_by_text("O-TRIAL-1").count()
    assert page.goto(page.base_url + f"/measure/leads/?run={trial.pk}").status == 404
    page.get_by_role("button", name="Log out").click()

    browser_login(page, "ana")
    page.goto(page.base_url + f"/measure/leads/?run={trial.pk}")
    page.get_by_text("Trial analysis — not published").wait_for()
    page.get_by_role("link", name="Make this the official analysis…").click()
    page.get_by_label("Why this analysis (optional, kept with the publication)").fill("Quarter closed")
    page.get_by_role("button", name="Publish as the official analysis").click()
    page.get_by_text(f"Analysis #{trial.pk} is now the official analysis").wait_for()
    page.get_by_role("button", name="Log out").click()

    browser_login(page, "marc")
    page.goto(page.base_url + "/measure/leads/")
    page.get_by_text("O-TRIAL-1").first.wait_for()


def test_a_header_only_file_is_said_rejected_and_nothing_is_offered_for_analysis(
    page: Any, personas: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    empty = tmp_path / "declarations.csv"
    empty.write_text(GOOD.splitlines()[0] + "\n")
    browser_login(page, "ana")
    page.goto(page.base_url + "/measure/datasets/")
    page.get_by_label("Name").fill("Empty export")
    page.get_by_role("button", name="Create the dataset").click()
    page.get_by_label("Export files (CSV, XLSX or Parquet)").set_input_files([str(empty)])
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("button", name="Start the load").click()
    page.get_by_role("heading", name="Load of clearance data").wait_for()
    job_run(job_id=ImportRun.objects.get().job.pk)  # type: ignore[union-attr]  # no worker in tests
    badge = page.locator("#run-progress .badge").first
    badge.filter(has_text="Rejected").wait_for()
    assert page.get_by_text("holds no rows").count()
    assert page.locator("#run-progress progress").get_attribute("value") == "100"
    assert not page.get_by_role("link", name="Next: analyse the data").count()
    page.get_by_role("link", name="Empty export").first.click()
    page.get_by_text("Load data first.").wait_for()
    assert not page.get_by_role("button", name="Start the analysis").count()


def test_a_lead_is_offered_to_people_by_name_and_its_referral_opens_in_cases(
    page: Any, personas: Any, org: Any
) -> None:
    User.objects.create_user(username="otto", password="x", role=Role.OFFICE_MANAGER, office=org["air"],
                             first_name="Otto", last_name="Okafor")  # fmt: skip
    personas["ana"].first_name, personas["ana"].last_name = "Ana", "Lyst"
    personas["ana"].save()
    run = _run("National data", days_ago=1, publish=True, officer="OFF-PORT")
    lead = Lead.objects.get(run=run)
    browser_login(page, "ingrid")
    page.goto(page.base_url + f"/measure/leads/{lead.pk}/")
    options = page.get_by_label("Assignee").locator("option").all_inner_texts()
    assert "Ana Lyst — Analyst" in options and not any("Okafor" in o for o in options)
    page.get_by_label("Why refer it to the integrity unit?").fill("Same pattern as last year")
    page.get_by_role("button", name="Refer").click()
    page.get_by_text("Lead referred to the integrity unit.").wait_for()
    page.get_by_role("link", name="R-").click()
    page.get_by_role("definition").filter(has_text="Facilitation of smuggling").wait_for()
    assert page.get_by_text("PORT1 — Seaport").count()
