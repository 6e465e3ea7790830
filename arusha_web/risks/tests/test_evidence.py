"""Live evidence on the risk page from a (tiny) analysis output directory."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.urls import reverse

from arusha_web.conftest import client_for
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
    ]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), out / "indicators.parquet")
    (out / "signals.csv").write_text(
        "entity_type,entity_id,score,kind,explanation\n"
        "officer,OFF002,7.5,channel_override,relaxed 12 of 20 red declarations\n"
        "officer,OFF009,9.1,channel_override,relaxed 15 of 18 red declarations\n"
        "officer,OFF003,8.0,unit_value_gap,low unit values\n",
        encoding="utf-8",
    )
    return out


def test_the_newest_run_is_read(tmp_path):
    old = _write_run(tmp_path, "run-a", [0.1, 0.2, 0.3])
    new = _write_run(tmp_path, "run-b", [0.4, 0.5, 0.6])
    os.utime(old / "indicators.parquet", (time.time() - 3600, time.time() - 3600))
    assert latest_analysis_dir(tmp_path) == new


def test_risk_page_shows_trend_table_and_matching_leads(personas, make_risk, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _write_run(tmp_path, "run", [0.1, 0.25, 0.3])
    risk = make_risk("PORT1", indicator_codes=["BP1"])
    evidence = risk_evidence(risk)
    trend = evidence.trends[0]
    assert trend.periods == ["2024-01", "2024-02", "2024-03"]  # "all" is not a period of the trend
    assert trend.series == {"Administration": [0.1, 0.25, 0.3], "PORT1": [None, 0.5, None]}
    assert [lead["entity_id"] for lead in evidence.leads] == [
        "OFF009",
        "OFF002",
    ]  # kind filtered, strongest first
    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert "<svg" in page and "0.250" in page and "relaxed 15 of 18 red declarations" in page
    assert "low unit values" not in page


def test_without_analysis_the_page_says_so(personas, make_risk, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    risk = make_risk(indicator_codes=["BP1"])
    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert "No analysis of clearance data has been run yet" in page


def test_an_unreadable_output_is_reported_not_raised(personas, make_risk, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    broken = tmp_path / "analysis" / "run"
    broken.mkdir(parents=True)
    (broken / "indicators.parquet").write_bytes(b"not parquet")
    risk = make_risk(indicator_codes=["BP1"])
    page = client_for(personas["ana"]).get(reverse("risks:risk_detail", args=[risk.pk]))
    assert page.status_code == 200 and "The latest analysis could not be read" in page.content.decode()
