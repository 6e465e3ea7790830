"""Reads with need-to-know narrowing, and statistics without personal data."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from arusha_web.accounts.roles import Role
from arusha_web.org.models import StaffRecord

from .models import Case, CaseEntry, Category, Outcome, Report, ReportStatus

SUPPRESS_BELOW = 5


def _own_record_id(user: Any) -> int | None:
    return StaffRecord.objects.filter(user=user).values_list("pk", flat=True).first()


def case_list_for_viewer(*, viewer: Any) -> QuerySet[Case]:
    """Cases `viewer` may open: all for the integrity unit, assigned ones for investigators.

    Nobody sees a case that concerns himself.
    """
    qs = Case.objects.select_related("office")
    if viewer.role == Role.INTEGRITY:
        pass
    elif viewer.role == Role.INVESTIGATOR:
        qs = qs.filter(investigators=viewer)
    else:
        return qs.none()
    record = _own_record_id(viewer)
    if record is not None:
        qs = qs.exclude(concerned_staff=record)
    return qs.distinct()


def case_for_viewer(*, viewer: Any, pk: int) -> Case:
    """Return the case or 404 (not 403: an unassigned investigator learns nothing, not even that it exists)."""
    return get_object_or_404(case_list_for_viewer(viewer=viewer), pk=pk)


def report_list_for_viewer(*, viewer: Any) -> QuerySet[Report]:
    qs = Report.objects.select_related("office", "case", "merged_into")
    if viewer.role == Role.INTEGRITY:
        record = _own_record_id(viewer)
        if record is not None:
            qs = qs.exclude(case__concerned_staff=record)
        return qs
    return qs.filter(case__in=case_list_for_viewer(viewer=viewer))


def report_for_viewer(*, viewer: Any, pk: int) -> Report:
    return get_object_or_404(report_list_for_viewer(viewer=viewer), pk=pk)


def entry_for_viewer(*, viewer: Any, pk: int) -> CaseEntry:
    return get_object_or_404(CaseEntry.objects.filter(case__in=case_list_for_viewer(viewer=viewer)), pk=pk)


def intake_queue() -> QuerySet[Report]:
    """Reports waiting for triage (not merged, no case, not closed), oldest first."""
    return (
        Report.objects.filter(status__in=[ReportStatus.RECEIVED, ReportStatus.ACKNOWLEDGED])
        .select_related("office")
        .order_by("received_at")
    )


def clocks_overdue(*, now: Any = None) -> dict[str, list[Report]]:
    """Reports whose 7-day acknowledgement or 3-month feedback is overdue (for reminders)."""
    now = now or timezone.now()
    reports = [r for r in Report.objects.exclude(status=ReportStatus.MERGED).exclude(source="lead")]
    return {
        "acknowledge": [r for r in reports if r.acknowledge_overdue(now)],
        "feedback": [r for r in reports if r.feedback_overdue(now) and r.status != ReportStatus.CLOSED],
    }


def _suppress(count: int) -> int | None:
    return count if count >= SUPPRESS_BELOW else None


def _table(counter: Counter[str], labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"key": key, "label": labels.get(key, key), "count": _suppress(counter.get(key, 0))}
        for key in labels
        if counter.get(key, 0)
    ]


def _median_days(values: list[float]) -> float | None:
    if len(values) < SUPPRESS_BELOW:
        return None
    values = sorted(values)
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    return round(median, 1)


def statistics(*, year: int | None = None) -> dict[str, Any]:
    """Counts of reports and cases by category, office and outcome, with no personal data.

    Cells under SUPPRESS_BELOW are replaced by None (shown "< 5") so that small offices do not
    point at a person; medians need at least that many values too.
    """
    reports = Report.objects.exclude(status=ReportStatus.MERGED).exclude(source="lead")
    cases = Case.objects.all()
    if year:
        reports = reports.filter(received_at__year=year)
        cases = cases.filter(opened_at__year=year)
    cats = {str(k): str(v) for k, v in Category.choices}
    report_rows = list(reports.values("category", "office__code", "received_at", "acknowledged_at"))
    case_rows = list(cases.values("category", "office__code", "outcome", "opened_at", "closed_at"))
    offices = sorted(
        {r["office__code"] or "—" for r in report_rows} | {c["office__code"] or "—" for c in case_rows}
    )
    office_labels = {o: o for o in offices}
    outcomes = {str(k): str(v) for k, v in Outcome.choices}
    ack_days = [
        (r["acknowledged_at"] - r["received_at"]).total_seconds() / 86400
        for r in report_rows
        if r["acknowledged_at"]
    ]
    close_days = [
        (c["closed_at"] - c["opened_at"]).total_seconds() / 86400 for c in case_rows if c["closed_at"]
    ]
    return {
        "reports_total": _suppress(len(report_rows)),
        "cases_total": _suppress(len(case_rows)),
        "reports_by_category": _table(Counter(r["category"] for r in report_rows), cats),
        "reports_by_office": _table(Counter(r["office__code"] or "—" for r in report_rows), office_labels),
        "cases_by_category": _table(Counter(c["category"] for c in case_rows), cats),
        "cases_by_outcome": _table(Counter(c["outcome"] for c in case_rows if c["outcome"]), outcomes),
        "median_days_to_acknowledge": _median_days(ack_days),
        "median_days_to_close": _median_days(close_days),
        "suppress_below": SUPPRESS_BELOW,
    }


def investigator_choices(*, case: Case) -> list[tuple[Any, str | None]]:
    """Return (user, conflict) for every active investigator, conflict naming why he is barred."""
    from arusha_web.accounts.models import User

    from .services import assignment_conflict

    users = User.objects.filter(role=Role.INVESTIGATOR, is_active=True).order_by("username")
    return [(u, assignment_conflict(case=case, user=u)) for u in users]


def open_tasks(*, case: Case) -> QuerySet[CaseEntry]:
    return case.entries.filter(kind="task", done=False)
