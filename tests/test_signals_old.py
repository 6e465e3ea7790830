"""End to end on synthetic data: planted anomalies rank at the top, clean data yields no strong lead."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from arusha import signals
from arusha.analysis import INDICATOR_SCHEMA
from arusha.signals import STRONG_SCORE, ShareSignal, benjamini_hochberg, share_leads


def test_planted_anomalies_rank_at_the_top(planted: dict[str, Any]) -> None:
    leads = pd.read_csv(planted["dir"] / "analysis" / "signals.csv")
    anomalies = planted["truth_json"]["anomalies"]
    # Slack for true spill-overs: the broker of a planted importer shares its low unit values.
    top = leads.head(len(anomalies) + 5)
    found = {(r.entity_type, r.entity_id) for r in top.itertuples()}
    for a in anomalies:
        assert (a["entity_type"], a["entity_id"]) in found, a
        row = leads[(leads.entity_type == a["entity_type"]) & (leads.entity_id == a["entity_id"])].iloc[0]
        assert row.score >= STRONG_SCORE


def test_signals_csv_follows_the_output_contract(planted: dict[str, Any]) -> None:
    path = planted["dir"] / "analysis" / "signals.csv"
    assert path.read_text().splitlines()[0] == "entity_type,entity_id,score,kind,explanation"
    leads = pd.read_csv(path)
    assert list(leads.score) == sorted(leads.score, reverse=True)
    assert set(leads.entity_type) <= {
        "officer",
        "declarant",
        "importer",
        "office",
        "officer_declarant_pair",
        "officer_importer_pair",
    }
    pairs = leads[leads.entity_type.str.endswith("_pair")]
    assert pairs.entity_id.str.count(r"\|").eq(1).all()


def test_explanations_give_the_numbers_and_stay_neutral(planted: dict[str, Any]) -> None:
    leads = pd.read_csv(planted["dir"] / "analysis" / "signals.csv")
    override = leads[(leads.kind == "channel_override") & (leads.entity_type == "officer")].iloc[0]
    assert " of red/yellow-channel declarations (" in override.explanation
    assert "for peers at office" in override.explanation
    assert all("not a conclusion" in e for e in leads.explanation)


def test_indicators_parquet_follows_the_output_contract(planted: dict[str, Any]) -> None:
    table = pq.read_table(planted["dir"] / "analysis" / "indicators.parquet")
    assert table.schema.equals(INDICATOR_SCHEMA)
    df = table.to_pandas()
    officers = df[(df.entity_type == "officer") & (df.indicator == "TF1") & (df.period != "all")]
    assert officers.peer_median.notna().all() and officers.period.str.match(r"^\d{4}-\d{2}$").all()
    assert df[df.entity_type == "administration"].z.isna().all()


def test_report_is_self_contained(planted: dict[str, Any]) -> None:
    html = (planted["dir"] / "analysis" / "report.html").read_text()
    assert "Top leads" in html and "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    for external in ("<script", "<link", "@import", "url("):
        assert external not in html


def test_clean_data_yields_no_strong_lead(clean: Path) -> None:
    leads = pd.read_csv(clean / "signals.csv")
    assert (leads.score < STRONG_SCORE).all(), leads.head()


OVERRIDES = ShareSignal("channel_override", "BP1", "officer", True, "relaxed", "declarations")


def _with_peers(*rows: dict[str, object]) -> pd.DataFrame:
    """Officer rows of BP1 at office X beside ten peers at a 5 % rate of 1,000 each."""
    peers = [{"entity_id": f"P{i}", "value": 0.05, "n": 1000} for i in range(10)]
    return pd.DataFrame([*rows, *peers]).assign(
        entity_type="officer", office_code="X", period="all", indicator="BP1"
    )


def test_a_small_count_does_not_outrank_a_large_one() -> None:
    # 3 of 6 (50%) versus 150 of 600 (25%) against a 5% peer rate: the larger sample is stronger evidence.
    rows = _with_peers(
        {"entity_id": "SMALL", "value": 0.5, "n": 6}, {"entity_id": "LARGE", "value": 0.25, "n": 600}
    )
    ranked = signals.rank_leads([share_leads(rows, OVERRIDES)], n_tests=12)
    assert list(ranked.entity_id)[0] == "LARGE"


def test_benjamini_hochberg_matches_hand_computation() -> None:
    q = benjamini_hochberg(np.array([0.001, 0.02, 0.03, 0.5]))
    assert np.allclose(q, [0.004, 0.04, 0.04, 0.5])


def test_leaving_out_candidates_whose_p_is_already_too_high_changes_no_lead() -> None:
    # q ≥ p for every candidate, so those with p ≥ MAX_Q never make a lead: dropping them early
    # (as the *_leads functions do, before writing their explanations) must give the same list.
    rng = np.random.default_rng(5)
    p = np.concatenate([rng.uniform(0, 0.002, 30), rng.uniform(0, 1, 300)])
    candidates = pd.DataFrame(
        {
            "entity_type": "officer",
            "entity_id": [f"O{i % 97}" for i in range(p.size)],
            "kind": "channel_override",
            "p": p,
            "explanation": [f"lead {i}" for i in range(p.size)],
        }
    )
    everything = signals.rank_leads([candidates], n_tests=1000)
    testable = signals.rank_leads([candidates[candidates.p < signals.MAX_Q]], n_tests=1000)
    assert len(everything) > 0
    pd.testing.assert_frame_equal(everything, testable)


def test_share_leads_keep_only_candidates_that_can_still_make_a_lead() -> None:
    rows = _with_peers(
        {"entity_id": "STRONG", "value": 0.3, "n": 400}, {"entity_id": "WEAK", "value": 0.12, "n": 25}
    )
    out = share_leads(rows, OVERRIDES)
    # WEAK passes the effect filter (3 of 25 = 12 % ≥ 2 × the peers' 6 %) but P(X ≥ 3 | 25, 0.06) ≈ 0.19.
    assert list(out.entity_id) == ["STRONG"]


def test_a_p_value_too_small_for_a_float_is_not_written_as_zero() -> None:
    # 900 of 1,000 against peers at 5 %: the exact tail underflows to 0.0 in double precision.
    rows = _with_peers({"entity_id": "HUGE", "value": 0.9, "n": 1000})
    out = share_leads(rows, OVERRIDES)
    assert out.p.iloc[0] == 0.0
    assert "exact binomial p < 1e-300." in out.explanation.iloc[0]
    assert "p = 0.0e+00" not in out.explanation.iloc[0]


def test_an_office_whose_officers_all_relax_channels_is_a_lead_against_the_other_offices() -> None:
    # Five officers at BAD each relax 30 % of 100 red/yellow declarations: their office peers are just
    # as bad, so no officer stands out; the office does, against four offices at 3 %.
    officers = [
        {"entity_type": "officer", "entity_id": f"O-BAD-{i}", "office_code": "BAD", "value": 0.3, "n": 100}
        for i in range(5)
    ]
    offices = [
        {"entity_type": "office", "entity_id": f"OK{i}", "office_code": f"OK{i}", "value": 0.03, "n": 1000}
        for i in range(4)
    ]
    offices.append(
        {"entity_type": "office", "entity_id": "BAD", "office_code": "BAD", "value": 0.3, "n": 500}
    )
    rows = pd.DataFrame([*officers, *offices]).assign(period="all", indicator="BP1")
    found = pd.concat([share_leads(rows, spec) for spec in signals.SHARE_SIGNALS if spec.indicator == "BP1"])
    assert list(zip(found.entity_type, found.entity_id, strict=True)) == [("office", "BAD")]
    text = found.explanation.iloc[0]
    assert (
        "office BAD had the channel relaxed" in text and "(150 of 500) vs 3.0% for the other offices" in text
    )
    assert text.endswith("not a conclusion about the office or its staff.")


def test_an_office_is_not_a_lead_for_what_one_of_its_officers_does() -> None:
    # O-BIG-1 relaxes 40 % of his 400 declarations; the 19 others at BIG relax 2 %, like the other offices.
    officers = [
        {"entity_type": "officer", "entity_id": f"O-BIG-{i}", "office_code": "BIG", "value": 0.02, "n": 400}
        for i in range(2, 21)
    ]
    officers.append(
        {"entity_type": "officer", "entity_id": "O-BIG-1", "office_code": "BIG", "value": 0.4, "n": 400}
    )
    big_k = 19 * 8 + 160
    offices = [
        {"entity_type": "office", "entity_id": f"OK{i}", "office_code": f"OK{i}", "value": 0.02, "n": 1000}
        for i in range(4)
    ]
    offices.append(
        {"entity_type": "office", "entity_id": "BIG", "office_code": "BIG", "value": big_k / 8000, "n": 8000}
    )
    rows = pd.DataFrame([*officers, *offices]).assign(period="all", indicator="BP1")
    found = pd.concat([share_leads(rows, spec) for spec in signals.SHARE_SIGNALS if spec.indicator == "BP1"])
    assert list(zip(found.entity_type, found.entity_id, strict=True)) == [("officer", "O-BIG-1")]


def _monthly_overrides(burst: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Ten officers at office A over six months, 2 of 50 red/yellow declarations relaxed a month;
    ``burst`` gives an officer's (month, relaxed) instead."""
    rows = []
    for i in range(10):
        officer = f"O-A-{i:02d}"
        for month in range(1, 7):
            k = burst[officer][1] if officer in burst and burst[officer][0] == month else 2
            period = f"2024-{month:02d}"
            rows.append({"entity_id": officer, "period": period, "value": k / 50, "n": 50})
    monthly = pd.DataFrame(rows).assign(entity_type="officer", office_code="A", indicator="BP1")
    whole = monthly.assign(k=np.rint(monthly.value * monthly.n)).groupby("entity_id", as_index=False)
    whole = whole.agg(k=("k", "sum"), n=("n", "sum"))
    whole = whole.assign(value=whole.k / whole.n, period="all", entity_type="officer", office_code="A")
    return pd.concat([monthly, whole.drop(columns="k").assign(indicator="BP1")], ignore_index=True)


