"""Live evidence for a risk from the quantification engine's newest analysis outputs.

The engine writes ``indicators.parquet`` and ``signals.csv`` per run. Until runs are stored by
the web app, the newest directory under ``<VAR_DIR>/analysis/`` holding ``indicators.parquet``
is taken as "the current analysis". Reading is defensive: a missing or unreadable output means
"no evidence", said plainly on the page, never an error page.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from .seed import INDICATOR_LEAD_KINDS

MAX_LEADS = 10


@dataclass
class Trend:
    indicator: str
    name: str
    periods: list[str]
    series: dict[str, Sequence[float | None]]  # entity label -> value per period
    svg: str = ""

    @property
    def rows(self) -> list[list[object]]:
        """One row per period: the period, then each series' value (the table under the chart)."""
        return [[p, *(values[i] for values in self.series.values())] for i, p in enumerate(self.periods)]


@dataclass
class Evidence:
    directory: Path | None
    trends: list[Trend] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""


def latest_analysis_dir(var_dir: Path | None = None) -> Path | None:
    """The most recently modified analysis output directory, or None."""
    root = Path(var_dir or settings.VAR_DIR) / "analysis"
    if not root.is_dir():
        return None
    candidates = [d for d in root.iterdir() if d.is_dir() and (d / "indicators.parquet").is_file()]
    if (root / "indicators.parquet").is_file():
        candidates.append(root)  # `arusha analyze --out var/analysis` writes straight there
    return max(candidates, key=lambda d: (d / "indicators.parquet").stat().st_mtime, default=None)


def indicator_trends(directory: Path, codes: list[str], office_code: str | None) -> list[Trend]:
    """Per indicator, the administration's (and the risk's office's) value by period."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(
        directory / "indicators.parquet", columns=["entity_type", "entity_id", "period", "indicator", "value"]
    )
    table = table.filter(pc.is_in(table["indicator"], value_set=pa.array(codes)))
    rows = [r for r in table.to_pylist() if r["period"] != "all"]
    trends = []
    for code in codes:
        wanted: dict[tuple[str, str | None], str] = {("administration", None): "Administration"}
        if office_code:
            wanted[("office", office_code)] = office_code
        picked = [
            r for r in rows if r["indicator"] == code and (
                (r["entity_type"] == "administration") or (r["entity_type"] == "office" and r["entity_id"] == office_code)
            )
        ]  # fmt: skip
        if not picked:
            continue
        periods = sorted({r["period"] for r in picked})
        series: dict[str, Sequence[float | None]] = {}
        for (etype, _eid), label in wanted.items():
            values = {r["period"]: r["value"] for r in picked if r["entity_type"] == etype}
            if values:
                series[label] = [values.get(p) for p in periods]
        trends.append(Trend(code, _indicator_name(code), periods, series))
    return trends


def _indicator_name(code: str) -> str:
    """The catalogue's name of an indicator in the user's language ('' when unknown)."""
    from django.utils.translation import get_language

    from arusha.metrics.catalogue import BY_CODE

    indicator = BY_CODE.get(code)
    if indicator is None:
        return ""
    return indicator.name_fr if (get_language() or "en").startswith("fr") else indicator.name_en


def current_leads(directory: Path, codes: list[str]) -> list[dict[str, Any]]:
    """The strongest leads whose kind measures one of the risk's indicators."""
    kinds = {kind for code in codes for kind in INDICATOR_LEAD_KINDS.get(code, ())}
    path = directory / "signals.csv"
    if not kinds or not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        leads = [row for row in csv.DictReader(handle) if row.get("kind") in kinds]
    for lead in leads:
        try:
            lead["score"] = float(lead["score"])
        except (TypeError, ValueError):
            lead["score"] = 0.0
    return sorted(leads, key=lambda row: row["score"], reverse=True)[:MAX_LEADS]


def risk_evidence(risk: Any, var_dir: Path | None = None) -> Evidence:
    """Trends and leads for `risk`'s indicator codes from the newest analysis."""
    directory = latest_analysis_dir(var_dir)
    if directory is None or not risk.indicator_codes:
        return Evidence(directory)
    try:
        trends = indicator_trends(directory, risk.indicator_codes, risk.office.code if risk.office else None)
        leads = current_leads(directory, risk.indicator_codes)
    except Exception as exc:  # a half-written or foreign file must not break the risk page
        return Evidence(directory, problem=str(exc)[:300])

    from arusha_web.core.charts import line_svg

    for trend in trends:
        trend.svg = line_svg(trend.periods, trend.series, title=f"{trend.indicator} {trend.name}")
    return Evidence(directory, trends, leads)
