"""The integrity action plan: views by factor, owner, timeline and overdue; approval; XLSX."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from arusha import formula_safe
from arusha_web.accounts.access import require_capability
from arusha_web.accounts.roles import Role
from arusha_web.core.params import number_param
from arusha_web.org.models import Office

from .. import selectors, services
from ..forms import ActionForm
from ..models import Action, ActionPlan, Assessment, Factor
from ..timeline import timeline_svg
from .bank import XLSX

VIEWS = {"factor", "owner", "timeline", "overdue", "list"}


@require_capability("diagnose.results")
def plan(request: HttpRequest) -> HttpResponse:
    actions = selectors.action_list_for_viewer(viewer=request.user)  # type: ignore[arg-type]
    plan_pk = number_param(request.GET, "plan")
    current_plan = None
    plans = selectors.plan_list_for_viewer(viewer=request.user)  # type: ignore[arg-type]
    if plan_pk is not None:
        current_plan = get_object_or_404(plans, pk=plan_pk)
        actions = actions.filter(plan=current_plan)
    view = request.GET.get("view", "factor")
    view = view if view in VIEWS else "factor"
    today = timezone.localdate()
    ctx: dict[str, Any] = {
        "view": view,
        "plans": plans,
        "current_plan": current_plan,
        "today": today,
        "overdue_count": selectors.actions_overdue(actions, today).count(),
        "progress": selectors.plan_progress(actions, today),
        "total": actions.count(),
    }
    viewer: Any = request.user
    ctx["editable_ids"] = {a.pk for a in actions if selectors.action_editable_by(viewer=viewer, action=a)}
    if view == "overdue":
        ctx["actions"] = selectors.actions_overdue(actions, today)
    elif view == "timeline":
        listed = list(actions)
        ctx["actions"] = listed
        ctx["timeline"] = timeline_svg(listed, today=today)
    elif view == "list":
        ctx["actions"] = actions
    else:
        ctx["groups"] = selectors.actions_grouped(actions, view)
    return render(request, "diagnose/plan.html", ctx)


@require_capability("diagnose.manage")
@require_POST
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=pk)
    action_plan = services.plan_for_assessment(assessment=assessment)
    return redirect(f"{_plan_url(action_plan)}")


def _plan_url(action_plan: ActionPlan) -> str:
    from django.urls import reverse

    return reverse("diagnose:plan") + f"?plan={action_plan.pk}"


@require_capability("diagnose.approve")
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    action_plan = get_object_or_404(ActionPlan, pk=pk)
    try:
        services.plan_approve(plan=action_plan, user=request.user, note=request.POST.get("note", ""))  # type: ignore[arg-type]
        messages.success(request, _("Plan approved."))
    except services.DiagnoseError as exc:
        messages.error(request, str(exc))
    return redirect(_plan_url(action_plan))


@require_capability("diagnose.actions")
def action_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit an action; links from results pass the motivation (?factor=F8&source=...).

    Office managers create actions of their own office and edit only those; national actions
    are read-only for them.
    """
    viewer: Any = request.user
    action = None
    if pk is not None:
        action = get_object_or_404(selectors.action_list_for_viewer(viewer=viewer), pk=pk)
        if not selectors.action_editable_by(viewer=viewer, action=action):
            raise PermissionDenied("diagnose.actions")
    office_fixed = viewer.role == Role.OFFICE_MANAGER
    if office_fixed and viewer.office_id is None:
        raise PermissionDenied("no office")
    initial: dict[str, Any] = {}
    action_plan = None
    params = request.POST if request.method == "POST" else request.GET
    source = params.get("source", "")
    source = source if source in STARTING_POINTS else ""
    source_id = params.get("source_id", "")[:64]
    lead = None
    if action is None and source == Action.SourceType.LEAD:
        # Checked on GET and on POST alike: a lead the viewer may not see motivates nothing.
        lead = _lead_link().lead_motivating(viewer=viewer, source_id=source_id)
    if action is None:
        plan_pk = number_param(params, "plan")
        plans = selectors.plan_list_for_viewer(viewer=viewer)
        action_plan = get_object_or_404(plans, pk=plan_pk) if plan_pk is not None else None
        factor = Factor.objects.filter(code=request.GET.get("factor", "")).first()
        if factor is not None:
            label = (
                _("Perception survey result: %(f)s")
                if source == Action.SourceType.SURVEY
                else _("Self-assessment finding: %(f)s")
            ) % {"f": factor}
            initial = {"factor": factor, "source_label": label}
        if action_plan is not None and action_plan.assessment is not None:
            initial["office"] = action_plan.assessment.office
        if lead is not None:
            initial["source_label"] = _lead_link().motivation_label(lead)
            office = Office.objects.filter(code=lead.office_code).first() if lead.office_code else None
            if office is not None:
                initial["office"] = office
    form = ActionForm(request.POST or None, instance=action, initial=initial, office_fixed=office_fixed)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if office_fixed:
            data["office"] = viewer.office
        try:
            if action is None:
                source_type = source or (
                    Action.SourceType.FACTOR if data.get("factor") else Action.SourceType.OTHER
                )
                progress = ("status", "percent_complete", "evidence_of_completion")
                fields = {k: v for k, v in data.items() if k not in progress}
                action = services.action_create(
                    plan=action_plan, source_type=source_type, source_id=source_id, **fields
                )
                services.action_update(action=action, values={k: data[k] for k in progress if k in data})
            else:
                services.action_update(action=action, values=data)
        except services.DiagnoseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Action saved."))
            if lead is not None:
                return redirect("measure:lead", pk=lead.pk)
            return redirect(_plan_url(action.plan) if action.plan else "diagnose:plan")
    if office_fixed:
        note = _("The action is recorded for your office, %(office)s.") % {"office": viewer.office}
    else:
        note = ""
    title = _("Edit action") if action else _("New action")
    hidden = {"plan": action_plan.pk if action_plan else "", "source": source, "source_id": source_id}
    ctx = {
        "form": form,
        "title": title,
        "hidden": hidden,
        "note": note,
        "lead": lead or _motivating_lead(viewer, action),
    }
    return render(request, "diagnose/form.html", ctx)