def _officer_leads(rows: pd.DataFrame) -> pd.DataFrame:
    spec = next(s for s in signals.SHARE_SIGNALS if s.indicator == "BP1" and s.entity_type == "officer")
    return signals.rank_leads(
        [share_leads(rows[rows.period == "all"], spec), signals.period_leads(rows, spec)], 70
    )


def test_a_one_month_burst_is_a_lead_that_names_the_month() -> None:
    # O-A-03 relaxes 30 of 50 in March only: 40 of 300 (13 %) over the window, 60 % that month.
    leads = _officer_leads(_monthly_overrides({"O-A-03": (3, 30)}))
    assert list(leads.entity_id) == ["O-A-03"]
    text = leads.explanation.iloc[0]
    assert "on 60% of red/yellow-channel declarations in 2024-03 (30 of 50)" in text
    assert "vs 4.1% for peers at office A in 2024-03" in text  # (9 × 2 + 0.5) / (450 + 1)
    whole_only = signals.rank_leads(
        [share_leads(_monthly_overrides({"O-A-03": (3, 30)}).query("period == 'all'"), OVERRIDES)], 70
    )
    assert leads.score.iloc[0] > whole_only.score.iloc[0], "the month is stronger evidence than the window"


def test_one_line_per_officer_and_kind_in_the_window_where_the_evidence_is_clearest() -> None:
    # Steady excess every month: the whole window (6 × 12 of 50) is stronger than any single month.
    rows = _monthly_overrides({})
    rows.loc[(rows.entity_id == "O-A-01") & (rows.period != "all"), "value"] = 12 / 50
    rows.loc[(rows.entity_id == "O-A-01") & (rows.period == "all"), "value"] = 72 / 300
    leads = _officer_leads(rows)
    assert list(leads.entity_id) == ["O-A-01"]
    assert "(72 of 300)" in leads.explanation.iloc[0] and " in 2024-" not in leads.explanation.iloc[0]


