"""Expected versus found on generated data and on hand-made tables, and bad risk_scores."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pandas as pd
import pytest

from arusha import backends
from arusha.analysis import analyze_store
from arusha.detection import DETECTION_COLUMNS, RiskScoresError, expected_vs_found
from arusha.leads.ranking import STRONG_SCORE


def _leads(analysis: Path) -> pd.DataFrame:
    leads = pd.read_csv(analysis / "signals.csv")
    return leads[leads.kind == "detection_shortfall"]


def test_the_rubber_stamp_officer_ranks_first_and_honest_officers_are_not_flagged(
    planted: dict[str, Any],
) -> None:
    rubber = next(a for a in planted["truth_json"]["anomalies"] if a["kind"] == "detection_shortfall")
    leads = _leads(planted["dir"] / "analysis")
    assert list(leads.entity_id)[0] == rubber["entity_id"]
    assert leads.iloc[0].score >= STRONG_SCORE
    assert leads.iloc[0].basis == "risk_model"
    explanation = leads.iloc[0].explanation
    assert "inspections" in explanation and "expected from the risk model" in explanation
    assert "not a conclusion" in explanation
    # The busiest honest officer inspects more than the rubber stamp and is not flagged.
    table = pd.read_parquet(planted["dir"] / "analysis" / "detection.parquet")
    whole = table[(table.entity_type == "officer") & (table.period == "all")]
    planted_ids = {a["entity_id"] for a in planted["truth_json"]["anomalies"]}
    honest = whole[~whole.entity_id.isin(planted_ids)].sort_values("inspected").iloc[-1]
    assert honest.entity_id not in set(leads.entity_id)
    assert honest.expected_low <= honest.found <= honest.expected_high
    row = whole[whole.entity_id == rubber["entity_id"]].iloc[0]
    assert row.found < row.expected_low


def test_detection_table_adds_up_to_the_declarations(planted: dict[str, Any]) -> None:
    table = pd.read_parquet(planted["dir"] / "analysis" / "detection.parquet")
    assert list(table.columns) == DETECTION_COLUMNS
    con = duckdb.connect(str(planted["store"]), read_only=True)
    direct = con.execute(
        """
        SELECT d.officer_id, count(*) AS inspected, sum(CASE WHEN inspection_result = 'discrepancy' THEN 1 ELSE 0 END)
               AS found, sum(r.probability) AS expected
        FROM declarations d JOIN risk_scores r USING (declaration_id)
        WHERE inspection_result IN ('discrepancy', 'no_discrepancy') GROUP BY ALL
        """
    ).df()
    revenue = con.execute(
        """
        SELECT d.officer_id, sum(r.expected_additional_duties) AS revenue_at_risk
        FROM declarations d JOIN risk_scores r USING (declaration_id)
        WHERE released_at IS NOT NULL AND coalesce(inspection_result, '') <> 'discrepancy'
          AND (assessed_value IS NULL OR abs(assessed_value - declared_value) <= 0.005 * declared_value)
          AND (duties_assessed IS NULL OR duties_assessed <= coalesce(duties_declared, 0) * 1.005 + 0.005)
        GROUP BY ALL
        """
    ).df()
    con.close()
    whole = table[(table.entity_type == "officer") & (table.period == "all")].set_index("entity_id")
    direct = direct.set_index("officer_id").join(revenue.set_index("officer_id"))
    assert set(whole.index) == set(direct.index)
    joined = whole.merge(direct, left_index=True, right_index=True, suffixes=("", "_sql"))
    assert (joined.inspected == joined.inspected_sql).all() and (joined.found == joined.found_sql).all()
    assert joined.expected.to_numpy() == pytest.approx(joined.expected_sql.to_numpy())
    assert joined.revenue_at_risk.to_numpy() == pytest.approx(joined.revenue_at_risk_sql.to_numpy())
    # Months add up to the whole window, and offices to their officers.
    monthly = (
        table[(table.entity_type == "office") & (table.period != "all")].groupby("entity_id").inspected.sum()
    )
    offices = (
        table[(table.entity_type == "office") & (table.period == "all")].set_index("entity_id").inspected
    )
    assert (monthly.sort_index() == offices.sort_index()).all()
    assert offices.sum() == whole.inspected.sum()


def test_outputs_and_report_section(planted: dict[str, Any]) -> None:
    out = planted["dir"] / "analysis"
    targeting = pd.read_csv(out / "targeting_quality.csv")
    assert {"office_code", "period", "hit_rate", "model_top_hit_rate", "model_top_inspected_share"} <= set(
        targeting.columns
    )
    assert targeting.period.str.match(r"^\d{4}-\d{2}$").all()
    html = (out / "report.html").read_text()
    assert "<h2>Expected versus found</h2>" in html and "Revenue at risk" in html


def test_clean_data_gives_no_shortfall_lead(clean: Path) -> None:
    assert (clean / "detection.parquet").exists()
    assert _leads(clean).empty


def test_no_risk_scores_table_means_no_detection(planted: dict[str, Any], tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    shutil.copy(planted["store"], store)
    con = duckdb.connect(str(store))
    con.execute("DROP TABLE risk_scores")
    con.close()
    result = analyze_store(store, tmp_path / "out")
    # Without the model, inspections are compared with other officers' on comparable files.
    assert set(_leads(tmp_path / "out").basis) <= {"peers"}
    assert not (tmp_path / "out" / "detection.parquet").exists()
    assert not any(code.startswith("EXPECTED_FOUND") for code in result.not_computable)


def test_unusable_risk_scores_are_reported_and_the_rest_is_kept(
    planted: dict[str, Any], tmp_path: Path
) -> None:
    store = tmp_path / "store.duckdb"
    shutil.copy(planted["store"], store)
    con = duckdb.connect(str(store))
    con.execute("UPDATE risk_scores SET probability = 1.3 WHERE declaration_id = 'DEC-00000007'")
    con.close()
    message = "risk_scores has 1 probabilities outside [0, 1], e.g. declaration DEC-00000007: 1.3"
    result = analyze_store(store, tmp_path / "out")
    assert message in result.not_computable["EXPECTED_FOUND"]
    assert result.not_computable["EXPECTED_FOUND"].startswith("not computable (")
    assert set(_leads(tmp_path / "out").basis) <= {"peers"}
    assert result.signals > 0 and (tmp_path / "out" / "report.html").exists()


# --- Hand-made tables ---------------------------------------------------------------------------

JAN = dt.datetime(2024, 1, 10, 9)
CON = backends.connect()
_made = iter(range(10**6))


def _table(rows: dict[str, list[Any]]) -> ibis.Table:
    """Return ``rows`` as a DuckDB table (both sides of the join must live on one backend)."""
    name, frame = f"t{next(_made)}", pd.DataFrame(rows)
    CON.con.register(f"{name}_df", frame)
    CON.raw_sql(f"CREATE TABLE {name} AS SELECT * FROM {name}_df")
    return CON.table(name)


def _declarations(**overrides: list[Any]) -> ibis.Table:
    rows = {
        "declaration_id": ["A", "B", "C", "D"],
        "office_code": ["X"] * 4,
        "officer_id": ["O1", "O1", "O1", "O2"],
        "channel_final": ["green", "yellow", "red", "green"],
        "registered_at": [JAN] * 4,
        "released_at": [JAN] * 4,
        "inspection_result": ["none", "no_discrepancy", "discrepancy", "none"],
        "declared_value": [100.0] * 4,
        "assessed_value": [100.0, 100.0, 130.0, 100.0],
        "duties_declared": [10.0] * 4,
        "duties_assessed": [10.0, 10.0, 13.0, 10.0],
    }
    rows.update(overrides)
    return _table(rows)


def _scores(**overrides: list[Any]) -> ibis.Table:
    rows = {
        "declaration_id": ["A", "B", "C", "D"],
        "probability": [0.9, 0.1, 0.5, 0.2],
        "expected_additional_duties": [9.0, 1.0, 5.0, 2.0],
        "model_id": ["m1"] * 4,
        "scored_at": [JAN] * 4,
    }
    rows.update(overrides)
    return _table(rows)


def test_hand_made_expected_found_and_revenue_at_risk() -> None:
    det = expected_vs_found(_declarations(), _scores())
    row = det.table[(det.table.entity_id == "O1") & (det.table.period == "all")].iloc[0]
    # O1 inspected B (0.1) and C (0.5), found one: expected 0.6; pmf 0.45, 0.5, 0.05.
    assert (row.inspected, row.found) == (2, 1)
    assert row.expected == pytest.approx(0.6)
    assert (row.expected_low, row.expected_high) == (0, 2)
    assert row.p_value == pytest.approx(0.95)
    # Released without adjustment: A (9) and B (1); C was adjusted.
    assert (row.released_unadjusted, row.revenue_at_risk) == (2, pytest.approx(10.0))
    assert det.model_ids == ["m1"]


def test_hand_made_targeting_quality() -> None:
    det = expected_vs_found(_declarations(), _scores())
    t = det.targeting.iloc[0]
    assert (t.office_code, t.period, t.inspected, t.found) == ("X", "2024-01", 2, 1)
    assert t.hit_rate == pytest.approx(0.5)
    assert t.expected_hit_rate == pytest.approx(0.3)
    # The model's top 2 are A (0.9, not inspected) and C (0.5, inspected, discrepancy).
    assert t.model_top_inspected_share == pytest.approx(0.5)
    assert t.model_top_hit_rate == pytest.approx(1.0)
    assert t.model_top_expected_hit_rate == pytest.approx(0.7)


def test_declarations_without_officer_are_not_computable_at_officer_level() -> None:
    det = expected_vs_found(_declarations(officer_id=[None] * 4), _scores())
    assert det.not_computable == {"EXPECTED_FOUND:officer": "not computable (missing column officer_id)"}
    assert set(det.table.entity_type) == {"office"}


def test_missing_inspection_result_is_not_computable() -> None:
    det = expected_vs_found(_declarations(inspection_result=[None] * 4), _scores())
    assert det.not_computable == {"EXPECTED_FOUND": "not computable (missing column inspection_result)"}
    assert det.table.empty


def test_duplicate_scores_keep_the_latest() -> None:
    later = dt.datetime(2024, 2, 1)
    scores = _scores(
        declaration_id=["A", "B", "C", "C"],
        probability=[0.9, 0.1, 0.5, 0.8],
        scored_at=[JAN, JAN, JAN, later],
    )
    det = expected_vs_found(_declarations(), scores)
    row = det.table[(det.table.entity_id == "O1") & (det.table.period == "all")].iloc[0]
    assert row.expected == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        (_scores().drop("probability"), "risk_scores lacks column probability"),
        (
            _scores(probability=[0.9, -0.1, 0.5, 0.2]),
            "1 probabilities outside [0, 1], e.g. declaration B: -0.1",
        ),
        (_scores(expected_additional_duties=[1.0, -5.0, 1.0, 1.0]), "negative expected additional duties"),
        (_scores(probability=["a", "b", "c", "d"]), "risk_scores.probability must be numeric"),
    ],
)
def test_bad_risk_scores_raise_a_clear_error(scores: ibis.Table, message: str) -> None:
    with pytest.raises(RiskScoresError, match=message.replace("[", r"\[").replace("]", r"\]")):
        expected_vs_found(_declarations(), scores)
