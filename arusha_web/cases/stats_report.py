"""What the statistics page and its PDF show: the suppressed tables and a chart for each.

Charts draw only the counts a reader may see: a hidden cell gets no bar (its label says it is
hidden), so the picture cannot reveal what the table hides.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arusha_web.core.charts import bar_svg

from . import selectors

# The tables of selectors.statistics, in page order, with their titles.
TABLES = {
    "reports_by_category": gettext_lazy("Reports by category"),
    "reports_by_office": gettext_lazy("Reports by office"),
    "cases_by_category": gettext_lazy("Cases by category"),
    "cases_by_office": gettext_lazy("Cases by office"),
    "cases_by_outcome": gettext_lazy("Closed cases by outcome"),
}


def table_chart(rows: list[dict[str, Any]], *, title: str) -> str:
    """Return a horizontal bar chart of a table's shown counts, or '' when nothing can be drawn."""
    if not rows or all(row["count"] is None for row in rows):
        return ""
    labels = [row["label"] if row["count"] is not None else _("%(label)s (hidden)") % row for row in rows]
    values = [float(row["count"] or 0) for row in rows]
    return bar_svg(labels, {_("Count"): values}, title=title, horizontal=True)


def statistics_context(*, year: int | None) -> dict[str, Any]:
    """Return the statistics with one section (title, rows, chart) per table."""
    stats = selectors.statistics(year=year)
    sections = [
        {"key": key, "title": title, "rows": stats[key], "chart": table_chart(stats[key], title=str(title))}
        for key, title in TABLES.items()
    ]
    return {"stats": stats, "sections": sections, "year": year or "", "now": timezone.now()}
