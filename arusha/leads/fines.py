"""Fines: low or waived against what the same offence and evaded amount usually get.

Why the evaded amount: fines scale with the duty evaded, so "below half the offence's median" is
true of a third of all honest fines. A fine is low when it is under half the median fine of the
same offence and evaded-amount band (bands a factor √2 wide; the offence's median where a band
holds fewer than 5 fines), or when no fine was imposed for a recorded offence (waived).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from arusha.leads import family
from arusha.leads.family import Candidates
from arusha.leads.frame import Decisions, F, I
from arusha.leads.overrides import office_test
from arusha.leads.scan import Effect
from arusha.leads.standardise import combine

LOW_SHARE: Final = 0.5
MIN_BAND_FINES: Final = 5


def group_median(group: I, values: F) -> tuple[F, F]:
    """Per row, the median of the non-NaN ``values`` of its group, and the group's count of them."""
    ok = ~np.isnan(values)
    groups = int(group.max(initial=-1)) + 1
    medians = np.full(groups, np.nan)
    counts = np.bincount(group[ok], minlength=groups).astype(np.float64)
    if ok.any():
        order = np.lexsort((values[ok], group[ok]))
        g, v = group[ok][order], values[ok][order]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        sizes = np.diff(np.r_[starts, g.size])
        low = v[starts + (sizes - 1) // 2]
        high = v[starts + sizes // 2]
        medians[g[starts]] = (low + high) / 2.0
    return np.asarray(medians[group], dtype=np.float64), np.asarray(counts[group], dtype=np.float64)


def low_penalties(dec: Decisions, effect: Effect) -> list[Candidates]:
    rows = np.flatnonzero(dec.codes("offence_code") >= 0)
    penalty = dec.number("penalty")[rows]
    evaded = np.maximum(np.nan_to_num(dec.number("evaded")[rows]), 0.0)
    band = np.floor(2.0 * np.log2(evaded + 1.0)).astype(np.int64)
    offence = dec.codes("offence_code")[rows]
    fined = np.where(penalty > 0, penalty, np.nan)
    by_band, band_count = group_median(combine(offence, band), fined)
    by_offence, _count = group_median(offence, fined)
    reference = np.where(band_count >= MIN_BAND_FINES, by_band, by_offence)
    waived = np.isnan(penalty) | (penalty <= 0)
    low = (waived | (penalty < LOW_SHARE * reference)).astype(np.float64)
    officer = dec.codes("officer_id")[rows]
    levels = (("offence_code",), ("offence_code", band), ("office_code", "offence_code", band))
    out = family.officer_and_pairs(dec, "low_penalty", rows, low, officer, levels, effect=effect)
    out.append(
        office_test(
            dec,
            "low_penalty",
            rows,
            low,
            officer,
            (("offence_code",), ("offence_code", band)),
            out[0],
            effect,
        )
    )
    return out
