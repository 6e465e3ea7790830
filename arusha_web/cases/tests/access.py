"""Who may do what in Report and investigate, written out independently of apps.py.

The integrity unit triages; investigators work on the cases assigned to them (others are a
404, see test_need_to_know.py); the integrity unit and auditors read statistics; everybody
may report from his account; the public channel needs no login.
"""

from __future__ import annotations

from typing import Any

from arusha_web.testing import AUD, EVERYONE, INT, INV, PUBLIC, Row

EXPECTED: dict[str, set[str]] = {
    "cases.triage": {INT},
    "cases.investigate": {INT, INV},
    "cases.statistics": {INT, AUD},
    "cases.submit": EVERYONE,
}


def make_objects(personas: dict[str, Any]) -> dict[str, Any]:
    from arusha_web.cases import services
    from arusha_web.cases.files import CleanFile
    from arusha_web.org.models import Office

    intake, _code = services.report_submit(source="public", category="bribery", description="Asked for cash")
    in_case, _code2 = services.report_submit(
        source="public",
        category="extortion",
        description="Threatened with a full exam",
        attachments=[CleanFile("note.txt", "text/plain", b"note", "")],
    )
    case = services.case_open(
        reports=[in_case],
        title="Extortion at the airport",
        category="extortion",
        office=Office.objects.get(code="AIRP1"),
        by=personas["ingrid"],
    )
    services.case_assign(case=case, investigator=personas["ivan"], by=personas["ingrid"])
    entry = services.case_entry_add(case=case, kind="task", text="Interview the broker", by=personas["ivan"])
    return {
        "intake_report": intake,
        "case_report": in_case,
        "case": case,
        "entry": entry,
        "case_attachment": in_case.attachments.get(),
    }


def _pk(name: str) -> Any:
    return lambda o: [o[name].pk]


URLS: dict[str, Row | list[Row]] = {
    "cases:index": Row("section.cases"),
    "cases:intake": Row("cases.triage"),
    "cases:report_detail": Row("cases.investigate", args=_pk("case_report")),
    "cases:report_message": Row("cases.investigate", "post", _pk("case_report"), {"body": "Which day?"}),
    "cases:report_acknowledge": Row("cases.triage", "post", _pk("intake_report")),
    "cases:report_feedback": Row("cases.investigate", "post", _pk("case_report"), {"body": "In progress"}),
    "cases:report_merge": Row("cases.triage", "post", _pk("intake_report"), {}),
    "cases:report_open_case": Row("cases.triage", "post", _pk("intake_report"), {}),
    "cases:report_close": Row("cases.triage", "post", _pk("intake_report")),
    "cases:attachment": Row("cases.investigate", args=_pk("case_attachment")),
    "cases:case_list": Row("cases.investigate"),
    "cases:case_detail": Row("cases.investigate", args=_pk("case")),
    "cases:case_assign": Row("cases.triage", "post", _pk("case"), {}),
    "cases:case_concerned": Row("cases.triage", "post", _pk("case"), {}),
    "cases:case_entry_add": Row("cases.investigate", "post", _pk("case"), {}),
    "cases:entry_toggle": Row("cases.investigate", "post", _pk("entry")),
    "cases:case_close": Row("cases.investigate", "post", _pk("case"), {}),
    "cases:statistics": Row("cases.statistics"),
    "cases:statistics_pdf": Row("cases.statistics"),
    "cases:staff_report": Row("cases.submit"),
    "report:index": Row(PUBLIC),
    "report:followup": Row(PUBLIC),
    "report:mailbox": Row(PUBLIC),
    "report:leave": Row(PUBLIC, "post"),
    "report:statistics": Row(PUBLIC),
}
