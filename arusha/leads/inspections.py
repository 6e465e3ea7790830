"""Inspections: results that find less than expected, and red files with no inspection step.

``detection_shortfall`` (rubber-stamp inspections): the discrepancies an officer records against
what the risk model expected of those files where it scored them, else what other officers found
on comparable files (importer × office × channel × month and coarser). The channel key carries
whether the officer escalated the file himself: an officer who sends many low-risk files to red
legitimately finds less in them, and is compared with other officers' escalations.

``red_without_inspection``: red-channel files released with no inspection *event* when the event
log records inspections (a system fills ``inspection_result`` even where nobody inspected), else
with no inspection result.
"""

from __future__ import annotations

import numpy as np

from arusha.leads import family
from arusha.leads.family import Candidates
from arusha.leads.frame import Decisions
from arusha.leads.overrides import office_test
from arusha.leads.scan import Effect


def shortfall(dec: Decisions, effect: Effect) -> list[Candidates]:
    ch_a, ch_f = dec.codes("ch_a"), dec.codes("ch_f")
    rows = np.flatnonzero(dec.flag("inspected") & (ch_f >= 2))
    officer = dec.codes("officer_id")[rows]
    changer = dec.codes("changer")[rows]
    escalated = (ch_f[rows] > ch_a[rows]) & ((changer == officer) | (changer < 0))
    key = ch_f[rows] * 2 + escalated
    # Escalations are compared with other officers' escalations only: where nobody else at the
    # office escalates (fewer than 20 such files), the officer's own are left out, not compared
    # with ordinary red files they were never like.
    levels = (
        ("office_code", escalated.astype(np.int64)),
        ("office_code", key),
        ("office_code", key, "month"),
        ("importer_id", "office_code", key),
        ("importer_id", "office_code", key, "month"),
    )
    hit = dec.flag("hit")[rows].astype(np.float64)
    probability = dec.number("probability")[rows]
    model = probability if not np.isnan(probability).all() else None
    out = family.officer_and_pairs(
        dec,
        "detection_shortfall",
        rows,
        hit,
        officer,
        levels,
        direction="low",
        effect=effect,
        model_rate=model,
    )
    out.append(
        office_test(
            dec,
            "detection_shortfall",
            rows,
            hit,
            officer,
            ((), (key,), (key, "month")),
            out[0],
            effect,
            "low",
        )
    )
    return out


def red_without_inspection(dec: Decisions, effect: Effect) -> list[Candidates]:
    rows = np.flatnonzero((dec.codes("ch_f") == 3) & dec.flag("released"))
    logged = dec.flag("has_events")[rows]
    steps = dec.codes("inspection_events")
    # Whether an office's log records inspection steps at all is decided office by office: where
    # it does not, a red file's missing step says nothing and its inspection result is read.
    office = dec.codes("office_code")
    offices = int(office.max(initial=-1)) + 1
    logs_steps = np.bincount(office[office >= 0], weights=(steps[office >= 0] > 0), minlength=offices) > 0
    uses_steps = np.where(office[rows] >= 0, logs_steps[np.maximum(office[rows], 0)], False)
    no_step = steps[rows] == 0
    skipped = np.where(logged & uses_steps, no_step, dec.flag("result_none")[rows]).astype(np.float64)
    officer = dec.codes("officer_id")[rows]
    levels = (
        ("office_code",),
        ("office_code", "month"),
        ("importer_id", "office_code"),
        ("importer_id", "office_code", "month"),
    )
    out = family.officer_and_pairs(
        dec, "red_without_inspection", rows, skipped, officer, levels, effect=effect
    )
    out.append(
        office_test(dec, "red_without_inspection", rows, skipped, officer, ((), ("month",)), out[0], effect)
    )
    return out
