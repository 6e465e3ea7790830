"""The module's demo: the demo analysis registered, triaged leads, signed contracts; run twice = same."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from arusha_web.measure.models import (
    AnalysisRun,
    Contract,
    ContractVersion,
    IndicatorValue,
    Lead,
    Referral,
)


@pytest.fixture
def demo_var(settings: Any, tmp_path: Path, analysed: dict[str, Path]) -> Path:
    """The demo's var/ with the session's small analysed dataset where `make demo` puts its own."""
    settings.VAR_DIR = tmp_path
    shutil.copytree(analysed["data"], tmp_path / "demo" / "clearance")
    shutil.copy(analysed["store"], tmp_path / "clearance.duckdb")
    shutil.copytree(analysed["out"], tmp_path / "analysis" / "demo")
    return tmp_path


def test_demo_is_complete_and_idempotent(db: None, demo_var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arusha_web.core import demo as core_demo
    from arusha_web.measure import contracts, selectors
    from arusha_web.measure.demo import demo_setup

    users = {u.username: u for u in core_demo.demo_setup(password="demo")}
    messages: list[str] = []

    def counts() -> tuple[int, ...]:
        return (
            AnalysisRun.objects.count(),
            IndicatorValue.objects.count(),
            Lead.objects.count(),
            Referral.objects.count(),
            Contract.objects.count(),
            ContractVersion.objects.count(),
        )

    demo_setup(users=users, progress=messages.append)
    first = counts()
    # Two analyses (the first quarter, then the whole period) so that the comparison page has a pair.
    assert first[0] == 2 and first[1] > 1000 and first[3] == 1 and first[4] == 2
    quarter, whole = AnalysisRun.objects.order_by("created_at")
    assert quarter.date_to is not None and whole.date_to is None and selectors.official_run() == whole
    assert set(Lead.objects.values_list("status", flat=True)) >= {
        "new",
        "review",
        "explained",
        "dismissed",
        "referred",
    }
    assert all(v.signed_at for v in ContractVersion.objects.all())
    assert selectors.own_officer_id(users["officer"]) == "O-PORT1-01"
    for contract in Contract.objects.all():
        version = contracts.signed_version(contract)
        assert version is not None
        rows = contracts.scorecard(contract=contract, version=version)
        # Every month of the contract is in the analysed data: each has a verdict, none is "future".
        months = {m for row in rows for m, _v, ok in row.months if ok is not None}
        assert months == set(contracts.contract_months(version)) and len(months) >= 2
        assert all(row.baseline is not None for row in rows if row.direction != "context")
        assert contract.notes.filter(month=min(months)).exists()  # the first review is written down
    demo_setup(users=users, progress=messages.append)
    assert counts() == first
    assert any("Measure" in m for m in messages)


def test_demo_officer_account_sees_his_own_scorecard_and_contract_only(db: None, demo_var: Path) -> None:
    from django.urls import reverse

    from arusha_web.conftest import client_for
    from arusha_web.core import demo as core_demo
    from arusha_web.measure.demo import demo_setup

    users = {u.username: u for u in core_demo.demo_setup(password="demo")}
    demo_setup(users=users, progress=lambda _m: None)
    client = client_for(users["officer"])
    assert b"O-PORT1-01" in client.get(reverse("measure:index")).content
    assert client.get(reverse("measure:officer", args=["O-PORT1-01"])).status_code == 200
    assert client.get(reverse("measure:officer", args=["O-PORT1-02"])).status_code == 404
    mine = Contract.objects.get(subject_type="officer", subject_id="O-PORT1-01")
    office = Contract.objects.get(subject_type="office")
    assert client.get(reverse("measure:contract", args=[mine.pk])).status_code == 200
    assert client.get(reverse("measure:contract", args=[office.pk])).status_code == 404


def test_demo_contracts_signed_for_future_months_are_amended_into_the_data(db: None, demo_var: Path) -> None:
    import datetime as dt

    from arusha_web.core import demo as core_demo
    from arusha_web.measure import contracts
    from arusha_web.measure.demo import demo_setup

    users = {u.username: u for u in core_demo.demo_setup(password="demo")}
    demo_setup(users=users, progress=lambda _m: None)
    # As a demo made by an earlier version left them: months the data does not reach.
    ContractVersion.objects.update(period_start=dt.date(2024, 5, 1), period_end=dt.date(2024, 10, 31))
    demo_setup(users=users, progress=lambda _m: None)
    for contract in Contract.objects.all():
        version = contracts.signed_version(contract)
        assert version is not None and version.number == 2 and version.amendment_reason
        assert version.period_end <= dt.date(2024, 7, 31)
    versions = ContractVersion.objects.count()
    demo_setup(users=users, progress=lambda _m: None)
    assert ContractVersion.objects.count() == versions  # once only
