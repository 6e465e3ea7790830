"""The public reporting channel (no login): report, receipt code, follow-up mailbox.

These views store nothing about the visitor: no IP address, no user agent, no audit actor,
no session. The only cookies are the form's CSRF token and, after a correct receipt code, the
pass to the report's mailbox (reporter_pass.py); both are forgotten when the browser closes.
Guessing receipt codes costs the guesser a puzzle per guess (puzzle.py) instead of being
counted, so no one can be locked out of his own report.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import puzzle, reporter_pass, services, stats_report
from .forms import ReceiptForm, ReporterAnswerForm, ReportForm
from .models import Report, Source
from .uploads_in_memory import files_in_memory, refusal_message, uploads_refused


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
@files_in_memory
def index(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None)
    if uploads_refused(request):
        form.add_error("attachments", refusal_message())
    if request.method == "POST" and form.is_valid():
        return submit_report(request, form, source=Source.PUBLIC)
    return _private(render(request, "cases/public/report_form.html", {"form": form}))


def _puzzle_errors() -> dict[puzzle.Verdict, str]:
    return {
        puzzle.Verdict.MISSING: _(
            "Your code was not checked: this page needs JavaScript to protect receipt codes "
            "from guessing. Turn JavaScript on in your browser, reload the page and try again."
        ),
        puzzle.Verdict.EXPIRED: _(
            "This page was open too long and its check against guessing has expired. "
            "Press “Open my report” again."
        ),
        puzzle.Verdict.USED: _(
            "This page's check against guessing was already used. Press “Open my report” again."
        ),
        puzzle.Verdict.WRONG: _(
            "Your code was not checked: the page's check against guessing failed. Reload the page and try again."
        ),
    }


@never_cache
def followup(request: HttpRequest) -> HttpResponse:
    """Open the mailbox of the report whose receipt code is entered.

    Every answer is a 200 page, even when the code is wrong: an error status would be logged,
    with its time, by Django's request logger.
    """
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        digits = services.receipt_normalise(form.cleaned_data["code"])
        if len(digits) != services.RECEIPT_DIGITS:
            # Cannot match any report: a typing slip, not a guess, so it needs no puzzle.
            form.add_error(
                "code",
                _("A receipt code has %(expected)s digits; you entered %(digits)s.")
                % {"expected": services.RECEIPT_DIGITS, "digits": len(digits)},
            )
        else:
            verdict = puzzle.puzzle_check(
                token=request.POST.get("puzzle", ""), digits=digits, proof=request.POST.get("proof", "")
            )
            report = services.report_by_receipt(code=digits) if verdict is puzzle.Verdict.SOLVED else None
            if report is not None:
                response = redirect("report:mailbox")
                reporter_pass.pass_issue(response, report=report)
                return response
            if verdict is not puzzle.Verdict.SOLVED:
                form.add_error(None, _puzzle_errors()[verdict])
            else:
                form.add_error(
                    "code", _("This receipt code is not known. Check the 16 digits and try again.")
                )
    context = {"form": form, "puzzle": puzzle.puzzle_issue(), "digits": services.RECEIPT_DIGITS}
    return _private(render(request, "cases/public/followup.html", context))


@never_cache
@files_in_memory
def mailbox(request: HttpRequest) -> HttpResponse:
    report = reporter_pass.pass_report(request)
    if report is None:
        return redirect("report:followup")
    form = ReporterAnswerForm(request.POST or None, request.FILES or None)
    if uploads_refused(request):
        form.add_error("attachments", refusal_message())
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
    response = redirect("report:followup")
    reporter_pass.pass_revoke(response)
    return response


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
