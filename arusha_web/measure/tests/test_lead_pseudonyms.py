"""A pseudonymising analyst never sees a real officer id, whatever the lead is about or the id looks like.

The leads come from a hand-written ``signals.csv`` (``record_data.py``): one lead of every entity
type, officer ids in formats the synthetic data never uses, and an office lead that names two
officers in ``related``. Before leads were records, officers were masked by a pattern that fitted
only the synthetic ids, and the officers an office lead named were not masked at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.measure.models import Lead
from arusha_web.measure.selectors import pseudonym
from arusha_web.measure.tests.record_data import FIVE_COLUMNS, OFFICERS, imported_run, officer_ids_in


@pytest.fixture
def run(personas: dict[str, Any], tmp_path: Path, settings: Any) -> Any:
    settings.ARUSHA_PSEUDONYMISE_OFFICERS = True
    return imported_run(tmp_path, personas["ana"])


def _pages(client: Any, run: Any) -> dict[str, str]:
    """Every page and file that shows the run's leads: the inbox (in both languages), each lead
    page, the leads CSV, and the declarant's page (its leads)."""
    urls = {
        "inbox": reverse("measure:leads"),
        "csv": reverse("measure:leads") + "?export=leads&format=csv",
        "declarant": reverse("measure:trader", args=["declarant", "D-0152"]),
    }
    urls.update(
        {
            f"lead {lead.rank}": reverse("measure:lead", args=[lead.pk])
            for lead in Lead.objects.filter(run=run)
        }
    )
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    french = client.get(reverse("measure:leads"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pistes" in french
    pages["inbox fr"] = french
    return pages


def test_a_pseudonymising_analyst_sees_no_real_officer_id_on_any_lead(
    run: Any, personas: dict[str, Any]
) -> None:
    assert {lead.entity_type for lead in Lead.objects.filter(run=run)} == {
        "officer", "office", "declarant", "officer_declarant_pair", "officer_importer_pair"
    }  # fmt: skip
    pages = _pages(client_for(personas["ana"]), run)
    leaked = {name: officer_ids_in(body) for name, body in pages.items() if officer_ids_in(body)}
    assert not leaked, leaked
    # Each officer is there, by pseudonym: the pair's officer, and those the office lead names.
    for officer in OFFICERS:
        assert pseudonym(officer) in pages["inbox"] + pages["csv"]
    office = Lead.objects.get(run=run, entity_type="office")
    assert f"{pseudonym('jdupont')}, {pseudonym('00871')}" in pages[f"lead {office.rank}"]
    assert f"{pseudonym('jdupont')};{pseudonym('00871')}" in pages["csv"]


def test_the_test_is_not_vacuous_the_integrity_unit_sees_the_ids(run: Any, personas: dict[str, Any]) -> None:
    pages = _pages(client_for(personas["ingrid"]), run)
    assert set(officer_ids_in(pages["inbox"] + pages["csv"])) == set(OFFICERS)


def test_a_referral_reveals_the_officer_it_is_about_and_no_one_else(
    run: Any, personas: dict[str, Any]
) -> None:
    officer = Lead.objects.get(run=run, entity_id="74021")
    response = client_for(personas["ingrid"]).post(
        reverse("measure:lead_refer", args=[officer.pk]), {"note": "Confirmed"}
    )
    assert response.status_code == 302
    pages = _pages(client_for(personas["ana"]), run)
    assert "74021" in officer_ids_in(pages[f"lead {officer.rank}"])
    assert set(officer_ids_in("".join(pages.values()))) == {"74021"}


def test_leads_of_an_older_analysis_keep_their_sentence_with_synthetic_ids_masked(
    personas: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    settings.ARUSHA_PSEUDONYMISE_OFFICERS = True
    run = imported_run(tmp_path, personas["ana"], FIVE_COLUMNS)
    client = client_for(personas["ana"])
    inbox = client.get(reverse("measure:leads")).content.decode()
    office = Lead.objects.get(run=run, entity_type="office")
    page = client.get(reverse("measure:lead", args=[office.pk])).content.decode()
    # The stored sentence as before; the officers it names (left out of the office's rate) masked.
    assert "for the other offices; exact binomial p &lt; 1e-300" in page
    assert "O-PORT1-01" not in page and pseudonym("O-PORT1-01") in page
    assert "O-PORT1-03" not in inbox and pseudonym("O-PORT1-03") in inbox
    french = client.get(reverse("measure:lead", args=[office.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "pour les autres bureaux" in french and "O-PORT1-07" not in french
