"""Access matrix rows for the Diagnose module (collected by core/tests/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

from arusha_web.testing import ADM, ANA, AUD, INT, MGR, PUBLIC, STF, Row

EXPECTED: dict[str, set[str]] = {
    "diagnose.view": {ADM, INT, ANA, MGR, AUD, STF},
    "diagnose.results": {ADM, INT, ANA, MGR, AUD},
    "diagnose.manage": {ADM, INT},
    "diagnose.actions": {ADM, INT, MGR},
    "diagnose.approve": {INT},
}


def make_objects(personas: dict[str, Any]) -> dict[str, Any]:
    from arusha_web.diagnose import services
    from arusha_web.diagnose.survey_services import survey_create

    from .factories import make_assessment, participant

    assessment = make_assessment(title="Matrix assessment")
    person = participant(assessment, "officer", "Matrix")
    plan = services.plan_for_assessment(assessment=assessment)
    # Marc manages PORT1: he may edit this action, not the national one.
    action = services.action_create(plan=plan, objective="Matrix action", office=personas["marc"].office)
    national = services.action_create(plan=plan, objective="Matrix national action")
    survey = survey_create(values={"title": "Matrix survey", "instrument": "private"})
    return {
        "d_assessment": assessment,
        "d_participant": person,
        "d_plan": plan,
        "d_action": action,
        "d_national_action": national,
        "d_survey": survey,
        "d_item": survey.items.first(),
    }


def _a(o: dict[str, Any]) -> list[Any]:
    return [o["d_assessment"].pk]


URLS: dict[str, Row | list[Row]] = {
    "diagnose:index": Row("diagnose.view"),
    "diagnose:reference": Row("diagnose.view"),
    "diagnose:factor_edit": Row("diagnose.manage", args=lambda _o: ["F3"]),
    "diagnose:bank": Row("diagnose.manage"),
    "diagnose:bank_export": Row("diagnose.manage"),
    "diagnose:bank_import": Row("diagnose.manage"),
    "diagnose:question_create": Row("diagnose.manage"),
    "diagnose:question_edit": Row("diagnose.manage", args=lambda _o: ["Q-F1-1"]),
    "diagnose:assessment_create": Row("diagnose.manage"),
    "diagnose:assessment_detail": Row("diagnose.results", args=_a),
    "diagnose:assessment_advance": Row("diagnose.manage", "post", args=_a),
    "diagnose:participant_add": Row("diagnose.manage", "post", args=_a, data={"group": "hq", "name": "X"}),
    "diagnose:participants_invite": Row("diagnose.manage", "post", args=_a),
    "diagnose:workshop": Row("diagnose.manage", args=_a),
    "diagnose:factor_result_edit": Row("diagnose.manage", args=lambda o: [o["d_assessment"].pk, "F1"]),
    "diagnose:results": Row("diagnose.results", args=_a),
    "diagnose:assessment_wording": Row("diagnose.results", args=_a),
    "diagnose:assessment_reminders": Row("diagnose.manage", "post", args=_a, data={"remind_every_days": "3"}),
    "diagnose:report_pdf": Row("diagnose.results", args=_a),
    "diagnose:plan_create": Row("diagnose.manage", "post", args=_a),
    "diagnose:respond": Row(PUBLIC, args=lambda o: [o["d_participant"].token]),
    "diagnose:plan": Row("diagnose.results"),
    "diagnose:actions_export": Row("diagnose.results"),
    "diagnose:plan_approve": Row("diagnose.approve", "post", args=lambda o: [o["d_plan"].pk]),
    "diagnose:action_create": Row("diagnose.actions"),
    "diagnose:action_edit": [
        Row("diagnose.actions", args=lambda o: [o["d_action"].pk]),
        # National actions are read-only for office managers.
        Row("diagnose.manage", args=lambda o: [o["d_national_action"].pk]),
    ],
    "diagnose:survey_list": Row("diagnose.results"),
    "diagnose:survey_create": Row("diagnose.manage"),
    "diagnose:sample_size": Row("diagnose.view"),
    "diagnose:survey_detail": Row("diagnose.results", args=lambda o: [o["d_survey"].pk]),
    "diagnose:survey_status": Row(
        "diagnose.manage", "post", args=lambda o: [o["d_survey"].pk], data={"status": "open"}
    ),
    "diagnose:survey_item_create": Row(
        "diagnose.manage",
        "post",
        args=lambda o: [o["d_survey"].pk],
        data={"factor": "", "code": "", "kind": "yes_no", "text_en": "", "text_fr": ""},
    ),
    "diagnose:survey_item_edit": Row("diagnose.manage", args=lambda o: [o["d_survey"].pk, o["d_item"].pk]),
    "diagnose:survey_item_retire": Row(
        "diagnose.manage", "post", args=lambda o: [o["d_survey"].pk, o["d_item"].pk], data={"retired": "1"}
    ),
    "survey:take": Row(PUBLIC, args=lambda o: [o["d_survey"].slug]),
    "survey:thanks": Row(PUBLIC, args=lambda o: [o["d_survey"].slug]),
}
