"""Demo content of the Measure module: the demo analysis registered, leads at several stages of
triage, and two signed contracts (officer O-PORT1-01 and office PORT1). Idempotent.

The demo ``officer`` account (staff record OFF001, absent from the generated clearance data) gets a
ScorecardLink to O-PORT1-01, so that it has a scorecard and a contract to look at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from arusha_web.accounts.models import User

from . import contracts, leads, services
from .models import Contract, IndicatorValue, Lead, LeadStatus, ScorecardLink

DEMO_OFFICER = "O-PORT1-01"
DEMO_OFFICE = "PORT1"
DEMO_INDICATORS = ["TF1", "TF2", "TF5", "BP1", "BP2"]


def demo_setup(*, users: dict[str, User], progress: Callable[[str], object]) -> None:
    from arusha_web.core.demo_data import demo_paths

    paths = demo_paths()
    if not (paths["analysis"] / "signals.csv").exists():
        # `arusha demo --declarations 0` asked for no clearance data: nothing to show here.
        progress("Measure: no demo analysis (demo run with --declarations 0); skipped.")
        return
    progress("Measure: importing the demo analysis (indicators and leads)…")
    run = services.register_existing(
        name="Demo clearance data", store=paths["store"], out_dir=paths["analysis"], user=users.get("analyst")
    )
    _demo_rest(run=run, users=users, progress=progress)


@transaction.atomic
def _demo_rest(
    *, run: services.AnalysisRun, users: dict[str, User], progress: Callable[[str], object]
) -> None:
    analyst, integrity, manager = users["analyst"], users["integrity"], users["manager"]
    if not Lead.objects.filter(run=run).exclude(status=LeadStatus.NEW).exists():
        progress("Measure: triaging a few demo leads…")
        top = list(Lead.objects.filter(run=run).order_by("rank")[:4])
        if len(top) >= 4:
            leads.lead_update(
                lead=top[1], status=LeadStatus.REVIEW, reason="", assignee=analyst, actor=analyst
            )
            leads.lead_comment(
                lead=top[1], text="Asked the office for the release logs of March.", actor=analyst
            )
            leads.lead_update(
                lead=top[2],
                status=LeadStatus.EXPLAINED,
                reason="Seasonal importer of fruit: low value per kg is normal for this trade.",
                assignee=analyst,
                actor=analyst,
            )
            leads.lead_update(
                lead=top[3],
                status=LeadStatus.DISMISSED,
                reason="Duplicate of lead #2.",
                assignee=None,
                actor=analyst,
            )
        port = (
            Lead.objects.filter(run=run, office_code=DEMO_OFFICE, status=LeadStatus.NEW)
            .order_by("rank")
            .first()
        )
        if port is not None:
            leads.lead_refer(
                lead=port,
                note="Pattern confirmed by the office manager; needs an integrity review.",
                actor=integrity,
            )
    months = sorted(
        set(
            IndicatorValue.objects.filter(run=run, entity_type="office", entity_id=DEMO_OFFICE)
            .exclude(period="all")
            .values_list("period", flat=True)
        )
    )
    if len(months) >= 4:
        # A contract running now: its first months are in the data, the baseline before them.
        start = dt.date.fromisoformat(months[-3] + "-01")
        for subject_type, subject_id, signer in (
            ("officer", DEMO_OFFICER, manager),
            ("office", DEMO_OFFICE, integrity),
        ):
            if Contract.objects.filter(subject_type=subject_type, subject_id=subject_id).exists():
                continue
            progress(f"Measure: signing the demo contract with {subject_id}…")
            contract = contracts.contract_create(
                run=run,
                subject_type=subject_type,
                subject_id=subject_id,
                period_start=start,
                months=6,
                indicators=DEMO_INDICATORS,
                improvement=15,
                signatories=f"Director General\nHead of office {DEMO_OFFICE}\n{subject_id}",
                actor=signer,
            )
            contracts.contract_sign(version=contract.versions.get(), actor=signer)
    officer = users.get("officer")
    known = IndicatorValue.objects.filter(run=run, entity_type="officer", entity_id=DEMO_OFFICER).exists()
    if officer is not None and known:
        # Not by moving the staff record's user link: the core demo re-links OFF001 on every run.
        ScorecardLink.objects.update_or_create(user=officer, defaults={"officer_id": DEMO_OFFICER})
