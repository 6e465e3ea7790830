"""Start page, reference content, campaigns, respondents' answers, workshop and results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha_web.accounts.access import require_capability
from arusha_web.core import charts
from arusha_web.core.pdf import pdf_response

from .. import selectors, services
from ..forms import AssessmentForm, FactorResultForm, ParticipantForm, ReminderScheduleForm
from ..models import Action, Assessment, Factor, FactorResult, Participant, Survey
from ..models.assessment import Group, Rating


@require_capability("diagnose.view")
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    ctx: dict[str, Any] = {"participations": selectors.participations_for_user(user=user)}
    if user.can("diagnose.results"):
        actions = selectors.action_list_for_viewer(viewer=user)
        ctx |= {
            "assessments": selectors.assessment_list_for_viewer(viewer=user)[:10],
            "surveys": Survey.objects.all()[:5],
            "open_actions": actions.exclude(status__in=[Action.Status.DONE, Action.Status.DROPPED]).count(),
            "overdue_actions": selectors.actions_overdue(actions).count(),
        }
    return render(request, "diagnose/index.html", ctx)


@require_capability("diagnose.view")
def reference(request: HttpRequest) -> HttpResponse:
    services.bank_current()  # makes sure the shipped content exists
    factors = Factor.objects.prefetch_related("elements")
    wording = services.wording_current()
    ctx = {"factors": factors, "wording": wording, "used": wording.assessments.count()}
    return render(request, "diagnose/reference.html", ctx)


@require_capability("diagnose.manage")
def factor_edit(request: HttpRequest, code: str) -> HttpResponse:
    factor = get_object_or_404(Factor, code=code)
    error = ""
    if request.method == "POST":
        try:
            services.reference_edit(factor=factor, values=request.POST.dict(), user=request.user)  # type: ignore[arg-type]
        except services.DiagnoseError as exc:
            error = str(exc)
        else:
            messages.success(request, _("%(factor)s saved.") % {"factor": factor})
            return redirect("diagnose:reference")
    # After a refusal, show what the user typed rather than the stored wording.
    posted = request.POST
    elements = [
        {
            "code": e.code,
            "text_en": posted.get(f"{e.code}:text_en", e.text_en),
            "text_fr": posted.get(f"{e.code}:text_fr", e.text_fr),
        }
        for e in factor.elements.all()
    ]
    ctx = {"factor": factor, "elements": elements, "error": error, "posted": posted}
    return render(request, "diagnose/factor_edit.html", ctx, status=400 if error else 200)


@require_capability("diagnose.manage")
def assessment_create(request: HttpRequest) -> HttpResponse:
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except services.DiagnoseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Assessment created. Add the participants, then open it for answers.")
            )
            return redirect("diagnose:assessment_detail", assessment.pk)
    return render(request, "diagnose/form.html", {"form": form, "title": _("New self-assessment")})


def _get_assessment(request: HttpRequest, pk: int) -> Assessment:
    return get_object_or_404(selectors.assessment_list_for_viewer(viewer=request.user), pk=pk)  # type: ignore[arg-type]


@require_capability("diagnose.results")
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    batches = selectors.reminder_batches(assessment)
    ctx = {
        "assessment": assessment,
        "progress": selectors.assessment_progress(assessment),
        # Who has answered is not shown, per person or through whom reminders went: next to the
        # results by group it would tell whose anonymous answers are whose.
        "participants": assessment.participants.select_related("user"),
        "participant_form": ParticipantForm(),
        "schedule_form": ReminderScheduleForm(initial={"remind_every_days": assessment.remind_every_days}),
        "reminder_batches": batches,
        "reminders_sent": sum(batch.count for batch in batches),
        "min_group": selectors.min_group(),
        "question_count": assessment.questions().count(),
        "plan": getattr(assessment, "plan", None),
    }
    return render(request, "diagnose/assessment_detail.html", ctx)


@require_capability("diagnose.manage")
@require_POST
def assessment_advance(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    try:
        assessment = services.assessment_advance(assessment=assessment, user=request.user)  # type: ignore[arg-type]
        messages.success(
            request, _("Status is now: %(status)s.") % {"status": assessment.get_status_display()}
        )
    except services.DiagnoseError as exc:
        messages.error(request, str(exc))
    return redirect("diagnose:assessment_detail", assessment.pk)


@require_capability("diagnose.manage")
@require_POST
def assessment_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    """Set (or clear) the campaign's "remind every N days" schedule."""
    assessment = _get_assessment(request, pk)
    form = ReminderScheduleForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(m) for m in form.errors.get("remind_every_days", []))
        messages.error(
            request, _("The schedule was not saved — reminder interval: %(errors)s") % {"errors": errors}
        )
        return redirect("diagnose:assessment_detail", assessment.pk)
    try:
        services.assessment_reminder_schedule(
            assessment=assessment,
            days=form.cleaned_data["remind_every_days"],
            user=request.user,  # type: ignore[arg-type]
        )
    except services.DiagnoseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Reminder schedule saved."))
    return redirect("diagnose:assessment_detail", assessment.pk)


