"""Demo reports and cases at every stage: new, overdue, acknowledged, in a case, merged, closed.

Idempotent: the first demo case's title marks that the demo has run (report texts are
encrypted, so they cannot be looked up; leads may come from other modules' demos).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from arusha_web.audit.middleware import acting_as
from arusha_web.org.models import Office, StaffRecord

from . import files, services
from .models import Case, Report, reporter_day

MARKER_TITLE = "Fixed fee per container at the seaport"

# days ago received, category, office, description
PUBLIC_REPORTS = [
    (
        2,
        "bribery",
        "PORT1",
        "An officer at the seaport asked me for 50,000 to release my container without inspection.",
    ),
    (10, "extortion", "BORDN", "At the northern border, trucks are held until drivers pay an 'escort fee'."),
    (
        25,
        "bribery",
        "PORT1",
        "A broker says that verification officers at the port share a fixed fee per container.",
    ),
    (26, "bribery", "PORT1", "Same as my colleague: the fee is paid in cash at the verification shed."),
    (40, "favouritism", "AIRP1", "Some importers never get a physical examination at the airport."),
    (50, "bribery", "PORT1", "Cash is collected in an envelope before the examination is booked."),
    (60, "procurement", None, "The new scanner tender was written for a single supplier."),
    (75, "bribery", "PORT1", "I was told the release would take two weeks unless I paid."),
    (130, "bribery", "PORT1", "An officer demanded money to reclassify my goods at a lower duty rate."),
    (140, "misconduct", "INLD1", "An officer at the inland depot drinks on duty and insults traders."),
    (
        15,
        "smuggling",
        "BORDS",
        "Lorries cross the southern post at night without any declaration being lodged.",
    ),
]


DATES_PAID = b"Monday 3 March: 50,000\nMonday 10 March: 50,000\nMonday 24 March: 60,000\n"


def _backdate(report: Report, days: int) -> None:
    received = reporter_day(timezone.now() - dt.timedelta(days=days))
    Report.objects.filter(pk=report.pk).update(received_at=received)
    report.refresh_from_db()


@transaction.atomic
def demo_setup(*, users: dict[str, Any], progress: Callable[[str], object]) -> None:
    if Case.objects.filter(title=MARKER_TITLE).exists():
        progress("Cases: demo already present")
        return
    progress("Cases: reports and cases")
    integrity, investigator = users["integrity"], users["investigator"]
    offices = {o.code: o for o in Office.objects.all()}
    reports = []
    for days, category, office, text in PUBLIC_REPORTS:
        report, _code = services.report_submit(
            source="public", category=category, office=offices.get(office or ""), description=text
        )
        _backdate(report, days)
        reports.append(report)
    with acting_as(integrity):
        # 3rd and 4th: acknowledged, merged as duplicates, in a case with a conversation.
        for report in reports[2:]:
            services.report_acknowledge(report=report, by=integrity)
        services.report_merge(report=reports[3], into=reports[2], by=integrity)
        case = services.case_open(
            reports=[reports[2]],
            title=MARKER_TITLE,
            category="bribery",
            office=offices["PORT1"],
            concerned_staff=StaffRecord.objects.filter(officer_id__in=["O-PORT1-01", "OFF002"]),
            by=integrity,
        )
        services.case_assign(case=case, investigator=investigator, by=integrity)
    with acting_as(investigator):
        services.message_to_reporter(
            report=reports[2], author=investigator, body="Which days of the week is the fee collected?"
        )
        services.message_from_reporter(
            report=reports[2],
            body="Mostly on Mondays, when the shed is busy. I wrote down the dates I paid.",
            attachments=[files.CleanFile("dates-paid.txt", "text/plain", DATES_PAID, "")],
        )
        for kind, text in [
            ("allegation", "Verification officers collect a fixed fee per container before examination."),
            ("person", "Two verification officers of the seaport shed (see staff concerned)."),
            ("event", "First report received through the public channel."),
            ("task", "Compare examination times on Mondays with other days (clearance data)."),
            ("interview", "Interview with the broker who reported; notes kept in the safe."),
        ]:
            services.case_entry_add(case=case, kind=kind, text=text, by=investigator)
        _link_to_a_risk(case=case, investigator=investigator)
    # 5th..8th: closed cases with outcomes, feedback given.
    closed = [
        (4, "unfounded", "none", False),
        (5, "substantiated", "suspension", True),
        (7, "partly", "warning", False),
        (8, "substantiated", "dismissal", True),
    ]
    for index, outcome, sanction, prosecution in closed:
        report = reports[index]
        with acting_as(integrity):
            case = services.case_open(
                reports=[report],
                title=f"{report.get_category_display()} — {report.office.code if report.office else 'HQ'}",
                category=report.category,
                office=report.office,
                by=integrity,
            )
            Case.objects.filter(pk=case.pk).update(opened_at=report.received_at + dt.timedelta(days=5))
            services.case_assign(case=case, investigator=investigator, by=integrity)
        with acting_as(investigator):
            case.refresh_from_db()
            services.case_close(
                case=case,
                outcome=outcome,
                sanction=sanction,
                referred_to_prosecution=prosecution,
                conclusion="Findings documented in the case file.",
                by=investigator,
            )
            services.report_feedback(
                report=report,
                by=investigator,
                body="The investigation is finished and appropriate measures were taken.",
            )
    with acting_as(integrity):
        services.report_close(report=reports[6], by=integrity)
        services.report_close(report=reports[9], by=integrity)
    # Acknowledged three days after receipt (done last: the services above save "now").
    for report in reports[2:]:
        Report.objects.filter(pk=report.pk).update(acknowledged_at=F("received_at") + dt.timedelta(days=3))
    # A staff report with identity shown, and a referred data lead.
    staff_report, _code = services.report_submit(
        source="staff",
        category="misconduct",
        office=offices.get("AIRP1"),
        reporter=users["officer"],
        description="A colleague asked me to release a consignment before the laboratory result.",
    )
    _backdate(staff_report, 4)
    services.intake_from_lead(
        entity_type="officer",
        entity_id="OFF004",
        referred_by=integrity,
        explanation="Officer OFF004: green-channel overrides three times the office median over six months.",
    )
    _past_years(offices=offices, integrity=integrity, investigator=investigator)


# Older reports, all dealt with, so that the statistics have cells of 5 and more to show.
# (category, office, how many, of which opened as cases and closed with these outcomes)
PAST_REPORTS = [
    (
        "bribery",
        "PORT1",
        14,
        ["substantiated", "substantiated", "partly", "unfounded", "substantiated", "partly"],
    ),
    ("bribery", "AIRP1", 6, ["unfounded", "partly"]),
    ("extortion", "BORDN", 8, ["substantiated", "unfounded", "partly"]),
    ("smuggling", "BORDS", 7, ["substantiated", "unfounded"]),
    ("favouritism", "PORT1", 5, ["unfounded", "unfounded"]),
    ("misconduct", "INLD1", 6, ["partly", "unfounded"]),
    ("procurement", None, 2, []),
]
PAST_TEXT = "Report from a past year (demo), dealt with and closed."
SANCTIONS = {"substantiated": "suspension", "partly": "warning", "unfounded": "none"}


def _link_to_a_risk(*, case: Case, investigator: Any) -> None:
    """Link the case file to the risk register's first risk, when the risks module has one."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    if not apps.is_installed("arusha_web.risks"):
        return
    risk = apps.get_model("risks", "Risk").objects.order_by("pk").first()
    try:
        path = reverse("risks:risk_detail", args=[risk.pk]) if risk is not None else ""
    except NoReverseMatch:  # the risks pages are not mounted
        path = ""
    if path:
        services.case_entry_add(
            case=case,
            kind="link",
            text="The risk this case illustrates; its controls should be reviewed.",
            link_path=path,
            by=investigator,
        )


