"""PDF reports from the same templates as the pages, with WeasyPrint.

A report template extends ``pdf/base.html`` (A4, margins, page numbers, the administration's
name in the header). WeasyPrint renders HTML and inline SVG charts without a browser or any
network access: ``base_url`` points at nothing remote and static files are read from disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves /static/... from disk and refuses everything else,
    so a report never calls out (and never hangs on a closed network)."""
    from weasyprint.urls import URLFetcher

    class LocalStaticFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if "/static/" in url and not url.startswith("file:"):
                path = finders.find(url.split("/static/", 1)[1].split("?")[0])
                if path:
                    return super().fetch(Path(path).as_uri(), headers)
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"external resource refused in a PDF report: {url}")

    return LocalStaticFetcher(allowed_protocols={"file", "data", "http"})


def pdf_bytes(template: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    document = HTML(string=html, base_url="http://arusha.invalid/", url_fetcher=_local_fetcher())
    return bytes(document.write_pdf())


def pdf_response(
    template: str, context: dict[str, Any], *, filename: str, request: HttpRequest | None = None
) -> HttpResponse:
    response = HttpResponse(pdf_bytes(template, context, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
