"""Dashboards: administration, office, officer scorecard, and the declarations behind a figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record, audit_view
from arusha_web.core.charts import bar_svg, line_svg

from . import dashboards as d
from . import selectors
from .contracts import signed_version
from .models import AnalysisRun, Contract, IndicatorValue


def _run(request: HttpRequest) -> AnalysisRun:
    run_id = request.GET.get("run", "")
    return selectors.run_for(int(run_id) if run_id.isdigit() else None)


@require_capability("measure.view")
def administration(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    office = selectors.manager_office(user)
    offices = d.offices_table(run, office=office)
    trend = (
        d.trend_table(run) if office is None else d.trend_table(run, entity_type="office", entity_id=office)
    )
    channels = d.channel_mix(run.dataset.store_path, office=office)
    which = request.GET.get("export")
    tables = {"offices": offices, "trend": trend, "channels": channels}
    if which in tables:
        audit_record(action="export", actor=user, obj=run, after={"table": which})
        return d.export(tables[which], request.GET.get("format", "csv"), f"measure-{which}")
    labels = [r[0] for r in offices.rows]
    charts = {
        "volume": bar_svg(
            labels, {_("Declarations"): [r[1] or 0 for r in offices.rows]}, title=_("Declarations by office")
        ),
        "release": bar_svg(
            labels,
            {
                _("Median"): [r[5] or 0 for r in offices.rows],
                _("90th percentile"): [r[6] or 0 for r in offices.rows],
            },
            title=_("Hours from registration to release"),
            unit=_("hours"),
        ),
        "channels": bar_svg(
            [r[0] for r in channels.rows],
            {label: [r[1 + i] for r in channels.rows] for i, label in enumerate(d.CHANNELS)},
            title=_("Declarations by final channel"),
        ),
        "trend": line_svg(
            [r[0] for r in trend.rows],
            {_("Declarations"): [r[1] for r in trend.rows]},
            title=_("Declarations per month"),
        ),
        "trend_release": line_svg(
            [r[0] for r in trend.rows],
            {_("Median hours to release"): [r[2] for r in trend.rows]},
            title=_("Median release time per month"),
            unit=_("hours"),
        ),
    }
    shown = [[r[0]] + [d.fmt(v, c) for v, c in zip(r[1:], d.OVERVIEW, strict=True)] for r in offices.rows]
    trend_shown = [[r[0]] + [d.fmt(v, c) for v, c in zip(r[1:], d.TREND, strict=True)] for r in trend.rows]
    ctx = {
        "run": run,
        "offices": offices,
        "shown": shown,
        "trend": trend,
        "trend_shown": trend_shown,
        "charts": charts,
        "office": office,
        "channels": channels,
    }
    return render(request, "measure/administration.html", ctx)


@require_capability("measure.view")
def office(request: HttpRequest, code: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    limited = selectors.manager_office(user)
    if limited is not None and limited != code:
        raise Http404("not your office")
    run = _run(request)
    table, used = d.officers_table(run, office=code)
    if not table.rows:
        raise Http404("unknown office")
    if request.GET.get("export") == "officers":
        audit_record(action="export", actor=user, obj=run, after={"table": "officers", "office": code})
        return d.export(table, request.GET.get("format", "csv"), f"measure-office-{code}")
    sort = request.GET.get("sort", "")
    rows = table.rows
    if sort in used:
        idx = 1 + 2 * used.index(sort)
        rows = sorted(rows, key=lambda r: (r[idx] is None, -(r[idx] or 0)))
    query = request.GET.get("q", "").strip()
    if query:
        rows = [r for r in rows if query.lower() in r[0].lower()]
    shown = [
        [r[0]] + [(d.fmt(r[1 + 2 * i], c), d.fmt(r[2 + 2 * i], c)) for i, c in enumerate(used)] for r in rows
    ]
    columns = [(c, d.indicator_name(c)) for c in used]
    chart = bar_svg(
        [r[0] for r in table.rows],
        {d.indicator_name("VOL_DECL"): [r[1 + 2 * used.index("VOL_DECL")] or 0 for r in table.rows]}
        if "VOL_DECL" in used
        else {},
        title=_("Declarations by officer"),
    )
    ctx = {
        "run": run,
        "code": code,
        "shown": shown,
        "columns": columns,
        "sort": sort,
        "q": query,
        "chart": chart,
    }
    return render(request, "measure/office.html", ctx)


@require_capability("section.measure")
def officer(request: HttpRequest, officer_id: str) -> HttpResponse:
    """An officer's scorecard: each indicator over time, next to the peer median and the contract target."""
    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    first = IndicatorValue.objects.filter(run=run, entity_type="officer", entity_id=officer_id).first()
    if first is None or not selectors.can_see_officer(
        viewer=user, officer_id=officer_id, office_code=first.office_code
    ):
        raise Http404("unknown officer")
    ctx = _scorecard_context(run, officer_id)
    if request.GET.get("export") == "scorecard":
        audit_record(action="export", actor=user, obj=run, after={"scorecard": officer_id})
        return d.export(ctx["table"], request.GET.get("format", "csv"), f"scorecard-{officer_id}")
    audit_view(request, first)
    ctx["office_code"] = first.office_code
    return render(request, "measure/officer.html", ctx)


