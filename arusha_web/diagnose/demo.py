"""Demo content: two national self-assessments (2024 and 2026, the second compared with the
first), the 2026 action plan, and two iterations of the private-sector perception survey.

Keyed on titles, so running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from arusha_web.accounts.models import User

from . import services
from .models import Action, Assessment, Factor, Survey
from .survey_services import survey_create, survey_submit

A2024 = "National integrity self-assessment 2024"
A2026 = "National integrity self-assessment 2026"
S2023 = "Private-sector integrity perception survey 2023"
S2025 = "Private-sector integrity perception survey 2025"
S_STAFF = "Staff integrity perception survey 2026"

# Typical mean rating per group (before per-factor shifts); managers rate higher than officers.
GROUP_LEVEL = {"hq": 2.3, "manager": 2.5, "officer": 2.0, "private": 1.9}
# factor -> shift in 2026 relative to 2024 (progress where the 2024 plan acted).
PROGRESS_2026 = {"F1": 0.6, "F4": 0.8, "F7": 1.0, "F8": 0.2, "F3": 0.5}
CONSENSUS = {
    2024: {
        "F1": 2,
        "F2": 2,
        "F3": 1,
        "F4": 2,
        "F5": 2,
        "F6": 1,
        "F7": 1,
        "F8": 1,
        "F9": 1,
        "F10": 1,
        "PM": 0,
    },
    2026: {
        "F1": 3,
        "F2": 2,
        "F3": 2,
        "F4": 3,
        "F5": 2,
        "F6": 2,
        "F7": 2,
        "F8": 1,
        "F9": 1,
        "F10": 2,
        "PM": 1,
    },
}
SWOT_2026 = {
    "F7": (
        "Code of Conduct signed by 92% of staff.",
        "Penalty scale not known to frontline officers.",
        "Training of trainers offered by the regional office.",
        "Staff turnover at border posts.",
        2,
    ),
    "F8": (
        "Merit-based recruitment exam introduced.",
        "No rotation in vulnerable posts; promotions seen as favouritism by officers.",
        "New HR information system in 2027.",
        "Salary arrears.",
        1,
    ),
    "F9": (
        "Integrity committee created.",
        "Low morale among officers; managers rate the culture much higher.",
        "Staff survey every two years.",
        "Public criticism in the press.",
        1,
    ),
    "F3": ("Tariff published online.", "Service standards not published.", "Trade portal project.", "", 2),
}
ACTIONS_2026 = [
    # factor, objective, activity, horizon, unit, owner, start offset (days), length, status, pct
    (
        "F8",
        "Rotation policy for vulnerable posts",
        "Draft and adopt a rotation policy with maximum tenure per post.",
        "short",
        "Human Resources",
        "integrity",
        -120,
        90,
        "delayed",
        60,
    ),
    (
        "F8",
        "Publish promotion criteria",
        "Publish the promotion board rules and results.",
        "short",
        "Human Resources",
        "manager",
        -90,
        60,
        "done",
        100,
    ),
    (
        "F9",
        "Staff morale survey",
        "Run the staff module of the perception survey and discuss results in each office.",
        "medium",
        "Integrity Unit",
        "integrity",
        -60,
        180,
        "on_track",
        40,
    ),
    (
        "F9",
        "Integrity champions in each office",
        "Appoint and train one integrity champion per office.",
        "medium",
        "Integrity Unit",
        "integrity",
        -30,
        150,
        "on_track",
        20,
    ),
    (
        "F7",
        "Explain the penalty scale to frontline officers",
        "Briefings in every office on the graduated penalties.",
        "short",
        "Integrity Unit",
        "manager",
        -100,
        45,
        "on_track",
        70,
    ),
    (
        "F3",
        "Publish service standards",
        "Define and publish clearance-time standards with quarterly results.",
        "medium",
        "Risk Management",
        "analyst",
        10,
        200,
        "not_started",
        0,
    ),
    (
        "F6",
        "Protected reporting channel",
        "Open the online reporting channel to traders and the public.",
        "short",
        "Investigations",
        "investigator",
        -150,
        60,
        "done",
        100,
    ),
    (
        "PM",
        "Monthly performance dialogue",
        "Discuss clearance indicators monthly with each office head.",
        "long",
        "Integrity Unit",
        "manager",
        30,
        365,
        "not_started",
        0,
    ),
]


def _rating(rng: random.Random, level: float) -> str:
    if rng.random() < 0.05:
        return "na"
    return str(max(0, min(4, round(rng.gauss(level, 0.7)))))


def _assessment(year: int, previous: Assessment | None, users: dict[str, User]) -> Assessment:
    existing = Assessment.objects.filter(title=A2024 if year == 2024 else A2026).first()
    if existing is not None:
        return existing
    assessment = services.assessment_create(
        user=users.get("integrity"),
        title=A2024 if year == 2024 else A2026,
        scope=Assessment.Scope.NATIONAL,
        period_start=dt.date(year, 3, 1),
        period_end=dt.date(year, 5, 31),
        facilitator=users.get("integrity"),
        previous=previous,
    )
    assessment = services.assessment_advance(assessment=assessment, user=None)
    rng = random.Random(year)
    people = [("hq", 4), ("manager", 5), ("officer", 8), ("private", 4)]
    number = 0
    for group, count in people:
        for i in range(count):
            number += 1
            user = users.get("officer") if (year == 2026 and group == "officer" and i == 0) else None
            name = user.get_full_name() if user else f"{group.title()} respondent {i + 1}"
            participant = services.participant_add(
                assessment=assessment,
                group=group,
                name=name,
                email=f"resp{year}-{number}@demo.invalid",
                user=user,
            )
            if year == 2026 and group == "private" and i == count - 1:
                continue  # one invitation left unanswered, so progress shows it
            data = {}
            for q in assessment.questions():
                factor = q.element.factor.code
                level = GROUP_LEVEL[group] + (PROGRESS_2026.get(factor, 0.2) if year == 2026 else 0)
                if factor in ("F8", "F9") and group == "manager":
                    level += 1.0  # managers see HR and culture far more favourably
                data[f"q-{q.pk}"] = _rating(rng, level)
                data[f"evidence-{q.pk}"] = "Interview notes" if rng.random() < 0.3 else ""
            services.sheet_submit(participant=participant, data=data, anonymous=user is None and i % 2 == 0)
    assessment = services.assessment_advance(assessment=assessment, user=None)
    for result in assessment.factor_results.select_related("factor"):
        code = result.factor.code
        strengths, weaknesses, opportunities, threats, priority = (
            SWOT_2026.get(code, ("", "", "", "", 3)) if year == 2026 else ("", "", "", "", 2)
        )
        services.factor_result_save(
            result=result,
            values={
                "consensus": CONSENSUS[year][code],
                "strengths": strengths,
                "weaknesses": weaknesses,
                "opportunities": opportunities,
                "threats": threats,
                "priority": priority,
            },
            user=users.get("integrity"),
        )
    return assessment


def _plan(assessment: Assessment, users: dict[str, User]) -> None:
    plan = services.plan_for_assessment(assessment=assessment)
    if plan.actions.exists():
        return
    factors = {f.code: f for f in Factor.objects.all()}
    base = dt.date.today()
    for code, objective, activity, horizon, unit, owner, start, length, status, pct in ACTIONS_2026:
        action = services.action_create(
            plan=plan,
            factor=factors[code],
            source_type=Action.SourceType.FACTOR,
            source_id=f"{assessment.pk}:{code}",
            source_label=f"{A2026} — {factors[code]}",
            objective=objective,
            activity=activity,
            horizon=horizon,
            owner_unit=unit,
            owner=users.get(owner),
            # The office manager's actions are his office's: he edits them, and reads the rest.
            office=getattr(users.get(owner), "office", None) if owner == "manager" else None,
            start_date=base + dt.timedelta(days=start),
            due_date=base + dt.timedelta(days=start + length),
            indicator="Policy adopted" if horizon == "short" else "Share of offices covered",
            baseline="0",
            target="1" if horizon == "short" else "100%",
        )
        services.action_update(action=action, values={"status": status, "percent_complete": pct})
    if users.get("integrity"):
        services.plan_approve(plan=plan, user=users["integrity"], note="Approved by the integrity committee")


def _survey(title: str, iteration: int, previous: Survey | None, *, staff: bool = False) -> Survey:
    existing = Survey.objects.filter(title=title).first()
    if existing is not None:
        return existing
    values = {
        "title": title,
        "instrument": Survey.Instrument.OFFICIALS if staff else Survey.Instrument.PRIVATE,
        "iteration": iteration,
        "previous": previous,
        "population": 450 if staff else 1200,
        "regions": "Coast\nCapital\nNorth\nSouth",
        "offices": "PORT1\nAIRP1\nBORDN\nBORDS\nINLD1" if staff else "",
        "roles": "Frontline officer\nSupervisor\nHeadquarters"
        if staff
        else "Broker\nImporter\nExporter\nTransporter",
        "status": Survey.Status.OPEN,
    }
    survey = survey_create(values=values)
    rng = random.Random(iteration * 7 + staff)
    regions, roles, offices = survey.region_choices(), survey.role_choices(), survey.office_choices()
    for i in range(90 if iteration == 1 else 110):
        # The last region (and office) gets few answers, so suppression shows in the results.
        region = regions[0] if i % 3 == 0 else rng.choice(regions[:-1]) if i % 17 else regions[-1]
        data = {"region": region, "role": rng.choice(roles)}
        if offices:
            data["office"] = offices[0] if i % 2 else rng.choice(offices[:-1]) if i % 19 else offices[-1]
        for item in survey.items.all():
            good = rng.random() < (0.42 if iteration == 1 else 0.55)
            if item.kind in ("likert5", "frequency"):
                value = rng.choice([4, 5]) if good != item.reverse else rng.choice([1, 2, 3])
            else:
                value = 1 if good != item.reverse else 0
            data[f"i-{item.pk}"] = str(value)
        survey_submit(survey=survey, data=data)
    if iteration == 1 and not staff:
        survey.status = Survey.Status.CLOSED
        survey.save(update_fields=["status"])
    return survey


@transaction.atomic
def demo_setup(*, users: dict[str, User], progress: Callable[[str], object]) -> None:
    progress("Diagnose: reference content, two self-assessments, an action plan and two surveys…")
    services.reference_load()
    first = _assessment(2024, None, users)
    if first.status != Assessment.Status.CLOSED:
        services.assessment_advance(assessment=first, user=None)
    second = _assessment(2026, first, users)
    _plan(second, users)
    if Assessment.objects.get(pk=second.pk).status != Assessment.Status.CLOSED:
        services.assessment_advance(assessment=second, user=None)
    previous = _survey(S2023, 1, None)
    _survey(S2025, 2, previous)
    _survey(S_STAFF, 1, None, staff=True)
