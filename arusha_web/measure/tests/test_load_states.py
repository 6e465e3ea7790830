"""What a load's page says is what happened to the data (issue 18, items 8, 9 and 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.measure.models import AnalysisRun, RunStatus
from arusha_web.measure.tests.test_data import GOOD, _dataset, _load, _upload


def test_a_rejected_load_is_said_rejected_not_succeeded(personas: dict[str, Any], media: Path) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    _upload(client, dataset, "declarations.csv", GOOD.replace(",green,", ",purple,"))
    run = _load(client, dataset, list(dataset.files.all()))
    assert run.status == RunStatus.REJECTED and run.job is not None and run.job.status == "succeeded"
    page = client.get(reverse("measure:import", args=[run.pk])).content.decode()
    assert '<span class="badge badge-bad">Rejected</span>' in page and "Succeeded" not in page
    assert '<progress value="100"' in page  # over: the bar is full, not frozen where the job stood


def test_a_header_only_file_loads_nothing_leaves_no_store_and_offers_no_analysis(
    personas: dict[str, Any], media: Path
) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    _upload(client, dataset, "declarations.csv", GOOD.splitlines()[0] + "\n")
    run = _load(client, dataset, list(dataset.files.all()))
    assert run.status == RunStatus.REJECTED
    assert "holds no rows" in run.errors[0]["message"]
    assert not Path(dataset.store_path).exists()  # no empty store that looks loaded
    page = client.get(reverse("measure:dataset", args=[dataset.pk])).content.decode()
    assert "Start the analysis" not in page and "Load data first." in page
    # Asked anyway (an old tab): refused in words, no job queued to fail.
    response = client.post(
        reverse("measure:analysis_start", args=[dataset.pk]), {"period": "month"}, follow=True
    )
    assert "holds no declarations yet" in response.content.decode()
    assert not AnalysisRun.objects.exists()


def test_a_file_whose_name_does_not_say_its_table_gets_a_choice_not_a_command_line_option(
    personas: dict[str, Any], media: Path
) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    _upload(client, dataset, "export-2024.csv", GOOD)
    page = client.get(reverse("measure:dataset", args=[dataset.pk])).content.decode()
    file = dataset.files.get()
    assert f'name="table_{file.pk}"' in page and "--table" not in page
    refused = client.post(
        reverse("measure:import_start", args=[dataset.pk]), {"file": [file.pk]}, follow=True
    )
    assert "Choose the table that export-2024.csv fills" in refused.content.decode()
    response = client.post(
        reverse("measure:import_start", args=[dataset.pk]),
        {"file": [file.pk], f"table_{file.pk}": "declarations"},
    )
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.table == "declarations"


def test_the_loaders_command_line_hint_is_worded_for_the_page() -> None:
    from arusha_web.measure.services import page_message

    said = page_message("declaration_id missing (this file fills items but ... or pass --table items)")
    assert "--table" not in said and "choose its table beside the file on the dataset page" in said


def test_the_tables_are_named_in_the_readers_language(personas: dict[str, Any], media: Path) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    _upload(client, dataset, "declarations.csv", GOOD)
    run = _load(client, dataset, list(dataset.files.all()))
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    page = client.get(reverse("measure:import", args=[run.pk])).content.decode()
    assert "<dt>déclarations</dt>" in page
