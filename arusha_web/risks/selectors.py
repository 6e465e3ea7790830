"""Reads of the register, narrowed by role, and the dashboard's views over it.

Office managers see their office's risks and the administration-wide ones, and edit only their
office's. Replay rebuilds ratings at a past date from ``RatingChange``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from arusha_web.accounts.roles import Role

from . import plan_link
from .models import Process, ProcessStep, RatingChange, Risk, Status
from .rating import Matrix


def risk_list_for_viewer(*, viewer: Any) -> QuerySet[Risk]:
    risks = Risk.objects.select_related("step__process", "office").annotate(
        control_count=Count("controls", distinct=True), action_count=Count("actions", distinct=True)
    )
    if not viewer.can("risks.view"):
        return risks.none()
    if viewer.role == Role.OFFICE_MANAGER:
        return risks.filter(Q(office_id=viewer.office_id) | Q(office__isnull=True))
    return risks


def risk_editable_by(*, viewer: Any, risk: Risk) -> bool:
    """Whether `viewer` may change `risk` (office managers: their office's risks only)."""
    if not viewer.can("risks.edit"):
        return False
    if viewer.role == Role.OFFICE_MANAGER:
        return risk.office_id is not None and risk.office_id == viewer.office_id
    return True


@dataclass
class RatedRisk:
    """A risk with its ratings as they stood at some date (the current ones by default)."""

    risk: Risk
    status: str
    inherent: tuple[int | None, int | None]
    residual: tuple[int | None, int | None]
    inherent_band: Any = None
    residual_band: Any = None

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label) if self.status in Status.values else self.status

    @property
    def inherent_score(self) -> int | None:
        lik, imp = self.inherent
        return lik * imp if lik and imp else None

    @property
    def residual_score(self) -> int | None:
        lik, imp = self.residual
        return lik * imp if lik and imp else None

    @property
    def effective(self) -> tuple[int | None, int | None]:
        """The residual rating where there is one, else the inherent one."""
        return self.residual if self.residual_score else self.inherent


def rated_risks(*, risks: QuerySet[Risk], at: dt.date | None = None) -> list[RatedRisk]:
    """Ratings now, or as they stood at the end of `at` (risks created later are left out)."""
    if at is None:
        return [
            RatedRisk(
                r,
                r.status,
                (r.inherent_likelihood, r.inherent_impact),
                (r.residual_likelihood, r.residual_impact),
            )
            for r in risks
        ]
    end = timezone.make_aware(dt.datetime.combine(at, dt.time.max))
    latest: dict[int, RatingChange] = {}
    for change in RatingChange.objects.filter(risk__in=risks, at__lte=end).order_by("at", "pk"):
        latest[change.risk_id] = change
    out = []
    for risk in risks:
        last = latest.get(risk.pk)
        if last is None:
            continue
        out.append(
            RatedRisk(
                risk,
                last.status,
                (last.inherent_likelihood, last.inherent_impact),
                (last.residual_likelihood, last.residual_impact),
            )
        )
    return out


def heatmap_counts(rated: list[RatedRisk], matrix: Matrix, *, residual: bool) -> list[list[int]]:
    """Counts per cell, rows from the highest likelihood down, columns impact 1..max."""
    rows = list(range(matrix.max_likelihood, 0, -1))
    counts = [[0] * matrix.max_impact for _ in rows]
    for item in rated:
        lik, imp = item.residual if residual else item.inherent
        if lik and imp and lik <= matrix.max_likelihood and imp <= matrix.max_impact:
            counts[rows.index(lik)][imp - 1] += 1
    return counts


def processes_with_steps() -> QuerySet[Process]:
    return Process.objects.prefetch_related(Prefetch("steps", queryset=ProcessStep.objects.order_by("order")))


def step_highest_residual(rated: list[RatedRisk], matrix: Matrix) -> dict[int, RatedRisk]:
    """For each step, its risk with the highest residual (else inherent) band, then score."""
    best: dict[int, RatedRisk] = {}

    def key(item: RatedRisk) -> tuple[int, int]:
        lik, imp = item.effective
        return (matrix.rank(matrix.band(lik, imp)), (lik or 0) * (imp or 0))

    for item in rated:
        current = best.get(item.risk.step_id)
        if current is None or key(item) > key(current):
            best[item.risk.step_id] = item
    return best


def changes_since_last_review(*, risks: QuerySet[Risk]) -> list[RatingChange]:
    """Rating changes made after each risk's last review date (all changes if never reviewed)."""
    changes = RatingChange.objects.filter(risk__in=risks).select_related("risk", "by").order_by("-at")
    out = []
    for change in changes[:500]:
        last = change.risk.last_reviewed
        if last is None or change.at.date() > last:
            out.append(change)
    return out[:20]


def dashboard(*, viewer: Any, at: dt.date | None = None) -> dict[str, Any]:
    """Everything the register's start page shows, optionally replayed at a past date."""
    risks = risk_list_for_viewer(viewer=viewer)
    matrix = Matrix.load()
    rated = rated_risks(risks=risks, at=at)
    for item in rated:
        item.inherent_band = matrix.band(*item.inherent)
        item.residual_band = matrix.band(*item.residual)
    today = timezone.localdate()
    planned = plan_link.risk_ids_with_plan_actions()

    def top_key(item: RatedRisk) -> tuple[int, int]:
        lik, imp = item.effective
        return (matrix.rank(matrix.band(lik, imp)), (lik or 0) * (imp or 0))

    return {
        "matrix": matrix,
        "rated": rated,
        "top": sorted((r for r in rated if r.effective[0]), key=top_key, reverse=True)[:10],
        "inherent_counts": heatmap_counts(rated, matrix, residual=False),
        "residual_counts": heatmap_counts(rated, matrix, residual=True),
        "without_controls": [r for r in risks if r.control_count == 0],  # type: ignore[attr-defined]
        "without_actions": [r for r in risks if r.action_count == 0 and r.pk not in planned],  # type: ignore[attr-defined]
        "overdue": [r for r in risks if r.next_review and r.next_review < today],
        "changes": changes_since_last_review(risks=risks) if at is None else [],
    }
