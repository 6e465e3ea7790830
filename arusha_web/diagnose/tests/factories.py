"""Small builders shared by the Diagnose tests; every value a test depends on is passed in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from arusha_web.accounts.models import User

from .. import services
from ..models import Assessment, Participant, Question


def make_assessment(*, title: str = "National 2026", previous: Assessment | None = None) -> Assessment:
    return services.assessment_create(
        user=None,
        title=title,
        scope=Assessment.Scope.NATIONAL,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        previous=previous,
    )


def open_assessment(assessment: Assessment) -> Assessment:
    while assessment.status != Assessment.Status.OPEN:
        assessment = services.assessment_advance(assessment=assessment, user=None)
    return assessment


def answers_for(
    assessment: Assessment, ratings: dict[str, str] | None = None, default: str = "2"
) -> dict[str, Any]:
    """Form data answering every question: `ratings` maps factor code -> rating, else `default`."""
    data: dict[str, Any] = {}
    for q in assessment.questions():
        data[f"q-{q.pk}"] = (ratings or {}).get(q.element.factor.code, default)
        data[f"evidence-{q.pk}"] = f"evidence {q.code}"
    return data


def participant(assessment: Assessment, group: str, name: str, user: User | None = None) -> Participant:
    return services.participant_add(
        assessment=assessment, group=group, name=name, email=f"{name.lower()}@example.org", user=user
    )


def first_question(assessment: Assessment) -> Question:
    q = assessment.questions().first()
    assert q is not None
    return q
