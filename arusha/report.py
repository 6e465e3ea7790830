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

from arusha.detection import NAMES as DETECTION_NAMES
from arusha.detection import Detection
from arusha.leads.ranking import STRONG_SCORE
from arusha.metrics.catalogue import BY_CODE

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


def _expected_found_section(det: Detection, rows: int = 10) -> list[str]:
    """Return the "Expected versus found" section: shortfalls, revenue at risk, targeting quality."""
    model = ", ".join(det.model_ids) or "the risk model"
    out = [
        "<h2>Expected versus found</h2>",
        f"<p>The risk model ({_e(model)}) gives each declaration a probability that an inspection finds "
        "a discrepancy. Adding these up over the declarations an officer inspected gives the number of "
        "discrepancies the officer could be expected to find. An officer who finds far fewer than "
        "expected, beyond what chance explains, appears among the leads above (kind "
        "<em>detection_shortfall</em>).</p>",
        "<p class='note'>The expectation is only as good as the model. Scores computed on the period the "
        "model was trained on flatter everyone in it. Full tables: detection.parquet and "
        "targeting_quality.csv.</p>",
    ]
    whole = det.table[(det.table.period == "all") & (det.table.inspected > 0)]
    officers = whole[whole.entity_type == "officer"]
    short = officers[officers.found < officers.expected].sort_values("p_value").head(rows)
    if not short.empty:
        out.append("<h3>Largest shortfalls (whole period)</h3>")
        out.append(
            _table(
                pd.DataFrame(
                    {
                        "officer": short.entity_id,
                        "office": short.office_code,
                        "inspections": [f"{v:,}" for v in short.inspected.astype(int)],
                        "found": [f"{v:,}" for v in short.found.astype(int)],
                        "expected": [f"{v:,.1f}" for v in short.expected],
                        "95% interval": [
                            f"{lo}–{hi}"
                            for lo, hi in zip(short.expected_low, short.expected_high, strict=True)
                        ],
                        "chance of finding so few": [
                            f"{p:.1e}" if p < 0.001 else f"{p:.3f}" for p in short.p_value
                        ],
                    }
                )
            )
        )
    rar = (
        officers.dropna(subset=["revenue_at_risk"]).sort_values("revenue_at_risk", ascending=False).head(rows)
    )
    if not rar.empty:
        out.append("<h3>Revenue at risk (whole period)</h3>")
        out.append(
            "<p>Duties the model expects an inspection would have recovered, summed over the declarations "
            "each officer released without any adjustment.</p>"
        )
        out.append(
            _bar_chart(
                list(rar.entity_id), [float(v) for v in rar.revenue_at_risk], "Revenue at risk by officer"
            )
        )
    if not det.targeting.empty:
        out.append("<h3>Targeting quality by office and period</h3>")
        out.append(
            "<p>Hit rate of the inspections the channels actually ordered, next to the hit rate among the "
            "model's own top picks (as many declarations as were inspected) — observable only for those of "
            "its picks that were inspected — and the hit rate the model expects for its picks.</p>"
        )
        t = det.targeting
        out.append(
            _table(
                pd.DataFrame(
                    {
                        "office": t.office_code,
                        "period": t.period,
                        "inspected": [f"{int(v):,}" for v in t.inspected],
                        "hit rate of channels": t.hit_rate,
                        "hit rate of model's picks (inspected ones)": t.model_top_hit_rate,
                        "share of model's picks inspected": t.model_top_inspected_share,
                        "model's expected hit rate for its picks": t.model_top_expected_hit_rate,
                    }
                ).head(60),
                {
                    c: "share"
                    for c in (
                        "hit rate of channels",
                        "hit rate of model's picks (inspected ones)",
                        "share of model's picks inspected",
                        "model's expected hit rate for its picks",
                    )
                },
            )
        )
    return out


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
            months = (
                r.window_start if r.window_start == r.window_end else f"{r.window_start} – {r.window_end}"
            )
            rows.append(
                f"<tr><td{cls}>{r.score:.2f}</td><td>{_e(r.kind)}</td><td>{_e(r.entity_type)}</td>"
                f"<td>{_e(r.entity_id)}</td><td>{_e(months)}</td><td>{_e(r.explanation)}</td></tr>"
            )
        out.append(
            "<table><thead><tr><th>score</th><th>kind</th><th>entity type</th><th>entity</th><th>months</th>"
            f"<th>explanation</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
        out.append(
            f"<p class='note'>{len(leads)} leads in all; score ≥ {STRONG_SCORE:g} is strong "
            "(q ≤ 0.001 within its kind and level). Full list in signals.csv.</p>"
        )
    traders = analysis.trader_risk
    if len(traders):
        out.append("<h2>Trader risk (for targeting, not integrity leads)</h2>")
        out.append(
            "<p class='note'>Importers whose own declarations stand out with no officer or broker "
            "decision involved: information for selectivity and risk management. Full list in "
            "trader_risk.csv.</p>"
        )
        rows = [
            f"<tr><td>{r.score:.2f}</td><td>{_e(r.importer_id)}</td><td>{_e(r.kind)}</td><td>{_e(r.explanation)}</td></tr>"
            for r in traders.head(TOP_LEADS).itertuples()
        ]
        out.append(
            "<table><thead><tr><th>score</th><th>importer</th><th>kind</th><th>explanation</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    if analysis.expectation is not None and not analysis.expectation.table.empty:
        out.extend(_expected_found_section(analysis.expectation))
    if analysis.not_computable:
        out.append("<h2>Not computable</h2><ul>")
        for code, reason in sorted(analysis.not_computable.items()):
            name = BY_CODE[code].name_en if code in BY_CODE else DETECTION_NAMES.get(code, code)
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
