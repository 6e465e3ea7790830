"""A self-contained HTML summary of an analysis: top leads, indicator tables and inline SVG charts.

No external asset (no CDN, font or script), so the file can be mailed or opened offline. Officer,
declarant and importer identifiers appear in it: it is meant for the reviewers entitled to them.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arusha.metrics.catalogue import BY_CODE
from arusha.signals import STRONG_SCORE

if TYPE_CHECKING:
    from arusha.analysis import Analysis

TOP_LEADS = 30
STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;color:#1d2733;
line-height:1.4;padding:0 1rem}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #dde;padding:.25rem .4rem;
text-align:left;vertical-align:top}th{background:#f1f3f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.strong{font-weight:600;color:#8a1c1c}.note{color:#555;font-size:.85rem}svg{max-width:100%}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _fmt(value: object, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if not isinstance(value, int | float):
        return _e(value)
    if unit == "share":
        return f"{value:.1%}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _table(df: pd.DataFrame, units: dict[str, str] | None = None) -> str:
    units = units or {}
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for col, val in zip(df.columns, rec, strict=True):
            cls = ' class="num"' if isinstance(val, int | float) else ""
            cells.append(f"<td{cls}>{_fmt(val, units.get(str(col), ''))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _bar_chart(labels: list[str], values: list[float], title: str, width: int = 640) -> str:
    """Return an inline SVG horizontal bar chart."""
    if not values:
        return ""
    top = max(max(values), 1e-9)
    bar_h, label_w = 18, 190
    height = bar_h * len(values) + 30
    parts = [
        f'<svg role="img" aria-label="{_e(title)}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 20 + i * bar_h
        w = max(1.0, (width - label_w - 70) * value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end">{_e(label[:30])}</text>'
        )
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 5}" fill="#3b6ea8"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11">{_fmt(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(analysis: Analysis) -> str:
    """Return the report as one HTML string.

    Args:
        analysis: Output of :func:`arusha.analysis.analyze_tables`.
    """
    leads, summary = analysis.signals, analysis.summary
    table = analysis.indicators
    codes = set(table["indicator"].unique().to_pylist())
    wanted = pc.is_in(table["entity_type"], pa.array(["administration", "office"]))
    ind = table.filter(wanted).to_pandas()
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Arusha — clearance indicators and integrity-risk leads</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Clearance indicators and integrity-risk leads</h1>",
        f"<p>{summary['declarations']:,} declarations; period {_e(summary['period'])}"
        f"{'; from ' + _e(summary['date_from']) if summary.get('date_from') else ''}"
        f"{'; to ' + _e(summary['date_to']) if summary.get('date_to') else ''}.</p>",
        "<p class='note'>Leads are statistical anomalies compared with peers, offered for managerial review. "
        "They are not findings about any person: each needs the context only the office can give.</p>",
        "<h2>Top leads</h2>",
    ]
    if leads.empty:
        out.append("<p>No lead passes the thresholds.</p>")
    else:
        top = leads.head(TOP_LEADS)
        out.append(
            _bar_chart(
                [f"{r.entity_id}" for r in top.head(15).itertuples()],
                [float(v) for v in top.head(15).score],
                "Lead score",
            )
        )
        rows = []
        for r in top.itertuples():
            cls = " class='strong'" if r.score >= STRONG_SCORE else ""
            rows.append(
                f"<tr><td{cls}>{r.score:.2f}</td><td>{_e(r.kind)}</td><td>{_e(r.entity_type)}</td>"
                f"<td>{_e(r.entity_id)}</td><td>{_e(r.explanation)}</td></tr>"
            )
        out.append(
            "<table><thead><tr><th>score</th><th>kind</th><th>entity type</th><th>entity</th>"
            f"<th>explanation</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
        out.append(
            f"<p class='note'>{len(leads)} leads in all; score ≥ {STRONG_SCORE:g} is strong "
            "(Benjamini–Hochberg q ≤ 0.001). Full list in signals.csv.</p>"
        )
    if analysis.not_computable:
        out.append("<h2>Not computable</h2><ul>")
        for code, reason in sorted(analysis.not_computable.items()):
            name = BY_CODE[code].name_en if code in BY_CODE else code
            out.append(f"<li>{_e(code)} — {_e(name)}: {_e(reason)}</li>")
        out.append("</ul>")

    admin = ind[(ind.entity_type == "administration") & (ind.period != "all")]
    if not admin.empty:
        out.append("<h2>Administration, by period</h2>")
        vol = admin[admin.indicator == "VOL_DECL"].sort_values("period")
        out.append(_bar_chart(list(vol.period), [float(v) for v in vol.value], "Declarations by period"))
        pivot = admin.pivot_table(index="indicator", columns="period", values="value", aggfunc="first")
        pivot.insert(0, "name", [BY_CODE[c].name_en if c in BY_CODE else c for c in pivot.index])
        units = {str(c): "" for c in pivot.columns}
        body = []
        for code, row in pivot.iterrows():
            unit = BY_CODE[str(code)].unit if str(code) in BY_CODE else ""
            cells = "".join(f"<td class='num'>{_fmt(v, unit)}</td>" for v in row.iloc[1:])
            body.append(f"<tr><td>{_e(code)}</td><td>{_e(row['name'])}</td>{cells}</tr>")
        head = "".join(f"<th>{_e(c)}</th>" for c in pivot.columns[1:])
        out.append(
            f"<table><thead><tr><th>code</th><th>indicator</th>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )
        _ = units

    office = ind[(ind.entity_type == "office") & (ind.period == "all")]
    if not office.empty:
        out.append("<h2>Offices, whole period</h2>")
        rel = office[office.indicator == "TF5"].sort_values("value", ascending=False)
        out.append(
            _bar_chart(
                list(rel.entity_id), [float(v) for v in rel.value], "Median hours registration → release"
            )
        )
        pivot = office.pivot_table(index="entity_id", columns="indicator", values="value", aggfunc="first")
        keep = [
            c
            for c in (
                "VOL_DECL",
                "TF1",
                "TF4",
                "TF5",
                "TF5_P90",
                "BP1",
                "BP2",
                "AFTER_HOURS",
                "REL_BEFORE_PAY",
                "RED_NO_INSP",
            )
            if c in pivot.columns
        ]
        table = pivot[keep].reset_index()
        out.append(_table(table, {c: BY_CODE[c].unit for c in keep}))
    if not analysis.trs.empty:
        out.append("<h2>Time Release Study (median hours by stage)</h2>")
        out.append(_table(analysis.trs.head(200)))
    out.append(
        "<h2>Indicator definitions</h2><table><thead><tr><th>code</th><th>name</th><th>nom</th>"
        "<th>definition</th><th>unit</th><th>direction</th></tr></thead><tbody>"
    )
    for code in sorted(codes):
        i = BY_CODE.get(code)
        if i:
            out.append(
                f"<tr><td>{_e(code)}</td><td>{_e(i.name_en)}</td><td>{_e(i.name_fr)}</td>"
                f"<td>{_e(i.definition_en)}</td><td>{_e(i.unit)}</td><td>{_e(i.direction)}</td></tr>"
            )
    out.append("</tbody></table></body></html>")
    return "\n".join(out)
