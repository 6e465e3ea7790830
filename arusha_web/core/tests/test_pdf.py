from __future__ import annotations

from arusha_web.core import charts
from arusha_web.core.pdf import pdf_bytes


def test_a_report_with_a_chart_and_the_stylesheet_becomes_a_pdf(db, tmp_path, settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    (tmp_path / "report.html").write_text(
        '{% extends "pdf/base.html" %}{% block heading %}Factor results{% endblock %}'
        "{% block content %}<table><tr><th>Factor</th><td>3</td></tr></table>{{ svg|safe }}{% endblock %}"
    )
    svg = charts.bar_svg(["A", "B"], {"2026": [1, 2]}, title="Test chart")
    data = pdf_bytes("report.html", {"svg": svg, "now": "today"})
    assert data.startswith(b"%PDF")
    assert len(data) > 2000


def test_external_resources_are_refused_not_fetched():
    from arusha_web.core.pdf import _local_fetcher

    fetcher = _local_fetcher()
    try:
        fetcher.fetch("https://cdn.example.com/x.css")
    except ValueError as exc:
        assert "refused" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an external URL was fetched")
