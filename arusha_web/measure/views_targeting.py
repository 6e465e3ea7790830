"""The targeting page: does inspection find what the risk model says is there?

Two questions a manager can act on, from the risk model's outputs of one analysis: do the channels
the office assigns pick the declarations most likely to hide a discrepancy (targeting quality), and
which officers find far fewer discrepancies than the declarations they inspected should hold
(expected versus found). Office managers see their own office; analysts see pseudonyms when the
installation asks for it, as on the other Measure pages.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record
from arusha_web.core.params import number_param

from . import charts as draw
from . import dashboards as d
from . import risk_scoring, selectors
from . import targeting as t
from .figures import rounded


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{number_format(rounded(value * 100, 1), 1, use_l10n=True)} %"


def _targeting_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [r["office_code"], r["period"], r["declarations"], r["inspected"], r["found"], r.get("hit_rate"),
         r.get("model_top_hit_rate"), r.get("model_top_inspected_share"), r.get("model_top_expected_hit_rate")]
        for r in rows
    ]  # fmt: skip


def _officer_rows(rows: list[dict[str, Any]], viewer: User) -> list[dict[str, Any]]:
    masked = selectors.pseudonymised(viewer)
    shown = []
    for r in rows:
        officer = str(r["entity_id"])
        shown.append(
            {
                "officer": selectors.pseudonym(officer) if masked else officer,
                "link": not masked,
                "officer_id": officer,
                "office": r.get("office_code") or "",
                "inspected": r["inspected"],
                "found": r["found"],
                "expected": r["expected"],
                "low": r["expected_low"],
                "high": r["expected_high"],
                "p_value": r.get("p_value"),
                "chance": t.chance_in_words(r.get("p_value"), int(r["found"]), float(r["expected"])),
                "revenue": r.get("revenue_at_risk"),
                "unscored": r.get("unscored_inspections") or 0,
            }
        )
    return shown


@require_capability("measure.view")
def targeting(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run = selectors.run_for(request.user, number_param(request.GET, "run"))  # type: ignore[arg-type]
    limited = selectors.manager_office(user)
    # p-values below 0.001 are shown as "< 0.001": three decimals would print 0.000.
    ctx: dict[str, Any] = {"run": run, "model_path": risk_scoring.model_path(), "p_floor": 0.001}
    if not t.has_outputs(run):
        return render(request, "measure/targeting.html", ctx)
    outputs = t.read(run, limited)
    offices = outputs.offices
    office = request.GET.get("office", "") or (offices[0] if offices else "")
    if office and office not in offices:
        raise Http404("no such office in this analysis")
    periods = t.periods(outputs.detection)
    period = request.GET.get("period", "") or (periods[0] if periods else t.ALL)
    if period not in periods and periods:
        raise Http404("no such period in this analysis")
    months = t.monthly(outputs.targeting, office)
    quality = d.Table(
        _("Targeting quality"),
        [_("Office"), _("Month"), _("Declarations"), _("Inspected"), _("Discrepancies found"),
         _("Hit rate of the channels assigned"), _("Hit rate of the model's top picks (where inspected)"),
         _("Share of the model's top picks inspected"), _("Hit rate the model expected of its top picks")],
        _targeting_rows(sorted(outputs.targeting, key=lambda r: (str(r["office_code"]), str(r["period"])))),
    )  # fmt: skip
    officers = _officer_rows(t.officers(outputs.detection, period, office), user)
    export = request.GET.get("export")
    if export == "targeting":
        audit_record(action="export", actor=user, obj=run, after={"table": "targeting"})
        return d.export(quality, request.GET.get("format", "csv"), "measure-targeting")
    if export == "officers":
        audit_record(
            action="export", actor=user, obj=run, after={"table": "expected_found", "office": office}
        )
        table = d.Table(
            _("Expected versus found"),
            [_("Officer"), _("Office"), _("Inspected"), _("Discrepancies found"), _("Expected"),
             _("Expected, low (95 %)"), _("Expected, high (95 %)"), _("p-value"), _("Revenue at risk")],
            [[o["officer"], o["office"], o["inspected"], o["found"], round(o["expected"], 2), o["low"], o["high"],
              o["p_value"], o["revenue"]] for o in officers],
        )  # fmt: skip
        return d.export(table, request.GET.get("format", "csv"), f"measure-expected-found-{office}")
    chart = draw.line(
        [str(r["period"]) for r in months],
        {
            _("Channels assigned"): [
                None if r.get("hit_rate") is None else r["hit_rate"] * 100 for r in months
            ],
            _("Model's top picks"): [
                None if r.get("model_top_hit_rate") is None else r["model_top_hit_rate"] * 100 for r in months
            ],
        },
        title=_("Hit rate of inspections, office %(office)s") % {"office": office},
        unit="%",
    )
    ctx.update(
        {
            "has_outputs": True,
            "offices": offices,
            "office": office,
            "periods": periods,
            "period": period,
            "chart": chart,
            "months": [
                {
                    **r,
                    "hit": _pct(r.get("hit_rate")),
                    "top": _pct(r.get("model_top_hit_rate")),
                    "share": _pct(r.get("model_top_inspected_share")),
                    "top_expected": _pct(r.get("model_top_expected_hit_rate")),
                }
                for r in months
            ],  # fmt: skip
            "officers": officers,
            "limited": limited is not None,
        }
    )
    return render(request, "measure/targeting.html", ctx)
