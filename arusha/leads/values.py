"""Values: low declared values an officer accepted, and values a broker seems to make up.

``unit_value_gap`` (accepted undervaluation): examined files (yellow or red) released without
adjustment and without a discrepancy although a line's value per kg is under half the HS6 × origin
median, per officer and officer × importer, against other officers' decisions on the same
importer's files. An importer whose goods are genuinely cheap is accepted by everyone, so its
files expect it; low values that pass green involve no officer and are trader risk instead.

``fabricated_values`` (a broker's filing practice): the first digit (1–9) of each declaration's
largest item value and round declarations (every line in whole thousands) a declarant files,
against the same importers' declarations filed by other declarants (shrunk toward all of them), each of the ten patterns scanned over months; the strongest
is kept, its p-value multiplied by ten. Only windows that leave at least three of the broker's own
months out are tried, and the months outside set the baseline (``scan.py``'s own history): an
importer whose invoices are in round thousands all year is his honest practice, not fabrication;
a broker who fabricates all year long is not found by this test.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa

from arusha.leads import family, standardise
from arusha.leads.family import Candidates
from arusha.leads.frame import Decisions, _encode
from arusha.leads.scan import Effect, by_unit_month, scan

PATTERNS: Final = [*(str(d) for d in range(1, 10)), "round"]
DIGIT_SHRINK: Final = 30.0  # lines of the overall distribution an importer's own is shrunk toward
# A broker's digits are judged against his own months: windows leave at least three of them out.
OWN_MONTHS: Final = 3
# An importer's own digit practice: its month at this quantile of its months (by share). Below the
# median, so that a broker who fabricates for up to two thirds of the year leaves it unchanged
# (the dev worlds' 8-month scheme was lost at the median; the clean world stayed without a lead).
IMPORTER_MONTH_QUANTILE: Final = 0.3
MONTH_SHRINK: Final = 20.0  # declarations of the importer's year a month's share is shrunk toward


def accepted_low_values(dec: Decisions, effect: Effect) -> list[Candidates]:
    ch_f = dec.codes("ch_f")
    rows = np.flatnonzero((ch_f >= 2) & dec.flag("released") & (dec.codes("uv_lines") > 0))
    accepted = (dec.codes("uv_low")[rows] > 0) & ~dec.flag("adjusted")[rows] & ~dec.flag("hit")[rows]
    officer = dec.codes("officer_id")[rows]
    levels = (
        ("office_code",),
        ("office_code", "ch_f"),
        ("office_code", "ch_f", "month"),
        ("importer_id", "office_code"),
        ("importer_id", "office_code", "month"),
    )
    return family.officer_and_pairs(
        dec,
        "unit_value_gap",
        rows,
        accepted.astype(np.float64),
        officer,
        levels,
        "importer_id",
        "officer_importer_pair",
        effect=effect,
    )


def low_values_passing_green(dec: Decisions, effect: Effect) -> Candidates:
    """Importers whose goods pass green or blue at low values: trader risk, not an integrity lead."""
    rows = np.flatnonzero((dec.codes("ch_f") <= 1) & (dec.codes("ch_f") >= 0) & (dec.codes("uv_lines") > 0))
    low = (dec.codes("uv_low")[rows] > 0).astype(np.float64)
    importer = dec.codes("importer_id")[rows]
    strata = family.chain(dec, rows, (("office_code",), ("office_code", "month")))
    rate, ok = standardise.expected_rates(importer, strata, low)
    return family.run(
        dec,
        "low_unit_values",
        "importer",
        rows,
        low,
        rate,
        ok,
        importer,
        None,
        None,
        None,
        effect=effect,
        entity=importer,
        entity_column="importer_id",
    )


def _digit_rows(digits: pa.Table, dec: Decisions) -> tuple[np.ndarray, ...]:
    """Per (declarant, importer, month): codes, lines, and counts per pattern (10 columns)."""
    declarant, names = _encode(digits["declarant_id"], pa.array(list(dec.names["declarant_id"]), pa.string()))
    importer, imp_names = _encode(
        digits["importer_id"], pa.array(list(dec.names["importer_id"]), pa.string())
    )
    dec.names["declarant_id"] = np.asarray(names.to_pylist(), dtype=object)
    dec.names["importer_id"] = np.asarray(imp_names.to_pylist(), dtype=object)
    label_first = int(dec.months[0][:4]) * 12 + int(dec.months[0][5:]) - 1 if dec.months else 0
    month = digits["month"].to_numpy().astype(np.int64) - label_first
    digit = digits["digit"].to_numpy().astype(np.int64)
    lines = digits["lines"].to_numpy().astype(np.float64)
    rounds = digits["round_lines"].to_numpy().astype(np.float64)
    cell = standardise.combine(declarant, importer, month)
    cells = int(cell.max(initial=-1)) + 1
    counts = np.zeros((cells, len(PATTERNS)))
    for d in range(1, 10):
        counts[:, d - 1] = np.bincount(cell, weights=np.where(digit == d, lines, 0.0), minlength=cells)
    counts[:, 9] = np.bincount(cell, weights=rounds, minlength=cells)
    total = np.bincount(cell, weights=lines, minlength=cells)
    first_row = np.unique(cell, return_index=True)[1]
    return declarant[first_row], importer[first_row], month[first_row], total, counts


def fabricated_values(
    dec: Decisions, digits: pa.Table | None, effect: Effect
) -> tuple[Candidates, Candidates]:
    """Declarants (the lead) and importers (trader risk) whose lines show an unusual digit or round-value pattern."""
    if digits is None or digits.num_rows == 0:
        from arusha.leads.family import empty

        return empty("fabricated_values", "declarant"), empty("unusual_digits", "importer")
    declarant, importer, month, total, counts = _digit_rows(digits, dec)
    months = len(dec.months)
    valid = (month >= 0) & (month < months)
    declarant, importer, month, total, counts = (
        declarant[valid],
        importer[valid],
        month[valid],
        total[valid],
        counts[valid],
    )
    overall = counts.sum(axis=0) / max(float(total.sum()), 1.0)
    brokers = _pattern_scan(
        dec,
        "fabricated_values",
        "declarant",
        "declarant_id",
        declarant,
        importer,
        month,
        total,
        counts,
        overall,
        effect,
    )
    traders = _pattern_scan(
        dec,
        "unusual_digits",
        "importer",
        "importer_id",
        importer,
        None,
        month,
        total,
        counts,
        overall,
        effect,
    )
    return brokers, traders


def _typical_month_share(
    importer: np.ndarray, month: np.ndarray, event: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """Each importer's share in a low month of those it filed in, whoever filed (per importer code).

    A low month, not the year: a fixed-price importer is round every month, so its broker's round
    declarations are expected; a broker who fabricates for a few months raises its importers' year
    but not their lower months, so what he invented stays excess.
    """
    frame = pd.DataFrame({"importer": importer, "month": month, "event": event, "total": total})
    by_month = frame.groupby(["importer", "month"], sort=False)[["event", "total"]].sum()
    by_month = by_month[by_month.total > 0]
    # Each month's share shrunk toward the importer's year: a month of twenty declarations at an
    # honest 3 % shows 0 round ones more often than not, and its bare share would make the lower
    # months of every small importer zero (an honest broker then looked like a fabricator).
    year = by_month.groupby(level="importer")[["event", "total"]].transform("sum")
    share = (by_month.event + MONTH_SHRINK * year.event / year.total) / (by_month.total + MONTH_SHRINK)
    low = share.groupby(level="importer").quantile(IMPORTER_MONTH_QUANTILE)
    out = np.zeros(int(importer.max(initial=-1)) + 1)
    out[low.index.to_numpy(dtype=np.int64)] = low.to_numpy()
    return out


def _pattern_scan(
    dec: Decisions,
    kind: str,
    entity_type: str,
    column: str,
    unit: np.ndarray,
    within: np.ndarray | None,
    month: np.ndarray,
    total: np.ndarray,
    counts: np.ndarray,
    overall: np.ndarray,
    effect: Effect,
) -> Candidates:
    """Scan each unit × pattern; keep each unit's strongest pattern (p × 10)."""
    units = int(unit.max(initial=-1)) + 1
    best = None
    tested = 0
    for j, _pattern in enumerate(PATTERNS):
        event = counts[:, j]
        if within is not None:
            # Each importer's low month, whoever filed (this broker included), shrunk toward
            # all declarations. Most importers file through one broker, so "the same importers
            # with other brokers" was mostly the overall share: an honest broker of two
            # fixed-price importers (whole thousands all year) then stood out whenever his mix
            # of clients shifted (a strong lead on the dev clean world, score 10.5). A broker
            # who fabricates for less than two thirds of the year leaves his importers' low
            # months as they were; one who does it longer is not found (docs/engine.md).
            typical = _typical_month_share(within, month, event, total)
            n = np.bincount(within, weights=total)[within]
            share = (typical[within] * n + DIGIT_SHRINK * overall[j]) / (n + DIGIT_SHRINK)
        else:
            k = float(event.sum()) - np.bincount(unit, weights=event, minlength=units)[unit]
            n = float(total.sum()) - np.bincount(unit, weights=total, minlength=units)[unit]
            share = k / np.maximum(n, 1.0)
        observed = by_unit_month(unit, month, event, units, len(dec.months))
        expected = by_unit_month(unit, month, family.quantised(total * share), units, len(dec.months))
        files = by_unit_month(unit, month, total, units, len(dec.months))
        found, n_tested, _phi = scan(observed, expected, files, "high", effect, own_history=OWN_MONTHS)
        tested = max(tested, n_tested)
        if found.empty:
            continue
        found = found.assign(pattern=_pattern)
        best = found if best is None else pd.concat([best, found])
    if best is None:
        from arusha.leads.family import empty

        out = empty(kind, entity_type)
        out.tested = tested
        return out
    best = best.sort_values(["p", "ratio_low"], ascending=[True, False], kind="stable").drop_duplicates(
        "unit"
    )
    records = []
    for r in best.itertuples():
        records.append(
            family.record(
                dec,
                r,
                kind=kind,
                entity_type=entity_type,
                entity_id=dec.label(column, int(r.unit)),
                p=min(1.0, float(r.p) * len(PATTERNS)),
                basis=f"pattern:{r.pattern}",
            )
        )
    return Candidates(kind, entity_type, pd.DataFrame(records, columns=family.CANDIDATE_COLUMNS), tested)
