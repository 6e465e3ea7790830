"""Exports and import of the register: XLSX round trip and the PDF risk-map report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.roles import Role
from arusha_web.audit.services import audit_record
from arusha_web.core.pdf import pdf_response

from . import selectors
from .forms import ImportForm
from .spreadsheet import ImportRejected, register_import, register_xlsx
from .views import _heatmap

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import_offices(viewer: Any) -> set[int] | None:
    """The offices whose rows `viewer` may import: an office manager's own (None: every office)."""
    if viewer.role == Role.OFFICE_MANAGER:
        return {viewer.office_id} if viewer.office_id else set()
    return None


@require_capability("risks.view")
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The register as XLSX; `?mine=1` keeps only the rows the viewer may import back."""
    risks = selectors.risk_list_for_viewer(viewer=request.user).prefetch_related("controls", "actions")
    allowed = _import_offices(request.user)
    if request.GET.get("mine") == "1" and allowed is not None:
        risks = risks.filter(office_id__in=allowed)
    response = HttpResponse(register_xlsx(list(risks)), content_type=XLSX)
    audit_record(action="export", actor=request.user, object_type="risks.risk", object_repr="XLSX register")
    response["Content-Disposition"] = f'attachment; filename="risk-register-{timezone.localdate()}.xlsx"'
    return response


@require_capability("risks.import")
def import_xlsx(request: HttpRequest) -> HttpResponse:
    """Import the register; an office manager's workbook may only hold his own office's risks."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    allowed = _import_offices(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            counts = register_import(
                data=form.cleaned_data["file"].read(), actor=request.user, allowed_office_ids=allowed
            )
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
    office = getattr(request.user, "office", None) if allowed is not None else None
    ctx = {"form": form, "errors": errors, "restricted": allowed is not None, "office": office}
    return render(request, "risks/import.html", ctx, status=400 if errors else 200)


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
