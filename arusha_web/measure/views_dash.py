"""Dashboards: administration, office, officer scorecard, and the declarations behind a figure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record, audit_view
from arusha_web.core.params import number_param

from . import charts as draw
from . import dashboards as d
from . import lead_text, scorecard_summary, selectors, trader_risk, traders
from .contracts import contract_months as contract_months_of
from .contracts import signed_version
from .figures import rounded
from .forms import AntiGamingThresholdsForm
from .kinds import trader_risk_label
from .models import AnalysisRun, AntiGamingThresholds, Contract, IndicatorValue

# Each channel drawn in its own colour: a manager reads "green" on the legend and expects green.
CHANNEL_COLORS = {"green": "#2f9e44", "blue": "#1c64b0", "yellow": "#d4a106", "red": "#c0392b"}


def _run(request: HttpRequest) -> AnalysisRun:
    return selectors.run_for(request.user, number_param(request.GET, "run"))  # type: ignore[arg-type]


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
            {d.channel_label(c): [r[1 + i] for r in channels.rows] for i, c in enumerate(d.CHANNELS)},
            colors=[CHANNEL_COLORS[c] for c in d.CHANNELS],
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
    trend_shown = [
        (r[0], bool(MONTH.match(str(r[0]))), [d.fmt(v, c) for v, c in zip(r[1:], d.TREND, strict=True)])
        for r in trend.rows
    ]
    ctx = {
        "run": run,
        "offices": offices,
        "shown": shown,
        "trend": trend,
        "trend_shown": trend_shown,
        "charts": charts,
        "office": office,
        "channels": channels,
        "channel_rows": [
            {"office": r[0], "cells": list(zip(d.CHANNELS, r[1:], strict=True))} for r in channels.rows
        ],
    }
    return render(request, "measure/administration.html", ctx)


@require_capability("measure.view")
def office(request: HttpRequest, code: str) -> HttpResponse:
    """An office: its officers side by side (sortable, filterable), how their values spread, and the
    Time Release Study (stage durations by channel and month)."""
    user: User = request.user  # type: ignore[assignment]
    limited = selectors.manager_office(user)
    if limited is not None and limited != code:
        raise Http404("not your office")
    run = _run(request)
    table, used = d.run_memo(run, "officers", (code,), lambda: d.officers_table(run, office=code))
    if not table.rows:
        raise Http404("unknown office")
    mask = selectors.officer_mask(user)
    trs = d.run_memo(run, "trs", (code,), lambda: d.time_release_study(run, office=code))
    which = request.GET.get("export")
    if which in ("officers", "trs"):
        audit_record(action="export", actor=user, obj=run, after={"table": which, "office": code})
        if which == "trs":
            if trs is None:
                raise Http404("no Time Release Study in this analysis")
            return d.export(trs, request.GET.get("format", "csv"), f"measure-trs-{code}")
        if mask is not None:
            table = d.Table(table.title, table.columns, [[mask(r[0]), *r[1:]] for r in table.rows])
        return d.export(table, request.GET.get("format", "csv"), f"measure-office-{code}")
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir", "desc") != "asc"
    rows = table.rows
    if sort in used:
        idx = 1 + 2 * used.index(sort)
        present = sorted((r for r in rows if r[idx] is not None), key=lambda r: r[idx], reverse=descending)
        rows = present + [r for r in rows if r[idx] is None]  # no value: last either way
    query = request.GET.get("q", "").strip()
    shown_name = mask or (lambda officer_id: officer_id)
    if query:
        rows = [r for r in rows if query.lower() in shown_name(r[0]).lower()]
    shown = [
        [(shown_name(r[0]), r[0] if mask is None else "")]
        + [(d.fmt(r[1 + 2 * i], c), d.fmt(r[2 + 2 * i], c)) for i, c in enumerate(used)]
        for r in rows
    ]
    columns = [(c, d.indicator_name(c), c == sort) for c in used]
    ctx = {
        "run": run,
        "code": code,
        "shown": shown,
        "columns": columns,
        "sort": sort,
        "dir": "desc" if descending else "asc",
        "q": query,
        "charts": office_charts(table, used, trs),
        "apart": scorecard_summary.officers_apart(table.rows, used, shown_name, linked=mask is None),
        "officer_count": len(table.rows),
        "distributions": _distribution_tables(table, used),
        "trs": _trs_shown(trs),
        "masked": mask is not None,
    }
    return render(request, "measure/office.html", ctx)


# The indicators whose spread over the office's officers the office page draws: the two
# facilitation and the two control indicators a manager asks about first.
DISTRIBUTED = ("TF1", "TF5", "BP1", "BP2")
BINS = 8


def _bins(values: list[float]) -> list[tuple[float, float, int]]:
    """(from, to, officers) over equal-width bins between the smallest and the largest value."""
    low, high = min(values), max(values)
    if high == low:
        return [(low, high, len(values))]
    width = (high - low) / BINS
    counts = [0] * BINS
    for v in values:
        counts[min(int((v - low) / width), BINS - 1)] += 1
    return [(low + k * width, low + (k + 1) * width, counts[k]) for k in range(BINS)]


def _distribution_tables(table: d.Table, used: list[str]) -> list[dict[str, Any]]:
    """Per distributed indicator: its bins (the table view of its chart) and the office median."""
    out = []
    for code in DISTRIBUTED:
        if code not in used:
            continue
        idx = 1 + 2 * used.index(code)
        values = [r[idx] for r in table.rows if r[idx] is not None]
        if not values:
            continue
        out.append(
            {
                "code": code,
                "name": d.indicator_name(code),
                "bins": [(d.fmt(a, code), d.fmt(b, code), n) for a, b, n in _bins(values)],
                "median": d.fmt(sorted(values)[len(values) // 2], code),
            }
        )
    return out


def office_charts(table: d.Table, used: list[str], trs: d.Table | None) -> dict[str, Any]:
    """The office page's charts (also drawn ahead by ``warm``): how the officers' values spread
    over the main indicators, and the Time Release Study's."""
    spread = {}
    for item in _distribution_tables(table, used):
        spread[item["code"]] = draw.bar(
            [f"{a} – {b}" for a, b, _n in item["bins"]],
            {_("Officers"): [n for _a, _b, n in item["bins"]]},
            title=item["name"],
            horizontal=True,  # the ranges as readable labels, one per line
            unit=_("officers"),
        )
    charts: dict[str, Any] = {"spread": spread}
    if trs is not None and trs.rows:
        typical = d.typical_stages(trs)
        stages = [_("Registration → assessment"), _("Assessment → payment"), _("Payment → release")]
        charts["trs_stages"] = draw.bar(
            [d.channel_label(c) for c in typical],
            {name: [typical[c][k] or 0 for c in typical] for k, name in enumerate(stages)},
            # Shades of one colour: the labels are channels, and green or red bars would read as such.
            colors=["#0b4f6c", "#4a90c2", "#a9c9e4"],
            title=_("Median hours of each stage, by final channel"),
            unit=_("hours"),
        )
        months = sorted({r[0] for r in trs.rows})
        by = {(r[0], r[1]): r[-1] for r in trs.rows}
        channels = [c for c in typical]
        charts["trs_months"] = draw.line(
            months,
            {d.channel_label(c): [by.get((m, c)) for m in months] for c in channels},
            colors=[CHANNEL_COLORS.get(c, "#5b6877") for c in channels],
            title=_("Median hours from registration to release, by channel and month"),
            unit=_("hours"),
        )
    return charts


