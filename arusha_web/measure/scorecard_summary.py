"""What the top of a scorecard says before its 22 charts: is the officer fine?

A manager reads three things first: the contract's targets met or missed in the last whole month,
where the officer stands apart from the office's other officers, and what moved most since the
month before. The charts below hold the detail; this is the part a non-technical reader needs.

"Stands apart" is deliberately coarse: the officer's value and the peer median differ by more
than a quarter of the median (and, for shares, by at least 2 points), in the direction the
catalogue says is worse. Smaller differences are ordinary month-to-month noise for one person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from arusha.metrics.catalogue import BY_CODE

from . import dashboards as d
from .lead_text import month as month_name

APART_SHARE: float = 0.25  # of the peer median
APART_POINTS: float = 0.02  # for shares: at least 2 percentage points
MOVERS: int = 3


@dataclass
class Line:
    """One indicator in a sentence of the summary: its name and the figures that justify it."""

    code: str
    name: str
    value: str
    other: str  # the target, the peer median or last month's value


@dataclass
class Summary:
    month: str  # "June 2024"; "" when no month has values
    previous: str
    targets_met: list[Line] = field(default_factory=list)
    targets_missed: list[Line] = field(default_factory=list)
    worse: list[Line] = field(default_factory=list)
    better: list[Line] = field(default_factory=list)
    moved: list[Line] = field(default_factory=list)


def _better_when(code: str) -> str:
    """'lower', 'higher' or '' (a context figure: neither better nor worse)."""
    direction = BY_CODE[code].direction if code in BY_CODE else "context"
    return {"higher_better": "higher", "higher_worse": "lower"}.get(direction, "")


def _worse(code: str, value: float, reference: float) -> bool:
    better = _better_when(code)
    return (better == "lower" and value > reference) or (better == "higher" and value < reference)


def _apart(code: str, value: float, median: float) -> bool:
    gap = abs(value - median)
    if BY_CODE.get(code) is not None and BY_CODE[code].unit == "share" and gap < APART_POINTS:
        return False
    return gap > APART_SHARE * abs(median) if median else gap > 0


def summarise(
    periods: list[str],
    by: Mapping[str, Mapping[str, Any]],
    targets: Mapping[str, float],
    contract_months: set[str],
) -> Summary:
    """The summary of an officer's series ``by`` (code → period → value with ``peer_median``).

    The last period is left out when an earlier one exists: the data's last month is usually
    incomplete (the page says so), and a half month would read as a fall.
    """
    months = [p for p in periods if p != "all"]
    if len(months) >= 2:
        months = months[:-1]
    if not months:
        return Summary(month="", previous="")
    last = months[-1]
    previous = months[-2] if len(months) >= 2 else ""
    summary = Summary(month=month_name(last), previous=month_name(previous) if previous else "")
    for code in sorted(by):
        point = by[code].get(last)
        value = getattr(point, "value", None)
        if value is None or not _better_when(code):
            continue
        name = d.indicator_name(code)
        if code in targets and last in contract_months:
            line = Line(code, name, d.fmt(value, code), d.fmt(targets[code], code))
            (summary.targets_missed if _worse(code, value, targets[code]) else summary.targets_met).append(
                line
            )
        median = getattr(point, "peer_median", None)
        if median is not None and _apart(code, value, median):
            line = Line(code, name, d.fmt(value, code), d.fmt(median, code))
            (summary.worse if _worse(code, value, median) else summary.better).append(line)
    if previous:
        moves = []
        for code in by:
            now, then = by[code].get(last), by[code].get(previous)
            a, b = getattr(then, "value", None), getattr(now, "value", None)
            if a is None or b is None or not _better_when(code) or not _apart(code, b, a):
                continue
            line = Line(code, d.indicator_name(code), d.fmt(b, code), d.fmt(a, code))
            moves.append((abs(b - a) / (abs(a) or 1.0), line))
        summary.moved = [line for _size, line in sorted(moves, key=lambda m: -m[0])[:MOVERS]]
    return summary


@dataclass
class Apart:
    """An officer of an office page who stands apart, for the worse, on several indicators."""

    officer: str  # as the viewer may see him (a pseudonym for a pseudonymising analyst)
    link: str  # the identifier for his scorecard link; "" when the viewer sees a pseudonym
    names: list[str]


def officers_apart(
    rows: list[list[Any]], used: list[str], shown: Any, linked: bool, *, at_least: int = 3, top: int = 5
) -> tuple[int, list[Apart]]:
    """The office page's summary: how many officers stand apart from the office's median officer,
    for the worse, on ``at_least`` indicators over the whole period, and the ``top`` of them.

    ``rows`` are the office table's (officer, value, median, value, median…) in the order of ``used``.
    """
    found: list[tuple[int, Apart]] = []
    for row in rows:
        names = []
        for i, code in enumerate(used):
            value, median = row[1 + 2 * i], row[2 + 2 * i]
            if value is None or median is None or not _better_when(code):
                continue
            if _apart(code, value, median) and _worse(code, value, median):
                names.append(d.indicator_name(code))
        if len(names) >= at_least:
            found.append((len(names), Apart(shown(row[0]), row[0] if linked else "", names)))
    found.sort(key=lambda pair: (-pair[0], pair[1].officer))
    return len(found), [apart for _n, apart in found[:top]]
