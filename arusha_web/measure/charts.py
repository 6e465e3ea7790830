"""The dashboards' charts, kept once drawn.

Drawing an SVG chart with matplotlib costs 50–150 ms; a scorecard has a dozen. An analysis never
changes once imported, so the same numbers give the same picture: each chart is stored in the
cache (a file cache under var/, shared by every web process) under a digest of everything it is
drawn from — the kind of chart, labels, series, title, unit and the page's language. A changed
number gives a new digest, so a stale picture can never be served; old entries simply expire.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language

from arusha_web.core.charts import PALETTE, bar_svg, line_svg

# A week: the pages of one analysis stay quick for as long as people work on it.
TIMEOUT_SECONDS = 7 * 24 * 3600


def _cached(draw: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    material = json.dumps([draw.__name__, get_language(), args, kwargs], default=str, sort_keys=True)
    key = "measure:chart:" + hashlib.sha256(material.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw(*args, **kwargs)
        cache.set(key, svg, TIMEOUT_SECONDS)
    return str(svg)


def bar(
    labels: Sequence[str], series: dict[str, Sequence[float]], *, colors: Sequence[str] = (), **kwargs: Any
) -> str:
    """``core.charts.bar_svg``, drawn once per distinct input; ``colors`` (one per series) replace
    the palette's when a colour means something (the green channel drawn green)."""
    data = {k: list(v) for k, v in series.items()}
    if colors:
        return _cached(_recoloured_bar, list(labels), data, list(colors), **kwargs)
    return _cached(bar_svg, list(labels), data, **kwargs)


def line(
    x: Sequence[str], series: dict[str, Sequence[float | None]], *, colors: Sequence[str] = (), **kwargs: Any
) -> str:
    """``core.charts.line_svg``, drawn once per distinct input (``colors`` as for ``bar``)."""
    data = {k: list(v) for k, v in series.items()}
    if colors:
        return _cached(_recoloured_line, list(x), data, list(colors), **kwargs)
    return _cached(line_svg, list(x), data, **kwargs)


def _recolour(svg: str, colors: list[str]) -> str:
    # ``core.charts`` colours the n-th series with PALETTE[n]; swapping those colours in the SVG
    # (one pass, so a colour swapped in is never swapped again) keeps one set of drawing functions.
    swap = {PALETTE[i].lower(): c for i, c in enumerate(colors) if i < len(PALETTE)}
    if not swap:
        return svg
    pattern = re.compile("|".join(re.escape(k) for k in swap), re.IGNORECASE)
    return pattern.sub(lambda m: swap[m.group(0).lower()], svg)


def _recoloured_bar(
    labels: list[str], series: dict[str, list[float]], colors: list[str], **kwargs: Any
) -> str:
    data: dict[str, Sequence[float]] = dict(series)
    return _recolour(bar_svg(labels, data, **kwargs), colors)


def _recoloured_line(
    x: list[str], series: dict[str, list[float | None]], colors: list[str], **kwargs: Any
) -> str:
    data: dict[str, Sequence[float | None]] = dict(series)
    return _recolour(line_svg(x, data, **kwargs), colors)
