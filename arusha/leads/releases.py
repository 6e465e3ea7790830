"""Releases: after hours, before payment, and late for some traders.

Only releases an officer signed count: the ``released`` event's actor when the log has one
(``SYSTEM`` and the other system actors are no officer: automatic green releases at night are no
one's decision); without a log, yellow- and red-channel releases are credited to the declaration's
officer and green/blue ones to nobody.

Delays: a release is late when it took two days more than 9 in 10 releases of the same office,
channel and month (a rarer event than "slower than 9 in 10", so a few held-up files stand out,
and a delay of days is late in every channel); an officer × importer pair is a lead when the officer's releases of that importer are
late far more often than other officers' releases of the same importer's files (extortion by
delay), which a slow importer (complex goods) does not trigger, since everyone is slow with it.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from arusha.leads import family
from arusha.leads.decisions import SYSTEM_ACTORS
from arusha.leads.family import Candidates
from arusha.leads.frame import Decisions, F, I
from arusha.leads.scan import Effect
from arusha.leads.standardise import combine

LATE_QUANTILE: Final = 0.9
LATE_MARGIN_HOURS: Final = 48.0  # late: two days more than 9 in 10 comparable releases took
LEVELS = (
    ("office_code",),
    ("office_code", "month"),
    ("importer_id", "office_code"),
    ("importer_id", "office_code", "month"),
)


def signer(dec: Decisions, system_actors: tuple[str, ...] = SYSTEM_ACTORS) -> I:
    """Per declaration, the officer who signed the release (−1: a system, or nobody known)."""
    actor = dec.codes("release_actor")
    names = dec.names["officer_id"]
    system = np.array([str(n) in system_actors for n in names], dtype=bool)
    known = actor >= 0
    is_system = np.zeros(actor.size, dtype=bool)
    is_system[known] = system[actor[known]]
    fallback = np.where(dec.codes("ch_f") >= 2, dec.codes("officer_id"), -1)
    return np.where(known, np.where(is_system, -1, actor), fallback)


def after_hours(dec: Decisions, effect: Effect, signed: I) -> list[Candidates]:
    rows = np.flatnonzero(dec.flag("released") & (signed >= 0))
    event = dec.flag("after_hours")[rows].astype(np.float64)
    levels = (*LEVELS[:2], ("office_code", "ch_f", "month"), *LEVELS[2:])
    return family.officer_and_pairs(
        dec, "after_hours_release", rows, event, signed[rows], levels, effect=effect
    )


def before_payment(dec: Decisions, effect: Effect, signed: I) -> list[Candidates]:
    rows = np.flatnonzero(dec.flag("due") & (signed >= 0))
    event = dec.flag("before_pay")[rows].astype(np.float64)
    return family.officer_and_pairs(
        dec, "release_before_payment", rows, event, signed[rows], LEVELS, effect=effect
    )


def group_quantile(group: I, values: F, q: float) -> F:
    """Per row, the ``q`` quantile (lower value) of ``values`` within its group."""
    if group.size == 0:
        return np.zeros(0)
    order = np.lexsort((values, group))
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, g.size])
    pick = starts + np.floor(q * (sizes - 1)).astype(np.int64)
    per_group = np.empty(int(group.max(initial=-1)) + 1)
    per_group[g[starts]] = values[order][pick]
    return np.asarray(per_group[group], dtype=np.float64)


def delays(dec: Decisions, effect: Effect) -> list[Candidates]:
    hours = dec.number("release_h")
    rows = np.flatnonzero(dec.flag("released") & ~np.isnan(hours) & (dec.codes("ch_f") >= 0))
    group = combine(dec.codes("office_code")[rows], dec.codes("ch_f")[rows], dec.codes("month")[rows])
    late = (hours[rows] > group_quantile(group, hours[rows], LATE_QUANTILE) + LATE_MARGIN_HOURS).astype(
        np.float64
    )
    levels = (
        ("office_code", "ch_f"),
        ("office_code", "ch_f", "month"),
        ("importer_id", "office_code", "ch_f"),
        ("importer_id", "office_code", "ch_f", "month"),
    )
    officer = dec.codes("officer_id")[rows]
    return family.officer_and_pairs(
        dec,
        "release_delay",
        rows,
        late,
        officer,
        levels,
        "importer_id",
        "officer_importer_pair",
        effect=effect,
    )
