"""The link between risks and the integrity action plan (``arusha_web.diagnose``).

Kept in one module so the coupling is easy to see and to change: the plan's actions point back
at a risk through their generic motivation (source_type="risk", source_id=<risk pk>), and a
treatment action recorded here keeps the plan action's id in ``RiskAction.action_id``.
"""

from __future__ import annotations

from typing import Any

from arusha_web.core.params import whole_number

from .models import Risk, RiskAction

SOURCE_TYPE = "risk"


def plan_actions_for(risk: Risk) -> list[Any]:
    """Actions of the integrity action plan motivated by `risk` (empty when the plan is absent)."""
    try:
        from arusha_web.diagnose.models import Action
    except ImportError:
        return []
    return list(Action.objects.filter(source_type=SOURCE_TYPE, source_id=str(risk.pk)).order_by("pk"))


def risk_ids_with_plan_actions() -> set[int]:
    try:
        from arusha_web.diagnose.models import Action
    except ImportError:
        return set()
    ids = Action.objects.filter(source_type=SOURCE_TYPE).values_list("source_id", flat=True)
    return {n for n in map(whole_number, ids) if n is not None}


def put_in_plan(*, action: RiskAction) -> RiskAction:
    """Create the matching action in the integrity action plan and remember its id."""
    from arusha_web.diagnose.services import action_create

    risk = action.risk
    planned = action_create(
        objective=action.title,
        source_type=SOURCE_TYPE,
        source_id=risk.pk,
        source_label=f"{risk.ref} {risk.title}"[:300],
        office=risk.office,
        owner_unit=action.owner,
        due_date=action.due_date,
    )
    action.action_id = planned.pk
    action.save(update_fields=["action_id"])
    return action