def _trs_shown(trs: d.Table | None) -> list[dict[str, Any]] | None:
    if trs is None:
        return None
    return [
        {
            "month": r[0],
            "channel": r[1],
            "channel_label": d.channel_label(r[1]),
            "n": number_format(r[2], 0, use_l10n=True, force_grouping=True) if r[2] is not None else "—",
            "drill": bool(MONTH.match(str(r[0]))),  # an analysis by quarter or year: no month to narrow to
            "hours": [
                number_format(rounded(v, 1), 1, use_l10n=True) if v is not None else "—" for v in r[3:]
            ],
        }
        for r in trs.rows
    ]


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
    ctx["run_param"] = number_param(request.GET, "run") or ""
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
    return HttpResponse(draw.line(ctx["periods"], panel["lines"], title=panel["name"], unit=panel["unit"]))


def _scaled(values: list[float | None], scale: float) -> list[float | None]:
    return [None if v is None else v * scale for v in values]


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
    targets = (
        {t.indicator: t.target for t in version.targets.all() if t.target is not None} if version else {}
    )
    contract_months = set(contract_months_of(version)) if version else set()
    periods, by = d.officer_series(run, officer_id=officer_id)
    rows = [
        [c, p, v.value, v.peer_median, targets.get(c) if p in contract_months else None]
        for c, series in by.items()
        for p, v in sorted(series.items())
    ]
    panels = []
    for k, code in enumerate(sorted(by, key=lambda c: (c not in targets, c))):
        series = by[code]
        values = [series[p].value if p in series else None for p in periods]
        peers = [series[p].peer_median if p in series else None for p in periods]
        # Shares drawn in per cent, as the tables and the contract write them (not 0.05 next to 5 %).
        scale = 100.0 if d.BY_CODE[code].unit == "share" else 1.0
        lines: dict[str, Sequence[float | None]] = {
            _("This officer"): _scaled(values, scale),
            _("Peer median"): _scaled(peers, scale),
        }
        if code in targets:
            # The target holds over the contract's months only, not before it was agreed.
            lines[_("Contract target")] = [
                targets[code] * scale if p in contract_months else None for p in periods
            ]
        panels.append(
            {
                "code": code,
                "name": d.indicator_name(code),
                "lines": lines,
                "unit": "%" if scale == 100.0 else "",
                "svg": draw.line(
                    periods, lines, title=d.indicator_name(code), unit="%" if scale == 100.0 else ""
                )
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
        "summary": scorecard_summary.summarise(periods, by, targets, contract_months),
        "panels": panels,
        "contract": contract,
        "table": d.Table("scorecard", ["indicator", "period", "value", "peer median", "target"], rows),
    }


DRILL_BY = {
    "officer_id": gettext_lazy("Officer"),
    "office_code": gettext_lazy("Office"),
    "declarant_id": gettext_lazy("Declarant"),
    "importer_id": gettext_lazy("Importer"),
    "all": gettext_lazy("All offices"),
}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$", re.ASCII)  # without ASCII, \d also takes ٢٠٢٤


@require_capability("measure.view")
def declarations(request: HttpRequest) -> HttpResponse:
    """Declarations behind a figure (an officer, an office, a declarant, an importer)."""
    user: User = request.user  # type: ignore[assignment]
    run = _run(request)
    column = request.GET.get("by", "")
    value = request.GET.get("id", "")
    limited = selectors.manager_office(user)
    if column not in DRILL_BY or not value:
        raise Http404("say which declarations")
    mask = selectors.officer_mask(user)
    if mask is not None and column == "officer_id" and mask(value) != value:
        raise Http404("officers are known by pseudonym until a lead is referred")
    # Narrower still: one final channel, one month of registration (a cell of a chart's table).
    channel = request.GET.get("channel", "")
    month = request.GET.get("month", "")
    if (channel and channel not in d.CHANNELS) or (month and not MONTH.match(month)):
        raise Http404("unknown channel or month")
    narrow = {"channel": channel, "month": month}
    what = {"declarations": f"{column}={value}", **{k: v for k, v in narrow.items() if v}}
    if request.GET.get("export") == "declarations":
        audit_record(action="export", actor=user, obj=run, after=what)
        table = d.declarations_export(
            run.dataset.store_path, column=column, value=value, office=limited, channel=channel, month=month
        )
        if mask is not None:
            k = d.DRILL_COLUMNS.index("officer_id")
            table.rows = [[*r[:k], mask(r[k]) if r[k] else r[k], *r[k + 1 :]] for r in table.rows]
        return d.export(table, request.GET.get("format", "csv"), f"declarations-{column}-{value}")
    page = number_param(request.GET, "page") or 1
    rows, total = d.declarations(
        run.dataset.store_path,
        column=column,
        value=value,
        page=max(page, 1),
        office=limited,
        channel=channel,
        month=month,
    )
    audit_record(action="view", actor=user, obj=run, after={**what, "page": page})
    pages = max(1, (total + 49) // 50)
    ctx = {
        "run": run,
        "rows": [_drill_row(r, mask) for r in rows],
        "total": total,
        "page": page,
        "pages": pages,
        "by": column,
        "by_label": DRILL_BY[column],
        "id": value,
        "channel": channel,
        "channel_label": d.channel_label(channel) if channel else "",
        "month": month,
        "query": urlencode(
            ({"run": str(run.pk)} if "run" in request.GET else {})
            | {"by": column, "id": value}
            | {k: v for k, v in narrow.items() if v}
        ),
        "columns": [d.DRILL_LABELS[c] for c in d.DRILL_COLUMNS],
        "export_limit": d.EXPORT_ROWS,
        "office_url": _office_url(value) if column == "office_code" else "",
    }
    return render(request, "measure/declarations.html", ctx)


def _office_url(code: str) -> str:
    """The office's page, or "" for a code no page can have (a "/" in a hand-made address)."""
    try:
        return reverse("measure:office", args=[code])
    except NoReverseMatch:
        return ""


def _drill_row(row: Sequence[Any], mask: Any) -> list[str]:
    """One declaration as the reader sees it: channels in words, amounts with separators, dates in
    the reader's format, officers masked for a pseudonymised viewer."""
    out = []
    for column, v in zip(d.DRILL_COLUMNS, row, strict=True):
        if v is None or v == "":
            out.append("—")
        elif column.startswith("channel"):
            out.append(d.channel_label(str(v)))
        elif column == "officer_id" and mask is not None:
            out.append(mask(str(v)))
        elif column in ("declared_value", "duties_declared") and isinstance(v, (int, float)):
            out.append(number_format(rounded(v, 0), 0, use_l10n=True, force_grouping=True))
        elif hasattr(v, "strftime"):
            out.append(
                date_format(timezone.localtime(v) if timezone.is_aware(v) else v, "SHORT_DATETIME_FORMAT")
            )
        else:
            out.append(str(v))
    return out


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
    mask = selectors.officer_mask(user)
    if request.GET.get("export") == "antigaming":
        audit_record(action="export", actor=user, obj=run, after={"table": "anti-gaming"})
        if mask is not None:
            table = d.Table(table.title, table.columns, [[mask(r[0]), *r[1:]] for r in table.rows])
        return d.export(table, request.GET.get("format", "csv"), "measure-anti-gaming")
    codes = d.FACILITATION + d.CONTROL
    # Officers to look at come first (the table is sorted so); a page at a time, since an
    # administration has hundreds of officers.
    page = Paginator(table.rows, ANTIGAMING_PAGE).get_page(request.GET.get("page"))
    shown = [
        [
            mask(r[0]) if mask else r[0],
            "" if mask else r[0],  # the scorecard to link to (none for a pseudonym)
            r[1],
            *(_signed(v, c) for v, c in zip(r[2:-1], codes, strict=True)),
            r[-1],
        ]
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
    mask = selectors.officer_mask(user)
    leads = [
        (lead.rank, selectors.lead_shown(lead, mask=mask).sentence)
        # Leads about the trader and the officer × trader pairs that name it.
        for lead in run.leads.filter(
            Q(entity_type=entity_type, entity_id=entity_id)
            | Q(entity_type=f"officer_{entity_type}_pair", other_id=entity_id)
        ).order_by("rank")
    ]
    # An importer's own targeting leads (trader_risk.csv), apart from the integrity leads above.
    listed = (trader_risk.read(run.out_dir) or []) if entity_type == "importer" else []
    targeting = [
        {
            "row": r,
            "label": trader_risk_label(r.kind),
            "months": lead_text.months(r.window_start, r.window_end),
            "expected": lead_text.amount(r.expected),
        }
        for r in listed
        if r.importer_id == entity_id
    ]
    column = "declarant_id" if entity_type == "declarant" else "importer_id"
    series = traders.read(run.out_dir, level=entity_type, trader_id=entity_id)
    ctx = {
        "run": run,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "rows": rows,
        "leads": leads,
        "targeting": targeting,
        "column": column,
        "series": series,
        "monthly": _trader_monthly(series),
        "officers": _trader_officers(series, user),
        "run_param": number_param(request.GET, "run") or "",
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
        # In per cent, as the table writes them; bars across, so the codes stay readable.
        {
            _("This trader"): [100 * (r[1] or 0) for r in shares],
            _("Peer median"): [100 * (r[2] or 0) for r in shares],
        },
        title=_("Shares, next to the median of peers"),
        horizontal=True,
        unit="%",
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
    ctx["bar"] = selectors.run_bar(user, run)  # which analysis and months the printed page shows
    return pdf_response(
        "measure/officer_pdf.html", ctx, filename=f"scorecard-{officer_id}.pdf", request=request
    )
