"""The inbox and the lead page show leads made from their records: months, sentence, how computed."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils.html import escape

from arusha_web.conftest import client_for
from arusha_web.measure.models import Lead
from arusha_web.measure.tests.record_data import imported_run


def test_the_inbox_shows_the_months_and_the_sentence_made_from_the_record(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    imported_run(tmp_path, personas["ana"])
    page = client_for(personas["ingrid"]).get(reverse("measure:leads")).content.decode()
    assert "<th>Months</th>" in page
    assert "March – May 2024" in page and "April 2024" in page
    assert "Officer 74021 signed 40 of 120 releases outside working hours" in page
    assert "Declared values that look made up (leading digits, round numbers)" in page  # a new kind, in words


def test_the_lead_page_says_how_the_lead_was_computed(personas: dict[str, Any], tmp_path: Path) -> None:
    run = imported_run(tmp_path, personas["ana"])
    lead = Lead.objects.get(run=run, entity_id="74021")
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:lead", args=[lead.pk])).content.decode()
    assert "How this was computed" in page and "× 4.6" in page and "1.0e-09" in page
    assert "March – May 2024" in page
    # Links still lead to the officer's scorecard for those who see the id.
    assert reverse("measure:officer", args=["74021"]) in page
    french = client.get(reverse("measure:lead", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert escape("L’agent 74021 a signé 40 de ses 120 mainlevées") in french
    assert "Comment ce résultat a été calculé" in french and "× 4,6" in french and "mars – mai 2024" in french


def test_the_csv_carries_the_record(personas: dict[str, Any], tmp_path: Path) -> None:
    imported_run(tmp_path, personas["ana"])
    body = client_for(personas["ingrid"]).get(reverse("measure:leads") + "?export=leads&format=csv").content
    assert body.startswith("\ufeff".encode())  # Excel reads "χ²" and "→" as UTF-8, not garbled
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    office = next(r for r in rows if r["Kind (code)"] == "channel_override")
    assert (office["First month"], office["Last month"], office["Observed"], office["Files"]) == (
        "2024-01", "2024-06", "376", "1238"
    )  # fmt: skip
    assert office["Other officers named"] == "jdupont;00871" and office["Expected from"] == "peers"
    assert office["Explanation"].startswith("Office PORT1 relaxed the channel of 376 of 1,238")


def test_an_older_lead_is_shown_by_its_stored_sentence(personas: dict[str, Any], tmp_path: Path) -> None:
    from arusha_web.measure.tests.record_data import FIVE_COLUMNS

    run = imported_run(tmp_path, personas["ana"], FIVE_COLUMNS)
    lead = Lead.objects.get(run=run, kind="benford")
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:lead", args=[lead.pk])).content.decode()
    assert "first digit 1 on 12.0% of declared values" in page and "How this was computed" not in page
    assert "Declared amounts with an unusual pattern of leading digits" in page  # the old kind keeps its name
    french = client.get(reverse("measure:lead", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "selon la loi de Benford" in french


def test_risks_find_leads_by_the_catalogue_s_indicators() -> None:
    from arusha.leads.kinds import KINDS
    from arusha_web.risks.evidence import lead_kinds
    from arusha_web.risks.seed import INDICATOR_LEAD_KINDS

    for kind in KINDS:
        if kind.indicator:
            assert kind.code in INDICATOR_LEAD_KINDS[kind.indicator]
    assert lead_kinds(["TF5"]) == {"release_delay"}
    assert lead_kinds(["BENFORD_MAD"]) == {"fabricated_values", "benford"}  # old leads still evidence it
