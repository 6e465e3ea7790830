"""Reads that feed several views: lists narrowed to the viewer, progress and results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from arusha_web.accounts.models import User
from arusha_web.accounts.roles import Role

from .models import Action, ActionPlan, Answer, Assessment, Factor, FactorResult, Participant
from .models.assessment import Group
from .scoring import RATINGS, FactorStats, factor_statistics


def assessment_list_for_viewer(*, viewer: User) -> QuerySet[Assessment]:
    """Office managers see national assessments and those of their own office; others see all."""
    qs = Assessment.objects.select_related("office", "facilitator", "bank", "wording")
    if viewer.role == Role.OFFICE_MANAGER:
        qs = qs.filter(Q(scope=Assessment.Scope.NATIONAL) | Q(office_id=viewer.office_id))
    return qs


def plan_list_for_viewer(*, viewer: User) -> QuerySet[ActionPlan]:
    """Plans of the assessments `viewer` may see, and plans not tied to an assessment."""
    visible = assessment_list_for_viewer(viewer=viewer).values("pk")
    return ActionPlan.objects.select_related("assessment", "approved_by").filter(
        Q(assessment__isnull=True) | Q(assessment__in=visible)
    )


def participations_for_user(*, user: User) -> QuerySet[Participant]:
    """The campaigns this account was invited to, for its own links."""
    return (
        Participant.objects.filter(user=user)
        .select_related("assessment")
        .order_by("-assessment__period_start")
    )


@dataclass
class GroupProgress:
    group: str
    label: str
    invited: int
    responded: int

    @property
    def percent(self) -> int:
        return round(100 * self.responded / self.invited) if self.invited else 0


def assessment_progress(assessment: Assessment) -> list[GroupProgress]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for group, responded in assessment.participants.values_list("group", "responded_at"):
        counts[group][0] += 1
        counts[group][1] += responded is not None
    return [
        GroupProgress(group=value, label=str(label), invited=counts[value][0], responded=counts[value][1])
        for value, label in Group.choices
        if counts[value][0]
    ]


def _stats(assessment: Assessment) -> dict[str, FactorStats]:
    rows = Answer.objects.filter(sheet__assessment=assessment, sheet__submitted=True).values_list(
        "question__element__factor__code", "sheet__group", "rating"
    )
    return factor_statistics(rows)


@dataclass
class FactorRow:
    factor: Factor
    result: FactorResult | None
    stats: FactorStats | None
    previous_result: FactorResult | None
    previous_stats: FactorStats | None
    title: str = ""  # as worded when the assessment was run

    @property
    def consensus_change(self) -> int | None:
        if self.result is None or self.previous_result is None:
            return None
        if self.result.consensus is None or self.previous_result.consensus is None:
            return None
        return self.result.consensus - self.previous_result.consensus

    @property
    def mean_change(self) -> float | None:
        if (
            not self.stats
            or not self.previous_stats
            or self.stats.mean is None
            or self.previous_stats.mean is None
        ):
            return None
        return round(self.stats.mean - self.previous_stats.mean, 2)

    @property
    def distribution(self) -> list[int]:
        """Answers at 0, 1, 2, 3, 4 and N/A, in that order."""
        return [self.stats.counts[r] for r in RATINGS] if self.stats else [0] * len(RATINGS)

    @property
    def group_means(self) -> list[dict[str, Any]]:
        """Mean per group in the fixed group order (None where the group did not answer)."""
        rows = {r["value"]: r for r in self.group_rows()}
        return [rows.get(value, {"value": value, "mean": None, "n": 0}) for value, _label in Group.choices]

    def group_rows(self) -> list[dict[str, Any]]:
        if self.stats is None:
            return []
        rows = []
        for value, label in Group.choices:
            g = self.stats.groups.get(value)
            if g is not None:
                rows.append(
                    {
                        "value": value,
                        "label": label,
                        "distribution": [g.counts[r] for r in RATINGS],
                        "n": g.n,
                        "mean": g.mean,
                        "high": value == self.stats.high_group and self.stats.divergent,
                        "low": value == self.stats.low_group and self.stats.divergent,
                    }
                )
        return rows


def assessment_results(assessment: Assessment) -> list[FactorRow]:
    """One row per factor: distribution, group means, consensus, and change since the previous one."""
    stats = _stats(assessment)
    results = {r.factor_id: r for r in assessment.factor_results.select_related("factor")}
    previous = assessment.previous
    previous_stats = _stats(previous) if previous else {}
    previous_results = {r.factor_id: r for r in previous.factor_results.all()} if previous else {}
    return [
        FactorRow(
            factor=factor,
            result=results.get(factor.pk),
            stats=stats.get(factor.code),
            previous_result=previous_results.get(factor.pk),
            previous_stats=previous_stats.get(factor.code),
            title=assessment.factor_title(factor),
        )
        for factor in Factor.objects.all()
    ]


# ---------------------------------------------------------------- action plan


def action_list_for_viewer(*, viewer: User) -> QuerySet[Action]:
    """Office managers see national actions and their own office's; others see every action."""
    qs = Action.objects.select_related("factor", "owner", "plan", "office")
    if viewer.role == Role.OFFICE_MANAGER:
        qs = qs.filter(Q(office__isnull=True) | Q(office_id=viewer.office_id))
    return qs


