"""Integrity leads: who, among those customs employs or licenses, decided unlike comparable colleagues.

One home for the lead pipeline (``docs/engine.md``, "Leads"):

- ``kinds.py``: the catalogue of lead kinds;
- ``decisions.py``: the one query (Ibis) that gives one slim row per declaration;
- ``frame.py``: that table as integer-coded arrays;
- ``standardise.py``: expected rates from other staff's comparable files (indirect standardisation);
- ``scan.py``: observed against expected over runs of months, negative binomial;
- one module per family of tests: ``overrides.py``, ``inspections.py``, ``releases.py``,
  ``fines.py``, ``values.py``, ``assignments.py``;
- ``ranking.py``: q-values within families, effect, one row per culprit and kind, the score;
- ``record.py``: the record columns of ``signals.csv`` and the English sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from arusha.leads import assignments, family, fines, inspections, overrides, ranking, releases, values
from arusha.leads.family import Candidates
from arusha.leads.frame import Decisions, from_arrow
from arusha.leads.record import LEAD_COLUMNS, SIGNAL_COLUMNS
from arusha.leads.scan import Effect

__all__ = ["LEAD_COLUMNS", "SIGNAL_COLUMNS", "TRADER_RISK_COLUMNS", "Leads", "find_leads"]

THREADS = 2
MAX_ROWS_FOR_THREADS = 2_000_000
SHARED_LEVELS = (("office_code",), ("office_code", "month"), ("importer_id", "office_code"))

TRADER_RISK_COLUMNS = [
    "importer_id",
    "kind",
    "score",
    "observed",
    "expected",
    "n",
    "ratio_low",
    "p",
    "q",
    "window_start",
    "window_end",
    "explanation",
]


@dataclass
class Leads:
    """The ranked integrity leads, the trader-risk list, and each family's test counts."""

    signals: pd.DataFrame
    trader_risk: pd.DataFrame
    families: dict[str, dict[str, float]] = field(default_factory=dict)


def find_leads(
    decisions: pa.Table | Decisions, digits: pa.Table | None = None, effect: Effect | None = None
) -> Leads:
    """Run every test on the decisions table (and the digit counts) and rank the leads.

    Args:
        decisions: :func:`arusha.leads.decisions.decision_table`, collected (or already coded by
            :func:`arusha.leads.frame.from_arrow`, which lets the caller free the rows first).
        digits: :func:`arusha.leads.decisions.digit_counts`, collected (``None`` without items).
        effect: The effect a lead needs (default: ratio bound 1.25, 2 over the whole span; excess bound 3).
    """
    effect = effect or Effect()
    dec = decisions if isinstance(decisions, Decisions) else from_arrow(decisions)
    if dec.size == 0:
        return Leads(pd.DataFrame(columns=LEAD_COLUMNS), pd.DataFrame(columns=TRADER_RISK_COLUMNS))
    signed = releases.signer(dec)
    # The levels every family shares are coded once, before the families run side by side.
    for names in SHARED_LEVELS:
        family.level_codes(dec, names)
    tests: list[Callable[[], list[Candidates]]] = [
        lambda: overrides.candidates(dec, effect),
        lambda: inspections.shortfall(dec, effect),
        lambda: inspections.red_without_inspection(dec, effect),
        lambda: values.accepted_low_values(dec, effect),
        lambda: [
            assignments.pairing(
                dec, effect, "declarant_id", "officer_declarant_pairing", "officer_declarant_pair"
            )
        ],
        lambda: [
            assignments.pairing(
                dec, effect, "importer_id", "officer_importer_pairing", "officer_importer_pair"
            )
        ],
        lambda: releases.delays(dec, effect),
        lambda: releases.after_hours(dec, effect, signed),
        lambda: releases.before_payment(dec, effect, signed),
        lambda: fines.low_penalties(dec, effect),
        lambda: [values.low_values_passing_green(dec, effect)],
        lambda: list(values.fabricated_values(dec, digits, effect)),
    ]
    # Two threads: NumPy and pandas release the interpreter lock in their loops, and the families
    # are independent; the results are gathered in the fixed order above. Not above 2 M
    # declarations: two families' arrays alive at once took 0.9 GB more at 5 M (5.3 GB against 4.4).
    threads = THREADS if dec.size <= MAX_ROWS_FOR_THREADS else 1
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(lambda test: test(), tests))
    *integrity, (green,), (brokers, digit_traders) = results
    families: list[Candidates] = [found for group in integrity for found in group]
    families.append(brokers)
    signals = ranking.rank(families)
    trader = trader_risk([green, digit_traders])
    summary = {
        f"{f.kind}:{f.entity_type}": {
            "tested": f.tested,
            "candidates": len(f.rows),
            "dispersion": f.dispersion,
        }
        for f in families
    }
    return Leads(signals, trader, summary)


def trader_risk(families: list[Candidates]) -> pd.DataFrame:
    """Importer-only patterns, ranked like leads: targeting information, never integrity leads."""
    frames = [ranking.with_q(f) for f in families]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=TRADER_RISK_COLUMNS)
    rows = pd.concat(frames, ignore_index=True)
    rows["score"] = (-np.log10(rows.q.to_numpy(dtype=float).clip(min=1e-300))).round(3)
    rows["importer_id"] = rows.entity_id
    what = {
        "low_unit_values": "declared values per kg below half the HS6 × origin median, passing green or blue",
        "unusual_digits": "declared item values with an unusual digit or round-value pattern",
    }
    rows["explanation"] = [
        f"importer {r.entity_id}: {what.get(r.kind, r.kind)} on {r.observed} of {r.n} "
        f"{'files' if r.kind == 'low_unit_values' else 'declarations'} from {r.window_start} to {r.window_end}; "
        f"{r.expected:.1f} expected from the other importers. For targeting, not an integrity lead."
        for r in rows.itertuples()
    ]
    rows = rows.sort_values(
        ["score", "ratio_low", "kind", "importer_id"], ascending=[False, False, True, True]
    )
    return rows[TRADER_RISK_COLUMNS].reset_index(drop=True)
