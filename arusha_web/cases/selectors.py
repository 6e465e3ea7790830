"""Reads with need-to-know narrowing, and statistics without personal data."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

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
    """Reports whose 7-day acknowledgement or 3-month feedback is overdue (for reminders).

    Closed reports are left out: nothing can be sent on them any more, and a reminder that
    can never be acted on would come back every day.
    """
    now = now or timezone.now()
    open_reports = Report.objects.exclude(status__in=[ReportStatus.MERGED, ReportStatus.CLOSED])
    pending = Q(acknowledged_at__isnull=True) | Q(feedback_at__isnull=True)
    reports = list(open_reports.exclude(source="lead").filter(pending))
    return {
        "acknowledge": [r for r in reports if r.acknowledge_overdue(now)],
        "feedback": [r for r in reports if r.feedback_overdue(now)],
    }


def _suppress(count: int) -> int | None:
    return count if count >= SUPPRESS_BELOW else None


def suppressed_keys(
    counts: dict[str, int], *, also: frozenset[str] | set[str] = frozenset()
) -> set[str] | None:
    """Return the cells of a one-way table to hide, or None when no breakdown is safe.

    Primary suppression hides every count under SUPPRESS_BELOW. That alone is not enough: a
    table's total is published (or can be), so one hidden cell is the total minus the cells
    shown, and two hidden cells of 1 each are given away by their sum of 2 (a listed cell is
    at least 1). Complementary suppression therefore also hides the smallest shown cells until
    any one hidden cell could hold SUPPRESS_BELOW or more:
    (sum of hidden) - (number hidden - 1) >= SUPPRESS_BELOW. All hidden cells look the same,
    so a reader cannot tell which one is small. When even hiding every cell is not enough
    (five categories of 1 each, total 5), the table is withheld. `also` names cells to hide
    for another reason (see statistics: a year's cell that the other years would give away).
    """
    hidden = {key for key, count in counts.items() if count < SUPPRESS_BELOW or key in also}
    shown = sorted((count, key) for key, count in counts.items() if key not in hidden)

    def covered() -> bool:
        widest = sum(counts[key] for key in hidden) - (len(hidden) - 1)
        return len(hidden) > 1 and widest >= SUPPRESS_BELOW

    while hidden and not covered():
        if not shown:
            return None
        hidden.add(shown.pop(0)[1])
    return hidden


def _small(count: int) -> bool:
    return 0 < count < SUPPRESS_BELOW


def _table(
    counter: Counter[str], labels: dict[str, str], *, other_years: Counter[str] | None = None
) -> list[dict[str, Any]]:
    """Rows of a one-way table in label order, zero rows left out, hidden cells as None.

    With `other_years` (the same table for the years not shown), a cell is also hidden when
    the other years' count is small: the all-years table minus this one would reveal it.
    """
    counts = {key: counter[key] for key in labels if counter.get(key, 0)}
    also = {key for key in counts if other_years is not None and _small(other_years.get(key, 0))}
    hidden = suppressed_keys(counts, also=also)
    if hidden is None:
        return [{"key": "", "label": _("All (too few to break down)"), "count": None, "withheld": True}]
    return [
        {"key": key, "label": labels[key], "count": None if key in hidden else count}
        for key, count in counts.items()
    ]


def _median_days(values: list[float]) -> float | None:
    if len(values) < SUPPRESS_BELOW:
        return None
    values = sorted(values)
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    return round(median, 1)


def _gather(year: int | None) -> tuple[list[Any], list[Any]]:
    """The rows behind the statistics (no text, no person): of one year, or of all years."""
    reports = Report.objects.exclude(status=ReportStatus.MERGED).exclude(source="lead")
    cases = Case.objects.all()
    if year:
        reports = reports.filter(received_at__year=year)
        cases = cases.filter(opened_at__year=year)
    return (
        list(reports.values("category", "office__code", "received_at", "acknowledged_at")),
        list(cases.values("category", "office__code", "outcome", "opened_at", "closed_at")),
    )


NO_OFFICE = "—"


def _counters(report_rows: list[dict[str, Any]], case_rows: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """The counts behind every table, keyed like the tables of `statistics`."""
    return {
        "reports_by_category": Counter(r["category"] for r in report_rows),
        "reports_by_office": Counter(r["office__code"] or NO_OFFICE for r in report_rows),
        "cases_by_category": Counter(c["category"] for c in case_rows),
        "cases_by_office": Counter(c["office__code"] or NO_OFFICE for c in case_rows),
        "cases_by_outcome": Counter(c["outcome"] for c in case_rows if c["outcome"]),
    }


def statistics(*, year: int | None = None) -> dict[str, Any]:
    """Counts of reports and cases by category, office and outcome, with no personal data.

    Cells under SUPPRESS_BELOW, and the cells that would give them away, are replaced by None
    (shown "hidden") so that small offices do not point at a person (see suppressed_keys);
    medians need at least that many values too.

    One year's figures and the all-years figures can be subtracted from each other, so a
    year's cell (or total) is also hidden when the same cell of the *other* years is small.
    """
    report_rows, case_rows = _gather(year)
    counters = _counters(report_rows, case_rows)
    others: dict[str, Counter[str]] = {}
    other_totals = {"reports": 0, "cases": 0}
    if year:
        all_reports, all_cases = _gather(None)
        all_counters = _counters(all_reports, all_cases)
        others = {key: all_counters[key] - counters[key] for key in counters}
        other_totals = {
            "reports": len(all_reports) - len(report_rows),
            "cases": len(all_cases) - len(case_rows),
        }
    cats = {str(k): str(v) for k, v in Category.choices}
    offices = sorted(set(counters["reports_by_office"]) | set(counters["cases_by_office"]))
    office_labels = {o: (o if o != NO_OFFICE else _("No office given")) for o in offices}
    labels = {
        "reports_by_category": cats,
        "reports_by_office": office_labels,
        "cases_by_category": cats,
        "cases_by_office": office_labels,
        "cases_by_outcome": {str(k): str(v) for k, v in Outcome.choices},
    }
    ack_days = [
        (r["acknowledged_at"] - r["received_at"]).total_seconds() / 86400
        for r in report_rows
        if r["acknowledged_at"]
    ]
    close_days = [
        (c["closed_at"] - c["opened_at"]).total_seconds() / 86400 for c in case_rows if c["closed_at"]
    ]

    def total(kind: str, count: int) -> int | None:
        return None if _small(other_totals[kind]) else _suppress(count)

    return {
        "reports_total": total("reports", len(report_rows)),
        "cases_total": total("cases", len(case_rows)),
        **{key: _table(counters[key], labels[key], other_years=others.get(key)) for key in counters},
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
