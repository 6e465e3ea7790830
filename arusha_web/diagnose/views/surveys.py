"""Perception surveys: list, create, open/close, results by factor and stratum, sample size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha_web.accounts.access import require_capability
from arusha_web.core import charts

from .. import services
from ..forms import SampleSizeForm, SurveyForm, SurveyItemForm
from ..models import Survey, SurveyItem
from ..scoring import sample_size as compute_sample_size
from ..survey_services import survey_create as create_survey
from ..survey_services import (
    survey_item_add,
    survey_item_edit,
    survey_item_retire,
    survey_min_cell,
    survey_results,
)

STRATA = {"region": "region", "office": "office", "role": "role"}


@require_capability("diagnose.results")
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = Survey.objects.all()
    return render(request, "diagnose/survey_list.html", {"surveys": surveys})


@require_capability("diagnose.manage")
def survey_create(request: HttpRequest) -> HttpResponse:
    services.bank_current()
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = create_survey(values=form.cleaned_data)
        messages.success(
            request, _("Survey created with the default questionnaire. Open it to collect answers.")
        )
        return redirect("diagnose:survey_detail", survey.pk)
    return render(request, "diagnose/form.html", {"form": form, "title": _("New perception survey")})


@require_capability("diagnose.results")
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    stratum = request.GET.get("by", "")
    rows, values = survey_results(survey, stratum=stratum)
    chart = ""
    if rows:
        series: dict[str, Sequence[float]] = {
            _("This iteration"): [r.overall.percent or 0.0 for r in rows],
        }
        if survey.previous:
            series[_("Previous iteration")] = [
                (r.previous.percent or 0.0) if r.previous else 0.0 for r in rows
            ]
        chart = charts.bar_svg(
            [r.factor.code for r in rows], series, title=_("Favourable answers by factor (%)"), unit="%"
        )
    link = request.build_absolute_uri(reverse("survey:take", args=[survey.slug]))
    ctx: dict[str, Any] = {
        "survey": survey,
        "rows": rows,
        "values": values,
        "stratum": stratum if stratum in STRATA else "",
        "chart": chart,
        "link": link,
        "responses": survey.responses.count(),
        "min_cell": survey_min_cell(),
        "items": survey.items.select_related("factor", "replaces"),
        "needed": compute_sample_size(survey.population, 0.05) if survey.population else None,
        "item_form": SurveyItemForm() if not survey.responses.exists() else None,
    }
    return render(request, "diagnose/survey_detail.html", ctx)


@require_capability("diagnose.manage")
@require_POST
def survey_status(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    status = request.POST.get("status", "")
    if status in Survey.Status.values:
        survey.status = status
        survey.save(update_fields=["status"])
        messages.success(request, _("Survey status: %(s)s.") % {"s": survey.get_status_display()})
    else:
        messages.error(request, _("Unknown status."))
    return redirect("diagnose:survey_detail", survey.pk)


@require_capability("diagnose.view")
def sample_size(request: HttpRequest) -> HttpResponse:
    form = SampleSizeForm(request.GET or None)
    needed = None
    if form.is_bound and form.is_valid():
        margin = float(form.cleaned_data["margin"]) / 100
        needed = compute_sample_size(form.cleaned_data["population"], margin)
    return render(request, "diagnose/sample_size.html", {"form": form, "needed": needed})


@require_capability("diagnose.manage")
@require_POST
def survey_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    form = SurveyItemForm(request.POST)
    if form.is_valid():
        try:
            survey_item_add(survey=survey, values=form.cleaned_data)
            messages.success(request, _("Question added."))
        except services.DiagnoseError as exc:
            messages.error(request, str(exc))
    else:
        errors = "; ".join(
            f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
            if f in form.fields
        )
        messages.error(request, _("Question not added — %(errors)s") % {"errors": errors})
    return redirect("diagnose:survey_detail", survey.pk)


@require_capability("diagnose.manage")
def survey_item_edit_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Edit a question's wording; once answered, the edit is saved as a new version of it."""
    survey = get_object_or_404(Survey, pk=pk)
    item = get_object_or_404(SurveyItem, pk=item_pk, survey=survey)
    answered = item.answers.exists()
    form = SurveyItemForm(request.POST or None, instance=item)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        # The bound instance was changed by validation: put the stored wording back first.
        item.refresh_from_db()
        try:
            saved = survey_item_edit(item=item, values=data)
        except services.DiagnoseError as exc:
            form.add_error(None, str(exc))
        else:
            if saved.pk != item.pk:
                messages.success(
                    request,
                    _(
                        "Question %(code)s saved as version %(version)s; earlier answers keep the earlier wording."
                    )
                    % {"code": saved.code, "version": saved.version},
                )
            else:
                messages.success(request, _("Question saved."))
            return redirect("diagnose:survey_detail", survey.pk)
    note = (
        _(
            "This question already has answers: saving creates version %(version)s, asked from now on; "
            "the answers already given keep the wording they were given."
        )
        % {"version": item.version + 1}
        if answered
        else ""
    )
    ctx = {"form": form, "title": _("Edit question %(code)s") % {"code": item.code}, "note": note}
    return render(request, "diagnose/form.html", ctx, status=400 if form.errors else 200)


@require_capability("diagnose.manage")
@require_POST
def survey_item_retire_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    item = get_object_or_404(SurveyItem, pk=item_pk, survey=survey)
    retire = request.POST.get("retired", "1") != "0"
    try:
        survey_item_retire(item=item, retired=retire)
    except services.DiagnoseError as exc:
        messages.error(request, str(exc))
    else:
        done = (
            _("Question %(code)s is no longer asked.") if retire else _("Question %(code)s is asked again.")
        )
        messages.success(request, done % {"code": item.code})
    return redirect("diagnose:survey_detail", survey.pk)
