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
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language

from arusha_web.core.charts import bar_svg, line_svg

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


def bar(labels: Sequence[str], series: dict[str, Sequence[float]], **kwargs: Any) -> str:
    """``core.charts.bar_svg``, drawn once per distinct input."""
    return _cached(bar_svg, list(labels), {k: list(v) for k, v in series.items()}, **kwargs)


def line(x: Sequence[str], series: dict[str, Sequence[float | None]], **kwargs: Any) -> str:
    """``core.charts.line_svg``, drawn once per distinct input."""
    return _cached(line_svg, list(x), {k: list(v) for k, v in series.items()}, **kwargs)
