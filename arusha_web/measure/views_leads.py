"""The leads inbox: ranked leads of the latest analysis, triage, comments and referral."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record
from arusha_web.core.params import number_param

from . import dashboards as d
from . import leads as services
from . import plan_link, selectors
from .forms import CommentForm, LeadForm, ReferForm
from .kinds import kind_choices
from .models import Lead, LeadStatus

PAGE = 50


@require_capability("measure.leads")
def lead_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run = selectors.shown_run(user, number_param(request.GET, "run"))
    page = None
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    kinds: list[tuple[str, str]] = []
    if run is not None:
        qs = selectors.leads_for_viewer(viewer=user, run=run)
        kinds = kind_choices(sorted(set(qs.values_list("kind", flat=True))))
        if status in LeadStatus.values:
            qs = qs.filter(status=status)
        if kind:
            qs = qs.filter(kind=kind)
        if request.GET.get("export"):
            audit_record(action="export", actor=user, obj=run, after={"table": "leads"})
            return d.export(_lead_table(qs, user), request.GET.get("format", "csv"), "measure-leads")
        page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
        mask = selectors.officer_mask(user)
        for lead in page.object_list:
            lead.shown = selectors.lead_shown(lead, mask=mask)  # type: ignore[attr-defined]
    ctx = {
        "run": run,
        "page": page,
        "status": status,
        "statuses": LeadStatus.choices,
        "kind": kind,
        "kinds": kinds,
    }
    return render(request, "measure/leads.html", ctx)


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _intake_url(lead: Lead, viewer: User) -> str:
    """The intake item a referral created ("R-123"), for those who may open Cases; else ""."""
    referral = getattr(lead, "referral", None)
    ref = referral.intake_ref if referral is not None else ""
    if not (ref.startswith("R-") and ref[2:].isdigit() and viewer.can("section.cases")):
        return ""
    try:
        return reverse("cases:report_detail", args=[int(ref[2:])])
    except NoReverseMatch:  # the Cases module is not installed
        return ""


def _referral_ref(lead: Lead) -> str:
    referral = getattr(lead, "referral", None)
    return referral.intake_ref if referral is not None else ""


def _lead_table(leads: QuerySet[Lead], viewer: User) -> d.Table:
    """The filtered inbox as a file: the kind in words for readers, its code for joining files, and
    the lead's record (officers masked as on the pages; empty for leads of older analyses)."""
    mask = selectors.officer_mask(viewer)
    rows = []
    for lead in leads:
        shown = selectors.lead_shown(lead, mask=mask)
        r = shown.record
        rows.append(
            [lead.rank, shown.about, shown.identifier, lead.office_code, lead.kind_label, lead.kind,
             round(lead.score, 2), lead.get_status_display(), _person(lead.assignee), lead.reason,
             _referral_ref(lead), shown.sentence,
             r.window_start, r.window_end, r.observed, r.expected, r.n, r.ratio_low, r.excess_low, r.p, r.q,
             r.basis, ";".join(r.related)]
        )  # fmt: skip
    columns = [_("Rank"), _("About"), _("Identifier"), _("Office"), _("Kind"), _("Kind (code)"),
               _("Score"), _("Status"), _("Assignee"), _("Reason"), _("Intake reference"), _("Explanation"),
               _("First month"), _("Last month"),
               _("Observed"), _("Expected"), _("Files"), _("Ratio, lower bound"), _("Excess, lower bound"),
               "p", "q", _("Expected from"), _("Other officers named")]  # fmt: skip
    return d.Table(_("Leads"), [str(c) for c in columns], rows)


