"""The public reporting channel (no login): report, receipt code, follow-up mailbox.

These views store nothing about the visitor: no IP address, no user agent, no audit actor.
The session cookie exists only to carry the form's CSRF protection, the throttle counter and,
after a correct receipt code, which report the visitor may read.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services, stats_report, throttle
from .forms import ReceiptForm, ReporterAnswerForm, ReportForm
from .models import Report, Source

SESSION_REPORT = "cases_report_id"


def _private(response: HttpResponse) -> HttpResponse:
    """Keep the page out of browser and shared caches.

    The referrer policy stays the site-wide "same-origin" (nothing is sent to other sites):
    "no-referrer" would make browsers send `Origin: null`, which fails the CSRF check.
    """
    response["Cache-Control"] = "no-store"
    return response


def submit_report(
    request: HttpRequest, form: ReportForm, *, reporter: object = None, source: str
) -> HttpResponse:
    """Store a valid form's report and show the receipt code page (shared with staff reports)."""
    data = form.cleaned_data
    try:
        report, code = services.report_submit(
            source=source,
            category=data["category"],
            description=data["description"],
            office=data.get("office"),
            occurred_on=data.get("occurred_on"),
            place=data.get("place") or "",
            contact=data.get("contact") or "",
            attachments=data.get("attachments") or [],
            reporter=reporter,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _private(render(request, "cases/public/report_form.html", {"form": form}))
    grouped = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    return _private(render(request, "cases/public/receipt.html", {"code": grouped, "report": report}))


@never_cache
def index(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return submit_report(request, form, source=Source.PUBLIC)
    return _private(render(request, "cases/public/report_form.html", {"form": form}))


@never_cache
def followup(request: HttpRequest) -> HttpResponse:
    form = ReceiptForm(request.POST or None)
    blocked = throttle.blocked(request.session)
    if request.method == "POST" and form.is_valid():
        digits = len(services.receipt_normalise(form.cleaned_data["code"]))
        if blocked:
            form.add_error(None, _("Too many wrong codes were tried. Wait 15 minutes and try again."))
        elif digits != services.RECEIPT_DIGITS:
            # Cannot match any report: a typing slip, not a guess, so it is not counted.
            form.add_error(
                "code",
                _("A receipt code has %(expected)s digits; you entered %(digits)s.")
                % {"expected": services.RECEIPT_DIGITS, "digits": digits},
            )
        else:
            report = services.report_by_receipt(code=form.cleaned_data["code"])
            if report is None:
                throttle.record_failure(request.session)
                form.add_error(
                    "code", _("This receipt code is not known. Check the 16 digits and try again.")
                )
            else:
                throttle.record_success(request.session)
                request.session.cycle_key()
                request.session[SESSION_REPORT] = report.pk
                # Forgotten when the browser closes: the reporter may be on a shared computer.
                request.session.set_expiry(0)
                return redirect("report:mailbox")
    status = 429 if blocked and request.method == "POST" else 200
    return _private(render(request, "cases/public/followup.html", {"form": form}, status=status))


def _session_report(request: HttpRequest) -> Report | None:
    pk = request.session.get(SESSION_REPORT)
    return Report.objects.filter(pk=pk).first() if pk else None


@never_cache
def mailbox(request: HttpRequest) -> HttpResponse:
    report = _session_report(request)
    if report is None:
        return redirect("report:followup")
    form = ReporterAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and report.status != "closed" and form.is_valid():
        data = form.cleaned_data
        services.message_from_reporter(report=report, body=data["body"], attachments=data["attachments"])
        return redirect("report:mailbox")
    context = {
        "report": report,
        "messages_list": list(report.messages.prefetch_related("attachments")),
        "form": form,
        "status_text": reporter_status(report),
    }
    return _private(render(request, "cases/public/mailbox.html", context))


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_REPORT, None)
    return redirect("report:followup")


def statistics(request: HttpRequest) -> HttpResponse:
    """Published statistics: counts only, small cells suppressed."""
    context = stats_report.statistics_context(year=None)
    context["public"] = True
    return render(request, "cases/statistics.html", context)


def reporter_status(report: Report) -> str:
    """Return what the reporter is told about his report (no names, no case details)."""
    if report.status == "closed":
        return _("Closed. Thank you for your report.")
    if report.status in ("case_opened", "merged") or report.case_id:
        return _("An investigation is under way.")
    if report.status == "acknowledged":
        return _("Received and being assessed.")
    return _("Received; not yet read by the integrity unit.")