# Where an action may start from when a link passes ?source=…; risks have their own form.
STARTING_POINTS = (Action.SourceType.FACTOR, Action.SourceType.SURVEY, Action.SourceType.LEAD)


def _lead_link() -> Any:
    """Measure's lead ↔ plan link (leads live in Measure; the plan only keeps their id)."""
    from arusha_web.measure import plan_link

    return plan_link


def _motivating_lead(viewer: Any, action: Action | None) -> Any:
    """The lead behind an existing action, when the viewer may open it (else None: no link shown)."""
    if action is None or action.source_type != Action.SourceType.LEAD or not viewer.can("measure.leads"):
        return None
    try:
        return _lead_link().lead_motivating(viewer=viewer, source_id=action.source_id)
    except (Http404, PermissionDenied):
        return None


ACTION_COLUMNS = [
    ("id", gettext_lazy("ID")),
    ("factor", gettext_lazy("Factor")),
    ("motivation", gettext_lazy("Motivated by")),
    ("objective", gettext_lazy("Objective")),
    ("activity", gettext_lazy("Activity")),
    ("horizon", gettext_lazy("Horizon")),
    ("owner_unit", gettext_lazy("Owner unit")),
    ("owner", gettext_lazy("Owner")),
    ("start_date", gettext_lazy("Start")),
    ("due_date", gettext_lazy("Due")),
    ("budget", gettext_lazy("Budget")),
    ("output", gettext_lazy("Output")),
    ("indicator", gettext_lazy("Indicator")),
    ("baseline", gettext_lazy("Baseline")),
    ("target", gettext_lazy("Target")),
    ("status", gettext_lazy("Status")),
    ("percent_complete", gettext_lazy("Percent complete")),
    ("evidence", gettext_lazy("Evidence of completion")),
    ("approved", gettext_lazy("Approved")),
    ("office", gettext_lazy("Office")),
]


def _action_row(a: Action) -> list[Any]:
    return [
        a.pk,
        a.factor.code if a.factor else "",
        a.source_label or a.get_source_type_display(),
        a.objective,
        a.activity,
        a.get_horizon_display(),
        a.owner_unit,
        (a.owner.get_full_name() or a.owner.username) if a.owner else "",
        a.start_date,
        a.due_date,
        float(a.budget) if a.budget is not None else None,
        a.output,
        a.indicator,
        a.baseline,
        a.target,
        a.get_status_display(),
        a.percent_complete,
        a.evidence_of_completion,
        a.approved_at.date() if a.approved_at else None,
        a.office.code if a.office else "",
    ]


@require_capability("diagnose.results")
def actions_export(request: HttpRequest) -> HttpResponse:
    actions = selectors.action_list_for_viewer(viewer=request.user)  # type: ignore[arg-type]
    plan_pk = number_param(request.GET, "plan")
    if plan_pk is not None:
        actions = actions.filter(plan_id=plan_pk)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "actions"
    sheet.append([str(label) for _key, label in ACTION_COLUMNS])
    for action in actions:
        sheet.append(_action_row(action))
    response = HttpResponse(formula_safe.xlsx_bytes(workbook), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="integrity-action-plan.xlsx"'
    return response