def _scorecard_context(run: AnalysisRun, officer_id: str) -> dict[str, Any]:
    """Panels (chart + table) per indicator, the latest contract, and the table for the export."""
    contract = (
        Contract.objects.filter(subject_type="officer", subject_id=officer_id).order_by("-created_at").first()
    )
    version = signed_version(contract) if contract else None
    targets = {t.indicator: t.target for t in version.targets.all()} if version else {}
    periods, by = d.officer_series(run, officer_id=officer_id)
    rows = [
        [c, p, v.value, v.peer_median, targets.get(c)]
        for c, series in by.items()
        for p, v in sorted(series.items())
    ]
    panels = []
    for code in sorted(by, key=lambda c: (c not in targets, c)):
        series = by[code]
        values = [series[p].value if p in series else None for p in periods]
        peers = [series[p].peer_median if p in series else None for p in periods]
        lines: dict[str, Sequence[float | None]] = {_("This officer"): values, _("Peer median"): peers}
        if code in targets:
            lines[_("Contract target")] = [targets[code]] * len(periods)
        panels.append(
            {
                "code": code,
                "name": d.indicator_name(code),
                "svg": line_svg(periods, lines, title=d.indicator_name(code)),
                "rows": [
                    (p, d.fmt(v, code), d.fmt(m, code))
                    for p, v, m in zip(periods, values, peers, strict=True)
                ],
                "target": d.fmt(targets[code], code) if code in targets else "",
            }
        )
    return {
        "run": run,
        "officer_id": officer_id,
        "panels": panels,
        "contract": contract,
        "table": d.Table("scorecard", ["indicator", "period", "value", "peer median", "target"], rows),
    }


