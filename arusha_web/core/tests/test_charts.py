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


def test_charts_drawn_at_once_by_several_threads_are_the_ones_drawn_alone():
    # A threaded web worker draws several pages' charts at once: no chart may pick up another's lines.
    from concurrent.futures import ThreadPoolExecutor

    def draw(k: int) -> str:
        months = [f"2024-{m:02d}" for m in range(1, 13)]
        return charts.line_svg(months, {f"series {k}": [float(k * m) for m in range(12)]}, title=f"Chart {k}")

    alone = [draw(k) for k in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(draw, range(12)))
    assert together == alone


def test_the_value_axis_writes_numbers_as_the_tables_do():
    from django.utils import translation

    with translation.override("fr"):
        french = charts.line_svg(["2024-01", "2024-02"], {"x": [0.25, 1.5]}, title="Part")
        thousands = charts.bar_svg(["a", "b"], {"x": [1500.0, 3000.0]}, title="Nombre")
    assert ">0,4<" in french and ">0.4<" not in french
    assert "3\xa0000" in thousands and ">3000<" not in thousands
