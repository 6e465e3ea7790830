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


def test_office_managers_cannot_write_to_the_plan(personas, make_risk):
    risk = make_risk()
    form = client_for(personas["marc"]).get(reverse("risks:action_create", args=[risk.pk])).content.decode()
    assert "to_plan" not in form
    client_for(personas["marc"]).post(
        reverse("risks:action_create", args=[risk.pk]), {"title": "Local action", "to_plan": "on"}
    )
    assert risk.actions.get().action_id is None and not Action.objects.exists()


def test_a_plan_action_motivated_by_the_risk_counts_as_an_action(personas, make_risk):
    risk = make_risk()
    assert dashboard(viewer=personas["ingrid"])["without_actions"] == [risk]
    action_create(
        objective="Rotate selectivity officers", source_type="risk", source_id=risk.pk, source_label=risk.ref
    )
    assert dashboard(viewer=personas["ingrid"])["without_actions"] == []
