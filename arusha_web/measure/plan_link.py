"""The link between leads and the integrity action plan (``arusha_web.diagnose``).

A lead can motivate an action (a pattern across an office calls for training, rotation, a new
control…). The plan's actions point back at the lead through their generic motivation
(source_type="lead", source_id=<lead pk>); nothing here creates a foreign key, so either module
can change without a migration in the other. Kept in one module so the coupling is easy to see.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from arusha_web.accounts.models import User
from arusha_web.core.params import whole_number

from . import selectors
from .models import Lead

SOURCE_TYPE = "lead"


def may_plan_from_leads(viewer: User) -> bool:
    """Whether `viewer` sees leads and may write actions of the plan (office managers: their office)."""
    return viewer.can("measure.leads") and viewer.can("diagnose.actions")


def lead_motivating(*, viewer: User, source_id: str) -> Lead:
    """The lead an action form is asked to start from, as `viewer` may see it.

    Raises:
        PermissionDenied: the viewer may not see leads at all.
        Http404: no such lead, or a lead of another office for an office manager.
    """
    if not viewer.can("measure.leads"):
        raise PermissionDenied("measure.leads")
    pk = whole_number(source_id)
    if pk is None:
        raise Http404("no such lead")
    return selectors.lead_for_viewer(viewer=viewer, pk=pk)


def motivation_label(lead: Lead) -> str:
    """What the plan shows as the action's motivation (no officer identifier: plans circulate)."""
    return (
        _("Lead #%(rank)s: %(kind)s (office %(office)s)")
        if lead.office_code
        else _("Lead #%(rank)s: %(kind)s")
    ) % {
        "rank": lead.rank,
        "kind": lead.kind_label,
        "office": lead.office_code,
    }


def actions_for_lead(*, viewer: User, lead: Lead) -> list[Any]:
    """Actions of the plan motivated by `lead` that `viewer` may see (empty without Diagnose)."""
    if not viewer.can("diagnose.results"):
        return []
    try:
        from arusha_web.diagnose.selectors import action_editable_by, action_list_for_viewer
    except ImportError:
        return []
    actions = action_list_for_viewer(viewer=viewer).filter(source_type=SOURCE_TYPE, source_id=str(lead.pk))
    listed = list(actions.order_by("pk"))
    for action in listed:
        action.editable = action_editable_by(viewer=viewer, action=action)  # type: ignore[attr-defined]
    return listed