def _past_years(*, offices: dict[str, Office], integrity: Any, investigator: Any) -> None:
    """Reports received 200 to 700 days ago, acknowledged, some investigated and closed."""
    n = 0
    for category, office_code, count, outcomes in PAST_REPORTS:
        office = offices.get(office_code or "")
        for i in range(count):
            n += 1
            days = 200 + (n * 37) % 500
            report, _code = services.report_submit(
                source="public", category=category, office=office, description=PAST_TEXT
            )
            _backdate(report, days)
            received = report.received_at
            Report.objects.filter(pk=report.pk).update(
                acknowledged_at=received + dt.timedelta(days=1 + n % 6)
            )
            with acting_as(integrity):
                if i >= len(outcomes):
                    services.report_close(report=report, by=integrity)
                    Report.objects.filter(pk=report.pk).update(closed_at=received + dt.timedelta(days=20))
                    continue
                case = services.case_open(
                    reports=[report],
                    title=f"{report.get_category_display()} — {office_code or 'HQ'} ({received:%Y})",
                    category=category,
                    office=office,
                    by=integrity,
                )
            services.case_close(
                case=case,
                outcome=outcomes[i],
                sanction=SANCTIONS[outcomes[i]],
                referred_to_prosecution=outcomes[i] == "substantiated" and n % 2 == 0,
                conclusion="Findings documented in the case file.",
                by=investigator,
            )
            opened = received + dt.timedelta(days=8)
            closed = opened + dt.timedelta(days=30 + (n * 13) % 150)
            Case.objects.filter(pk=case.pk).update(opened_at=opened, closed_at=closed)
            Report.objects.filter(pk=report.pk).update(closed_at=closed)
