"""Live evidence on the risk page: from the newest Measure run in the database, else from the
newest output folder; leads narrowed to the risk's office and to what the viewer may see."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.urls import reverse
from django.utils import timezone

from arusha_web.conftest import client_for
from arusha_web.measure.models import AnalysisRun, Dataset, IndicatorValue, Lead, Publication, RunStatus
from arusha_web.risks.evidence import latest_analysis_dir, risk_evidence


def _write_run(root: Path, name: str, bp1: list[float]) -> Path:
    out = root / "analysis" / name
    out.mkdir(parents=True)
    periods = ["2024-01", "2024-02", "2024-03"]
    rows = [
        {"entity_type": "administration", "entity_id": "", "office_code": None, "period": p, "indicator": "BP1",
         "value": v, "n": 100, "peer_median": None, "z": None}
        for p, v in zip(periods, bp1, strict=True)
    ] + [
        {"entity_type": "office", "entity_id": "PORT1", "office_code": "PORT1", "period": "2024-02",
         "indicator": "BP1", "value": 0.5, "n": 40, "peer_median": 0.2, "z": 2.0},
        {"entity_type": "administration", "entity_id": "", "office_code": None, "period": "all", "indicator": "BP1",
         "value": 0.99, "n": 300, "peer_median": None, "z": None},
        {"entity_type": "administration", "entity_id": "", "office_code": None, "period": "2024-01",
         "indicator": "TF1", "value": 0.7, "n": 100, "peer_median": None, "z": None},
    ] + [
        # Officer rows tell which office each officer works at (signals.csv has no office column).
        {"entity_type": "officer", "entity_id": officer, "office_code": office, "period": "2024-01",
         "indicator": "BP1", "value": 0.3, "n": 20, "peer_median": 0.2, "z": 1.0}
        for officer, office in (("OFF002", "PORT1"), ("OFF009", "PORT1"), ("OFF003", "PORT1"), ("OFF777", "AIRP1"))
    ]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), out / "indicators.parquet")
    (out / "signals.csv").write_text(
        "entity_type,entity_id,score,kind,explanation\n"
        "officer,OFF002,7.5,channel_override,relaxed 12 of 20 red declarations\n"
        "officer,OFF009,9.1,channel_override,relaxed 15 of 18 red declarations\n"
        "officer,OFF777,9.9,channel_override,relaxed 30 of 31 red declarations at the airport\n"
        "officer,OFF003,8.0,unit_value_gap,low unit values\n",
        encoding="utf-8",
    )
    return out


def _db_run(**fields: object) -> AnalysisRun:
    dataset = Dataset.objects.get_or_create(name="Clearance", store_path="/tmp/none.duckdb")[0]
    values = {"status": RunStatus.DONE, "finished_at": timezone.now(), "out_dir": "/nowhere"}
    values.update(fields)
    return AnalysisRun.objects.create(dataset=dataset, **values)


def test_the_newest_run_is_read(tmp_path):
    old = _write_run(tmp_path, "run-a", [0.1, 0.2, 0.3])
    new = _write_run(tmp_path, "run-b", [0.4, 0.5, 0.6])
    os.utime(old / "indicators.parquet", (time.time() - 3600, time.time() - 3600))
    assert latest_analysis_dir(tmp_path) == new


def test_folder_fallback_shows_trend_and_only_the_risk_office_leads(personas, make_risk, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _write_run(tmp_path, "run", [0.1, 0.25, 0.3])
    risk = make_risk("PORT1", indicator_codes=["BP1"])
    evidence = risk_evidence(risk)
    trend = evidence.trends[0]
    assert trend.periods == ["2024-01", "2024-02", "2024-03"]  # "all" is not a period of the trend
    assert trend.series == {"Administration": [0.1, 0.25, 0.3], "PORT1": [None, 0.5, None]}
    # kind filtered, strongest first, and the airport officer's lead left out of a PORT1 risk
    assert [lead["entity_id"] for lead in evidence.leads] == ["OFF009", "OFF002"]
    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert "<svg" in page and "0.250" in page and "relaxed 15 of 18 red declarations" in page
    assert "low unit values" not in page and "at the airport" not in page
    assert "Leads at office PORT1 only." in page


def test_national_risk_shows_every_office_except_to_an_office_manager(
    personas, make_risk, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    _write_run(tmp_path, "run", [0.1, 0.25, 0.3])
    risk = make_risk(None, indicator_codes=["BP1"])
    assert [lead["entity_id"] for lead in risk_evidence(risk, viewer=personas["ana"]).leads] == [
        "OFF777",
        "OFF009",
        "OFF002",
    ]
    # Marc manages PORT1: Measure shows him PORT1's leads only, and so does the risk page.
    page = client_for(personas["marc"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert "relaxed 15 of 18" in page and "at the airport" not in page


def test_the_official_run_wins_over_output_folders_and_newer_trials(personas, make_risk, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _write_run(tmp_path, "run", [0.1, 0.25, 0.3])  # must be ignored: a run is stored
    three_days_ago = timezone.now() - dt.timedelta(days=3)
    older = _db_run(finished_at=three_days_ago)
    Publication.objects.create(run=older, published_at=three_days_ago)
    IndicatorValue.objects.create(run=older, entity_type="administration", entity_id="", period="2023-12",
                                  indicator="BP1", value=0.9)  # fmt: skip
    run = _db_run()
    Publication.objects.create(run=run)
    trial = _db_run(finished_at=timezone.now() + dt.timedelta(minutes=5))  # newer, never published
    IndicatorValue.objects.create(run=trial, entity_type="administration", entity_id="", period="2024-06",
                                  indicator="BP1", value=0.77)  # fmt: skip
    for period, value in (("2024-05", 0.11), ("2024-06", 0.22)):
        IndicatorValue.objects.create(run=run, entity_type="administration", entity_id="", period=period,
                                      indicator="BP1", value=value)  # fmt: skip
    IndicatorValue.objects.create(run=run, entity_type="office", entity_id="PORT1", office_code="PORT1",
                                  period="2024-06", indicator="BP1", value=0.44)  # fmt: skip
    IndicatorValue.objects.create(run=run, entity_type="office", entity_id="AIRP1", office_code="AIRP1",
                                  period="2024-06", indicator="BP1", value=0.99)  # fmt: skip
    Lead.objects.create(run=run, rank=1, entity_type="officer", entity_id="OFF-AIR", office_code="AIRP1",
                        score=12.0, kind="channel_override", explanation="airport overrides")  # fmt: skip
    lead = Lead.objects.create(run=run, rank=2, entity_type="officer", entity_id="OFF-PORT", office_code="PORT1",
                               score=6.0, kind="channel_override", explanation="port overrides")  # fmt: skip
    Lead.objects.create(run=run, rank=3, entity_type="officer", entity_id="OFF-PORT", office_code="PORT1",
                        score=8.0, kind="unit_value_gap", explanation="unit values")  # fmt: skip
    risk = make_risk("PORT1", indicator_codes=["BP1"])

    evidence = risk_evidence(risk, viewer=personas["ana"])
    assert f"analysis #{run.pk}" in evidence.source
    assert evidence.trends[0].periods == ["2024-05", "2024-06"]
    # Replayed at a date when the older analysis was the official one, its evidence is shown.
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    replayed = risk_evidence(risk, viewer=personas["ana"], at=two_days_ago)
    assert f"analysis #{older.pk}" in replayed.source and replayed.trends[0].periods == ["2023-12"]
    before_any = risk_evidence(risk, viewer=personas["ana"], at=timezone.now() - dt.timedelta(days=9))
    assert not before_any.source
    assert evidence.trends[0].series == {"Administration": [0.11, 0.22], "PORT1": [None, 0.44]}
    assert [(x["entity_id"], x["explanation"]) for x in evidence.leads] == [("OFF-PORT", "port overrides")]

    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert "0.440" in page and "port overrides" in page and "airport overrides" not in page
    assert reverse("measure:lead", args=[lead.pk]) in page  # analysts may open the lead in Measure
    audit_page = (
        client_for(personas["aude"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    )
    assert "port overrides" in audit_page and reverse("measure:lead", args=[lead.pk]) not in audit_page


def test_a_failed_run_is_not_evidence(personas, make_risk, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _db_run(status=RunStatus.FAILED)
    risk = make_risk(indicator_codes=["BP1"])
    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert "No analysis of clearance data has been published yet" in page


def test_without_analysis_the_page_says_so(personas, make_risk, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    risk = make_risk(indicator_codes=["BP1"])
    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert "No analysis of clearance data has been published yet" in page


def test_an_unreadable_output_is_reported_not_raised(personas, make_risk, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    broken = tmp_path / "analysis" / "run"
    broken.mkdir(parents=True)
    (broken / "indicators.parquet").write_bytes(b"not parquet")
    risk = make_risk(indicator_codes=["BP1"])
    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk]))
    assert page.status_code == 200 and "The analysis could not be read" in page.content.decode()


def _no_real_officer(page: str) -> list[str]:
    from arusha_web.measure.tests.record_data import officer_ids_in

    return officer_ids_in(page)


def test_leads_with_records_are_masked_by_field_for_a_pseudonymising_analyst(
    personas, make_risk, settings, tmp_path
):
    """Officer ids of any format, the pair's officer and the officers an office lead names."""
    from arusha_web.measure.selectors import pseudonym
    from arusha_web.measure.tests.record_data import imported_run

    settings.VAR_DIR = tmp_path
    settings.ARUSHA_PSEUDONYMISE_OFFICERS = True
    imported_run(tmp_path, personas["ana"])
    risk = make_risk(None, indicator_codes=["BP1", "AFTER_HOURS", "CP1", "BP6", "BP2", "BENFORD_MAD"])
    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert not _no_real_officer(page)
    assert f"{pseudonym('jdupont')}, {pseudonym('00871')}" in page
    assert "March – May 2024" in page and "Officer 74021" not in page
    # The integrity unit sees who the leads are about.
    integrity = (
        client_for(personas["ingrid"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    )
    assert set(_no_real_officer(integrity)) == {"74021", "jdupont", "00871", "kmensah"}


def test_leads_read_from_an_output_folder_are_masked_by_field_too(personas, make_risk, settings, tmp_path):
    from arusha_web.measure.tests.record_data import analysis_folder

    settings.ARUSHA_PSEUDONYMISE_OFFICERS = True
    settings.VAR_DIR = tmp_path
    analysis_folder(tmp_path / "analysis", trader_risk=False)
    risk = make_risk("PORT1", indicator_codes=["BP1", "AFTER_HOURS", "CP1", "BP2"])
    evidence = risk_evidence(risk, viewer=personas["ana"])
    # PORT1's leads (from the office column of the records), strongest first.
    assert [lead["kind"] for lead in evidence.leads] == [
        "after_hours_release", "channel_override", "officer_declarant_pairing", "detection_shortfall"
    ]  # fmt: skip
    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert not _no_real_officer(page)
    assert "signed 40 of 120 releases outside working hours" in page
