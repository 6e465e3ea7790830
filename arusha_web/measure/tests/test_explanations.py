"""Lead explanations read in the reader's language; in English exactly as the engine wrote them."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from arusha_web.measure.explanations import OFFICE_REVIEW_NOTE, REVIEW_NOTE, localise

ENGLISH_FRAME_WORDS = (
    "exact binomial",
    " vs ",
    "expected from",
    "under Benford",
    "inspections;",
    "for peers",
)


@pytest.fixture(scope="module")
def signals(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    """Every lead of a planted data set, with risk scores so that found-versus-expected leads exist."""
    import duckdb
    import pyarrow.parquet as pq

    from arusha import api
    from arusha.synth import true_risk_scores, write_dataset

    root = tmp_path_factory.mktemp("explain")
    truth = write_dataset(root / "data", 4000, seed=11)
    store = root / "s.duckdb"
    api.load_sources([root / "data" / f"{t}.parquet" for t in ("declarations", "items", "events")], store)
    scores = true_risk_scores({"declarations": pq.read_table(root / "data" / "declarations.parquet")}, truth)
    con = duckdb.connect(str(store))
    try:
        con.register("scores", scores)
        con.execute("CREATE TABLE risk_scores AS SELECT * FROM scores")
    finally:
        con.close()
    api.analyze_store(store, root / "out")
    with (root / "out" / "signals.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_kind_of_lead_the_engine_writes_is_covered(signals: list[dict[str, str]]) -> None:
    from arusha_web.measure.kinds import KIND_LABELS

    kinds = {s["kind"] for s in signals}
    # Decisions against peers, pairings, found versus expected: each has a name.
    assert {"channel_override", "officer_declarant_pairing", "detection_shortfall"} <= kinds
    assert kinds <= set(KIND_LABELS)


def test_in_english_every_explanation_reads_exactly_as_the_engine_wrote_it(
    signals: list[dict[str, str]],
) -> None:
    with translation.override("en"):
        for s in signals:
            assert localise(s["explanation"]) == s["explanation"]


def test_in_french_every_explanation_is_said_in_french(signals: list[dict[str, str]]) -> None:
    """The engine's leads are records now: the page makes each sentence from the fields, in French."""
    from arusha_web.measure.lead_records import record_from_row
    from arusha_web.measure.lead_text import sentence

    with translation.override("fr"):
        for s in signals:
            said = sentence(record_from_row(s))
            assert said != s["explanation"], s["explanation"]
            assert not any(word in said for word in ENGLISH_FRAME_WORDS), said
            assert s["observed"] in said and "exam" in said  # the numbers, and the review note


def test_french_numbers_use_a_decimal_comma_and_a_spaced_percent() -> None:
    english = (
        "officer O-X-01 relaxed the channel (red/yellow → green/blue) on 31% of red/yellow-channel declarations "
        "(64 of 207) vs 2.5% for peers at office CMDLA; exact binomial p = 1.2e-05. "
        "Lead for managerial review, not a conclusion about the person."
    )
    with translation.override("fr"):
        said = localise(english)
    assert (
        "31\u00a0%" in said
        and "2,5\u00a0%" in said
        and "1,2e-05" in said
        and "O-X-01" in said
        and "CMDLA" in said
    )


def test_office_leads_with_officers_left_out_and_underflowing_p_values_are_said_in_french() -> None:
    """The engine's newer sentences: offices against the other offices, traders against the other
    traders, and "p < 1e-300" where the exact p-value is too small for a float.

    Leads stored before leads were records keep these sentences; they are written out here as
    ``arusha/signals.py`` wrote them (that module is gone with the record-based engine)."""
    note = REVIEW_NOTE
    office_note = OFFICE_REVIEW_NOTE
    office = (
        "office BAD had the channel relaxed (red/yellow → green/blue) on 30% of red/yellow-channel declarations "
        f"(376 of 1238, leaving out officer leads O-BAD-01, O-BAD-07) vs 1.7% for the other offices; "
        f"exact binomial p < 1e-300. {office_note}"
    )
    trader = (
        "importer I-0030 declared a value per kg below half the HS6 × origin median, released without "
        f"adjustment on 50% of item lines (120 of 240) vs 2.8% for the other importers; exact binomial p "
        f"= 3.2e-09. {note}"
    )
    assert "p < 1e-300" in office
    with translation.override("en"):
        assert localise(office) == office and localise(trader) == trader
    with translation.override("fr"):
        said_office, said_trader = localise(office), localise(trader)
    assert "hors agents déjà signalés\u00a0: O-BAD-01, O-BAD-07" in said_office
    assert "les autres bureaux" in said_office and "p < 1e-300" in said_office
    assert "les autres importateurs" in said_trader and "p = 3,2e-09" in said_trader
    assert "pas une conclusion sur le bureau ni sur son personnel" in said_office
    assert "Piste soumise" in said_trader


def test_a_lead_of_one_month_is_said_in_french_with_its_month() -> None:
    # As arusha/signals.py's period_leads() wrote it for nine officers at 2 of 50 and one at 30 of 50.
    english = (
        "officer O-A-9 relaxed the channel (red/yellow → green/blue) on 60% of red/yellow-channel declarations "
        "in 2024-03 (30 of 50) vs 4.1% for peers at office A in 2024-03; exact binomial p = 5.1e-29. "
        f"{REVIEW_NOTE}"
    )
    with translation.override("en"):
        assert localise(english) == english
    with translation.override("fr"):
        said = localise(english)
    assert "en 2024-03 (30 sur 50)" in said and "pour les pairs du bureau A en 2024-03" in said


def test_a_sentence_of_an_unknown_frame_is_shown_as_written() -> None:
    with translation.override("fr"):
        assert (
            localise("Something a newer engine says (3 of 4).") == "Something a newer engine says (3 of 4)."
        )


def _record_fields(lead: Any) -> dict[str, Any]:
    from arusha.leads.record import RECORD_COLUMNS

    fields = {name: getattr(lead, name, None) for name in RECORD_COLUMNS}
    fields["related"] = ";".join(fields["related"] or [])
    return fields


def test_the_lead_pages_show_the_french_explanation(run: Any, personas: dict[str, Any]) -> None:
    from arusha_web.conftest import client_for
    from arusha_web.measure.models import Lead

    lead = (
        Lead.objects.filter(run=run, kind="channel_override").first() or Lead.objects.filter(run=run).first()
    )
    assert lead is not None
    from arusha_web.measure.lead_records import record_from_row
    from arusha_web.measure.lead_text import sentence

    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:lead", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    row = {field: getattr(lead, field) for field in ("entity_type", "entity_id", "kind")}
    assert lead.window_start, "the engine's leads carry their record"
    with translation.override("fr"):
        french = sentence(record_from_row({**row, **_record_fields(lead)}))
    assert french != lead.explanation
    assert escape(french) in page
    assert lead.explanation not in page
