"""A populated demo register: typical risks rated, controlled, treated, with a history to replay.

Keyed on the risk reference (DEMO-01…), so running the demo again changes nothing. Risks are
tied to engine indicators (BP1, BP6, CP1…), so the risk pages show live evidence once the demo
analysis has been written under ``var/analysis/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from arusha_web.accounts.models import User
from arusha_web.org.models import Office

from .models import Control, ProcessStep, RatingChange, Risk, RiskAction
from .seed import TYPICAL_RISKS

# typical-risk index, office code, residual (L, I) or None, status, months ago first rated,
# controls (kind, description, design, operating), actions (title, due in days, done).
# Risks tied to indicators sit on offices of the demo clearance data (PORT1, AIRPT: codes of
# arusha.synth), so their pages show that office's trend next to the administration's and the
# leads planted there; an office missing from the database makes the risk administration-wide.
DEMO_REGISTER = [
    (2, "PORT1", (3, 4), "manage",
     [("detective", "Weekly report of channel overrides reviewed by the head of office", "effective", "partly"),
      ("preventive", "Override requires a written reason in the system", "effective", "effective")],
     [("Alert the integrity unit when an officer's override rate exceeds twice the office median", 60, False)]),
    (3, "PORT1", (3, 5), "prioritise",
     [("preventive", "Reference value database applied at documentary check", "partly", "partly")],
     [("Refresh reference values for the 50 most imported HS lines", 90, False),
      ("Second-level review of adjustments below 70 % of the reference", -20, True)]),
    (1, "PORT1", None, "evaluate", [], []),
    (4, "PORT1", (2, 4), "manage",
     [("detective", "Random re-examination of 2 % of inspected containers by a second team", "effective", "partly")],
     [("Scan images archived and linked to the inspection report", 120, False)]),
    (5, None, (2, 3), "revisit",
     [("corrective", "Penalty grid with ranges per offence, deviations approved by the director", "effective", "effective")],
     []),
    (7, "AIRPT", (1, 4), "manage",
     [("preventive", "Gate system refuses exit without electronic release", "effective", "effective")],
     [("Publish after-hours release statistics per office monthly", 30, False)]),
    (8, "BORDS", None, "understand", [], []),
    (11, None, (2, 3), "manage",
     [("preventive", "Maximum 3 years in a vulnerable post, rotation plan published", "partly", "ineffective")],
     [("Adopt the list of vulnerable posts", -10, False)]),
    (10, None, (2, 4), "prioritise", [], [("Publish the list of exemptions granted each quarter", 45, False)]),
    (0, "PORT5", (2, 2), "manage",
     [("preventive", "Online lodgement with automatic registration number", "effective", "effective")], []),
]  # fmt: skip


@transaction.atomic
def demo_setup(*, users: dict[str, User], progress: Callable[[str], object]) -> None:
    progress("Filling the corruption risk register…")
    # The catalogue normally comes from the data migration; a database emptied since (a flush,
    # a test) gets it back here, without touching rows that exist.
    from django.apps import apps

    from .seed import seed_reference

    seed_reference(apps)
    integrity, manager = users.get("integrity"), users.get("manager")
    now = timezone.now()
    today = timezone.localdate()
    offices = {o.code: o for o in Office.objects.all()}
    for number, (index, office, residual, status, controls, actions) in enumerate(DEMO_REGISTER, start=1):
        ref = f"DEMO-{number:02d}"
        if Risk.objects.filter(ref=ref).exists():
            continue
        item = TYPICAL_RISKS[index]
        process_code, step_code = item["step"].split("/")
        risk = Risk.objects.create(
            ref=ref,
            step=ProcessStep.objects.get(process__code=process_code, code=step_code),
            office=offices.get(office or ""),
            title=item["title_en"],
            position=item["position"],
            scheme=item["scheme"],
            drivers="Discretion without second check; high duties on the goods concerned; low salaries.",
            harms=list(item["harms"]),
            evidence_sources=["interviews", "complaints"] + (["data"] if item["indicators"] else []),
            evidence="Integrity workshop of March 2026; complaints received through the reporting channel.",
            indicator_codes=list(item["indicators"]),
            inherent_likelihood=item["l"],
            inherent_impact=item["i"],
            treatment="reduce" if residual else "",
            owner=f"Head of office {office}" if office else "Director of operations",
            status=status,
            last_reviewed=today - dt.timedelta(days=120),
            # Every third risk is overdue for review, so the dashboard has something to show.
            next_review=today + dt.timedelta(days=-15 if number % 3 == 0 else 75),
        )
        actor = manager if office == "PORT1" else integrity
        # History: first rated without controls five months ago, residual argued after the workshop.
        RatingChange.objects.create(
            risk=risk, at=now - dt.timedelta(days=150), by=integrity, reason="Identified at the integrity workshop.",
            status="evaluate", inherent_likelihood=risk.inherent_likelihood, inherent_impact=risk.inherent_impact,
        )  # fmt: skip
        if residual:
            risk.residual_likelihood, risk.residual_impact = residual
            risk.save(update_fields=["residual_likelihood", "residual_impact"])
        RatingChange.objects.create(
            risk=risk,
            at=now - dt.timedelta(days=(30 if number % 2 else 130)),
            by=actor,
            reason="Controls assessed; residual rating agreed with the office."
            if residual
            else "Still under study.",
            status=status,
            inherent_likelihood=risk.inherent_likelihood,
            inherent_impact=risk.inherent_impact,
            residual_likelihood=risk.residual_likelihood,
            residual_impact=risk.residual_impact,
        )
        for kind, description, design, operating in controls:
            Control.objects.create(risk=risk, kind=kind, description=description, design=design, operating=operating,
                                   owner=risk.owner)  # fmt: skip
        for title, due_in, done in actions:
            RiskAction.objects.create(risk=risk, title=title, owner=risk.owner, done=done,
                                      due_date=today + dt.timedelta(days=due_in))  # fmt: skip
