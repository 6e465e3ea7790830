"""The record's sentence carries its numbers; the kinds catalogue covers every kind the engine emits."""

from __future__ import annotations

import pytest

from arusha.leads import kinds
from arusha.leads.record import LEAD_COLUMNS, SIGNAL_COLUMNS, explain


def _record(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "entity_type": "officer",
        "entity_id": "74021",
        "kind": "release_before_payment",
        "officer_id": "74021",
        "other_id": "",
        "office_code": "PORT1",
        "window_start": "2024-03",
        "window_end": "2024-06",
        "observed": 31,
        "expected": 4.25,
        "n": 212,
        "ratio_low": 5.1,
        "excess_low": 17.4,
        "p": 3.2e-11,
        "related": "",
        "basis": "peers",
    }
    base.update(fields)
    return base


def test_signals_csv_keeps_its_five_columns_first() -> None:
    assert LEAD_COLUMNS[:5] == SIGNAL_COLUMNS == ["entity_type", "entity_id", "score", "kind", "explanation"]


def test_the_sentence_gives_who_what_how_often_against_whom_and_when() -> None:
    text = explain(_record())
    assert text.startswith(
        "officer 74021 at office PORT1 released goods before duties were paid on 31 of 212"
    )
    assert "from 2024-03 to 2024-06" in text and "4.2 expected from the other officers" in text
    assert "at least 5.1 times as often (17.4 or more above)" in text and "p = 3.2e-11" in text
    assert text.endswith("not a conclusion about the person.")


def test_pairs_offices_brokers_and_the_low_direction_read_right() -> None:
    pair = explain(
        _record(
            kind="officer_importer_pairing",
            entity_type="officer_importer_pair",
            other_id="I9",
            entity_id="74021|I9",
        )
    )
    assert pair.startswith(
        "officer 74021 with importer I9 at office PORT1 handled the importer's files on 31 of 212"
    )
    office = explain(_record(entity_type="office", entity_id="PORT1", officer_id="", related="74021;80113"))
    assert "leaving out officers with leads of their own (74021;80113)" in office
    assert office.endswith("not a conclusion about the office or its staff.")
    broker = explain(
        _record(
            kind="fabricated_values", entity_type="declarant", entity_id="B7", officer_id="", office_code=""
        )
    )
    assert broker.endswith("not a conclusion about the broker.") and "the other declarants" in broker
    low = explain(
        _record(
            kind="detection_shortfall",
            observed=2,
            expected=19.0,
            ratio_low=2.4,
            excess_low=8.1,
            basis="risk_model",
        )
    )
    assert "19.0 expected from the risk model" in low and "at most 1/2.4 of that (8.1 or more fewer)" in low
    assert "in 2024-03" in explain(_record(window_end="2024-03"))


@pytest.mark.parametrize("kind", [k.code for k in kinds.KINDS])
def test_every_kind_of_the_catalogue_has_its_own_sentence(kind: str) -> None:
    text = explain(_record(kind=kind))
    assert kinds.BY_CODE[kind].code == kind
    assert " on 31 of 212 " in text and kind not in text


def test_an_unknown_kind_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match="unknown lead kind 'nope'"):
        kinds.kind("nope")