def test_ordinary_monthly_ups_and_downs_are_no_lead() -> None:
    rng = np.random.default_rng(3)
    rows = _monthly_overrides({})
    monthly = rows.period != "all"
    rows.loc[monthly, "value"] = rng.binomial(50, 0.04, monthly.sum()) / 50
    assert _officer_leads(rows).empty


def test_two_outliers_at_one_office_are_each_compared_with_the_ordinary_officers() -> None:
    # A relaxes 300 of 1,000, B 120 of 1,000; the ten others 5 %. Against everyone else B's peers
    # would be at (500 + 300 + 0.5) / 11,001 = 7.3 %; without A they are at 5.0 %.
    rows = _with_peers(
        {"entity_id": "A", "value": 0.3, "n": 1000}, {"entity_id": "B", "value": 0.12, "n": 1000}
    )
    out = share_leads(rows, OVERRIDES).set_index("entity_id")
    assert set(out.index) == {"A", "B"}
    assert "vs 5.0% for peers at office X" in out.explanation["B"]
    assert "vs 5.0% for peers at office X" in out.explanation["A"]


def test_an_office_of_outliers_only_keeps_each_compared_with_the_others() -> None:
    # Two officers, both relaxing far more than... each other: nobody ordinary is left to compare with.
    rows = pd.DataFrame(
        [{"entity_id": "A", "value": 0.5, "n": 200}, {"entity_id": "B", "value": 0.05, "n": 2000}]
    ).assign(entity_type="officer", office_code="X", period="all", indicator="BP1")
    out = share_leads(rows, OVERRIDES)
    assert list(out.entity_id) == ["A"]
    assert "vs 5.0% for peers at office X" in out.explanation.iloc[0]
