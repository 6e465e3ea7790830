"""Access rows of the risk register for the project-wide access matrix."""

from __future__ import annotations

from typing import Any

from arusha_web.testing import ADM, ANA, AUD, INT, MGR, Row

EXPECTED: dict[str, set[str]] = {
    "risks.view": {ADM, INT, ANA, MGR, AUD},
    "risks.edit": {INT, MGR},
    "risks.configure": {ADM, INT},
    "risks.import": {ADM, INT, MGR},
}


def _risk(o: dict[str, Any]) -> list[Any]:
    return [o["risk"].pk]


URLS: dict[str, Row | list[Row]] = {
    "risks:index": Row("risks.view"),
    "risks:risk_list": Row("risks.view"),
    "risks:risk_create": Row("risks.edit"),
    "risks:risk_detail": Row("risks.view", args=_risk),
    "risks:risk_edit": Row("risks.edit", args=_risk),
    "risks:risk_review": Row(
        "risks.edit", "post", args=_risk, data={"reason": "Workshop", "next_review": "2099-01-01"}
    ),
    "risks:control_create": Row("risks.edit", args=_risk),
    "risks:control_edit": Row("risks.edit", args=lambda o: [o["risk"].pk, o["control"].pk]),
    "risks:control_delete": Row("risks.edit", "post", args=lambda o: [o["risk"].pk, o["control"].pk]),
    "risks:action_create": Row("risks.edit", args=_risk),
    "risks:action_edit": Row("risks.edit", args=lambda o: [o["risk"].pk, o["risk_action"].pk]),
    "risks:action_delete": Row("risks.edit", "post", args=lambda o: [o["risk"].pk, o["risk_action"].pk]),
    "risks:risk_map": Row("risks.view"),
    "risks:typical_list": Row("risks.view"),
    "risks:typical_adopt": Row("risks.edit", "post", data={"index": "0"}),
    "risks:process_list": Row("risks.view"),
    "risks:process_create": Row("risks.configure"),
    "risks:process_edit": Row("risks.configure", args=lambda o: [o["process"].pk]),
    "risks:scales": Row("risks.configure"),
    "risks:export_xlsx": Row("risks.view"),
    "risks:import_xlsx": Row("risks.import"),
    "risks:report_pdf": Row("risks.view"),
}


def make_objects(personas: dict[str, Any]) -> dict[str, Any]:
    """A PORT1 risk (Marc's office) with one control and one action."""
    from arusha_web.org.models import Office
    from arusha_web.risks import services
    from arusha_web.risks.models import Control, Process, ProcessStep, Risk, RiskAction

    step = ProcessStep.objects.get(process__code="import", code="selectivity")
    risk = services.risk_save(
        risk=Risk(step=step, office=Office.objects.get(code="PORT1"), title="Channel override", inherent_likelihood=4,
                  inherent_impact=4),
        actor=personas["ingrid"],
    )  # fmt: skip
    control = Control.objects.create(risk=risk, kind="detective", description="Weekly override review")
    action = RiskAction.objects.create(risk=risk, title="Log every override reason")
    return {
        "risk": risk,
        "control": control,
        "risk_action": action,
        "process": Process.objects.get(code="import"),
    }
