"""End to end on the small synthetic data set: every planted integrity anomaly is a lead, clean data gives none."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from arusha.analysis import INDICATOR_SCHEMA
from arusha.leads import LEAD_COLUMNS, TRADER_RISK_COLUMNS
from arusha.leads.kinds import BY_CODE, ENTITY_TYPES
from arusha.leads.ranking import STRONG_SCORE

# Importer-only anomalies are trader risk now, not integrity leads; the broker whose values start
# with 9 does so all along, which the fabricated-values test takes for his importers' own practice
# (it judges a broker against his own months: see docs/engine.md).
TRADER_ONLY = {"unit_value_gap", "benford"}


def _integrity(anomaly: dict[str, Any]) -> bool:
    """The planted anomalies the engine is to find; a broker "benefiting" from many officers'
    relaxations is no lead of its own (docs/engine.md: it cannot be told from trusted traders)."""
    return anomaly["kind"] not in TRADER_ONLY and anomaly["entity_type"] != "declarant"


def _read(path: Any) -> pd.DataFrame:
    return pd.read_csv(
        path, dtype={"entity_id": str, "officer_id": str, "other_id": str}, keep_default_na=False
    )


def test_every_planted_integrity_anomaly_is_a_strong_lead_near_the_top(planted: dict[str, Any]) -> None:
    leads = _read(planted["dir"] / "analysis" / "signals.csv")
    anomalies = [a for a in planted["truth_json"]["anomalies"] if _integrity(a)]
    top = leads.head(len(anomalies) + 2)
    named = set(top.entity_id) | set(top.officer_id)
    for a in anomalies:
        assert a["entity_id"] in named, a
        row = leads[leads.entity_id == a["entity_id"]].iloc[0]
        assert row.score >= STRONG_SCORE


def test_the_importer_with_low_values_passing_green_is_trader_risk_not_a_lead(
    planted: dict[str, Any],
) -> None:
    importer = next(a for a in planted["truth_json"]["anomalies"] if a["kind"] == "unit_value_gap")[
        "entity_id"
    ]
    leads = _read(planted["dir"] / "analysis" / "signals.csv")
    assert importer not in set(leads.entity_id) and "importer" not in set(leads.entity_type)
    risk = pd.read_csv(planted["dir"] / "analysis" / "trader_risk.csv")
    assert list(risk.columns) == TRADER_RISK_COLUMNS
    assert importer in set(risk[risk.kind == "low_unit_values"].importer_id)


def test_signals_csv_follows_the_output_contract(planted: dict[str, Any]) -> None:
    path = planted["dir"] / "analysis" / "signals.csv"
    assert path.read_text().splitlines()[0].split(",") == LEAD_COLUMNS
    leads = _read(path)
    assert list(leads.score) == sorted(leads.score, reverse=True)
    assert set(leads.entity_type) <= set(ENTITY_TYPES)
    assert set(leads.kind) <= set(BY_CODE)
    pairs = leads[leads.entity_type.str.endswith("_pair")]
    assert (pairs.entity_id == pairs.officer_id + "|" + pairs.other_id).all()
    assert (
        leads.window_start.str.match(r"^\d{4}-\d{2}$").all()
        and (leads.window_start <= leads.window_end).all()
    )
    assert (leads.q < 0.05).all() and (leads.ratio_low >= 1.25).all() and (leads.excess_low >= 2).all()
    assert (
        leads.duplicated(["officer_id", "kind"]).sum()
        == leads[leads.officer_id == ""].duplicated(["officer_id", "kind"]).sum()
    )


def test_explanations_give_the_numbers_and_stay_neutral(planted: dict[str, Any]) -> None:
    leads = _read(planted["dir"] / "analysis" / "signals.csv")
    for r in leads.itertuples():
        assert f" on {r.observed} of {r.n} " in r.explanation
        assert "not a conclusion" in r.explanation


def test_indicators_parquet_follows_the_output_contract(planted: dict[str, Any]) -> None:
    table = pq.read_table(planted["dir"] / "analysis" / "indicators.parquet")
    assert table.schema.equals(INDICATOR_SCHEMA)
    df = table.to_pandas()
    officers = df[(df.entity_type == "officer") & (df.indicator == "TF1") & (df.period != "all")]
    assert officers.peer_median.notna().all() and officers.period.str.match(r"^\d{4}-\d{2}$").all()


def test_report_is_self_contained(planted: dict[str, Any]) -> None:
    html = (planted["dir"] / "analysis" / "report.html").read_text()
    assert "Top leads" in html and "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    for external in ("<script", "<link", "@import", "url("):
        assert external not in html


def test_clean_data_yields_no_strong_lead(clean: Any) -> None:
    leads = pd.read_csv(clean / "signals.csv")
    assert (leads.score < STRONG_SCORE).all(), leads.head()
