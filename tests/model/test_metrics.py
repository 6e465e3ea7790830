"""Targeting metrics against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from arusha.model import metrics

Y = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
SCORE = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
REVENUE = np.array([100.0, 0, 50, 0, 0, 850, 0, 0, 0, 0])


def test_precision_recall_revenue_at_top_shares() -> None:
    assert metrics.precision_at(Y, SCORE, 0.10) == 1.0  # top 1: a hit
    assert metrics.precision_at(Y, SCORE, 0.20) == 0.5  # top 2: hit, miss
    assert metrics.precision_at(Y, SCORE, 0.50) == pytest.approx(0.4)  # 2 of 5
    assert metrics.recall_at(Y, SCORE, 0.50) == pytest.approx(2 / 3)
    assert metrics.revenue_at(REVENUE, SCORE, 0.20) == pytest.approx(0.10)
    assert metrics.revenue_at(REVENUE, SCORE, 0.50) == pytest.approx(0.15)


def test_auc_counts_ordered_pairs() -> None:
    # positives at .9, .7, .4 beat 7 + 6 + 4 of the 7 negatives: 17 / 21
    assert metrics.roc_auc(Y, SCORE) == pytest.approx(17 / 21)
    assert metrics.roc_auc(Y, np.zeros(10)) == pytest.approx(0.5)  # ties count half
    assert metrics.roc_auc(np.zeros(4), np.arange(4.0)) is None  # one class: undefined


def test_ties_do_not_pick_the_hits() -> None:
    y = np.array([0, 0, 0, 1])
    assert metrics.precision_at(y, np.ones(4), 0.25) == 0.0  # stable order, not the lucky row


def test_no_positive_or_no_revenue_gives_none() -> None:
    assert metrics.recall_at(np.zeros(5), np.arange(5.0), 0.2) is None
    assert metrics.revenue_at(np.zeros(5), np.arange(5.0), 0.2) is None


def test_reliability_table() -> None:
    table = metrics.reliability(np.array([0, 1, 1, 1]), np.array([0.05, 0.05, 0.95, 0.95]))
    assert table["bin"].tolist() == ["0.0–0.1", "0.9–1.0"]
    assert table["observed"].tolist() == [0.5, 1.0]
    assert table["predicted"].tolist() == pytest.approx([0.05, 0.95])
    assert table["declarations"].tolist() == [2, 2]


def test_summary_keys_match_the_json_contract() -> None:
    out = metrics.summary(Y, SCORE, REVENUE)
    for key in ("precision@1%", "precision@5%", "recall@10%", "revenue@2%", "auc", "n", "base_rate"):
        assert key in out
    assert out["n"] == 10 and out["base_rate"] == pytest.approx(0.3)
