"""Inline SVG charts: several on one page do not repeat matplotlib's group names."""

from __future__ import annotations

import re

from arusha_web.core import charts


def test_charts_carry_no_group_ids_that_repeat_from_chart_to_chart():
    page = charts.line_svg(["2024-01", "2024-02"], {"x": [1.0, None]}, title="One") + charts.radar_svg(
        ["a", "b", "c"], {"x": [1.0, 2.0, 3.0]}, maximum=4, title="Two"
    )
    ids = re.findall(r'\bid="([^"]*)"', page)
    assert "figure_1" not in ids and "axes_1" not in ids and "text_1" not in ids
    # What is left (clip paths, tick markers: named by their shape) is referred to.
    assert ids and all(page.count(f"#{i}") >= 1 for i in ids)
