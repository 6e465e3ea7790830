"""Dashboards: administration, office, officer scorecard, and the declarations behind a figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record, audit_view

from . import charts as draw
from . import dashboards as d
from . import selectors, traders
from .contracts import signed_version
from .forms import AntiGamingThresholdsForm
from .models import AnalysisRun, AntiGamingThresholds, Contract, IndicatorValue


def _run(request: HttpRequest) -> AnalysisRun:
    run_id = request.GET.get("run", "")
    return selectors.run_for(int(run_id) if run_id.isdigit() else None)


@require_capability("measure.view")
def administration(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    office = selectors.manager_office(user)
    offices = d.run_memo(run, "offices", (office,), lambda: d.offices_table(run, office=office))
    trend = d.run_memo(
        run,
        "trend",
        (office,),
        lambda: (
            d.trend_table(run)
            if office is None
            else d.trend_table(run, entity_type="office", entity_id=office)
        ),
    )
    channels = d.channel_mix(run.dataset.store_path, office=office)
    which = request.GET.get("export")
    tables = {"offices": offices, "trend": trend, "channels": channels}
    if which in tables:
        audit_record(action="export", actor=user, obj=run, after={"table": which})
        return d.export(tables[which], request.GET.get("format", "csv"), f"measure-{which}")
    labels = [r[0] for r in offices.rows]
    charts = {
        "volume": draw.bar(
            labels, {_("Declarations"): [r[1] or 0 for r in offices.rows]}, title=_("Declarations by office")
        ),
        "release": draw.bar(
            labels,
            {
                _("Median"): [r[5] or 0 for r in offices.rows],
                _("90th percentile"): [r[6] or 0 for r in offices.rows],
            },
            title=_("Hours from registration to release"),
            unit=_("hours"),
        ),
        "channels": draw.bar(
            [r[0] for r in channels.rows],
            {label: [r[1 + i] for r in channels.rows] for i, label in enumerate(d.CHANNELS)},
            title=_("Declarations by final channel"),
        ),
        "trend": draw.line(
            [r[0] for r in trend.rows],
            {_("Declarations"): [r[1] for r in trend.rows]},
            title=_("Declarations per month"),
        ),
        "trend_release": draw.line(
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
    table, used = d.run_memo(run, "officers", (code,), lambda: d.officers_table(run, office=code))
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
    chart = office_chart(table, used)
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


def office_chart(table: d.Table, used: list[str]) -> str:
    """The office page's chart: declarations by officer (also drawn ahead by ``warm``)."""
    return draw.bar(
        [r[0] for r in table.rows],
        {d.indicator_name("VOL_DECL"): [r[1 + 2 * used.index("VOL_DECL")] or 0 for r in table.rows]}
        if "VOL_DECL" in used
        else {},
        title=_("Declarations by officer"),
    )


@require_capability("section.measure")
def officer(request: HttpRequest, officer_id: str) -> HttpResponse:
    """An officer's scorecard: each indicator over time, next to the peer median and the contract target."""
    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    first = _any_value(run, officer_id)
    if first is None or not selectors.can_see_officer(
        viewer=user, officer_id=officer_id, office_code=first.office_code
    ):
        raise Http404("unknown officer")
    ctx = _scorecard_context(run, officer_id, charts=INLINE_CHARTS)
    if request.GET.get("export") == "scorecard":
        audit_record(action="export", actor=user, obj=run, after={"scorecard": officer_id})
        return d.export(ctx["table"], request.GET.get("format", "csv"), f"scorecard-{officer_id}")
    audit_view(request, first)
    ctx["office_code"] = first.office_code
    ctx["run_param"] = request.GET.get("run", "") if request.GET.get("run", "").isdigit() else ""
    return render(request, "measure/officer.html", ctx)


@require_capability("section.measure")
def officer_chart(request: HttpRequest, officer_id: str, code: str) -> HttpResponse:
    """One chart of a scorecard, fetched by the page when it scrolls into view (same access rules;
    the view of the scorecard itself is what is audited)."""
    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    first = _any_value(run, officer_id)
    if first is None or not selectors.can_see_officer(
        viewer=user, officer_id=officer_id, office_code=first.office_code
    ):
        raise Http404("unknown officer")
    ctx = _scorecard_context(run, officer_id, charts=0)
    panel = next((p for p in ctx["panels"] if p["code"] == code), None)
    if panel is None:
        raise Http404("no such indicator on this scorecard")
    return HttpResponse(draw.line(ctx["periods"], panel["lines"], title=panel["name"]))


