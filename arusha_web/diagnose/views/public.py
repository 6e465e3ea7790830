"""The public questionnaire: no login, and nothing about the visitor is stored.

These views never read REMOTE_ADDR, X-Forwarded-For or the User-Agent; the response keeps the
strata the respondent chose and the answers, nothing else.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ..models import Survey
from ..services import DiagnoseError
from ..survey_services import survey_submit


def survey_take(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=slug)
    error = ""
    if request.method == "POST" and survey.status == Survey.Status.OPEN:
        try:
            survey_submit(survey=survey, data=request.POST)
        except DiagnoseError as exc:
            error = str(exc)
        else:
            return redirect("survey:thanks", survey.slug)
    items = list(survey.items.filter(retired=False))
    for item in items:
        # After a refusal the respondent keeps every answer already given.
        item.chosen = request.POST.get(f"i-{item.pk}", "")  # type: ignore[attr-defined]
        item.missing = bool(error) and item.chosen == ""  # type: ignore[attr-defined]
    ctx = {
        "survey": survey,
        "items": items,
        "error": error,
        "posted": request.POST,
    }
    return render(request, "diagnose/survey_take.html", ctx, status=400 if error else 200)


def survey_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=slug)
    return render(request, "diagnose/survey_thanks.html", {"survey": survey})
