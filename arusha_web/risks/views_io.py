"""Exports and import of the register: XLSX round trip and the PDF risk-map report."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability
from arusha_web.audit.services import audit_record
from arusha_web.core.pdf import pdf_response

from . import selectors
from .forms import ImportForm
from .spreadsheet import ImportRejected, register_import, register_xlsx
from .views import _heatmap

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_capability("risks.view")
def export_xlsx(request: HttpRequest) -> HttpResponse:
    risks = selectors.risk_list_for_viewer(viewer=request.user).prefetch_related("controls", "actions")
    response = HttpResponse(register_xlsx(list(risks)), content_type=XLSX)
    audit_record(action="export", actor=request.user, object_type="risks.risk", object_repr="XLSX register")
    response["Content-Disposition"] = f'attachment; filename="risk-register-{timezone.localdate()}.xlsx"'
    return response


@require_capability("risks.configure")
def import_xlsx(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            counts = register_import(data=form.cleaned_data["file"].read(), actor=request.user)
        except ImportRejected as exc:
            errors = exc.errors
        else:
            audit_record(
                action="other",
                actor=request.user,
                object_type="risks.risk",
                object_repr="XLSX import",
                after=counts,
            )
            messages.success(
                request,
                _("Import done: %(created)s risk(s) created, %(updated)s updated.") % counts,
            )
            return redirect("risks:risk_list")
    return render(request, "risks/import.html", {"form": form, "errors": errors})


@require_capability("risks.view")
def report_pdf(request: HttpRequest) -> HttpResponse:
    ctx = selectors.dashboard(viewer=request.user)
    matrix = ctx["matrix"]
    ctx["inherent_svg"] = _heatmap(matrix, ctx["inherent_counts"], _("Inherent risk"))
    ctx["residual_svg"] = _heatmap(matrix, ctx["residual_counts"], _("Residual risk"))
    ctx["risks"] = [
        (
            r,
            matrix.band(r.inherent_likelihood, r.inherent_impact),
            matrix.band(r.residual_likelihood, r.residual_impact),
        )
        for r in selectors.risk_list_for_viewer(viewer=request.user).prefetch_related("controls")
    ]
    ctx["now"] = timezone.now()
    return pdf_response("risks/report_pdf.html", ctx, filename="risk-map.pdf", request=request)