def _any_value(run: AnalysisRun, officer_id: str) -> IndicatorValue | None:
    """One of the officer's values (its office, and the object a view of the scorecard is audited
    on). Not ``.first()``: ordering by id made SQLite walk the whole table (~300 ms at 1 M)."""
    found = IndicatorValue.objects.filter(run=run, entity_type="officer", entity_id=officer_id).order_by()[:1]
    return next(iter(found), None)


# Charts drawn with the scorecard page (the first ones, contract indicators first); the others are
# fetched by the browser when scrolled into view (htmx "revealed"). A scorecard has some twenty
# indicators, and drawing them all made a first view take seconds on a busy server.
INLINE_CHARTS = 4


def _scorecard_context(run: AnalysisRun, officer_id: str, *, charts: int | None = None) -> dict[str, Any]:
    """Panels (chart + table) per indicator, the latest contract, and the table for the export.

    ``charts``: how many panels get their chart drawn now (None: all, as the PDF needs); the
    others carry what ``officer_chart`` needs to draw theirs on request.
    """
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
    for k, code in enumerate(sorted(by, key=lambda c: (c not in targets, c))):
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
                "lines": lines,
                "svg": draw.line(periods, lines, title=d.indicator_name(code))
                if charts is None or k < charts
                else "",
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
        "periods": periods,
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


ANTIGAMING_PAGE = 50


@require_capability("measure.view")
def antigaming(request: HttpRequest) -> HttpResponse:
    """Facilitation gains next to control trends: is speed being bought by waving declarations through?"""
    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    limits = AntiGamingThresholds.current()
    office = selectors.manager_office(user)
    thresholds = (
        limits.assessment_gain_points,
        limits.release_gain_hours,
        limits.hit_rate_drop_points,
        limits.override_rise_points,
        limits.red_release_rise_points,
    )
    table = d.run_memo(
        run, "anti-gaming", (office, thresholds), lambda: d.anti_gaming(run, office=office, limits=limits)
    )
    if request.GET.get("export") == "antigaming":
        audit_record(action="export", actor=user, obj=run, after={"table": "anti-gaming"})
        return d.export(table, request.GET.get("format", "csv"), "measure-anti-gaming")
    codes = d.FACILITATION + d.CONTROL
    # Officers to look at come first (the table is sorted so); a page at a time, since an
    # administration has hundreds of officers.
    page = Paginator(table.rows, ANTIGAMING_PAGE).get_page(request.GET.get("page"))
    shown = [
        [r[0], r[1], *(_signed(v, c) for v, c in zip(r[2:-1], codes, strict=True)), r[-1]]
        for r in page.object_list
    ]
    ctx = {
        "run": run,
        "rows": shown,
        "page": page,
        "flagged": sum(1 for r in table.rows if r[-1]),
        "codes": [(c, d.indicator_name(c)) for c in codes],
        "limits": limits,
        "can_configure": user.can("measure.configure"),
    }
    return render(request, "measure/antigaming.html", ctx)


@require_capability("measure.configure")
def antigaming_thresholds(request: HttpRequest) -> HttpResponse:
    """Edit the thresholds of the anti-gaming view (one stored row, audited by model)."""
    user: User = request.user  # type: ignore[assignment]
    limits = AntiGamingThresholds.current()
    form = AntiGamingThresholdsForm(request.POST or None, instance=limits)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save(commit=False)
            saved.pk = 1
            saved.updated_by = user
            saved.updated_at = timezone.now()
            saved.save()
            messages.success(request, _("Thresholds saved: the anti-gaming view uses them now."))
            return redirect("measure:antigaming")
        return render(request, "measure/antigaming_thresholds.html", {"form": form}, status=400)
    return render(request, "measure/antigaming_thresholds.html", {"form": form})


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
    leads = run.leads.filter(entity_type=entity_type, entity_id=entity_id).order_by("rank")
    column = "declarant_id" if entity_type == "declarant" else "importer_id"
    series = traders.read(run.out_dir, level=entity_type, trader_id=entity_id)
    ctx = {
        "run": run,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "rows": rows,
        "leads": leads,
        "column": column,
        "series": series,
        "monthly": _trader_monthly(series),
        "officers": _trader_officers(series, user),
        "run_param": request.GET.get("run", "") if request.GET.get("run", "").isdigit() else "",
    }
    return render(request, "measure/trader.html", ctx)


