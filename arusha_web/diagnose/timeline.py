"""A Gantt-like timeline of actions as inline SVG, drawn on the server (no script needed)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape

from django.utils.translation import gettext as _

from .models import Action

COLOURS = {
    Action.Status.NOT_STARTED: "#9aa5b1",
    Action.Status.ON_TRACK: "#2f7d4f",
    Action.Status.DELAYED: "#c9821b",
    Action.Status.DONE: "#1f5fa8",
    Action.Status.DROPPED: "#c4c4c4",
}
LABEL_W, ROW_H, CHART_W = 260, 26, 640
RIGHT_MARGIN = 40  # room for the "100%" after a bar that ends at the right edge


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], dt.date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = dt.date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def timeline_svg(actions: Sequence[Action], *, today: dt.date) -> str:
    """One bar per dated action from start to due date, filled to its % complete; red when overdue."""
    dated = [a for a in actions if a.due_date]
    if not dated:
        return ""
    start = min((a.start_date or a.due_date) for a in dated if a.due_date)
    end = max(a.due_date for a in dated if a.due_date)
    start, end = min(start, today), max(end, today)
    span = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return LABEL_W + CHART_W * (day - start).days / span

    height = 30 + ROW_H * len(dated)
    chart_title = escape(_("Timeline of actions"))
    today_label = escape(_("today"))
    parts = [
        f'<svg role="img" class="chart timeline" viewBox="0 0 {LABEL_W + CHART_W + RIGHT_MARGIN} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{chart_title}</title>'
    ]
    months = [m for m in _months(start, end) if m >= start]
    # Keep month labels at least ~55 px apart so they never overlap.
    step = max(1, math.ceil(55 / (CHART_W * 31 / span)))
    for n, month in enumerate(months):
        if n % step == 0:
            parts.append(
                f'<line x1="{x(month):.1f}" y1="18" x2="{x(month):.1f}" y2="{height}" stroke="#e3e6ea"/>'
                f'<text x="{x(month) + 2:.1f}" y="12" font-size="10" fill="#555">{month:%m/%Y}</text>'
            )
    for i, action in enumerate(dated):
        assert action.due_date is not None
        y = 24 + i * ROW_H
        begin = action.start_date or action.due_date
        x0, x1 = x(begin), max(x(action.due_date), x(begin) + 4)
        colour = (
            "#b3261e" if action.is_overdue(today) else COLOURS.get(Action.Status(action.status), "#9aa5b1")
        )
        label = action.objective if len(action.objective) <= 40 else action.objective[:39] + "…"
        done_w = (x1 - x0) * action.percent_complete / 100
        parts.append(
            f'<text x="4" y="{y + 14}" font-size="11" fill="#222">{escape(label)}</text>'
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{x1 - x0:.1f}" height="16" rx="3" fill="{colour}" fill-opacity="0.3"'
            f' stroke="{colour}"/>'
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{done_w:.1f}" height="16" rx="3" fill="{colour}"/>'
            f'<text x="{x1 + 4:.1f}" y="{y + 15}" font-size="10" fill="#333">{action.percent_complete}%</text>'
        )
    parts.append(
        f'<line x1="{x(today):.1f}" y1="16" x2="{x(today):.1f}" y2="{height}" stroke="#b3261e" stroke-dasharray="4 3"/>'
        f'<text x="{x(today) + 2:.1f}" y="{height - 2}" font-size="10" fill="#b3261e">{today_label}</text></svg>'
    )
    return "".join(parts)
