"""Reads that feed several views: lists narrowed to the viewer, progress and results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from arusha_web.accounts.models import User
from arusha_web.accounts.roles import Role

from .models import (
    Action,
    ActionPlan,
    Answer,
    Assessment,
    Factor,
    FactorResult,
    Participant,
    Reminder,
    ResponseSheet,
)
from .models.assessment import Group
from .models.reference import Question
from .scoring import OTHER_GROUPS, RATINGS, FactorStats, GroupPooling, factor_statistics, group_pooling

# The pseudo-groups of a breakdown that pools small groups (scoring.group_pooling).
OTHER_GROUPS_LABEL = gettext_lazy("Other groups (pooled)")
ALL_GROUPS = "all"
ALL_GROUPS_LABEL = gettext_lazy("All groups")


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


def min_group() -> int:
    """The fewest people a group of a breakdown must hide to be shown on its own (a setting)."""
    return int(settings.ARUSHA_DIAGNOSE_MIN_GROUP)


def assessment_progress(assessment: Assessment) -> list[GroupProgress]:
    """Invited and answered, by group; groups of fewer than `min_group()` invited are pooled.

    In a group of one, "1 of 1 answered" says who answered; pooled with others it does not.
    """
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for group, responded in assessment.participants.values_list("group", "responded_at"):
        counts[group][0] += 1
        counts[group][1] += responded is not None
    pooling = group_pooling({g: c[0] for g, c in counts.items()}, minimum=min_group())
    rows, pool = [], [0, 0]
    for value, label in Group.choices:
        if not counts[value][0]:
            continue
        if value in pooling.pooled:
            pool = [pool[0] + counts[value][0], pool[1] + counts[value][1]]
            continue
        rows.append(
            GroupProgress(group=value, label=str(label), invited=counts[value][0], responded=counts[value][1])
        )
    if pool[0]:
        key, label = (
            (OTHER_GROUPS, OTHER_GROUPS_LABEL) if pooling.pool_shown else (ALL_GROUPS, ALL_GROUPS_LABEL)
        )
        rows.append(GroupProgress(group=key, label=str(label), invited=pool[0], responded=pool[1]))
    return rows


@dataclass(frozen=True)
class ReminderBatch:
    """Reminders sent at one moment by one person (or the schedule): how many, never to whom.

    Who was reminded is who had not answered yet; listed next to the progress by group, it
    would tell the facilitator who answered (and so whose anonymous answers are whose).
    """

    sent_at: dt.datetime
    sent_by: User | None
    scheduled: bool
    count: int


def reminder_batches(assessment: Assessment) -> list[ReminderBatch]:
    """The campaign's reminders grouped by sending, newest first."""
    counts: dict[tuple[dt.datetime, int | None, bool], int] = defaultdict(int)
    senders: dict[int | None, User | None] = {None: None}
    reminders = Reminder.objects.filter(participant__assessment=assessment).select_related("sent_by")
    for reminder in reminders:
        counts[(reminder.sent_at, reminder.sent_by_id, reminder.scheduled)] += 1
        senders[reminder.sent_by_id] = reminder.sent_by
    return [
        ReminderBatch(sent_at=sent_at, sent_by=senders[by], scheduled=scheduled, count=n)
        for (sent_at, by, scheduled), n in sorted(counts.items(), key=lambda kv: kv[0][0], reverse=True)
    ]


def anonymous_pooling(assessment: Assessment) -> GroupPooling:
    """Which groups' answers the results may not show on their own: those of too few anonymous sheets.

    A group's anonymous answers are hidden among its other anonymous respondents only; named
    answers are shown with their author, so they hide nobody.
    """
    anonymous: dict[str, int] = defaultdict(int)
    sheets = ResponseSheet.objects.filter(assessment=assessment, submitted=True)
    for group, participant_id in sheets.values_list("group", "participant_id"):
        anonymous[group] += participant_id is None
    return group_pooling(anonymous, minimum=min_group())


def _stats(assessment: Assessment, pooling: GroupPooling) -> dict[str, FactorStats]:
    rows = Answer.objects.filter(sheet__assessment=assessment, sheet__submitted=True).values_list(
        "question__element__factor__code", "sheet__group", "rating"
    )
    return factor_statistics((factor, pooling.label_of(group), rating) for factor, group, rating in rows)


