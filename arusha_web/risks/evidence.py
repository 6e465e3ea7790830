"""Live evidence for a risk: indicator trends and current leads from the newest analysis.

The Measure module stores each finished analysis in the web database (``measure.AnalysisRun``
with its ``IndicatorValue`` and ``Lead`` rows); the newest finished run is "the current
analysis". When no run is stored yet (an installation that only ran ``arusha analyze``), the
newest directory under ``<VAR_DIR>/analysis/`` holding ``indicators.parquet`` is read instead.
Reading is defensive: a missing or unreadable output means "no evidence", said plainly on the
page, never an error page.

Leads are narrowed to the risk's office (a risk of the whole administration shows every
office's), and never beyond what the viewer may see in Measure: an office manager sees only
his office's leads, and officer identifiers are pseudonymised where Measure would.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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
    """What the risk page shows; `source` says where it was read ("" = no analysis found)."""

    source: str = ""
    trends: list[Trend] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""
    office_code: str = ""  # the office the leads are narrowed to ("" = every office)


# ---------------------------------------------------------------- shared shaping


def _shape_trends(rows: Iterable[dict[str, Any]], codes: list[str], office_code: str | None) -> list[Trend]:
    """Per indicator, the administration's (and the risk's office's) value by period."""
    rows = [r for r in rows if r["period"] != "all" and r["indicator"] in codes]
    trends = []
    for code in codes:
        wanted: dict[str, str] = {"administration": _("Administration")}
        if office_code:
            wanted["office"] = office_code
        picked = [
            r for r in rows if r["indicator"] == code and (
                r["entity_type"] == "administration" or (r["entity_type"] == "office" and r["entity_id"] == office_code)
            )
        ]  # fmt: skip
        if not picked:
            continue
        periods = sorted({r["period"] for r in picked})
        series: dict[str, Sequence[float | None]] = {}
        for etype, label in wanted.items():
            values = {r["period"]: r["value"] for r in picked if r["entity_type"] == etype}
            if values:
                series[label] = [values.get(p) for p in periods]
        trends.append(Trend(code, _indicator_name(code), periods, series))
    return trends


def _indicator_name(code: str) -> str:
    """The catalogue's name of an indicator in the user's language ('' when unknown)."""
    from arusha.metrics.catalogue import BY_CODE

    indicator = BY_CODE.get(code)
    if indicator is None:
        return ""
    return indicator.name_fr if (get_language() or "en").startswith("fr") else indicator.name_en


def known_indicator_codes() -> list[str]:
    """Codes of the engine's indicator catalogue, the only ones a risk can be tied to."""
    from arusha.metrics.catalogue import BY_CODE

    return sorted(BY_CODE)


def indicator_choices() -> list[tuple[str, str]]:
    """The catalogue's indicators as a reader picks them: by name in his language, code beside it."""
    from arusha.metrics.catalogue import CATALOGUE

    french = (get_language() or "en").startswith("fr")
    named = [(i.code, f"{i.name_fr if french else i.name_en} ({i.code})") for i in CATALOGUE]
    return sorted(named, key=lambda pair: pair[1].lower())


def unknown_indicator_codes(codes: Iterable[str]) -> list[str]:
    """The codes in `codes` that are not in the engine's catalogue (a typo shows no evidence)."""
    known = set(known_indicator_codes())
    return [code for code in codes if code not in known]


def lead_kinds(codes: list[str]) -> set[str]:
    return {kind for code in codes for kind in INDICATOR_LEAD_KINDS.get(code, ())}


def leads_office(*, risk_office: str | None, viewer: Any) -> str | None:
    """The office code leads are narrowed to: the risk's, else the manager's own; None = all."""
    from arusha_web.measure.selectors import manager_office

    own = manager_office(viewer) if viewer is not None else None
    if own is not None:
        # An office manager never sees another office's leads, even on a national risk.
        return own if own and risk_office in (None, own) else "\0"
    return risk_office