@require_capability("diagnose.manage")
@require_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            services.participant_add(assessment=assessment, **form.cleaned_data)
            messages.success(request, _("Participant added."))
        except services.DiagnoseError as exc:
            messages.error(request, str(exc))
    else:
        errors = "; ".join(
            f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
            if f in form.fields
        )
        messages.error(request, _("Participant not added — %(errors)s") % {"errors": errors})
    return redirect("diagnose:assessment_detail", assessment.pk)


@require_capability("diagnose.manage")
@require_POST
def participants_invite(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    reminder = request.POST.get("reminder") == "1"
    try:
        sent = services.participants_invite(
            assessment=assessment,
            base_url=request.build_absolute_uri("/"),
            reminder=reminder,
            user=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, _("%(n)s e-mail(s) sent.") % {"n": sent})
    except services.DiagnoseError as exc:
        messages.error(request, str(exc))
    return redirect("diagnose:assessment_detail", assessment.pk)


def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: no login needed, the token is the key. Shows only one's own answers."""
    participant = get_object_or_404(Participant.objects.select_related("assessment__bank"), token=token)
    assessment = participant.assessment
    sheet = getattr(participant, "sheet", None)
    answers = {a.question_id: a for a in sheet.answers.all()} if sheet else {}
    error = ""
    submitted: dict[str, Any] = {}
    if request.method == "POST":
        submitted = request.POST.dict()
        anonymous = request.POST.get("anonymous") == "1"
        try:
            services.sheet_submit(participant=participant, data=request.POST, anonymous=anonymous)
        except services.DiagnoseError as exc:
            error = str(exc)
        else:
            if anonymous:
                return render(
                    request, "diagnose/respond_done.html", {"assessment": assessment, "anonymous": True}
                )
            messages.success(
                request, _("Thank you: your answers are recorded. You can change them until the workshop.")
            )
            return redirect("diagnose:respond", token)
    questions = []
    for question in assessment.questions():
        answer = answers.get(question.pk)
        questions.append(
            {
                "q": question,
                "factor_label": assessment.factor_label(question.element.factor),
                "rating": submitted.get(f"q-{question.pk}", answer.rating if answer else ""),
                "evidence": submitted.get(f"evidence-{question.pk}", answer.evidence if answer else ""),
                "comment": submitted.get(f"comment-{question.pk}", answer.comment if answer else ""),
            }
        )
    ctx = {
        "participant": participant,
        "assessment": assessment,
        "questions": questions,
        "ratings": Rating.choices,
        "error": error,
        "anonymous_done": participant.responded_at is not None and sheet is None,
        "can_answer": assessment.status == Assessment.Status.OPEN,
        "named": sheet is not None,
    }
    return render(request, "diagnose/respond.html", ctx, status=400 if error else 200)


@require_capability("diagnose.manage")
def workshop(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    rows = selectors.assessment_results(assessment)
    return render(request, "diagnose/workshop.html", {"assessment": assessment, "rows": rows})


@require_capability("diagnose.manage")
def factor_result_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    result = get_object_or_404(
        FactorResult.objects.select_related("factor", "assessment"), assessment=assessment, factor__code=code
    )
    form = FactorResultForm(request.POST or None, instance=result)
    if request.method == "POST" and form.is_valid():
        try:
            services.factor_result_save(result=result, values=form.cleaned_data, user=request.user)  # type: ignore[arg-type]
        except services.DiagnoseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(factor)s saved.") % {"factor": result.factor})
            return redirect("diagnose:workshop", assessment.pk)
    stats = next(
        (r for r in selectors.assessment_results(assessment) if r.factor.pk == result.factor_id), None
    )
    answers = selectors.factor_answers(assessment, result.factor)
    ctx = {
        "form": form,
        "result": result,
        "row": stats,
        "answers": answers,
        "factor_title": assessment.factor_title(result.factor),
        "min_group": selectors.min_group(),
    }
    return render(request, "diagnose/factor_result_form.html", ctx)


def _results_context(assessment: Assessment) -> dict[str, Any]:
    rows = selectors.assessment_results(assessment)
    labels = [f"{r.factor.code} {r.title}" for r in rows]
    series: dict[str, Sequence[float | None]] = {
        _("Consensus"): [
            float(r.result.consensus) if r.result and r.result.consensus is not None else None for r in rows
        ],
        _("Mean of answers"): [r.stats.mean if r.stats else None for r in rows],
    }
    if assessment.previous:
        series[_("Previous consensus")] = [
            float(r.previous_result.consensus)
            if r.previous_result and r.previous_result.consensus is not None
            else None
            for r in rows
        ]
    radar = charts.radar_svg(labels, series, maximum=4, title=_("Maturity by factor (0–4)"))
    return {
        "assessment": assessment,
        "rows": rows,
        "radar": radar,
        "groups": rows[0].columns if rows else Group.choices,
        "pooled": bool(rows and rows[0].pooling.pooled),
        "min_group": selectors.min_group(),
        "ratings": ["0", "1", "2", "3", "4", "na"],
        "divergent": [r for r in rows if r.stats and r.stats.divergent],
        "sheets": assessment.sheets.filter(submitted=True).count(),
    }


@require_capability("diagnose.results")
def results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    ctx = _results_context(assessment)
    user: Any = request.user
    if user.can("diagnose.manage"):
        ctx["plan_link"] = getattr(assessment, "plan", None)
    return render(request, "diagnose/results.html", ctx)


@require_capability("diagnose.results")
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request, pk)
    ctx = _results_context(assessment)
    plan = getattr(assessment, "plan", None)
    ctx["plan"] = plan
    ctx["actions"] = plan.actions.select_related("factor", "owner") if plan else []
    ctx["now"] = timezone.now()
    ctx["progress"] = selectors.plan_progress(plan.actions.all()) if plan else None
    return pdf_response(
        "diagnose/report_pdf.html", ctx, filename=f"assessment-{assessment.pk}.pdf", request=request
    )


@require_capability("diagnose.results")
def assessment_wording(request: HttpRequest, pk: int) -> HttpResponse:
    """The factor and element wording this assessment was run with (a frozen version)."""
    assessment = _get_assessment(request, pk)
    wording = assessment.wording
    factors = [
        {
            "code": factor.code,
            "title": wording.factor_title(factor.code) or factor.title,
            "verified": wording.is_verified(factor.code),
            "elements": [
                {"code": code, "text": wording.element_text(code), "verified": wording.is_verified(code)}
                for code in sorted(wording.elements, key=_element_order)
                if code.split(".")[0] == factor.code
            ],
        }
        for factor in Factor.objects.all()
        if factor.code in wording.factors
    ]
    current = services.wording_current_number()
    ctx = {"assessment": assessment, "wording": wording, "factors": factors, "current": current}
    return render(request, "diagnose/assessment_wording.html", ctx)


def _element_order(code: str) -> tuple[str, int]:
    """F8.10 after F8.9: order element codes by their number, not as text."""
    prefix, _dot, number = code.partition(".")
    return (prefix, int(number) if number.isdigit() else 0)
