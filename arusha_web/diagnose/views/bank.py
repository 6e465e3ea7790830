"""The question bank: list, edit, XLSX export and import."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability
from arusha_web.core.params import number_param

from .. import services
from ..bank_xlsx import BankImportError, bank_rows_from_xlsx, bank_to_xlsx
from ..forms import BankImportForm, QuestionForm
from ..models import BankVersion

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_capability("diagnose.manage")
def bank(request: HttpRequest) -> HttpResponse:
    current = services.bank_current()
    number = number_param(request.GET, "version")
    shown = get_object_or_404(BankVersion, number=number) if number is not None else current
    ctx = {
        "bank": shown,
        "current": current,
        "versions": BankVersion.objects.all(),
        "questions": shown.questions.select_related("element__factor"),
        "import_form": BankImportForm(),
    }
    return render(request, "diagnose/bank.html", ctx)


@require_capability("diagnose.manage")
def bank_export(request: HttpRequest) -> HttpResponse:
    number = number_param(request.GET, "version")
    shown = get_object_or_404(BankVersion, number=number) if number is not None else services.bank_current()
    response = HttpResponse(bank_to_xlsx(shown), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="question-bank-v{shown.number}.xlsx"'
    return response


@require_capability("diagnose.manage")
def bank_import(request: HttpRequest) -> HttpResponse:
    form = BankImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = bank_rows_from_xlsx(form.cleaned_data["file"])
        except BankImportError as exc:
            errors = exc.errors
        else:
            bank = services.bank_replace(
                user=request.user,  # type: ignore[arg-type]
                rows=rows,
                note=_("Imported from %(name)s") % {"name": form.cleaned_data["file"].name},
            )
            messages.success(
                request,
                _("%(n)s questions imported into bank version %(v)s.") % {"n": len(rows), "v": bank.number},
            )
            return redirect("diagnose:bank")
    status = 400 if errors or form.errors else 200
    return render(request, "diagnose/bank_import.html", {"form": form, "errors": errors}, status=status)


@require_capability("diagnose.manage")
def question_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    current = services.bank_current()
    question = current.questions.filter(code=code).first() if code else None
    if code and question is None:
        raise Http404(code)
    initial = {}
    if question is not None:
        initial = {
            f: getattr(question, f)
            for f in (
                "code",
                "element",
                "text_en",
                "text_fr",
                "evidence_en",
                "evidence_fr",
                "source",
                "retired",
            )
        }
    form = QuestionForm(request.POST or None, initial=initial)
    if question is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_save(
                user=request.user,  # type: ignore[arg-type]
                code=code or data["code"],
                values=data,
                new=question is None,
            )
        except services.DiagnoseError as exc:
            form.add_error("code" if question is None else None, str(exc))
        else:
            messages.success(request, _("Question saved in the current bank."))
            return redirect("diagnose:bank")
    title = _("Edit question %(code)s") % {"code": code} if code else _("New question")
    note = _(
        "Assessments already started keep the bank version they used: if this version is in use, saving creates a new version."
    )
    return render(request, "diagnose/form.html", {"form": form, "title": title, "note": note})
