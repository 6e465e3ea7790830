"""End to end in Chromium: upload → load → analyse → open a lead → refer it; contracts; an officer's view."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from arusha_web.conftest import BROWSER, browser_login
from arusha_web.jobs.services import job_run
from arusha_web.measure.kinds import about_label
from arusha_web.measure.models import AnalysisRun, ImportRun, Lead
from arusha_web.org.models import StaffRecord

pytestmark = BROWSER


def test_upload_load_analyse_and_refer_a_lead(
    page: Any, personas: Any, analysed: dict[str, Path], tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    browser_login(page, "ana")
    page.goto(page.base_url + "/measure/")
    page.get_by_role("link", name="Data").click()
    page.get_by_label("Name").fill("Browser export")
    page.get_by_role("button", name="Create the dataset").click()
    page.get_by_label("Export files (CSV, XLSX or Parquet)").set_input_files(
        [str(analysed["data"] / f"{t}.parquet") for t in ("declarations", "items", "events")]
    )
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("3 file(s) uploaded").wait_for()
    page.get_by_role("button", name="Start the load").click()
    page.get_by_role("heading", name="Load of clearance data").wait_for()
    job_run(job_id=ImportRun.objects.get().job.pk)  # type: ignore[union-attr]  # no worker in tests: run the job here
    page.get_by_text("rows loaded").wait_for()
    page.get_by_role("link", name="Next: analyse the data").click()
    page.get_by_role("button", name="Start the analysis").click()
    page.get_by_role("heading", name="Analysis").wait_for()
    job_run(job_id=AnalysisRun.objects.get().job.pk)  # type: ignore[union-attr]
    page.get_by_role("link", name="Open the leads").click(timeout=30000)
    first = Lead.objects.order_by("rank").first()
    assert first is not None
    page.get_by_role("link", name=about_label(first.entity_type, first.entity_id)).first.click()
    page.get_by_label("Why refer it to the integrity unit?").fill("Confirmed with the office manager")
    page.get_by_role("button", name="Refer").click()
    page.get_by_text("Lead referred to the integrity unit.").wait_for()
    first.refresh_from_db()
    assert first.status == "referred"


def test_create_sign_and_view_a_contract_then_officer_sees_only_his(
    page: Any, personas: Any, run: Any
) -> None:
    browser_login(page, "marc")
    page.goto(page.base_url + "/measure/contracts/")
    page.get_by_role("link", name="Draft a contract").click()
    page.get_by_label("Officer identifier or office code").fill("O-PORT1-01")
    page.get_by_label("From").fill(dt.date(2024, 4, 1).isoformat())
    page.get_by_label("TF1 — Assessed on the day of registration").check()
    page.get_by_label("BP1 — Channel-override rate").check()
    page.get_by_label("Signatories").fill("Head of office\nO-PORT1-01")
    page.get_by_role("button", name="Compute baselines and draft").click()
    page.get_by_text("Draft contract created").wait_for()
    page.get_by_role("button", name="Record the signature").click()
    page.get_by_text("Contract signed").wait_for()
    assert page.get_by_role("heading", name="Monthly scorecard").is_visible()
    contract_url = page.url
    page.get_by_role("button", name="Log out").click()

    StaffRecord.objects.filter(user=personas["sam"]).update(officer_id="O-PORT1-01")
    browser_login(page, "sam")
    page.goto(page.base_url + "/measure/")
    page.get_by_role("link", name="My scorecard").click()
    page.get_by_role("heading", name="Scorecard of O-PORT1-01").wait_for()
    page.goto(contract_url)
    assert page.get_by_role("heading", name="Performance contract — Officer O-PORT1-01").is_visible()
    response = page.goto(page.base_url + "/measure/officers/O-PORT1-02/")
    assert response.status == 404
    response = page.goto(page.base_url + "/measure/administration/")
    assert response.status == 403
