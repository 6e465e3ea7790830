"""Charts drawn on the server as inline SVG.

Server-side SVG works with no internet access, needs no script (so the Content Security
Policy stays strict), prints sharply and goes into WeasyPrint PDFs unchanged. matplotlib is
the well-kept library behind it. Every chart here is meant to sit next to a table of the same
numbers: the table is the accessible view, the chart the quick read.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")  # no display on servers
# Figures are made with ``Figure`` directly, never through pyplot: pyplot keeps every open figure in
# one global registry, which two threads of a web worker drawing at once would corrupt. The
# settings below are read, never changed, after import.
from matplotlib import rcParams  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.projections.polar import PolarAxes  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

PALETTE = ["#127ea8", "#e07b39", "#1f7a3a", "#8e44ad", "#b42318", "#5b6877", "#c9a227", "#0b4f6c"]
rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.edgecolor": "#aab6c3",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",  # keep text as text: smaller, selectable, translatable
        # The same chart twice is the same SVG (ids from a fixed salt rather than a random one).
        "svg.hashsalt": "arusha",
    }
)


GROUP_ID = re.compile(r'<g id="[^"]*"')


def _svg(fig: Figure, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", transparent=True, metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: it is inlined in HTML
    # matplotlib names its groups figure_1, axes_1, text_1... in every chart: two charts on one
    # page (or in one PDF) would repeat them. Nothing refers to them; clip paths keep their ids.
    svg = GROUP_ID.sub("<g", svg)
    # role="img" + <title> give screen readers the chart's name.
    svg = svg.replace("<svg ", '<svg role="img" class="chart" ', 1)
    head_end = svg.index(">") + 1
    return svg[:head_end] + f"<title>{_escape(title)}</title>" + svg[head_end:]


def _readers_numbers(axis: Any) -> None:
    """Write the value axis's numbers as the tables beside the chart do ("0,5" in French, "1,250"
    in English), not matplotlib's "0.5" and "1250"."""
    from django.utils.formats import number_format

    def label(value: float, _position: int) -> str:
        places = (
            0 if float(value).is_integer() else min(3, max(1, -int(math.floor(math.log10(abs(value) or 1)))))
        )
        return number_format(round(value, places), places, use_l10n=True, force_grouping=True)

    axis.set_major_formatter(FuncFormatter(label))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def radar_svg(
    labels: Sequence[str], series: dict[str, Sequence[float | None]], *, maximum: float, title: str
) -> str:
    """A radar (spider) chart: one axis per label, one polygon per series; None is drawn as 0."""
    angles = [2 * math.pi * i / len(labels) for i in range(len(labels))]
    fig = Figure(figsize=(5.2, 4.6))
    ax = cast(PolarAxes, fig.add_subplot(polar=True))
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, maximum)
    ax.set_yticks(range(0, int(maximum) + 1))
    ax.set_xticks(angles, [_wrap(label, 18) for label in labels], fontsize=7.5)
    for i, (name, values) in enumerate(series.items()):
        points = [v if v is not None else 0.0 for v in values]
        color = PALETTE[i % len(PALETTE)]
        ax.plot([*angles, angles[0]], [*points, points[0]], color=color, linewidth=1.6, label=name)
        ax.fill([*angles, angles[0]], [*points, points[0]], color=color, alpha=0.12)
    if len(series) > 1:
        ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.12), frameon=False)
    return _svg(fig, title)


def bar_svg(
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    horizontal: bool = False,
    unit: str = "",
) -> str:
    """Grouped bars, one group per label and one bar per series."""
    n = max(len(series), 1)
    width = 0.8 / n
    fig = Figure(figsize=(6.4, max(2.4, 0.32 * len(labels) + 1) if horizontal else 3.2))
    ax = fig.subplots()
    positions = range(len(labels))
    for i, (name, values) in enumerate(series.items()):
        offsets = [p - 0.4 + width * (i + 0.5) for p in positions]
        color = PALETTE[i % len(PALETTE)]
        if horizontal:
            ax.barh(offsets, values, height=width, color=color, label=name)
        else:
            ax.bar(offsets, values, width=width, color=color, label=name)
    if horizontal:
        ax.set_yticks(list(positions), [_wrap(label, 28) for label in labels])
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        _readers_numbers(ax.xaxis)
    else:
        ax.set_xticks(list(positions), [_wrap(label, 14) for label in labels], rotation=0)
        ax.set_ylabel(unit)
        _readers_numbers(ax.yaxis)
    if len(series) > 1:
        ax.legend(frameon=False)
    return _svg(fig, title)


def line_svg(
    x: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str, unit: str = ""
) -> str:
    """Lines over an ordered axis (months, quarters); None leaves a gap."""
    fig = Figure(figsize=(6.4, 3.0))
    ax = fig.subplots()
    for i, (name, values) in enumerate(series.items()):
        points = [float("nan") if v is None else v for v in values]
        ax.plot(
            list(range(len(x))), points, marker="o", markersize=3, color=PALETTE[i % len(PALETTE)], label=name
        )
    step = max(1, len(x) // 12)
    ax.set_xticks(list(range(0, len(x), step)), [x[i] for i in range(0, len(x), step)], rotation=0)
    ax.set_ylabel(unit)
    _readers_numbers(ax.yaxis)
    if len(series) > 1:
        ax.legend(frameon=False)
    return _svg(fig, title)


def heatmap_svg(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    colors: Sequence[Sequence[str]],
    *,
    title: str,
    row_title: str = "",
    column_title: str = "",
) -> str:
    """A matrix of coloured cells with a count in each (a risk heat map); colours are given."""
    fig = Figure(figsize=(0.75 * len(columns) + 1.6, 0.62 * len(rows) + 1.2))
    ax = fig.subplots()
    for r in range(len(rows)):
        for c in range(len(columns)):
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=colors[r][c], edgecolor="white", linewidth=2))
            if counts[r][c]:
                ax.text(
                    c + 0.5,
                    r + 0.5,
                    str(counts[r][c]),
                    ha="center",
                    va="center",
                    fontsize=10,
                    fontweight="bold",
                )
    ax.set_xlim(0, len(columns))
    ax.set_ylim(0, len(rows))
    ax.set_xticks([c + 0.5 for c in range(len(columns))], list(columns))
    ax.set_yticks([r + 0.5 for r in range(len(rows))], list(rows))
    ax.set_xlabel(column_title)
    ax.set_ylabel(row_title)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _svg(fig, title)


def _wrap(text: str, width: int) -> str:
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)
