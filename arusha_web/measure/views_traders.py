"""The Traders tab: the analysis's trader-risk list, targeting leads for risk management."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record
from arusha_web.core.params import number_param

from . import dashboards as d
from . import lead_text, selectors, trader_risk
from .kinds import trader_risk_label
from .models import IndicatorValue

PAGE = 50


def _table(rows: list[trader_risk.TraderRisk]) -> d.Table:
    """The list as a file: the kind in words and its code, the months and the figures as numbers."""
    columns = [_("Importer"), _("Kind"), _("Kind (code)"), _("First month"), _("Last month"), _("Observed"),
               _("Expected"), _("Out of"), _("Ratio, lower bound"), "p", "q", _("Score"),
               _("Explanation (engine, in English)")]  # fmt: skip
    return d.Table(
        _("Traders"),
        [str(c) for c in columns],
        [[r.importer_id, trader_risk_label(r.kind), r.kind, r.window_start, r.window_end, r.observed,
          r.expected, r.n, r.ratio_low, r.p, r.q, r.score, r.explanation] for r in rows],
    )  # fmt: skip


@require_capability("measure.traders")
def trader_risk_list(request: HttpRequest) -> HttpResponse:
    """Importers whose declaring stands out in the analysis shown (``trader_risk.csv``)."""
    user: User = request.user  # type: ignore[assignment]
    run = selectors.shown_run(user, number_param(request.GET, "run"))
    rows = trader_risk.read(run.out_dir) if run is not None else None
    kind = request.GET.get("kind", "")
    ctx: dict[str, Any] = {
        "run": run,
        "available": rows is not None,
        "kind": kind,
        "kinds": [],
    }
    if run is None or rows is None:
        return render(request, "measure/trader_risk.html", ctx)
    ctx["kinds"] = sorted(
        {(r.kind, trader_risk_label(r.kind)) for r in rows}, key=lambda pair: pair[1].lower()
    )
    if kind:
        rows = [r for r in rows if r.kind == kind]
    if request.GET.get("export"):
        audit_record(action="export", actor=user, obj=run, after={"table": "trader_risk"})
        return d.export(_table(rows), request.GET.get("format", "csv"), "measure-traders")
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    # Link an importer to its page only where the analysis has its figures (else that page is a 404).
    shown_ids = {r.importer_id for r in page.object_list}
    known = set(
        IndicatorValue.objects.filter(
            run=run, entity_type="importer", period="all", entity_id__in=shown_ids
        ).values_list("entity_id", flat=True)
    )
    ctx.update(
        {
            "page": page,
            "total": len(rows),
            "rows": [
                {
                    "row": r,
                    "label": trader_risk_label(r.kind),
                    "months": lead_text.months(r.window_start, r.window_end),
                    "expected": lead_text.amount(r.expected),
                    "linked": r.importer_id in known,
                }
                for r in page.object_list
            ],
            "run_param": run.pk if "run" in request.GET else "",
        }
    )
    return render(request, "measure/trader_risk.html", ctx)
