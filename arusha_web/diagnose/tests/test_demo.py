from __future__ import annotations

from typing import Any

from arusha_web.diagnose.demo import demo_setup
from arusha_web.diagnose.models import Action, Answer, Assessment, Survey, SurveyResponse


def test_demo_is_complete_and_idempotent(personas: dict[str, Any]):
    users = {"integrity": personas["ingrid"], "officer": personas["sam"], "manager": personas["marc"]}
    demo_setup(users=users, progress=lambda _m: None)
    counts = (
        Assessment.objects.count(),
        Answer.objects.count(),
        Action.objects.count(),
        SurveyResponse.objects.count(),
    )
    demo_setup(users=users, progress=lambda _m: None)
    assert counts == (
        Assessment.objects.count(),
        Answer.objects.count(),
        Action.objects.count(),
        SurveyResponse.objects.count(),
    )
    latest = Assessment.objects.get(title__endswith="2026")
    assert latest.status == Assessment.Status.CLOSED
    assert latest.previous is not None and latest.previous.status == Assessment.Status.CLOSED
    assert latest.plan.approved_at is not None and latest.plan.actions.count() >= 5
    assert Survey.objects.filter(previous__isnull=False).count() == 1
