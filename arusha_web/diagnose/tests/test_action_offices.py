"""Actions by office: office managers see national actions and their own office's, edit only theirs."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from arusha_web.conftest import client_for
from arusha_web.diagnose import services
from arusha_web.diagnose.models import Action


def _actions(org: dict[str, Any]) -> dict[str, Action]:
    return {
        "port": services.action_create(objective="Rotate port examiners", office=org["port"]),
        "air": services.action_create(objective="Seal airport cargo shed", office=org["air"]),
        "national": services.action_create(objective="Publish the code of conduct"),
    }


def test_office_managers_see_national_and_own_office_actions_and_edit_only_their_own(personas, org):
    actions = _actions(org)
    marc = client_for(personas["marc"])
    page = marc.get(reverse("diagnose:plan") + "?view=list").content.decode()
    assert "Rotate port examiners" in page and "Publish the code of conduct" in page
    assert "Seal airport cargo shed" not in page
    # Only his own office's action is a link to its edit page.
    assert reverse("diagnose:action_edit", args=[actions["port"].pk]) in page
    assert reverse("diagnose:action_edit", args=[actions["national"].pk]) not in page
    assert marc.get(reverse("diagnose:action_edit", args=[actions["port"].pk])).status_code == 200
    assert marc.get(reverse("diagnose:action_edit", args=[actions["national"].pk])).status_code == 403
    assert marc.get(reverse("diagnose:action_edit", args=[actions["air"].pk])).status_code == 404
    refused = marc.post(
        reverse("diagnose:action_edit", args=[actions["national"].pk]), {"objective": "Changed by Marc"}
    )
    assert refused.status_code == 403
    actions["national"].refresh_from_db()
    assert actions["national"].objective == "Publish the code of conduct"
    rows = list(
        load_workbook(io.BytesIO(marc.get(reverse("diagnose:actions_export")).content))["actions"].values
    )
    assert sorted(r[3] for r in rows[1:]) == ["Publish the code of conduct", "Rotate port examiners"]
    assert rows[0][-1] == "Office" and {r[-1] for r in rows[1:]} == {"PORT1", None}  # None: national


def test_an_office_manager_creates_and_edits_actions_of_his_office_only(personas, org):
    marc = client_for(personas["marc"])
    form = marc.get(reverse("diagnose:action_create")).content.decode()
    assert 'name="office"' not in form and "recorded for your office" in form
    data = {"objective": "Weekly override review", "horizon": "short", "status": "on_track",
            "percent_complete": "10", "office": org["air"].pk}  # fmt: skip
    assert marc.post(reverse("diagnose:action_create"), data).status_code == 302
    action = Action.objects.get(objective="Weekly override review")
    assert action.office == org["port"]  # the posted office is ignored
    bad = marc.post(reverse("diagnose:action_edit", args=[action.pk]), {**data, "percent_complete": "140"})
    assert bad.status_code == 200 and "Percent complete must be between 0 and 100" in bad.content.decode()
    action.refresh_from_db()
    assert action.percent_complete == 10


def test_the_integrity_unit_sets_the_office_and_sees_every_action(personas, org):
    _actions(org)
    ingrid = client_for(personas["ingrid"])
    data = {"objective": "Airport CCTV", "horizon": "short", "status": "not_started",
            "percent_complete": "0", "office": org["air"].pk}  # fmt: skip
    assert ingrid.post(reverse("diagnose:action_create"), data).status_code == 302
    assert Action.objects.get(objective="Airport CCTV").office == org["air"]
    page = ingrid.get(reverse("diagnose:plan") + "?view=list").content.decode()
    assert "Seal airport cargo shed" in page and "Rotate port examiners" in page
    # Auditors read every action and edit none.
    aude = client_for(personas["aude"])
    assert "Seal airport cargo shed" in aude.get(reverse("diagnose:plan") + "?view=list").content.decode()
    assert aude.get(reverse("diagnose:action_create")).status_code == 403


def test_another_offices_plan_is_neither_listed_nor_open_to_an_office_manager(personas, org):
    import datetime as dt

    from arusha_web.diagnose.models import Assessment

    airport = services.assessment_create(
        user=None,
        title="Airport self-assessment",
        scope=Assessment.Scope.OFFICE,
        office=org["air"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
    )
    plan = services.plan_for_assessment(assessment=airport)
    marc = client_for(personas["marc"])
    assert plan.title not in marc.get(reverse("diagnose:plan")).content.decode()
    assert marc.get(reverse("diagnose:plan"), {"plan": plan.pk}).status_code == 404
    assert marc.get(reverse("diagnose:action_create"), {"plan": plan.pk}).status_code == 404
    # The integrity unit sees every plan.
    assert plan.title in client_for(personas["ingrid"]).get(reverse("diagnose:plan")).content.decode()
