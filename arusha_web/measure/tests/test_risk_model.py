"""Analyses re-score declarations with the saved risk model; the targeting page shows the result."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.measure import services
from arusha_web.measure.models import AnalysisRun, Dataset, Lead, Publication, RunStatus


@pytest.fixture(scope="session")
def risk_model(analysed: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained on the session's data (on a copy: training must not change the store)."""
    from arusha.model.train import train_model

    root = tmp_path_factory.mktemp("model")
    shutil.copy(analysed["store"], root / "store.duckdb")
    return train_model(str(root / "store.duckdb")).bundle.save(root / "risk-model.json")


def _analyse(analysed: dict[str, Path], tmp_path: Path, user: Any) -> tuple[AnalysisRun, list[str]]:
    """Analyse a private copy of the session's store (never scored) as the background job would."""
    store = tmp_path / "store.duckdb"
    shutil.copy(analysed["store"], store)
    dataset = Dataset.objects.create(name="Scored", store_path=str(store), created_by=user)
    run = AnalysisRun.objects.create(dataset=dataset, out_dir=str(tmp_path / "out"), started_by=user)
    messages: list[str] = []
    services.analysis_execute(run=run, progress=lambda _pct, msg: messages.append(msg))
    run.refresh_from_db()
    if run.status == RunStatus.DONE:
        Publication.objects.create(run=run, published_by=user)
    return run, messages


def _scored(store: str) -> tuple[int, int]:
    con = duckdb.connect(store, read_only=True)
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM declarations), (SELECT count(*) FROM risk_scores)"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0]), int(row[1])


def test_an_analysis_scores_every_declaration_first_and_compares_with_the_model(
    analysed, risk_model, personas, tmp_path, settings
) -> None:
    from arusha.model.bundle import ModelBundle

    settings.ARUSHA_RISK_MODEL = risk_model
    model_id = ModelBundle.load(risk_model).model_id
    run, messages = _analyse(analysed, tmp_path, personas["ana"])
    assert run.status == RunStatus.DONE
    declarations, scored = _scored(run.dataset.store_path)
    assert scored == declarations > 0  # every declaration, including those never scored before
    assert any(model_id in m for m in messages)
    assert run.has_expected_found and run.risk_model == model_id and not run.risk_model_note
    page = client_for(personas["ana"]).get(reverse("measure:analysis", args=[run.pk])).content.decode()
    assert "Included" in page and model_id in page
    # An analysis made outside the web app (the demo) is registered with the model it used.
    shutil.copytree(run.out_dir, tmp_path / "outside")
    outside = services.register_existing(
        name="Outside", store=Path(run.dataset.store_path), out_dir=tmp_path / "outside"
    )
    assert outside.pk != run.pk and outside.risk_model == model_id


def test_a_broken_model_file_is_reported_and_the_analysis_still_runs(
    analysed, personas, tmp_path, settings
) -> None:
    broken = tmp_path / "risk-model.json"
    broken.write_text("{not json", encoding="utf-8")
    settings.ARUSHA_RISK_MODEL = broken
    run, _messages = _analyse(analysed, tmp_path, personas["ana"])
    assert run.status == RunStatus.DONE and run.lead_count > 0
    assert not run.has_expected_found and run.risk_model == ""
    assert str(broken) in run.risk_model_note and "could not be read" in run.risk_model_note
    page = client_for(personas["ana"]).get(reverse("measure:analysis", args=[run.pk])).content.decode()
    assert "could not be read" in page and "Not included" in page


def test_without_a_saved_model_the_run_page_says_so(analysed, personas, tmp_path) -> None:
    run, _messages = _analyse(analysed, tmp_path, personas["ana"])
    assert run.status == RunStatus.DONE and not run.has_expected_found
    assert "No risk model is saved" in run.risk_model_note
    # Inspections are then compared with other officers' on comparable files, never with a model.
    assert not Lead.objects.filter(run=run, kind="detection_shortfall").exclude(basis="peers").exists()


def test_targeting_page_per_office_with_narrowing_and_pseudonyms(
    analysed, risk_model, personas, tmp_path, settings
) -> None:
    settings.ARUSHA_RISK_MODEL = risk_model
    run, _messages = _analyse(analysed, tmp_path, personas["ana"])
    url = reverse("measure:targeting") + f"?run={run.pk}"
    ingrid = client_for(personas["ingrid"])
    page = ingrid.get(url).content.decode()
    assert "<svg" in page and "Hit rate of the channels assigned" in page
    assert "AIRPT" in page and "PORT1" in page  # the office selector lists every office
    airport = ingrid.get(url + "&office=AIRPT").content.decode()
    assert "O-AIRPT-" in airport and "O-PORT1-" not in airport
    csv = (
        ingrid.get(url + "&office=AIRPT&export=officers&format=csv").content.decode("utf-8-sig").splitlines()
    )
    assert csv[0].startswith("Officer,Office,Inspected") and all(",AIRPT," in line for line in csv[1:])
    # Office managers: their office only; another office is not found.
    marc = client_for(personas["marc"])
    own = marc.get(url).content.decode()
    assert "O-PORT1-" in own and "O-AIRPT-" not in own
    assert marc.get(url + "&office=AIRPT").status_code == 404
    assert marc.get(url + "&period=1999-01").status_code == 404
    # Analysts see pseudonyms when the installation asks for it.
    settings.ARUSHA_PSEUDONYMISE_OFFICERS = True
    masked = client_for(personas["ana"]).get(url + "&office=PORT1").content.decode()
    assert "Officer-" in masked and "O-PORT1-" not in masked
    # Staff do not see officers' indicators.
    assert client_for(personas["sam"]).get(url).status_code == 403


def test_targeting_page_of_a_run_without_model_scores_explains_why(analysed, personas, tmp_path) -> None:
    run, _messages = _analyse(analysed, tmp_path, personas["ana"])
    page = client_for(personas["ingrid"]).get(reverse("measure:targeting") + f"?run={run.pk}")
    assert page.status_code == 200 and "This analysis has no risk-model scores" in page.content.decode()
