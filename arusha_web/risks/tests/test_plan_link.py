"""Treatment actions reach the integrity action plan, and plan actions count for the risk."""

from __future__ import annotations

from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.diagnose.models import Action
from arusha_web.diagnose.services import action_create
from arusha_web.risks.selectors import dashboard


def test_an_action_can_be_put_in_the_action_plan(personas, make_risk):
    risk = make_risk()
    response = client_for(personas["ingrid"]).post(
        reverse("risks:action_create", args=[risk.pk]),
        {"title": "Alert on override outliers", "due_date": "2027-02-01", "to_plan": "on"},
    )
    assert response.status_code == 302
    local = risk.actions.get()
    planned = Action.objects.get(pk=local.action_id)
    assert (planned.source_type, planned.source_id) == ("risk", str(risk.pk))
    assert planned.objective == "Alert on override outliers" and planned.source_label.startswith(risk.ref)
    page = client_for(personas["aude"]).get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert "in the action plan" in page and "In the integrity action plan" in page


def test_office_managers_put_their_office_risk_actions_in_the_plan_for_their_office(personas, make_risk):
    risk = make_risk("PORT1")
    marc = client_for(personas["marc"])
    assert "to_plan" in marc.get(reverse("risks:action_create", args=[risk.pk])).content.decode()
    marc.post(reverse("risks:action_create", args=[risk.pk]), {"title": "Local action", "to_plan": "on"})
    planned = Action.objects.get(pk=risk.actions.get().action_id)
    assert planned.office == personas["marc"].office  # his office's action: he may edit it
    assert marc.get(reverse("diagnose:action_edit", args=[planned.pk])).status_code == 200
    # Auditors read the register and write nothing.
    assert client_for(personas["aude"]).get(reverse("risks:action_create", args=[risk.pk])).status_code == 403


def test_a_plan_action_motivated_by_the_risk_counts_as_an_action(personas, make_risk):
    risk = make_risk()
    assert dashboard(viewer=personas["ingrid"])["without_actions"] == [risk]
    action_create(
        objective="Rotate selectivity officers", source_type="risk", source_id=risk.pk, source_label=risk.ref
    )
    assert dashboard(viewer=personas["ingrid"])["without_actions"] == []
