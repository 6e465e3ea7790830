"""Decision tables built by hand: a few offices, officers and importers over twelve months.

The lead tests run on :func:`arusha.leads.find_leads` or one family at a time, on tables whose
counts are set row by row, so each expected count can be worked out by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from arusha.leads.frame import Decisions, from_arrow

MONTH0 = 2024 * 12  # January 2024 in the decisions table's month numbering

DEFAULTS: dict[str, Any] = {
    "declaration_id": None,
    "office_code": "OFF1",
    "officer_id": "A",
    "declarant_id": "D1",
    "importer_id": "I1",
    "offence_code": None,
    "month": 0,
    "ch_a": 0,
    "ch_f": 0,
    "released": True,
    "release_h": 10.0,
    "after_hours": False,
    "due": True,
    "before_pay": False,
    "inspected": False,
    "hit": False,
    "result_none": True,
    "penalty": None,
    "evaded": 0.0,
    "adjusted": False,
    "release_actor": None,
    "inspection_events": 0,
    "reassigned": 0,
    "changer": None,
    "has_events": False,
    "uv_lines": 0,
    "uv_low": 0,
    "probability": None,
}
TYPES = {
    "month": pa.int32(),
    "ch_a": pa.int8(),
    "ch_f": pa.int8(),
    "release_h": pa.float64(),
    "penalty": pa.float64(),
    "evaded": pa.float64(),
    "probability": pa.float64(),
    "inspection_events": pa.int32(),
    "reassigned": pa.int32(),
    "uv_lines": pa.int32(),
    "uv_low": pa.int32(),
}


def table(rows: list[dict[str, Any]]) -> pa.Table:
    """A decisions table from row dicts (missing fields take :data:`DEFAULTS`; ``month`` counts from 0)."""
    columns: dict[str, list[Any]] = {name: [] for name in DEFAULTS}
    for i, row in enumerate(rows):
        for name, default in DEFAULTS.items():
            value = row.get(name, default)
            if name == "declaration_id" and value is None:
                value = f"X{i:07d}"
            if name == "month":
                value = MONTH0 + value
            columns[name].append(value)
    arrays = {}
    for name, values in columns.items():
        kind = TYPES.get(name)
        if kind is None:
            kind = pa.bool_() if isinstance(DEFAULTS[name], bool) else pa.string()
        arrays[name] = pa.array(values, kind)
    return pa.table(arrays)


def office_rows(
    officers: int = 6,
    months: int = 12,
    per_month: int = 30,
    office: str = "OFF1",
    seed: int = 0,
    **fields: Any,
) -> list[dict[str, Any]]:
    """Honest files: every officer of ``office`` handles ``per_month`` files a month, importers drawn at random."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(months):
        for o in range(officers):
            for _ in range(per_month):
                rows.append(
                    {
                        "office_code": office,
                        "officer_id": f"{office}-O{o}",
                        "importer_id": f"I{int(rng.integers(0, 40))}",
                        "declarant_id": f"D{int(rng.integers(0, 8))}",
                        "month": m,
                        **fields,
                    }
                )
    return rows


@pytest.fixture
def decisions() -> Callable[[list[dict[str, Any]]], Decisions]:
    return lambda rows: from_arrow(table(rows))


def honest_world(
    seed: int = 0, offices: int = 2, officers: int = 6, months: int = 12, per_month: int = 60
) -> list[dict[str, Any]]:
    """Honest files with ordinary background rates: the canvas the kind tests paint schemes on.

    Channels 55 % green, 5 % blue, 28 % yellow, 12 % red; 2 % of red/yellow relaxed after checks;
    2 % urgent after-hours releases; 1 % released before payment; 15 % of inspections find a
    discrepancy, fined in proportion to the duty evaded; 1 % of red files without inspection; a
    third of the files with priced lines, 3 % of them below half the reference value.
    """
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for f in range(offices):
        office = f"OFF{f + 1}"
        for m in range(months):
            for o in range(officers):
                for _ in range(per_month):
                    ch_a = int(rng.choice(4, p=[0.55, 0.05, 0.28, 0.12]))
                    ch_f = 0 if ch_a >= 2 and rng.random() < 0.02 else ch_a
                    inspected = ch_f >= 2
                    hit = bool(inspected and rng.random() < 0.15)
                    evaded = float(rng.uniform(1000, 50000)) if hit else 0.0
                    officer = f"{office}-O{o}"
                    rows.append(
                        {
                            "office_code": office,
                            "officer_id": officer,
                            "importer_id": f"I{int(rng.integers(0, 60))}",
                            "declarant_id": f"D{int(rng.integers(0, 10))}",
                            "month": m,
                            "ch_a": ch_a,
                            "ch_f": ch_f,
                            "changer": officer if ch_f != ch_a else None,
                            "release_h": float(np.exp(rng.normal(np.log([3, 2, 8, 30][ch_f]), 0.5))),
                            "after_hours": bool(rng.random() < 0.02),
                            "before_pay": bool(rng.random() < 0.01),
                            "inspected": inspected,
                            "hit": hit,
                            "result_none": (not inspected) or (ch_f == 3 and rng.random() < 0.01),
                            "offence_code": "VAL" if hit else None,
                            "evaded": evaded,
                            "penalty": 2.0 * evaded * float(np.exp(rng.normal(0, 0.2))) if hit else None,
                            "adjusted": hit,
                            "uv_lines": 1 if rng.random() < 0.33 else 0,
                            "uv_low": 1 if rng.random() < 0.01 else 0,
                            "release_actor": officer if ch_f >= 2 else "SYSTEM",
                            "has_events": True,
                            "inspection_events": 2 if inspected else 0,
                        }
                    )
    return rows
