"""Investigators' pages: intake triage, case files, statistics, staff reports.

Need-to-know narrowing lives in selectors.py; a case or report the viewer may not open is a
404, so an investigator cannot even learn that an unassigned case exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_view
from arusha_web.core.params import whole_number

from . import crypto, files, selectors, services, stats_report
from .forms import (
    AssignForm,
    CloseCaseForm,
    ConcernedForm,
    EntryForm,
    MergeForm,
    MessageForm,
    OpenCaseForm,
    StaffReportForm,
)
from .links import link_openable
from .models import Attachment, EntryKind, Source
from .views_public import submit_report


def _can(request: HttpRequest, capability: str) -> bool:
    return bool(request.user.can(capability))  # type: ignore[union-attr]


def _errors(request: HttpRequest, form_or_exc: Any) -> None:
    """Show a form's or a ValidationError's messages on the next page."""
    if isinstance(form_or_exc, ValidationError):
        texts = form_or_exc.messages
    else:
        texts = [
            f"{form_or_exc.fields[f].label if f in form_or_exc.fields else ''}: {e}".lstrip(": ")
            for f, errs in form_or_exc.errors.items()
            for e in errs
        ]
    for text in texts:
        messages.error(request, text)


@require_capability("section.cases")
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"encryption": crypto.encryption_available()}
    if _can(request, "cases.triage"):
        services.reporter_audit_flush()
        queue = list(selectors.intake_queue())
        context["queue_count"] = len(queue)
        context["overdue"] = selectors.clocks_overdue()
    if _can(request, "cases.investigate"):
        context["cases"] = selectors.case_list_for_viewer(viewer=user).filter(status="open")[:20]
    return render(request, "cases/index.html", context)


@require_capability("cases.triage")
def intake(request: HttpRequest) -> HttpResponse:
    services.reporter_audit_flush()
    now = timezone.now()
    rows = [
        {
            "report": r,
            "ack_overdue": r.clock_applies and r.acknowledge_overdue(now),
            "feedback_overdue": r.clock_applies and r.feedback_overdue(now),
        }
        for r in selectors.intake_queue()
    ]
    return render(request, "cases/intake.html", {"rows": rows, "now": now})


@require_capability("cases.investigate")
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_viewer(viewer=request.user, pk=pk)
    audit_view(request, report)
    context = {
        "report": report,
        "messages_list": list(report.messages.select_related("author").prefetch_related("attachments")),
        "report_files": list(report.attachments.filter(message__isnull=True)),
        "message_form": MessageForm(),
        "merge_form": MergeForm(report=report),
        "open_form": OpenCaseForm(initial={"category": report.category, "office": report.office_id}),
        "now": timezone.now(),
    }
    return render(request, "cases/report_detail.html", context)


@require_POST
@require_capability("cases.investigate")
def report_message(request: HttpRequest, pk: int) -> HttpResponse:
    return _write_to_reporter(
        request,
        pk,
        send=lambda report, body: services.message_to_reporter(report=report, author=request.user, body=body),
        done=_("Message sent. The reporter reads it with the receipt code."),
    )


def _write_to_reporter(request: HttpRequest, pk: int, *, send: Any, done: str) -> HttpResponse:
    """Validate a message form and hand its text to `send(report, body)`; errors go back to the page."""
    report = selectors.report_for_viewer(viewer=request.user, pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        send(report, form.cleaned_data["body"])
        messages.success(request, done)
    else:
        _errors(request, form)
    return redirect("cases:report_detail", pk=report.pk)


@require_POST
@require_capability("cases.triage")
def report_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_viewer(viewer=request.user, pk=pk)
    # The standard acknowledgement only: the page sends no text (a message has its own form).
    services.report_acknowledge(report=report, by=request.user)
    messages.success(request, _("Report acknowledged; the reporter has been told."))
    return redirect("cases:report_detail", pk=report.pk)


@require_POST
@require_capability("cases.investigate")
def report_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    return _write_to_reporter(
        request,
        pk,
        send=lambda report, body: services.report_feedback(report=report, by=request.user, body=body),
        done=_("Feedback sent to the reporter."),
    )


@require_POST
@require_capability("cases.triage")
def report_merge(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_viewer(viewer=request.user, pk=pk)
    form = MergeForm(request.POST, report=report)
    if form.is_valid():
        try:
            services.report_merge(report=report, into=form.cleaned_data["into"], by=request.user)
            messages.success(request, _("Report merged."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _errors(request, form)
    return redirect("cases:report_detail", pk=report.pk)


@require_POST
@require_capability("cases.triage")
def report_close(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_viewer(viewer=request.user, pk=pk)
    services.report_close(report=report, by=request.user)
    messages.success(request, _("Report closed without a case."))
    return redirect("cases:intake")


@require_POST
@require_capability("cases.triage")
def report_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_viewer(viewer=request.user, pk=pk)
    if report.case_id or report.status in ("merged", "closed"):
        messages.error(request, _("This report is already part of a case, merged or closed."))
        return redirect("cases:report_detail", pk=report.pk)
    form = OpenCaseForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("cases:report_detail", pk=report.pk)
    data = form.cleaned_data
    case = services.case_open(
        reports=[report],
        title=data["title"],
        category=data["category"],
        office=data.get("office"),
        concerned_staff=data.get("concerned_staff") or [],
        by=request.user,
    )
    messages.success(request, _("Case %(ref)s opened. Assign an investigator.") % {"ref": case.reference})
    return redirect("cases:case_detail", pk=case.pk)


@require_capability("cases.investigate")
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_object_or_404(Attachment, pk=pk)
    if item.report_id is not None:
        selectors.report_for_viewer(viewer=request.user, pk=item.report_id)
    else:
        selectors.entry_for_viewer(viewer=request.user, pk=item.entry_id)  # type: ignore[arg-type]
    audit_view(request, item)
    response = HttpResponse(files.load(item.stored_name), content_type=item.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="attachment-{item.pk}{files.extension_for(item.content_type)}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_capability("cases.investigate")
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    cases = selectors.case_list_for_viewer(viewer=request.user)
    if status in ("open", "closed"):
        cases = cases.filter(status=status)
    return render(request, "cases/case_list.html", {"cases": cases, "status": status})


@require_capability("cases.investigate")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_viewer(viewer=request.user, pk=pk)
    audit_view(request, case)
    return _case_page(request, case)


def _case_page(
    request: HttpRequest,
    case: Any,
    *,
    entry_form: EntryForm | None = None,
    close_form: CloseCaseForm | None = None,
) -> HttpResponse:
    """Render the case file; a refused form comes back bound, so nothing typed is lost."""
    entries = list(case.entries.prefetch_related("attachments").select_related("created_by"))
    for e in entries:
        e.link_openable = bool(e.link_path) and link_openable(e.link_path, request.user)
    by_kind = {k: [e for e in entries if e.kind == k] for k in EntryKind.values}
    context = {
        "case": case,
        "by_kind": [(label, by_kind[value]) for value, label in EntryKind.choices],
        "timeline": sorted(entries, key=lambda e: (e.occurred_on or e.created_at.date(), e.pk)),
        "reports": list(case.reports.all()),
        "investigators": selectors.investigator_choices(case=case) if _can(request, "cases.triage") else [],
        "entry_form": entry_form or EntryForm(),
        "close_form": close_form or CloseCaseForm(),
        "concerned_form": ConcernedForm(),
    }
    status = 200 if entry_form is None and close_form is None else 400
    return render(request, "cases/case_detail.html", context, status=status)


@require_POST
@require_capability("cases.triage")
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_viewer(viewer=request.user, pk=pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        user = get_object_or_404(User, pk=form.cleaned_data["investigator"])
        try:
            if request.POST.get("remove"):
                services.case_unassign(case=case, investigator=user, by=request.user)
            else:
                services.case_assign(case=case, investigator=user, by=request.user)
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _errors(request, form)
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
@require_capability("cases.triage")
def case_concerned(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_viewer(viewer=request.user, pk=pk)
    form = ConcernedForm(request.POST)
    if form.is_valid():
        try:
            services.case_add_concerned(case=case, staff=form.cleaned_data["staff"], by=request.user)
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _errors(request, form)
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
@require_capability("cases.investigate")
def case_entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_viewer(viewer=request.user, pk=pk)
    form = EntryForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_entry_add(
                case=case,
                kind=data["kind"],
                text=data["text"],
                occurred_on=data.get("occurred_on"),
                due_on=data.get("due_on"),
                evidence=data.get("evidence"),
                link_path=data.get("link_path", ""),
                by=request.user,
            )
            messages.success(request, _("Added to the case file."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("cases:case_detail", pk=case.pk)
    messages.error(request, _("Nothing was added: correct what is marked in the form below."))
    return _case_page(request, case, entry_form=form)


@require_POST
@require_capability("cases.investigate")
def entry_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_for_viewer(viewer=request.user, pk=pk)
    services.case_entry_toggle(entry=entry, by=request.user)
    return redirect("cases:case_detail", pk=entry.case_id)


@require_POST
@require_capability("cases.investigate")
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_viewer(viewer=request.user, pk=pk)
    form = CloseCaseForm(request.POST)
    if form.is_valid():
        try:
            services.case_close(case=case, by=request.user, **form.cleaned_data)
            messages.success(request, _("Case closed. Tell the reporter the outcome from the report page."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("cases:case_detail", pk=case.pk)
    messages.error(request, _("The case was not closed: correct what is marked in the form below."))
    return _case_page(request, case, close_form=form)


def _statistics_year(request: HttpRequest) -> tuple[int | None, str]:
    """Return the year asked for (None: all years) and an error naming a bad value."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return None, ""
    year = whole_number(raw, max_digits=4)
    if year is not None and 2000 <= year <= timezone.now().year + 1:
        return year, ""
    return None, _("“%(value)s” is not a year between 2000 and %(last)s: all years are shown.") % {
        "value": raw[:20],
        "last": timezone.now().year + 1,
    }


@require_capability("cases.statistics")
def statistics(request: HttpRequest) -> HttpResponse:
    year, error = _statistics_year(request)
    context = stats_report.statistics_context(year=year)
    context.update(public=False, year_error=error)
    return render(request, "cases/statistics.html", context)


@require_capability("cases.statistics")
def statistics_pdf(request: HttpRequest) -> HttpResponse:
    """The statistics as an A4 PDF, ready to publish (the same suppressed figures as the page)."""
    from arusha_web.core.pdf import pdf_response

    year, _error = _statistics_year(request)
    context = stats_report.statistics_context(year=year)
    filename = f"reports-statistics-{year or 'all-years'}.pdf"
    return pdf_response("cases/statistics_pdf.html", context, filename=filename, request=request)


@require_capability("cases.submit")
def staff_report(request: HttpRequest) -> HttpResponse:
    form = StaffReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        reporter = request.user if form.cleaned_data.get("show_identity") else None
        return submit_report(request, form, reporter=reporter, source=Source.STAFF)
    return render(request, "cases/public/report_form.html", {"form": form, "staff": True})
