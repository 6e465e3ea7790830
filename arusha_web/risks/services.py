"""Writes to the register: every rating or status change leaves a ``RatingChange`` behind.

The history row is what makes replay at a past date possible, so no code path may change a
risk's ratings without going through ``risk_save``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from arusha_web.core.params import whole_number

from .models import Control, ProcessStep, RatingChange, Risk, RiskAction
from .seed import TYPICAL_RISKS, typical_risk_text

TRACKED = (*RatingChange.RATING_FIELDS, "status")


def _snapshot(risk: Risk) -> dict[str, Any]:
    return {name: getattr(risk, name) for name in TRACKED}


def next_ref() -> str:
    """The next free reference R-001, R-002…"""
    # References are free text in an imported register ("R-²", "R-2024-07"): only ASCII digits
    # of a sensible length count, so that an odd one can never stop the next risk being made.
    numbers = [n for ref in Risk.objects.filter(ref__startswith="R-").values_list("ref", flat=True)
               if (n := whole_number(ref[2:], max_digits=9)) is not None]  # fmt: skip
    return f"R-{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def risk_save(
    *,
    risk: Risk,
    actor: Any,
    reason: str = "",
    at: dt.datetime | None = None,
    before: dict[str, Any] | None = None,
) -> Risk:
    """Save `risk`; append a history row when it is new or its ratings or status changed.

    `before` is the tracked state loaded from the database before the form changed the object
    (None for a new risk). `at` lets the demo and imports back-date a change.
    """
    created = risk.pk is None
    if not risk.ref:
        risk.ref = next_ref()
    risk.save()
    if created or before != _snapshot(risk):
        RatingChange.objects.create(
            risk=risk,
            at=at or timezone.now(),
            by=actor if getattr(actor, "pk", None) else None,
            # Stored in English and said in the reader's language when shown ({% translate %}).
            reason=reason or (gettext_noop("Risk recorded.") if created else gettext_noop("Rating updated.")),
            **_snapshot(risk),
        )
    return risk


def risk_tracked_state(risk: Risk) -> dict[str, Any] | None:
    """The stored tracked fields of `risk`, read before a form modifies the instance."""
    if risk.pk is None:
        return None
    return _snapshot(Risk.objects.get(pk=risk.pk))


def risk_review(*, risk: Risk, actor: Any, reason: str, next_review: dt.date | None) -> Risk:
    """Mark the risk reviewed today (the step 'revisit'), with the date of the next review."""
    before = _snapshot(risk)
    risk.last_reviewed = timezone.localdate()
    risk.next_review = next_review
    risk.status = "revisit"
    return risk_save(risk=risk, actor=actor, reason=reason, before=before)


def control_save(*, control: Control) -> Control:
    control.save()
    return control


@transaction.atomic
def action_save(*, action: RiskAction, to_plan: bool = False) -> RiskAction:
    """Save a treatment action; with `to_plan`, also create it in the integrity action plan."""
    action.save()
    if to_plan and not action.action_id:
        from .plan_link import put_in_plan

        put_in_plan(action=action)
    return action


def typical_risk_adopt(*, index: int, office: Any, actor: Any, language: str) -> Risk:
    """Copy typical risk number `index` into the register, with its suggested inherent rating.

    Every text field (title, position, scheme) is copied in the adopting user's language: the
    register keeps one language per risk, the one its authors write in.
    """
    item = TYPICAL_RISKS[index]
    process_code, step_code = item["step"].split("/")
    step = ProcessStep.objects.get(process__code=process_code, code=step_code)
    risk = Risk(
        step=step,
        office=office,
        **typical_risk_text(item, language),
        harms=list(item["harms"]),
        indicator_codes=list(item["indicators"]),
        inherent_likelihood=item["l"],
        inherent_impact=item["i"],
        status="understand",
    )
    return risk_save(risk=risk, actor=actor, reason=_("Started from the catalogue of typical risks."))
