"""Demo content of the Measure module: the demo analysis registered, leads at several stages of
triage, and two signed contracts (officer O-PORT1-01 and office PORT1). Idempotent.

The demo ``officer`` account's staff record is O-PORT1-01 (``core/demo.py``), an officer of the
generated clearance data, so it has a scorecard and a contract to look at.

The generated data covers six months (``arusha.synth.generate``: 2024-01-01 plus 182 days, the
last month partial). The contracts cover the second half of the complete months, so their baseline
is the median of the first half and every month of their scorecard is measured: a manager sees
achieved and not achieved months, not a contract waiting for the future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from arusha_web.accounts.models import User

from . import contracts, leads, publishing, services
from .dashboards import complete_periods
from .models import Contract, Lead, LeadStatus, Publication

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
    earlier = _earlier_analysis(paths=paths, users=users, progress=progress)
    if earlier is not None:
        _make_official(
            earlier, actor=users["integrity"], note="The first three months, while the rest loaded."
        )
    progress("Measure: importing the demo analysis (indicators and leads)…")
    run = services.register_existing(
        name="Demo clearance data", store=paths["store"], out_dir=paths["analysis"], user=users.get("analyst")
    )
    _demo_rest(run=run, users=users, progress=progress)
    _make_official(run, actor=users["integrity"], note=publishing.DEMO_NOTES[1])


def _make_official(run: services.AnalysisRun, *, actor: User, note: str) -> None:
    """Publish ``run`` unless it was published before (``arusha demo`` run twice changes nothing)."""
    if not Publication.objects.filter(run=run).exists():
        publishing.publish(run=run, actor=actor, note=note)


def _earlier_analysis(
    *, paths: dict[str, Path], users: dict[str, User], progress: Callable[[str], object]
) -> services.AnalysisRun | None:
    """An analysis of the first three months only, registered before the full one, so that the
    comparison page has two analyses to set side by side (what changed once three more months came)."""
    import duckdb

    from arusha import api

    out = paths["analysis"].parent / "analysis-first-quarter"
    con = duckdb.connect(str(paths["store"]), read_only=True)
    try:
        first = con.execute("SELECT min(registered_at) FROM declarations").fetchone()
    finally:
        con.close()
    if not first or first[0] is None:
        return None
    start = first[0].date().replace(day=1)
    end = (
        start.replace(year=start.year + (start.month + 2) // 12, month=(start.month + 2) % 12 + 1)
    ) - dt.timedelta(days=1)
    if not (out / "signals.csv").exists():
        progress("Measure: analysing the first three months too, for the comparison page…")
        api.analyze_store(paths["store"], out, date_from=start, date_to=end)
    run = services.register_existing(
        name="Demo clearance data", store=paths["store"], out_dir=out, user=users.get("analyst")
    )
    if run.date_to is None:
        run.date_from, run.date_to = start, end
        run.save(update_fields=["date_from", "date_to"])
    return run


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
    months = complete_periods(run)
    if len(months) >= 2:
        # Baseline: the first half of the data; contract: the rest, so every month is measured.
        start = dt.date.fromisoformat(months[len(months) // 2] + "-01")
        length = len(months) - len(months) // 2
        for subject_type, subject_id, signer in (
            ("officer", DEMO_OFFICER, manager),
            ("office", DEMO_OFFICE, integrity),
        ):
            existing = Contract.objects.filter(subject_type=subject_type, subject_id=subject_id).first()
            if existing is not None:
                _move_into_data(existing, start=start, length=length, last=months[-1], signer=signer)
                continue
            progress(f"Measure: signing the demo contract with {subject_id}…")
            contract = contracts.contract_create(
                run=run,
                subject_type=subject_type,
                subject_id=subject_id,
                period_start=start,
                months=length,
                indicators=DEMO_INDICATORS,
                improvement=15,
                signatories=f"Director General\nHead of office {DEMO_OFFICE}\n{subject_id}",
                actor=signer,
            )
            contracts.contract_sign(version=contract.versions.get(), actor=signer)
            contracts.note_add(
                contract=contract,
                month=months[len(months) // 2],
                text="First monthly review: release times are above target; the scanner was down for "
                "a week. Channel overrides to be explained case by case at the next meeting.",
                actor=signer,
            )


def _move_into_data(contract: Contract, *, start: dt.date, length: int, last: str, signer: User) -> None:
    """A demo made before the data period was taken into account signed contracts for months the
    data does not reach: amend them (a new signed version) to the analysed months."""
    version = contracts.signed_version(contract)
    if version is None or contracts.contract_months(version)[-1] <= last:
        return
    amended = contracts.contract_amend(
        contract=contract,
        reason="Period moved to the months covered by the analysed data.",
        period_start=start,
        months=length,
        actor=signer,
    )
    contracts.contract_sign(version=amended, actor=signer)
