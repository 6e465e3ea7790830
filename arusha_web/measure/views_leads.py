"""The leads inbox: ranked leads of the latest analysis, triage, comments and referral."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User

from . import leads as services
from . import selectors
from .forms import CommentForm, LeadForm, ReferForm
from .models import LeadStatus

PAGE = 50


@require_capability("measure.leads")
def lead_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run = selectors.latest_run()
    page = None
    status = request.GET.get("status", "")
    if run is not None:
        qs = selectors.leads_for_viewer(viewer=user, run=run)
        if status in LeadStatus.values:
            qs = qs.filter(status=status)
        page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
        for lead in page.object_list:
            lead.shown_id, lead.shown_explanation = selectors.lead_identity(lead, user)  # type: ignore[attr-defined]
    ctx = {"run": run, "page": page, "status": status, "statuses": LeadStatus.choices}
    return render(request, "measure/leads.html", ctx)


def _detail(request: HttpRequest, pk: int, **forms: object) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    lead = selectors.lead_for_viewer(viewer=user, pk=pk)
    lead.shown_id, lead.shown_explanation = selectors.lead_identity(lead, user)  # type: ignore[attr-defined]
    ctx = {
        "lead": lead,
        "comments": lead.comments.select_related("author"),
        "referral": getattr(lead, "referral", None),
        "form": forms.get("form")
        or LeadForm(
            initial={
                "status": lead.status if lead.status != LeadStatus.REFERRED else LeadStatus.REVIEW,
                "reason": lead.reason,
                "assignee": lead.assignee_id,
            },
            users=selectors.assignable_users(),
        ),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "refer_form": forms.get("refer_form") or ReferForm(),
    }
    return render(request, "measure/lead.html", ctx, status=400 if forms else 200)


@require_capability("measure.leads")
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@require_POST
@require_capability("measure.leads")
def lead_update(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    lead = selectors.lead_for_viewer(viewer=user, pk=pk)
    form = LeadForm(request.POST, users=selectors.assignable_users())
    if form.is_valid():
        try:
            services.lead_update(lead=lead, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Lead updated."))
            return redirect("measure:lead", pk=lead.pk)
    return _detail(request, pk, form=form)


@require_POST
@require_capability("measure.leads")
def lead_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    lead = selectors.lead_for_viewer(viewer=user, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.lead_comment(lead=lead, text=form.cleaned_data["text"], actor=user)
        return redirect("measure:lead", pk=lead.pk)
    return _detail(request, pk, comment_form=form)


@require_POST
@require_capability("measure.leads")
def lead_refer(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    lead = selectors.lead_for_viewer(viewer=user, pk=pk)
    form = ReferForm(request.POST)
    if form.is_valid():
        try:
            services.lead_refer(lead=lead, note=form.cleaned_data["note"], actor=user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Lead referred to the integrity unit."))
            return redirect("measure:lead", pk=lead.pk)
    return _detail(request, pk, refer_form=form)