@require_capability("measure.traders")
def trader_chart(request: HttpRequest, entity_type: str, entity_id: str, code: str) -> HttpResponse:
    """One chart of a trader page (its shares, or a monthly series), fetched by the page when it
    scrolls into view (same access rule; the view of the trader page itself is what is audited)."""
    if entity_type not in ("declarant", "importer") or code not in (SHARES, *TRADER_TRENDS):
        raise Http404("no such chart")
    run = _run(request)
    if code == SHARES:
        table = d.trader(run, entity_type=entity_type, entity_id=entity_id)
        if not table.rows:
            raise Http404("unknown trader")
        return HttpResponse(_trader_shares(table))
    if not IndicatorValue.objects.filter(run=run, entity_type=entity_type, entity_id=entity_id).exists():
        raise Http404("unknown trader")
    series = traders.read(run.out_dir, level=entity_type, trader_id=entity_id)
    if code not in series.monthly:  # the page offers no such chart; a stale page gets a word
        return HttpResponse(format_html('<p class="empty">{}</p>', _("No monthly value for this trader.")))
    return HttpResponse(_trader_chart(series, code))


# The monthly charts of a trader page: how much it declares, how fast it is released, how often
# its channel is relaxed. Fetched by the page when scrolled into view (``trader_chart``): there
# are tens of thousands of traders, so their charts cannot be drawn ahead like the scorecards',
# and drawing them with the page made a first view cost 100–300 ms more.
TRADER_TRENDS = ("VOL_DECL", "TF5", "BP1")
TRADER_OFFICERS_SHOWN = 25
# The first chart of a trader page (its shares next to the peers'), fetched the same way.
SHARES = "shares"


def _trader_shares(table: d.Table) -> str:
    shares = [r for r in table.rows if d.BY_CODE[r[0]].unit == "share"]
    return draw.bar(
        [r[0] for r in shares],
        {_("This trader"): [r[1] or 0 for r in shares], _("Peer median"): [r[2] or 0 for r in shares]},
        title=_("Shares, next to the median of peers"),
    )


def _trader_chart(series: traders.TraderSeries, code: str) -> str:
    periods = series.periods
    return draw.line(
        periods,
        {d.indicator_name(code): [series.monthly[code].get(p) for p in periods]},
        title=d.indicator_name(code),
    )


def _trader_monthly(series: traders.TraderSeries) -> dict[str, Any]:
    periods = series.periods
    charts = [(code, d.indicator_name(code)) for code in TRADER_TRENDS if code in series.monthly]
    table = [
        (code, d.indicator_name(code), [d.fmt(series.monthly[code].get(p), code) for p in periods])
        for code in sorted(series.monthly)
        if code in d.BY_CODE
    ]
    return {"periods": periods, "charts": charts, "table": table}


def _trader_officers(series: traders.TraderSeries, viewer: User) -> list[dict[str, Any]]:
    """The officers the trader deals with most, with the pairing excess (CP1) against peers;
    pseudonyms for analysts when the installation asks for them."""
    masked = selectors.pseudonymised(viewer)
    return [
        {
            "officer": selectors.pseudonym(officer) if masked else officer,
            "link": not masked,
            "officer_id": officer,
            "n": n,
            "excess": d.fmt(excess, "CP1"),
            "peer": d.fmt(peer, "CP1"),
            "high": excess is not None and peer is not None and excess > 2 * peer,
        }
        for officer, n, excess, peer in series.officers[:TRADER_OFFICERS_SHOWN]
    ]


@require_capability("section.measure")
def officer_pdf(request: HttpRequest, officer_id: str) -> HttpResponse:
    """The officer scorecard on A4: each indicator's chart and table."""
    from arusha_web.core.pdf import pdf_response

    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    first = _any_value(run, officer_id)
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