@dataclass
class FactorRow:
    factor: Factor
    result: FactorResult | None
    stats: FactorStats | None
    previous_result: FactorResult | None
    previous_stats: FactorStats | None
    title: str = ""  # as worded when the assessment was run
    # Groups of too few anonymous answers, shown together or only in the totals.
    pooling: GroupPooling = GroupPooling()

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
    def columns(self) -> list[tuple[str, Any]]:
        return group_columns(self.pooling)

    @property
    def group_means(self) -> list[dict[str, Any]]:
        """Mean per column of `group_columns` (None where the group did not answer or is pooled)."""
        rows = {r["value"]: r for r in self.group_rows()}
        return [
            rows.get(value, {"value": value, "mean": None, "n": 0, "pooled": value in self.pooling.pooled})
            for value, _label in self.columns
        ]

    def group_rows(self) -> list[dict[str, Any]]:
        if self.stats is None:
            return []
        rows = []
        for value, label in self.columns:
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


def group_columns(pooling: GroupPooling) -> list[tuple[str, Any]]:
    """The groups a breakdown has columns for: every group, then the pool when it is shown."""
    return [*Group.choices, *([(OTHER_GROUPS, OTHER_GROUPS_LABEL)] if pooling.pool_shown else [])]


def assessment_results(assessment: Assessment) -> list[FactorRow]:
    """One row per factor: distribution, group means, consensus, and change since the previous one.

    Groups with too few anonymous answers are pooled (`anonymous_pooling`) in every figure by group.
    """
    pooling = anonymous_pooling(assessment)
    stats = _stats(assessment, pooling)
    results = {r.factor_id: r for r in assessment.factor_results.select_related("factor")}
    previous = assessment.previous
    previous_stats = _stats(previous, anonymous_pooling(previous)) if previous else {}
    previous_results = {r.factor_id: r for r in previous.factor_results.all()} if previous else {}
    return [
        FactorRow(
            factor=factor,
            result=results.get(factor.pk),
            stats=stats.get(factor.code),
            previous_result=previous_results.get(factor.pk),
            previous_stats=previous_stats.get(factor.code),
            title=assessment.factor_title(factor),
            pooling=pooling,
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


@dataclass(frozen=True)
class AnswerLine:
    """One answer as the workshop page lists it: the author only when named, the group only when shown."""

    question: Question
    respondent: str  # the participant's name; "" when anonymous
    group: str  # the group's label; "" for an anonymous answer of a pooled group
    rating: str
    evidence: str
    comment: str


def factor_answers(assessment: Assessment, factor: Factor) -> list[AnswerLine]:
    """Every submitted answer to a factor, for the integrity unit's workshop (evidence, comments).

    Named answers carry their participant and group; anonymous ones their group only when it has
    enough anonymous answers (`anonymous_pooling`), else nothing. Within a question, named
    answers come first, then anonymous ones of shown groups, then the others, each in the order
    of the random sheet ids: neither the insertion order nor the place in a list sorted by group
    points at who answered.
    """
    pooling = anonymous_pooling(assessment)
    group_order = {value: k for k, value in enumerate(Group.values)}
    labels = dict(Group.choices)
    answers = Answer.objects.filter(
        sheet__assessment=assessment, sheet__submitted=True, question__element__factor=factor
    ).select_related("question", "sheet__participant")
    keyed = []
    for answer in answers:
        sheet = answer.sheet
        named = sheet.participant is not None
        shown = named or pooling.label_of(sheet.group) == sheet.group
        place = 0 if named else 1 if shown else 2
        key = (
            answer.question.order,
            answer.question.pk,
            place,
            group_order[sheet.group] if shown else 0,
            str(sheet.pk),
        )
        line = AnswerLine(
            question=answer.question,
            respondent=sheet.participant.name if sheet.participant is not None else "",
            group=str(labels[sheet.group]) if shown else "",
            rating=answer.rating,
            evidence=answer.evidence,
            comment=answer.comment,
        )
        keyed.append((key, line))
    return [line for _key, line in sorted(keyed, key=lambda pair: pair[0])]
