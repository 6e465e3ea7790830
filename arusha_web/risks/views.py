"""Pages of the risk register: dashboard, register, risk page and its controls and actions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha_web.accounts.access import require_capability
from arusha_web.core.charts import heatmap_svg
from arusha_web.core.params import whole_number

from . import evidence, plan_link, selectors, services
from .forms import ControlForm, ReviewForm, RiskActionForm, RiskForm
from .models import Control, Process, ProcessStep, Risk, RiskAction, Status
from .rating import Matrix
from .seed import TYPICAL_RISKS, typical_risk_text


def _editable_risk(request: HttpRequest, pk: int) -> Risk:
    risk = get_object_or_404(selectors.risk_list_for_viewer(viewer=request.user), pk=pk)
    if not selectors.risk_editable_by(viewer=request.user, risk=risk):
        raise PermissionDenied("risks.edit")
    return risk


def _heatmap(matrix: Matrix, counts: list[list[int]], title: str) -> str:
    likelihoods = list(range(matrix.max_likelihood, 0, -1))
    colors = [[matrix.color(lik, imp) for imp in range(1, matrix.max_impact + 1)] for lik in likelihoods]
    # heatmap_svg draws row 0 at the bottom: give it the lowest likelihood first.
    return heatmap_svg(
        [str(v) for v in reversed(likelihoods)],
        [str(v) for v in range(1, matrix.max_impact + 1)],
        list(reversed(counts)),
        list(reversed(colors)),
        title=title,
        row_title=_("Likelihood"),
        column_title=_("Impact"),
    )


def _replay_date(request: HttpRequest) -> tuple[dt.date | None, str]:
    """The `at` date of a replay, or an error message naming the bad value."""
    raw = request.GET.get("at", "").strip()
    if not raw:
        return None, ""
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        return None, _("“%(value)s” is not a date (use YYYY-MM-DD); showing today's map.") % {"value": raw}
    return value, ""


@require_capability("risks.view")
def index(request: HttpRequest) -> HttpResponse:
    at, error = _replay_date(request)
    if error:
        messages.error(request, error)
    ctx = selectors.dashboard(viewer=request.user, at=at)
    matrix = ctx["matrix"]
    ctx.update(
        at=at,
        inherent_svg=_heatmap(matrix, ctx["inherent_counts"], _("Inherent risk")),
        residual_svg=_heatmap(matrix, ctx["residual_counts"], _("Residual risk")),
        likelihood_rows=list(range(matrix.max_likelihood, 0, -1)),
        impact_columns=list(range(1, matrix.max_impact + 1)),
    )
    ctx["inherent_table"] = list(zip(ctx["likelihood_rows"], ctx["inherent_counts"], strict=True))
    ctx["residual_table"] = list(zip(ctx["likelihood_rows"], ctx["residual_counts"], strict=True))
    return render(request, "risks/index.html", ctx)


@require_capability("risks.view")
def risk_list(request: HttpRequest) -> HttpResponse:
    risks = selectors.risk_list_for_viewer(viewer=request.user)
    process = request.GET.get("process", "")
    status = request.GET.get("status", "")
    if process:
        risks = risks.filter(step__process__code=process)
    if status:
        risks = risks.filter(status=status)
    matrix = Matrix.load()
    rows = [(r, matrix.band(r.inherent_likelihood, r.inherent_impact),
             matrix.band(r.residual_likelihood, r.residual_impact)) for r in risks]  # fmt: skip
    ctx = {
        "rows": rows,
        "processes": Process.objects.all(),
        "statuses": Status.choices,
        "process": process,
        "status": status,
    }
    template = "risks/risk_list.html#results" if request.htmx else "risks/risk_list.html"  # type: ignore[attr-defined]
    return render(request, template, ctx)


@require_capability("risks.view")
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(selectors.risk_list_for_viewer(viewer=request.user), pk=pk)
    return _risk_page(request, risk)


def _risk_page(request: HttpRequest, risk: Risk, *, review_form: ReviewForm | None = None) -> HttpResponse:
    """The risk's page; a refused review comes back bound, so the notes typed are not lost. With
    ``?at=YYYY-MM-DD`` (a replay), the evidence is that of the analysis official on that day."""
    matrix = Matrix.load()
    at, error = _replay_date(request)
    if error:
        messages.error(request, error)
    official_at = timezone.make_aware(dt.datetime.combine(at, dt.time.max)) if at is not None else None
    ctx = {
        "risk": risk,
        "inherent_band": matrix.band(risk.inherent_likelihood, risk.inherent_impact),
        "residual_band": matrix.band(risk.residual_likelihood, risk.residual_impact),
        "controls": risk.controls.all(),
        "actions": risk.actions.all(),
        "plan_actions": plan_link.plan_actions_for(risk),
        "history": risk.history.select_related("by")[:50],
        "can_edit": selectors.risk_editable_by(viewer=request.user, risk=risk),
        "review_form": review_form or ReviewForm(),
        "evidence": evidence.risk_evidence(risk, viewer=request.user, at=official_at),
        "evidence_at": at,
    }
    return render(request, "risks/risk_detail.html", ctx, status=200 if review_form is None else 400)


@require_capability("risks.edit")
def risk_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    risk = _editable_risk(request, pk) if pk is not None else Risk()
    before = services.risk_tracked_state(risk)
    form = RiskForm(request.POST or None, instance=risk, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        saved = services.risk_save(
            risk=form.save(commit=False),
            actor=request.user,
            reason=form.cleaned_data["reason"],
            before=before,
        )
        messages.success(request, _("Risk %(ref)s saved.") % {"ref": saved.ref})
        return redirect("risks:risk_detail", pk=saved.pk)
    levels = [(_("Likelihood"), form.matrix.likelihood_levels), (_("Impact"), form.matrix.impact_levels)]
    ctx = {"form": form, "risk": risk if pk else None, "matrix_levels": levels}
    return render(request, "risks/risk_form.html", ctx)


@require_capability("risks.edit")
@require_POST
def risk_review(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _editable_risk(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.risk_review(
            risk=risk,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            next_review=form.cleaned_data["next_review"],
        )
        messages.success(request, _("Review recorded."))
        return redirect("risks:risk_detail", pk=risk.pk)
    messages.error(request, _("The review was not recorded: correct what is marked in the form below."))
    return _risk_page(request, risk, review_form=form)


def _child_form(
    request: HttpRequest, pk: int, form_class: type, model: type, child_pk: int | None, title: str
) -> HttpResponse:
    risk = _editable_risk(request, pk)
    instance = get_object_or_404(model, pk=child_pk, risk=risk) if child_pk else model(risk=risk)
    extra = {"viewer": request.user} if form_class is RiskActionForm else {}
    form = form_class(request.POST or None, instance=instance, **extra)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.risk = risk
        if isinstance(obj, Control):
            services.control_save(control=obj)
        else:
            services.action_save(action=obj, to_plan=form.cleaned_data.get("to_plan", False))
        messages.success(request, _("Saved."))
        return redirect("risks:risk_detail", pk=risk.pk)
    return render(request, "risks/child_form.html", {"form": form, "risk": risk, "title": title})


@require_capability("risks.edit")
def control_edit(request: HttpRequest, pk: int, control_pk: int | None = None) -> HttpResponse:
    return _child_form(request, pk, ControlForm, Control, control_pk, _("Control"))


@require_capability("risks.edit")
def action_edit(request: HttpRequest, pk: int, action_pk: int | None = None) -> HttpResponse:
    return _child_form(request, pk, RiskActionForm, RiskAction, action_pk, _("Treatment action"))


@require_capability("risks.edit")
@require_POST
def control_delete(request: HttpRequest, pk: int, control_pk: int) -> HttpResponse:
    risk = _editable_risk(request, pk)
    get_object_or_404(Control, pk=control_pk, risk=risk).delete()
    messages.success(request, _("Control removed."))
    return redirect("risks:risk_detail", pk=risk.pk)


@require_capability("risks.edit")
@require_POST
def action_delete(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    risk = _editable_risk(request, pk)
    get_object_or_404(RiskAction, pk=action_pk, risk=risk).delete()
    messages.success(request, _("Action removed."))
    return redirect("risks:risk_detail", pk=risk.pk)


@require_capability("risks.view")
def risk_map(request: HttpRequest) -> HttpResponse:
    at, error = _replay_date(request)
    if error:
        messages.error(request, error)
    matrix = Matrix.load()
    risks = selectors.risk_list_for_viewer(viewer=request.user)
    rated = selectors.rated_risks(risks=risks, at=at)
    highest = selectors.step_highest_residual(rated, matrix)
    chains = []
    for process in selectors.processes_with_steps():
        steps = []
        for step in process.steps.all():
            item = highest.get(step.pk)
            band = matrix.band(*item.effective) if item else None
            count = sum(1 for r in rated if r.risk.step_id == step.pk)
            steps.append({"step": step, "item": item, "band": band, "count": count})
        chains.append({"process": process, "steps": steps})
    return render(request, "risks/risk_map.html", {"chains": chains, "matrix": matrix, "at": at})


@require_capability("risks.view")
def typical_list(request: HttpRequest) -> HttpResponse:
    language = request.LANGUAGE_CODE or "en"
    # Steps and indicators by name ("Import clearance › Selectivity", "Channel-override rate"): the
    # keys and codes (import/selectivity, BP1) are what spreadsheets use, not what people read.
    steps = {s.key: str(s) for s in ProcessStep.objects.select_related("process")}
    names = dict(evidence.indicator_choices())
    items = [
        {
            "index": i,
            "step": steps.get(item["step"], item["step"]),
            **typical_risk_text(item, language),
            "indicators": [names.get(code, code) for code in item["indicators"]],
            "l": item["l"],
            "i": item["i"],
        }
        for i, item in enumerate(TYPICAL_RISKS)
    ]
    return render(request, "risks/typical_list.html", {"items": items})


@require_capability("risks.edit")
@require_POST
def typical_adopt(request: HttpRequest) -> HttpResponse:
    index = whole_number(request.POST.get("index", ""))
    if index is None or index >= len(TYPICAL_RISKS):
        messages.error(request, _("Choose one of the typical risks listed."))
        return redirect("risks:typical_list")
    office = request.user.office if request.user.role == "office_manager" else None  # type: ignore[union-attr]
    risk = services.typical_risk_adopt(
        index=index, office=office, actor=request.user, language=request.LANGUAGE_CODE or "en"
    )
    messages.success(
        request, _("Risk %(ref)s added to the register: review it and rate it.") % {"ref": risk.ref}
    )
    return redirect("risks:risk_detail", pk=risk.pk)