# ---------------------------------------------------------------- the web database (Measure runs)


def official_run(at: Any = None) -> Any:
    """The Measure module's official analysis (at ``at``, for a replay), or None."""
    from arusha_web.measure.selectors import official_run as measure_official_run

    return measure_official_run(at)


def run_trends(run: Any, codes: list[str], office_code: str | None) -> list[Trend]:
    from arusha_web.measure.models import IndicatorValue

    entities = Q(entity_type="administration")
    if office_code:
        entities |= Q(entity_type="office", entity_id=office_code)
    rows = (
        IndicatorValue.objects.filter(run=run, indicator__in=codes)
        .filter(entities)
        .exclude(period="all")
        .values("entity_type", "entity_id", "period", "indicator", "value")
    )
    return _shape_trends([dict(r) for r in rows], codes, office_code)


def _lead_row(shown: Any, *, kind: str, score: float, office_code: str) -> dict[str, Any]:
    """What the evidence panel shows of a lead (``shown``: a ``measure.selectors.LeadShown``)."""
    from arusha_web.measure.kinds import kind_label

    return {
        "entity_type": shown.record.entity_type,
        "entity_id": shown.identifier,
        "about": shown.about,
        "office_code": office_code,
        "kind": kind,
        "kind_label": kind_label(kind),
        "months": shown.window,
        "score": score,
        "explanation": shown.sentence,
    }


def _viewer_mask(viewer: Any) -> Any:
    """Officer ids as Measure would show them to `viewer` (None: as they are)."""
    from arusha_web.measure.selectors import officer_mask

    return officer_mask(viewer) if viewer is not None else None


def run_leads(run: Any, codes: list[str], office_code: str | None, viewer: Any) -> list[dict[str, Any]]:
    from arusha_web.measure.models import Lead
    from arusha_web.measure.selectors import lead_shown

    kinds = lead_kinds(codes)
    if not kinds:
        return []
    leads = Lead.objects.filter(run=run, kind__in=kinds)
    if office_code is not None:
        leads = leads.filter(office_code=office_code)
    may_open = viewer is not None and viewer.can("measure.leads")
    mask = _viewer_mask(viewer)
    out = []
    for lead in leads.order_by("-score", "rank")[:MAX_LEADS]:
        row = _lead_row(
            lead_shown(lead, mask=mask), kind=lead.kind, score=lead.score, office_code=lead.office_code
        )
        row["status"] = lead.get_status_display()
        row["pk"] = lead.pk if may_open else None
        out.append(row)
    return out


# ---------------------------------------------------------------- fallback: an output folder


def latest_analysis_dir(var_dir: Path | None = None) -> Path | None:
    """The most recently modified analysis output directory, or None."""
    root = Path(var_dir or settings.VAR_DIR) / "analysis"
    if not root.is_dir():
        return None
    candidates = [d for d in root.iterdir() if d.is_dir() and (d / "indicators.parquet").is_file()]
    if (root / "indicators.parquet").is_file():
        candidates.append(root)  # `arusha analyze --out var/analysis` writes straight there
    return max(candidates, key=lambda d: (d / "indicators.parquet").stat().st_mtime, default=None)


