"""Performance contracts: list with the quarterly evaluation, drafting, signing, amending, scorecard, PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record, audit_view
from arusha_web.core.params import number_param
from arusha_web.core.pdf import pdf_response

from . import contracts as services
from . import dashboards as d
from . import selectors
from .forms import AmendForm, ContractForm, NoteForm
from .models import AnalysisRun, Contract, ContractTarget, ContractVersion, IndicatorValue, SubjectType


@require_capability("section.measure")
def contract_list(request: HttpRequest) -> HttpResponse:
    """Contracts the viewer may see and, for managers and analysts, the evaluation ranking
    (whole period, or one quarter with ``?quarter=2024-Q2``)."""
    user: User = request.user  # type: ignore[assignment]
    contracts = list(selectors.contracts_for_viewer(viewer=user))
    quarters = services.contract_quarters(contracts)
    quarter = request.GET.get("quarter", "")
    bad_quarter = bool(quarter) and quarter not in quarters
    ranking = []
    if user.can("measure.view"):
        ranking = services.evaluation_ranking(
            contracts=contracts, quarter=None if bad_quarter else quarter or None
        )
    if request.GET.get("export") == "evaluation" and user.can("measure.view"):
        audit_record(
            action="export",
            actor=user,
            object_type="measure.contract",
            object_repr="evaluation",
            after={"table": "evaluation", "quarter": "" if bad_quarter else quarter},
        )
        table = d.Table(
            "evaluation",
            [
                str(_("Rank")),
                str(_("With")),
                str(_("Office")),
                str(_("Achieved")),
                str(_("Measured")),
                str(_("Share achieved")),
            ],
            [
                [k, str(c), c.office_code, ok, measured, round(ok / measured, 4) if measured else None]
                for k, (c, ok, measured) in enumerate(ranking, start=1)
            ],
        )
        return d.export(
            table,
            request.GET.get("format", "csv"),
            f"contracts-evaluation-{'all' if bad_quarter or not quarter else quarter}",
        )
    ctx = {
        "contracts": contracts,
        "ranking": ranking,
        "ranking_rows": [
            (c, ok, measured, f"{100 * ok / measured:.0f} %" if measured else "—")
            for c, ok, measured in ranking
        ],
        "quarters": quarters,
        "quarter": "" if bad_quarter else quarter,
        "bad_quarter": quarter if bad_quarter else "",
    }
    return render(request, "measure/contracts.html", ctx, status=400 if bad_quarter else 200)


@require_capability("measure.contracts.manage")
def contract_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run = selectors.official_run() or selectors.shown_run(user)
    form = ContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and run is not None:
        data = form.cleaned_data
        try:
            contract = services.contract_create(
                run=run,
                subject_type=data["subject_type"],
                subject_id=data["subject_id"].strip(),
                period_start=data["period_start"],
                months=data["months"],
                indicators=data["indicators"],
                improvement=data["improvement"],
                signatories=data["signatories"],
                actor=user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Draft contract created: check the targets, then sign it."))
            missing = [t.indicator for t in contract.versions.get().targets.all() if t.baseline is None]
            if missing:
                messages.warning(
                    request,
                    _(
                        "No baseline for %(codes)s: the analysed data has no month before the contract for them."
                    )
                    % {"codes": ", ".join(missing)},
                )
            return redirect("measure:contract", pk=contract.pk)
    ctx = {"form": form, "run": run, "subjects": _subjects(run, user) if run is not None else []}
    return render(request, "measure/contract_form.html", ctx, status=400 if form.errors else 200)


def _subjects(run: AnalysisRun, viewer: User) -> list[tuple[str, str]]:
    """(identifier, kind) of the officers and offices a contract can be drafted with: those of the
    analysed data, narrowed to his office for a manager. One query."""
    qs = IndicatorValue.objects.filter(
        run=run, entity_type__in=("office", "officer"), period="all", indicator="VOL_DECL"
    )
    office = selectors.manager_office(viewer)
    if office is not None:
        qs = qs.filter(office_code=office)
    kinds = dict(SubjectType.choices)
    return [
        (i, str(kinds[t]))
        for t, i in qs.order_by("entity_type", "entity_id").values_list("entity_type", "entity_id")
    ]


def _context(request: HttpRequest, pk: int) -> dict[str, object]:
    user: User = request.user  # type: ignore[assignment]
    contract = selectors.contract_for_viewer(viewer=user, pk=pk)
    versions = list(contract.versions.prefetch_related("targets").select_related("signed_by"))
    current = versions[-1]
    signed = services.signed_version(contract)
    rows = (
        services.scorecard(contract=contract, version=signed, language=get_language() or "en")
        if signed
        else []
    )
    return {
        "contract": contract,
        "versions": versions,
        "current": current,
        "target_rows": services.target_rows(current, get_language() or "en"),
        "signed": signed,
        "rows": rows,
        "notes": list(contract.notes.select_related("author")),
        # The analysis the months are read from (the official one), named under the scorecard.
        "measured_on": AnalysisRun.objects.select_related("dataset")
        .filter(pk=services.measured_on() or contract.run_id)
        .first(),
        "note_form": NoteForm(initial={"month": _review_month(signed or current)}),
        "amend_form": AmendForm(
            initial={"period_start": current.period_start, "months": len(services.contract_months(current))}
        ),
        "can_manage": user.can("measure.contracts.manage"),
    }


@require_capability("section.measure")
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _context(request, pk)
    audit_view(request, ctx["contract"])  # type: ignore[arg-type]
    return render(request, "measure/contract.html", ctx)


@require_capability("section.measure")
def contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _context(request, pk)
    ctx["now"] = timezone.now()
    current = ctx["current"]
    ctx["signatory_lines"] = [line.strip() for line in current.signatories.splitlines() if line.strip()]  # type: ignore[attr-defined]
    audit_view(request, ctx["contract"])  # type: ignore[arg-type]
    return pdf_response("measure/contract_pdf.html", ctx, filename=f"contract-{pk}.pdf", request=request)


def _review_month(version: ContractVersion) -> str:
    """The month a review note is most likely about: the last one of the contract already begun."""
    today = services.month_key(timezone.now().date())
    months = [m for m in services.contract_months(version) if m <= today]
    return months[-1] if months else services.contract_months(version)[0]


def _form_errors(form: Form) -> list[str]:
    """Each error prefixed with the label of the field it is about."""
    return [
        f"{form.fields[f].label}: {' '.join(str(x) for x in e)}"
        if f in form.fields
        else " ".join(map(str, e))
        for f, e in form.errors.items()
    ]


def _target_value(text: str, indicator: str) -> float:
    """A target as typed by a manager: shares in per cent ("85", "85 %", "85,5"), as every page
    shows them; stored as the fraction the indicators use."""
    cleaned = text.replace("%", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValidationError(_("The target must be a number, e.g. 85 for 85 %.")) from None
    if value != value or value in (float("inf"), float("-inf")):  # nan, inf
        raise ValidationError(_("The target must be a number, e.g. 85 for 85 %."))
    share = services.BY_CODE.get(indicator) is not None and services.BY_CODE[indicator].unit == "share"
    if share and not 0 <= value <= 100:
        raise ValidationError(_("A share is between 0 and 100 %."))
    return value / 100 if share else value


def _managed(request: HttpRequest, pk: int) -> Contract:
    return selectors.contract_for_viewer(viewer=request.user, pk=pk)  # type: ignore[arg-type]


@require_POST
@require_capability("measure.contracts.manage")
def contract_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign the draft, amend a signed contract, change a draft target, or add a review note."""
    user: User = request.user  # type: ignore[assignment]
    contract = _managed(request, pk)
    action = request.POST.get("action", "")
    bound: dict[str, Form] = {}  # a refused amendment or note, shown again with what was typed
    try:
        if action == "sign":
            services.contract_sign(version=contract.versions.order_by("-number")[0], actor=user)
            messages.success(request, _("Contract signed: this version can no longer change."))
        elif action == "amend":
            amend = bound["amend_form"] = AmendForm(request.POST)
            if not amend.is_valid():
                raise ValidationError(_form_errors(amend))
            data = amend.cleaned_data
            services.contract_amend(
                contract=contract,
                reason=data["reason"],
                period_start=data["period_start"],
                months=data["months"],
                actor=user,
            )
            messages.success(request, _("New version started: edit it, then sign it."))
        elif action == "target":
            target = get_object_or_404(
                ContractTarget, pk=number_param(request.POST, "target"), version__contract=contract
            )
            value = _target_value(request.POST.get("value", ""), target.indicator)
            services.target_edit(
                target=target, value=value, reason=request.POST.get("reason", ""), actor=user
            )
            messages.success(request, _("Target changed."))
        elif action == "note":
            form = bound["note_form"] = NoteForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_form_errors(form))
            services.note_add(contract=contract, actor=user, **form.cleaned_data)
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        if bound:
            # The page again, not a redirect: a long note or the reason for an amendment is not lost.
            ctx = _context(request, pk)
            ctx.update(bound)
            return render(request, "measure/contract.html", ctx, status=400)
    return redirect("measure:contract", pk=contract.pk)
