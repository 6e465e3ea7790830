"""A finished run speaks the reader's language, whoever started it and in whatever language."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from arusha import api
from arusha.model.bundle import ModelBundle
from arusha_web.measure import run_text
from arusha_web.measure.models import AnalysisRun, Dataset, ImportRun, RunStatus
from arusha_web.measure.services import data_version


def _french(text_of: Any, *args: Any) -> str:
    with translation.override("fr"):
        return str(text_of(*args))


def test_a_finished_analysis_is_summed_up_in_french_with_french_numbers() -> None:
    run = AnalysisRun(status=RunStatus.DONE, indicator_count=153750, lead_count=17, message="stale English")
    assert _french(run_text.analysis_outcome, run) == "153\xa0750 valeurs d’indicateurs et 17 pistes."
    with translation.override("en"):
        assert run_text.analysis_outcome(run) == "153,750 indicator values and 17 leads."
    one = AnalysisRun(status=RunStatus.DONE, indicator_count=3, lead_count=1)
    assert _french(run_text.analysis_outcome, one) == "3 valeurs d’indicateurs et 1 piste."


def test_a_failed_run_keeps_the_message_its_job_wrote() -> None:
    run = AnalysisRun(status=RunStatus.FAILED, message="The store is missing.")
    assert _french(run_text.analysis_outcome, run) == "The store is missing."
    load = ImportRun(status=RunStatus.FAILED, message="The file vanished.")
    assert _french(run_text.load_outcome, load) == "The file vanished."


def test_a_load_is_summed_up_in_french() -> None:
    done = ImportRun(status=RunStatus.DONE, loaded={"declarations": 1200, "items": 34})
    assert _french(run_text.load_outcome, done) == "1\xa0234 lignes chargées."
    rejected = ImportRun(status=RunStatus.REJECTED, error_count=1)
    assert _french(run_text.load_outcome, rejected) == "Rien n’a été chargé\u00a0: 1 problème trouvé."


def test_the_store_fingerprint_the_web_writes_is_worded_in_french(tmp_path: Path) -> None:
    api.write_dataset(tmp_path / "data", n=300, seed=3)
    store = tmp_path / "s.duckdb"
    api.load_sources([tmp_path / "data" / "declarations.parquet"], store)
    version = data_version(store)
    french = _french(run_text.data_version_text, version)
    assert french.startswith("1 chargement, 300 lignes, dernier le ")
    assert "loads" not in french and "rows" not in french


def test_the_risk_model_label_is_worded_in_french_one_model_or_two() -> None:
    bundle = ModelBundle.__new__(ModelBundle)
    object.__setattr__(bundle, "trained_until", dt.date(2024, 7, 1))
    object.__setattr__(bundle, "created_at", "2026-12-07T02:08:00+00:00")
    label = bundle.model_id
    french = _french(run_text.model_text, label)
    assert (
        french
        == "entraîné sur les déclarations enregistrées jusqu’au 2024-07-01, créé le 2026-12-07 02:08 UTC"
    )
    assert _french(run_text.model_text, f"{label}, {label}") == f"{french}, {french}"


def test_each_reason_the_engine_gives_for_not_computing_is_worded_in_french(tmp_path: Path) -> None:
    """A file without officers or milestones, no items or events: the engine's own reasons."""
    api.write_dataset(tmp_path / "data", n=300, seed=4)
    decl = pd.read_parquet(tmp_path / "data" / "declarations.parquet")
    thin = tmp_path / "declarations.parquet"
    decl.drop(columns=["officer_id", "assessed_at"]).to_parquet(thin)
    store = tmp_path / "s.duckdb"
    api.load_sources([thin], store)
    result = api.analyze_store(store, tmp_path / "out")
    reasons = result.not_computable
    assert any("column" in why for why in reasons.values()) and any(
        "table" in why for why in reasons.values()
    )
    with translation.override("fr"):
        rows = run_text.not_computable_rows(reasons)
    for (what, why), (code, engine_reason) in zip(rows, reasons.items(), strict=True):
        assert why != engine_reason and "not computable" not in why, (code, why)
        assert what != code, code  # named in words, not by its code alone
    assert (
        "Indicateurs par agents",
        "non calculable\u00a0: les données n’ont pas de colonne officer_id",
    ) in rows


def test_an_unknown_text_is_shown_as_written() -> None:
    assert _french(run_text.data_version_text, "version 7") == "version 7"
    assert (
        _french(run_text.not_computable_text, "not computable (a newer reason)")
        == "not computable (a newer reason)"
    )
    assert _french(run_text.model_text, "model 12") == "model 12"


@pytest.mark.django_db
def test_the_analysis_page_in_french_has_no_english_left_of_the_run(
    run: Any, personas: dict[str, Any]
) -> None:
    from arusha_web.conftest import client_for

    run.not_computable = {"TF1": "not computable (missing column assessed_at)"}
    run.save()
    client = client_for(personas["ana"])
    page = client.get(reverse("measure:analysis", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        expected = [run_text.analysis_outcome(run), run_text.data_version_text(run.data_version), "Mois"]
    for text in expected:
        assert escape(text) in page, text
    assert "indicator values" not in page and " rows, last " not in page and ">month<" not in page
    assert "non calculable\u00a0: les données n’ont pas de colonne assessed_at" in page
    dataset_page = client.get(
        reverse("measure:dataset", args=[run.dataset.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert escape(expected[0]) in dataset_page and "indicator values" not in dataset_page


@pytest.mark.django_db
def test_the_load_page_in_french_says_what_was_loaded(personas: dict[str, Any]) -> None:
    from arusha_web.conftest import client_for

    dataset = Dataset.objects.create(name="D", store_path="/nonexistent/s.duckdb")
    load = ImportRun.objects.create(
        dataset=dataset, status=RunStatus.DONE, loaded={"declarations": 2000}, message="2,000 rows loaded."
    )
    page = (
        client_for(personas["ana"])
        .get(reverse("measure:import", args=[load.pk]), HTTP_ACCEPT_LANGUAGE="fr")
        .content.decode()
    )
    assert "2\xa0000 lignes chargées." in page and "rows loaded" not in page


def test_the_files_a_run_read_show_rows_and_times_in_the_readers_format(tmp_path: Path) -> None:
    from arusha_web.measure.services import data_files

    api.write_dataset(tmp_path / "data", n=1500, seed=5)
    store = tmp_path / "s.duckdb"
    api.load_sources([tmp_path / "data" / "declarations.parquet"], store)
    files = data_files(store)
    with translation.override("fr"):
        shown = run_text.data_files_shown(files)
    assert shown[0]["rows"] == "1\xa0500"
    # One unambiguous format in every language (arusha_web/formats/): 2026-12-07 02:07, not ISO's "T".
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", str(shown[0]["loaded_at"]))
    assert shown[0]["sha256"] == files[0]["sha256"] and files[0]["rows"] == 1500  # the stored files untouched
