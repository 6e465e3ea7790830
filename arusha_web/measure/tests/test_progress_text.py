"""The engine's progress messages reach the reader in his language, every one of them."""

from __future__ import annotations

import csv
from pathlib import Path

from django.utils import translation

from arusha import contract
from arusha.analysis import analyze_store
from arusha.importing import load_sources
from arusha.synth import write_dataset
from arusha_web.measure.progress_text import localise, recognised


def _messages(tmp_path: Path) -> list[str]:
    """Every message of a clean load, a load with a bad row (quarantined) and an analysis."""
    said: list[str] = []
    record = lambda _pct, message: said.append(message)  # noqa: E731
    data = tmp_path / "data"
    write_dataset(data, 400, seed=2)
    store = tmp_path / "store.duckdb"
    files = [data / f"{name}.parquet" for name in ("declarations", "items", "events")]
    load_sources(files, store, progress=record)
    bad = tmp_path / "declarations-late.csv"
    row = {c: "" for c in contract.column_names("declarations")}
    row.update(
        declaration_id="LATE-1", office_code="PORT1", declarant_id="B1", importer_id="I1", officer_id="O1",
        channel_assigned="purple", channel_final="red", registered_at="2024-03-01 09:00",
        declared_value="10", duties_declared="1",
    )  # fmt: skip
    with bad.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    load_sources([bad], store, quarantine=True, progress=record)
    analyze_store(store, tmp_path / "out", progress=record)
    return said


def test_every_message_of_a_load_and_an_analysis_is_recognised_and_said_in_french(tmp_path: Path) -> None:
    said = _messages(tmp_path)
    kinds = {m.split(" ")[0] for m in said}
    # The run went through every path: clean load, quarantine (check, write) and analysis.
    assert {"reading", "validating", "checking", "writing", "loaded", "opening", "indicators"} <= kinds
    unknown = [m for m in said if not recognised(m)]
    assert not unknown, unknown
    with translation.override("fr"):
        untranslated = [m for m in said if localise(m) == m]
        assert not untranslated, untranslated
        facts = localise("building declaration facts")
        levels = localise("indicators by officer, office, administration")
        loading = localise(
            "validating and loading d.csv → declarations (1,200,000 of 5,000,000 rows loaded, 875,000 rows/s)"
        )
    assert facts == "Calcul des faits par déclaration"
    assert levels == "Indicateurs par agents, bureaux, l’administration"
    # French figures: a no-break space between thousands.
    assert "(1\xa0200\xa0000 sur 5\xa0000\xa0000 lignes chargées, 875\xa0000 lignes par seconde)" in loading


def test_in_english_messages_read_as_sentences_with_the_readers_names() -> None:
    with translation.override("en"):
        assert localise("building declaration facts") == "Building the declaration facts"
        assert localise("reading 3f2a.csv", {"3f2a.csv": "declarations-march.csv"}) == (
            "Reading declarations-march.csv"
        )
        assert localise("12 leads, 4105385 indicator values") == "12 leads, 4,105,385 indicator values"


def test_an_unknown_message_is_shown_as_written() -> None:
    with translation.override("fr"):
        assert localise("calibrating the flux capacitor") == "calibrating the flux capacitor"
    assert not recognised("calibrating the flux capacitor")
