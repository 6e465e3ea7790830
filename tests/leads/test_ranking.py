"""Ranking: q within families, effect, one row per culprit and kind, ties by effect, corroboration."""

from __future__ import annotations

import numpy as np
import pandas as pd

from arusha.leads.family import CANDIDATE_COLUMNS, Candidates
from arusha.leads.ranking import CORROBORATION, benjamini_hochberg, rank


def _row(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "kind": "after_hours_release",
        "entity_type": "officer",
        "entity_id": "A",
        "officer_id": "A",
        "other_id": "",
        "office_code": "OFF1",
        "window_start": "2024-03",
        "window_end": "2024-05",
        "observed": 20,
        "expected": 4.0,
        "n": 100,
        "ratio_low": 3.0,
        "excess_low": 9.0,
        "p": 1e-6,
        "related": "",
        "unstandardised_n": 0,
        "basis": "peers",
    }
    base.update(fields)
    return base


def _family(
    rows: list[dict[str, object]], tested: int, kind: str = "after_hours_release", etype: str = "officer"
) -> Candidates:
    return Candidates(kind, etype, pd.DataFrame(rows, columns=CANDIDATE_COLUMNS), tested)


def test_q_values_are_computed_within_each_family() -> None:
    # The same p among 10 officers is a lead; among 200,000 pairs it is not. Pairs do not dilute officers.
    officers = _family([_row(p=1e-4)], tested=10)
    pairs = _family(
        [
            _row(
                p=1e-4,
                entity_type="officer_importer_pair",
                entity_id="B|I1",
                officer_id="B",
                other_id="I1",
                kind="officer_importer_pairing",
            )
        ],
        tested=200_000,
        kind="officer_importer_pairing",
        etype="officer_importer_pair",
    )
    leads = rank([officers, pairs])
    assert list(leads.entity_id) == ["A"]
    assert np.isclose(leads.q.iloc[0], 1e-3)
    assert np.isclose(leads.score.iloc[0], 3.0)


def test_ties_in_evidence_go_to_the_larger_effect_then_kind_and_id() -> None:
    rows = [
        _row(entity_id="B", officer_id="B", ratio_low=2.0, excess_low=20.0),
        _row(entity_id="C", officer_id="C", ratio_low=4.0, excess_low=5.0),
        _row(entity_id="D", officer_id="D", ratio_low=4.0, excess_low=8.0),
        _row(entity_id="E", officer_id="E", ratio_low=4.0, excess_low=8.0),
    ]
    leads = rank([_family(rows, tested=10)])
    assert list(leads.entity_id) == ["D", "E", "C", "B"]


def test_one_row_per_officer_and_kind_with_the_other_counterparts_counted() -> None:
    pairs = [
        _row(
            kind="officer_importer_pairing",
            entity_type="officer_importer_pair",
            entity_id=f"A|I{i}",
            other_id=f"I{i}",
            p=p,
        )
        for i, p in enumerate([1e-9, 1e-5, 1e-4])
    ]
    leads = rank([_family(pairs, tested=100, kind="officer_importer_pairing", etype="officer_importer_pair")])
    assert len(leads) == 1
    assert leads.iloc[0].entity_id == "A|I0" and leads.iloc[0].counterparts == 2


def test_other_kinds_of_the_same_culprit_add_a_tenth_of_their_score() -> None:
    hours = _family([_row(p=1e-6)], tested=1)
    payment = _family([_row(kind="release_before_payment", p=1e-4)], tested=1, kind="release_before_payment")
    leads = rank([hours, payment]).set_index("kind")
    assert np.isclose(leads.score["after_hours_release"], 6 + CORROBORATION * 4)
    assert np.isclose(leads.score["release_before_payment"], 4 + CORROBORATION * 6)


def test_benjamini_hochberg_matches_hand_computation() -> None:
    assert np.allclose(benjamini_hochberg(np.array([0.001, 0.02, 0.03, 0.5])), [0.004, 0.04, 0.04, 0.5])
    # Among 10 tests of which 4 are candidates, the others count as p = 1.
    assert np.allclose(benjamini_hochberg(np.array([0.001, 0.02, 0.03, 0.5]), 10), [0.01, 0.1, 0.1, 1.0])
