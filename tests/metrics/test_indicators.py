"""Indicators on small literal tables, with answers computed by hand in the comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import pytest
from ibis.backends import BaseBackend

from arusha import contract, metrics
from arusha.metrics.catalogue import BY_CODE, not_computable_reason


def _ts(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _declarations(rows: list[dict[str, Any]]) -> ibis.Table:
    cols = contract.column_names("declarations")
    data = {c: [r.get(c) for r in rows] for c in cols}
    for c in ("registered_at", "assessed_at", "paid_at", "released_at"):
        data[c] = [_ts(v) for v in data[c]]
    return ibis.memtable(data, schema=contract.schema("declarations"))


BASE = {
    "office_code": "A",
    "declarant_id": "B1",
    "importer_id": "I1",
    "duties_declared": 100.0,
    "declared_value": 1000.0,
}
# 2024-01-01 is a Monday.
DECLARATIONS = [
    # O1, red relaxed to green, assessed the same day, released at 20:00 (after hours).
    {
        **BASE,
        "declaration_id": "D1",
        "officer_id": "O1",
        "channel_assigned": "red",
        "channel_final": "green",
        "registered_at": "2024-01-01 08:00",
        "assessed_at": "2024-01-01 10:00",
        "paid_at": "2024-01-01 11:00",
        "released_at": "2024-01-01 20:00",
        "inspection_result": "none",
    },
    # O1, red, assessed 144 h later, released 30 min before payment, discrepancy (+50 duties, fine 50).
    {
        **BASE,
        "declaration_id": "D2",
        "officer_id": "O1",
        "channel_assigned": "red",
        "channel_final": "red",
        "registered_at": "2024-01-02 09:00",
        "assessed_at": "2024-01-08 09:00",
        "paid_at": "2024-01-08 10:00",
        "released_at": "2024-01-08 09:30",
        "inspection_result": "discrepancy",
        "assessed_value": 1200.0,
        "duties_assessed": 150.0,
        "offence_code": "VAL",
        "penalty_amount": 50.0,
    },
    # O2, yellow, assessed after 11 h on the same day.
    {
        **BASE,
        "declaration_id": "D3",
        "officer_id": "O2",
        "channel_assigned": "yellow",
        "channel_final": "yellow",
        "registered_at": "2024-01-03 09:00",
        "assessed_at": "2024-01-03 20:00",
        "paid_at": "2024-01-04 08:00",
        "released_at": "2024-01-04 10:00",
        "inspection_result": "no_discrepancy",
    },
    # O2, green, never assessed (counts in TF3: registered more than 30 days before the data end).
    {
        **BASE,
        "declaration_id": "D4",
        "officer_id": "O2",
        "channel_assigned": "green",
        "channel_final": "green",
        "registered_at": "2024-01-06 09:00",
    },
    # O2, February, sets the data end.
    {
        **BASE,
        "declaration_id": "D5",
        "officer_id": "O2",
        "channel_assigned": "green",
        "channel_final": "green",
        "registered_at": "2024-02-20 09:00",
        "assessed_at": "2024-02-20 10:00",
        "paid_at": "2024-02-20 11:00",
        "released_at": "2024-02-20 12:00",
        "inspection_result": "none",
    },
]


def _values(
    con: BaseBackend, code: str, level: str, period: str = "month"
) -> dict[tuple[str, str], tuple[float, int]]:
    facts = metrics.declaration_facts(_declarations(DECLARATIONS))
    rows = con.to_pyarrow(metrics.indicator_table(facts, code, level, period)).to_pylist()
    return {(r["entity_id"], r["period"]): (r["value"], r["n"]) for r in rows if r["n"]}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("TF1", (0.5, 2)),  # D1 same day, D2 not
        ("TF2", (0.5, 2)),  # D2 after 144 h
        ("BP1", (0.5, 2)),  # D1 red -> green among two red
        ("BP1_RG", (0.5, 2)),
        ("AFTER_HOURS", (0.5, 2)),  # D1 released at 20:00
        ("REL_BEFORE_PAY", (0.5, 2)),  # D2 released 09:30, paid 10:00
        ("BP2", (1.0, 1)),  # one inspection (D2), a discrepancy
        ("BP3", (50.0, 1)),  # 150 - 100 extra duties over one inspected declaration
        ("RED_NO_INSP", (0.0, 1)),  # only D2 ends red, and it was inspected
        ("TF5", (78.25, 2)),  # median of 12 h and 144.5 h
        ("VOL_DECL", (2.0, 2)),
    ],
)
def test_officer_indicators(con: BaseBackend, code: str, expected: tuple[float, int]) -> None:
    value, n = _values(con, code, "officer")[("O1", "2024-01")]
    assert (pytest.approx(value), n) == expected


def test_office_indicators(con: BaseBackend) -> None:
    assert _values(con, "TF1", "office")[("A", "2024-01")] == (0.5, 4)  # D1, D3 of four
    assert _values(con, "TF4", "office")[("A", "2024-01")] == (1.0, 1)  # D3 within 24 h
    assert _values(con, "TF3", "administration")[("ALL", "2024-01")] == (0.25, 4)  # D4
    assert ("ALL", "2024-02") not in _values(con, "TF3", "administration")  # too recent to judge


def test_periods(con: BaseBackend) -> None:
    assert _values(con, "VOL_DECL", "administration", "quarter") == {("ALL", "2024-Q1"): (5.0, 5)}
    assert _values(con, "VOL_DECL", "administration", "all") == {("ALL", "all"): (5.0, 5)}


def test_pairing_excess(con: BaseBackend) -> None:
    rows = [
        {
            **BASE,
            "declaration_id": f"P{i}",
            "officer_id": o,
            "declarant_id": b,
            "channel_assigned": "green",
            "channel_final": "green",
            "registered_at": "2024-01-01 09:00",
        }
        for i, (o, b) in enumerate([("O1", "B1")] * 4 + [("O1", "B2")] + [("O2", "B2")] * 3)
    ]
    result = con.to_pyarrow(metrics.pairing_excess(_declarations(rows))).to_pylist()
    pair = next(r for r in result if r["entity_id"] == "O1|B1")
    # O1 handles 1 of the 4 files of other declarants: expected 4 × 0.25 = 1, observed 4.
    assert (pair["n"], pair["n_other"], pair["p_officer"], pair["value"]) == (4, 4, 0.25, 4.0)


def test_benford_deviation(con: BaseBackend) -> None:
    rows = [
        {**BASE, "declaration_id": f"B{i}", "declared_value": v, "registered_at": "2024-01-01 09:00"}
        for i, v in enumerate([100.0, 150.0, 1999.0])
    ]
    [r] = con.to_pyarrow(metrics.benford_deviation(_declarations(rows))).to_pylist()
    # All three start with 1 (expected share 0.30103): MAD = 2 × 0.69897 / 9; χ² = (3 − 0.903)²/0.903 + 2.097.
    assert r["mad"] == pytest.approx(2 * 0.69897 / 9, abs=1e-4)
    assert r["chi2"] == pytest.approx(6.966, abs=1e-2)
    assert r["top_digit"] == "1"


def test_missing_columns_make_indicators_not_computable() -> None:
    assert not_computable_reason(BY_CODE["BP1"], {"declared_value"}) == (
        "not computable (missing column channel_assigned)"
    )
    assert not_computable_reason(BY_CODE["BP6"], {"declared_value"}) == "not computable (missing table items)"
    assert not_computable_reason(BY_CODE["VOL_DECL"], set()) is None


def test_every_indicator_is_defined_in_english_and_french() -> None:
    for ind in metrics.CATALOGUE:
        assert ind.name_en and ind.name_fr and ind.definition_en and ind.definition_fr, ind.code
        assert ind.direction in {"higher_better", "higher_worse", "context"}
