"""PDF reports from the same templates as the pages, with WeasyPrint.

A report template extends ``pdf/base.html`` (A4, margins, page numbers, the administration's
name in the header). WeasyPrint renders HTML and inline SVG charts without a browser or any
network access: ``base_url`` points at nothing remote and static files are read from disk.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _local_static(url: str) -> dict[str, Any]:
    """Serve /static/... from disk; refuse everything else, so a report never calls out."""
    from weasyprint import default_url_fetcher

    if "/static/" in url:
        path = finders.find(url.split("/static/", 1)[1])
        if path:
            return default_url_fetcher(f"file://{path}")
    raise ValueError(f"external resource refused in a PDF report: {url}")


def pdf_bytes(template: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return bytes(HTML(string=html, base_url="http://arusha.invalid/", url_fetcher=_local_static).write_pdf())


def pdf_response(
    template: str, context: dict[str, Any], *, filename: str, request: HttpRequest | None = None
) -> HttpResponse:
    response = HttpResponse(pdf_bytes(template, context, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
