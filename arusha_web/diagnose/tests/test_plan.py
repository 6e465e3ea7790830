"""The action plan: the public action_create service, validation, views, approval, XLSX, reminders."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from arusha_web.conftest import client_for
from arusha_web.diagnose import selectors, services
from arusha_web.diagnose.models import Action, ActionPlan, Factor
from arusha_web.diagnose.timeline import timeline_svg

from .factories import make_assessment

TODAY = dt.date(2026, 6, 1)


def test_other_modules_can_create_an_action_motivated_by_a_risk(personas):
    action = services.action_create(
        objective="Rotate verification officers at PORT1",
        source_type="risk",
        source_id=42,
        source_label="R-42 Channel downgrading at PORT1",
        owner=personas["marc"],
        due_date=TODAY,
    )
    assert (action.source_type, action.source_id, action.plan) == ("risk", "42", None)
    assert Action.objects.get(pk=action.pk).source_label == "R-42 Channel downgrading at PORT1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"objective": ""}, "objective is required"),
        (
            {"objective": "x", "start_date": TODAY, "due_date": TODAY - dt.timedelta(days=1)},
            "due date is before",
        ),
        ({"objective": "x", "source_type": "gossip"}, "Unknown motivation type gossip"),
        ({"objective": "x", "horizon": "forever"}, "Unknown horizon forever"),
    ],
)
def test_bad_actions_are_refused(db, kwargs, message):
    with pytest.raises(services.DiagnoseError, match=message):
        services.action_create(**kwargs)
    assert not Action.objects.exists()


def test_overdue_grouping_and_timeline(personas):
    services.bank_current()
    f8 = Factor.objects.get(code="F8")
    late = services.action_create(
        objective="Late",
        factor=f8,
        owner=personas["ingrid"],
        start_date=TODAY - dt.timedelta(days=60),
        due_date=TODAY - dt.timedelta(days=1),
    )
    done = services.action_create(
        objective="Done", factor=f8, owner=personas["marc"], due_date=TODAY - dt.timedelta(days=5)
    )
    services.action_update(action=done, values={"status": "done"})
    services.action_create(objective="Later", owner_unit="HR", due_date=TODAY + dt.timedelta(days=30))
    qs = selectors.action_list_for_viewer(viewer=personas["ingrid"])
    assert list(selectors.actions_overdue(qs, TODAY)) == [late]
    done.refresh_from_db()
    assert done.percent_complete == 100
    by_factor = dict(selectors.actions_grouped(qs, "factor"))
    assert [a.objective for a in by_factor[str(f8)]] == ["Done", "Late"]  # by due date
    by_owner = dict(selectors.actions_grouped(qs, "owner"))
    assert [a.objective for a in by_owner["HR"]] == ["Later"]
    svg = timeline_svg(list(qs), today=TODAY)
    assert svg.count("<rect") == 6 and "#b3261e" in svg  # two rects per action; the late one is red


def test_views_approval_and_xlsx(personas):
    assessment = make_assessment()
    ingrid = client_for(personas["ingrid"])
    ingrid.post(reverse("diagnose:plan_create", args=[assessment.pk]))
    plan = ActionPlan.objects.get(assessment=assessment)
    # Approving an empty plan is refused.
    ingrid.post(reverse("diagnose:plan_approve", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.approved_at is None
    response = ingrid.post(
        reverse("diagnose:action_create") + f"?plan={plan.pk}",
        {
            "objective": "Publish service standards",
            "horizon": "medium",
            "status": "not_started",
            "percent_complete": "0",
            "start_date": "2026-07-01",
            "due_date": "2026-12-31",
            "factor": Factor.objects.get(code="F3").pk,
            "source_label": "Weakness found in F3",
            "plan": plan.pk,
        },
    )
    assert response.status_code == 302
    bad = ingrid.post(
        reverse("diagnose:action_create"),
        {"objective": "x", "horizon": "short", "status": "not_started", "percent_complete": "150"},
    )
    assert bad.status_code == 200 and Action.objects.count() == 1
    for view in ("factor", "owner", "timeline", "overdue", "list"):
        assert ingrid.get(reverse("diagnose:plan") + f"?view={view}&plan={plan.pk}").status_code == 200
    # Only the integrity unit approves; an administrator cannot.
    assert (
        client_for(personas["alice"]).post(reverse("diagnose:plan_approve", args=[plan.pk])).status_code
        == 403
    )
    ingrid.post(reverse("diagnose:plan_approve", args=[plan.pk]), {"note": "Committee of 3 June"})
    plan.refresh_from_db()
    assert plan.approved_by == personas["ingrid"] and plan.approval_note == "Committee of 3 June"
    assert plan.actions.get().approved_at is not None
    book = load_workbook(
        io.BytesIO(ingrid.get(reverse("diagnose:actions_export") + f"?plan={plan.pk}").content)
    )
    rows = list(book["actions"].iter_rows(values_only=True))
    assert rows[0][3] == "Objective" and rows[1][3] == "Publish service standards" and rows[1][1] == "F3"


def test_reminders_go_before_and_after_the_due_date_once_a_day(personas):
    personas["marc"].email = "marc@example.org"
    personas["marc"].save()
    services.action_create(objective="Soon", owner=personas["marc"], due_date=TODAY + dt.timedelta(days=3))
    services.action_create(objective="Late", owner=personas["marc"], due_date=TODAY - dt.timedelta(days=3))
    services.action_create(objective="Far", owner=personas["marc"], due_date=TODAY + dt.timedelta(days=60))
    assert services.action_reminders_send(today=TODAY) == 2
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Integrity action due soon: Soon", "Overdue integrity action: Late"]
    assert services.action_reminders_send(today=TODAY) == 0


def test_pdf_report_contains_the_plan(personas: dict[str, Any]):
    assessment = make_assessment()
    plan = services.plan_for_assessment(assessment=assessment)
    services.action_create(plan=plan, objective="Code of Conduct briefings")
    response = client_for(personas["ingrid"]).get(reverse("diagnose:report_pdf", args=[assessment.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_progress_report_counts_by_status_and_ignores_dropped_actions(db):
    a = services.action_create(objective="A", due_date=TODAY - dt.timedelta(days=2))
    services.action_update(action=a, values={"status": "on_track", "percent_complete": 40})
    b = services.action_create(objective="B")
    services.action_update(action=b, values={"status": "done"})
    c = services.action_create(objective="C")
    services.action_update(action=c, values={"status": "dropped", "percent_complete": 10})
    progress = selectors.plan_progress(Action.objects.all(), TODAY)
    assert dict(progress.by_status)["Done"] == 1 and dict(progress.by_status)["Dropped"] == 1
    assert progress.mean_percent == 70 and progress.overdue == 1


def test_an_action_planned_from_a_survey_result_keeps_its_motivation(personas):
    services.bank_current()
    client = client_for(personas["ingrid"])
    url = reverse("diagnose:action_create") + "?factor=F6&source=survey_item&source_id=7:F6"
    assert "Perception survey result: F6" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "objective": "Publicise the reporting channel",
            "horizon": "short",
            "status": "on_track",
            "percent_complete": "10",
            "factor": Factor.objects.get(code="F6").pk,
            "source_label": "Survey: few traders know how to report",
            "source": "survey_item",
            "source_id": "7:F6",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.source_type, action.source_id, action.status, action.percent_complete) == (
        "survey_item",
        "7:F6",
        "on_track",
        10,
    )