def _detail(request: HttpRequest, pk: int, **forms: object) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    lead = selectors.lead_for_viewer(viewer=user, pk=pk)
    shown = selectors.lead_shown(lead, mask=selectors.officer_mask(user))
    ctx = {
        "lead": lead,
        "shown": shown,
        "comments": lead.comments.select_related("author"),
        "referral": getattr(lead, "referral", None),
        "intake_url": _intake_url(lead, user),
        "form": forms.get("form")
        or LeadForm(
            initial={
                "status": lead.status if lead.status != LeadStatus.REFERRED else LeadStatus.REVIEW,
                "reason": lead.reason,
                "assignee": lead.assignee_id,
            },
            users=selectors.assignable_users(lead),
        ),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "refer_form": forms.get("refer_form") or ReferForm(),
        "links": _lead_links(lead, shown, user),
        "bar": selectors.run_bar(user, lead.run),
        "history": _history(lead),
        "may_plan": plan_link.may_plan_from_leads(user),
        "planned_actions": plan_link.actions_for_lead(viewer=user, lead=lead),
    }
    return render(request, "measure/lead.html", ctx, status=400 if forms else 200)


def _lead_links(lead: Lead, shown: selectors.LeadShown, viewer: User) -> list[tuple[str, str]]:
    """Where to look before triaging: the officer's scorecard, the trader's page, the declarations
    behind the lead; each only for a viewer allowed there (no officer link behind a pseudonym)."""
    links: list[tuple[str, str]] = []
    record = lead.record
    officer, other = record.officer, record.other
    run = f"run={lead.run_id}"
    if officer and not shown.masked and viewer.can("measure.view"):
        links.append((_("The officer's scorecard"), f"{reverse('measure:officer', args=[officer])}?{run}"))
        links.append(
            (_("The officer's declarations"), _drill("officer_id", officer, run)),
        )
    trader_type = {"officer_declarant_pair": "declarant", "officer_importer_pair": "importer"}.get(
        lead.entity_type, lead.entity_type
    )
    trader_id = other or lead.entity_id
    if trader_type in ("declarant", "importer") and viewer.can("measure.traders"):
        links.append(
            (
                _("The declarant's page") if trader_type == "declarant" else _("The importer's page"),
                f"{reverse('measure:trader', args=[trader_type, trader_id])}?{run}",
            )
        )
        links.append(
            (
                _("The declarant's declarations")
                if trader_type == "declarant"
                else _("The importer's declarations"),
                _drill(f"{trader_type}_id", trader_id, run),
            )
        )
    if lead.entity_type == "office" and viewer.can("measure.view"):
        links.append((_("The office's page"), f"{reverse('measure:office', args=[lead.entity_id])}?{run}"))
    return links


def _history(lead: Lead) -> list[dict[str, object]]:
    """The lead's changes as the audit trail recorded them (status, reason, assignee), oldest first:
    the team sees who decided what without asking for the audit trail. Two queries."""
    from arusha_web.audit.models import AuditEntry

    entries = list(
        AuditEntry.objects.filter(
            object_type="measure.lead", object_id=str(lead.pk), action="update"
        ).order_by("seq")
    )
    ids = {int(e.after["assignee"]) for e in entries if isinstance(e.after, dict) and e.after.get("assignee")}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    statuses = dict(LeadStatus.choices)
    rows = []
    for e in entries:
        after = e.after if isinstance(e.after, dict) else {}
        changes = []
        if "status" in after:
            changes.append(str(statuses.get(after["status"], after["status"])))
        if after.get("reason"):
            changes.append(f"“{after['reason']}”")
        if "assignee" in after:
            who = names.get(after["assignee"], "—") if after["assignee"] else _("nobody")
            changes.append(_("assigned to %(who)s") % {"who": who})
        if changes:
            # A change made outside a request (the demo, a script) has no recorded actor.
            rows.append(
                {"at": e.at, "by": e.actor_username or _("(not recorded)"), "what": " · ".join(changes)}
            )
    return rows


def _drill(column: str, value: str, run: str) -> str:
    return f"{reverse('measure:declarations')}?{urlencode({'by': column, 'id': value})}&{run}"


@require_capability("measure.leads")
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@require_POST
@require_capability("measure.leads")
def lead_update(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    lead = selectors.lead_for_viewer(viewer=user, pk=pk)
    form = LeadForm(request.POST, users=selectors.assignable_users(lead))
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