def action_editable_by(*, viewer: User, action: Action) -> bool:
    """Whether `viewer` may change `action`: office managers only their own office's actions."""
    if not viewer.can("diagnose.actions"):
        return False
    if viewer.role == Role.OFFICE_MANAGER:
        return action.office_id is not None and action.office_id == viewer.office_id
    return True


def actions_overdue(actions: QuerySet[Action], today: dt.date | None = None) -> QuerySet[Action]:
    today = today or timezone.localdate()
    return actions.filter(due_date__lt=today).exclude(status__in=[Action.Status.DONE, Action.Status.DROPPED])


def actions_grouped(actions: QuerySet[Action], by: str) -> list[tuple[str, list[Action]]]:
    """Group actions by factor or by owner, keeping the order of due dates inside each group."""
    groups: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        if by == "owner":
            key = (action.owner.get_full_name() or action.owner.username) if action.owner else ""
            key = " · ".join(k for k in (key, action.owner_unit) if k) or "—"
        else:
            key = str(action.factor) if action.factor else "—"
        groups[key].append(action)
    return sorted(groups.items())


@dataclass
class PlanProgress:
    """The progress report of a plan: actions by status and the mean share completed."""

    by_status: list[tuple[str, int]]
    mean_percent: int | None
    overdue: int


def plan_progress(actions: QuerySet[Action], today: dt.date | None = None) -> PlanProgress:
    counts = dict.fromkeys(Action.Status.values, 0)
    percents = []
    for status, percent in actions.values_list("status", "percent_complete"):
        counts[status] += 1
        if status != Action.Status.DROPPED:
            percents.append(percent)
    return PlanProgress(
        by_status=[(str(label), counts[value]) for value, label in Action.Status.choices],
        mean_percent=round(sum(percents) / len(percents)) if percents else None,
        overdue=actions_overdue(actions, today).count(),
    )


def factor_answers(assessment: Assessment, factor: Factor) -> QuerySet[Answer]:
    """Every submitted answer to a factor, for the integrity unit's workshop (evidence, comments).

    Named answers carry their participant; anonymous ones only their group.
    """
    return (
        Answer.objects.filter(
            sheet__assessment=assessment, sheet__submitted=True, question__element__factor=factor
        )
        .select_related("question", "sheet__participant")
        # Ordering by the random sheet id keeps the insertion order (which could hint at who
        # answered anonymously between two named respondents) off the page.
        .order_by("question__order", "sheet__group", "sheet_id")
    )