@require_capability("measure.view")
def declarations(request: HttpRequest) -> HttpResponse:
    """Declarations behind a figure (an officer, an office, a declarant, an importer)."""
    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    column = request.GET.get("by", "")
    value = request.GET.get("id", "")
    limited = selectors.manager_office(user)
    if column not in ("officer_id", "office_code", "declarant_id", "importer_id") or not value:
        raise Http404("say which declarations")
    page = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
    rows, total = d.declarations(
        run.dataset.store_path, column=column, value=value, page=max(page, 1), office=limited
    )
    audit_record(
        action="view", actor=user, obj=run, after={"declarations": f"{column}={value}", "page": page}
    )
    pages = max(1, (total + 49) // 50)
    ctx = {
        "run": run,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "by": column,
        "id": value,
        "columns": d.DRILL_COLUMNS,
    }
    return render(request, "measure/declarations.html", ctx)


@require_capability("measure.view")
def antigaming(request: HttpRequest) -> HttpResponse:
    """Facilitation gains next to control trends: is speed being bought by waving declarations through?"""
    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    table = d.anti_gaming(run, office=selectors.manager_office(user))
    if request.GET.get("export") == "antigaming":
        audit_record(action="export", actor=user, obj=run, after={"table": "anti-gaming"})
        return d.export(table, request.GET.get("format", "csv"), "measure-anti-gaming")
    codes = d.FACILITATION + d.CONTROL
    shown = [
        [r[0], r[1], *(_signed(v, c) for v, c in zip(r[2:-1], codes, strict=True)), r[-1]] for r in table.rows
    ]
    flagged = [r for r in shown if r[-1]]
    ctx = {
        "run": run,
        "rows": shown,
        "flagged": len(flagged),
        "codes": [(c, d.indicator_name(c)) for c in codes],
    }
    return render(request, "measure/antigaming.html", ctx)


def _signed(value: float | None, code: str) -> str:
    if value is None:
        return "—"
    text = (
        d.fmt(abs(value), code).replace(" %", " pts")
        if d.BY_CODE[code].unit == "share"
        else d.fmt(abs(value), code)
    )
    return ("+" if value >= 0 else "−") + text


@require_capability("measure.traders")
def trader(request: HttpRequest, entity_type: str, entity_id: str) -> HttpResponse:
    """A declarant's or importer's indicators, leads about it, and its declarations."""
    user: User = request.user  # type: ignore[assignment]
    if entity_type not in ("declarant", "importer"):
        raise Http404("declarant or importer")
    run = _run(request)
    table = d.trader(run, entity_type=entity_type, entity_id=entity_id)
    if not table.rows:
        raise Http404("unknown trader")
    if request.GET.get("export") == "trader":
        audit_record(action="export", actor=user, obj=run, after={entity_type: entity_id})
        return d.export(table, request.GET.get("format", "csv"), f"{entity_type}-{entity_id}")
    audit_record(action="view", actor=user, obj=run, after={entity_type: entity_id})
    rows = [(c, d.indicator_name(c), d.fmt(v, c), d.fmt(m, c), n) for c, v, m, n in table.rows]
    chart = bar_svg(
        [r[0] for r in table.rows if d.BY_CODE[r[0]].unit == "share"],
        {
            _("This trader"): [r[1] or 0 for r in table.rows if d.BY_CODE[r[0]].unit == "share"],
            _("Peer median"): [r[2] or 0 for r in table.rows if d.BY_CODE[r[0]].unit == "share"],
        },
        title=_("Shares, next to the median of peers"),
    )
    leads = run.leads.filter(entity_type=entity_type, entity_id=entity_id).order_by("rank")
    column = "declarant_id" if entity_type == "declarant" else "importer_id"
    ctx = {
        "run": run,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "rows": rows,
        "chart": chart,
        "leads": leads,
        "column": column,
    }
    return render(request, "measure/trader.html", ctx)


@require_capability("section.measure")
def officer_pdf(request: HttpRequest, officer_id: str) -> HttpResponse:
    """The officer scorecard on A4: each indicator's chart and table."""
    from arusha_web.core.pdf import pdf_response

    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    first = IndicatorValue.objects.filter(run=run, entity_type="officer", entity_id=officer_id).first()
    if first is None or not selectors.can_see_officer(
        viewer=user, officer_id=officer_id, office_code=first.office_code
    ):
        raise Http404("unknown officer")
    audit_view(request, first)
    ctx = _scorecard_context(run, officer_id)
    ctx["office_code"] = first.office_code
    ctx["now"] = timezone.now()
    return pdf_response(
        "measure/officer_pdf.html", ctx, filename=f"scorecard-{officer_id}.pdf", request=request
    )
