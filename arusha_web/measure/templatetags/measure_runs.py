"""``{% run_bar run %}``: every Measure page says which analysis and months it shows.

A tag rather than a context variable in each view, so that no page can forget it and the rule of
who may switch to which analysis lives in one place (``selectors.run_bar``).
"""

from __future__ import annotations

from typing import Any

from django import template

from arusha_web.measure import selectors

register = template.Library()


@register.inclusion_tag("measure/_run_bar.html", takes_context=True)
def run_bar(context: Any, run: Any) -> dict[str, Any]:
    request = context["request"]
    if run is None:
        return {"bar": None}
    return {"bar": selectors.run_bar(request.user, run), "request": request}


@register.filter
def table_name(code: str) -> str:
    """A clearance data table in the reader's language ("déclarations"); the code when unknown."""
    from arusha_web.measure.run_text import table_label

    return table_label(code)


def _switched(context: Any) -> int | None:
    """The analysis the viewer switched to with ``?run=``, to keep on the links of the page."""
    request, run = context.get("request"), context.get("run")
    if request is None or run is None or "run" not in request.GET:
        return None
    return int(run.pk)


@register.simple_tag(takes_context=True)
def run_first(context: Any) -> str:
    """``run=N&`` at the start of a link's query string when the page shows a switched-to analysis
    (a link from an earlier analysis's office page must open that analysis's officers)."""
    pk = _switched(context)
    return f"run={pk}&" if pk is not None else ""


@register.simple_tag(takes_context=True)
def run_only(context: Any) -> str:
    """``?run=N`` for a link without a query string (see ``run_first``)."""
    pk = _switched(context)
    return f"?run={pk}" if pk is not None else ""