def _parquet_rows(directory: Path, codes: list[str]) -> list[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(
        directory / "indicators.parquet",
        columns=["entity_type", "entity_id", "office_code", "period", "indicator", "value"],
    )
    return list(table.filter(pc.is_in(table["indicator"], value_set=pa.array(codes))).to_pylist())


def indicator_trends(directory: Path, codes: list[str], office_code: str | None) -> list[Trend]:
    return _shape_trends(_parquet_rows(directory, codes), codes, office_code)


def _officer_offices(directory: Path) -> dict[str, str]:
    """officer id -> office code, from the officer rows of indicators.parquet."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(
        directory / "indicators.parquet", columns=["entity_type", "entity_id", "office_code"]
    )
    officers = table.filter(pc.equal(table["entity_type"], "officer"))
    return {r["entity_id"]: r["office_code"] or "" for r in officers.to_pylist()}


def _lead_office(record: Any, officers: dict[str, str]) -> str:
    """The office of a lead from signals.csv: its own column, else (an older analysis, which had
    none) as Measure derives it."""
    if record.office_code:
        return str(record.office_code)
    if record.entity_type == "office":
        return str(record.entity_id)
    return officers.get(record.officer, "") if record.officer else ""


def current_leads(
    directory: Path, codes: list[str], office_code: str | None = None, viewer: Any = None
) -> list[dict[str, Any]]:
    """The strongest leads whose kind measures one of the risk's indicators (of `office_code`),
    officers masked as Measure would mask them for `viewer`."""
    from arusha_web.measure.lead_records import record_from_row
    from arusha_web.measure.selectors import record_shown

    kinds = lead_kinds(codes)
    path = directory / "signals.csv"
    if not kinds or not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("kind") in kinds]
    records = [record_from_row(row) for row in rows]
    officers = _officer_offices(directory) if rows and not all(r.office_code for r in records) else {}
    found = []
    for row, record in zip(rows, records, strict=True):
        try:
            score = float(row["score"])
        except (TypeError, ValueError):
            score = 0.0
        found.append((record, row.get("explanation") or "", score, _lead_office(record, officers)))
    if office_code is not None:
        found = [lead for lead in found if lead[3] == office_code]
    found.sort(key=lambda lead: lead[2], reverse=True)
    mask = _viewer_mask(viewer) if found else None
    return [
        _lead_row(
            record_shown(record, explanation=explanation, mask=mask),
            kind=record.kind,
            score=score,
            office_code=office,
        )
        for record, explanation, score, office in found[:MAX_LEADS]
    ]


# ---------------------------------------------------------------- entry point


def risk_evidence(risk: Any, var_dir: Path | None = None, viewer: Any = None, at: Any = None) -> Evidence:
    """Trends and leads for `risk`'s indicator codes from the official analysis (the one official at
    ``at`` for a replay), as `viewer` may see them. A trial analysis never feeds the register."""
    risk_office = risk.office.code if risk.office else None
    narrowed = leads_office(risk_office=risk_office, viewer=viewer)
    codes = list(risk.indicator_codes or [])
    run = official_run(at)
    if run is not None:
        source = _("official analysis #%(pk)s of %(dataset)s (%(date)s)") % {
            "pk": run.pk,
            "dataset": run.dataset,
            "date": (run.finished_at or run.created_at).date(),
        }
        if not codes:
            return Evidence(source)
        trends = run_trends(run, codes, risk_office)
        leads = run_leads(run, codes, narrowed, viewer)
        return _with_charts(Evidence(source, trends, leads, office_code=narrowed or ""))
    # Only an installation whose analyses all ran outside the web app (the CLI) reads the newest
    # output folder: once the web app holds analyses, an unpublished one (a trial) never feeds
    # the register.
    from arusha_web.measure.models import AnalysisRun

    directory = latest_analysis_dir(var_dir) if at is None and not AnalysisRun.objects.exists() else None
    if directory is None:
        return Evidence()
    source = _("output folder %(name)s") % {"name": directory.name}
    if not codes:
        return Evidence(source)
    try:
        trends = indicator_trends(directory, codes, risk_office)
        leads = current_leads(directory, codes, narrowed, viewer)
    except Exception as exc:  # a half-written or foreign file must not break the risk page
        return Evidence(source, problem=str(exc)[:300])
    return _with_charts(Evidence(source, trends, leads, office_code=narrowed or ""))


def _with_charts(evidence: Evidence) -> Evidence:
    from arusha_web.core.charts import line_svg

    for trend in evidence.trends:
        trend.svg = line_svg(trend.periods, trend.series, title=f"{trend.indicator} {trend.name}")
    return evidence
