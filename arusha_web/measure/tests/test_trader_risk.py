"""The Traders tab: the analysis's trader_risk.csv, targeting leads for risk management."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.measure import trader_risk
from arusha_web.measure.tests.record_data import RECORDS, imported_run

URL = reverse("measure:trader_risk")


def test_it_reads_the_rows_with_ids_as_written() -> None:
    rows = trader_risk.read(RECORDS)
    assert rows is not None
    assert [(r.importer_id, r.kind, r.window_start, r.window_end) for r in rows] == [
        ("I-0030", "low_unit_values", "2024-01", "2024-06"),
        ("00412", "unusual_digits", "2024-03", "2024-03"),
    ]
    assert (rows[0].observed, rows[0].expected, rows[0].n, rows[0].score) == (140, 35.5, 180, 22.5)
    assert trader_risk.read(RECORDS.parent / "five_columns") is None


def test_it_works(personas: dict[str, Any], tmp_path: Path) -> None:
    run = imported_run(tmp_path, personas["ana"])
    page = client_for(personas["ana"]).get(URL).content.decode()
    assert "targeting leads for risk management" in page and "not integrity leads" in page
    assert "Goods declared at low values, mostly released on the green channel" in page
    assert "Declared values with an unusual pattern of digits" in page
    assert "January – June 2024" in page and "March 2024" in page
    assert ">140<" in page and ">35.5<" in page and ">22.5<" in page
    # An importer with figures in the analysis links to its page; one without does not.
    assert reverse("measure:trader", args=["importer", "I-0030"]) in page
    assert reverse("measure:trader", args=["importer", "00412"]) not in page and ">00412<" in page
    # The importer's own page lists its targeting leads apart from integrity leads.
    importer = client_for(personas["ana"]).get(
        reverse("measure:trader", args=["importer", "I-0030"]) + f"?run={run.pk}"
    )
    assert (
        "Targeting leads" in importer.content.decode()
        and "140 observed, 35.5 expected" in importer.content.decode()
    )


def test_it_filters_by_kind_and_downloads_the_list(personas: dict[str, Any], tmp_path: Path) -> None:
    imported_run(tmp_path, personas["ana"])
    client = client_for(personas["ingrid"])
    filtered = client.get(URL + "?kind=unusual_digits").content.decode()
    assert ">00412<" in filtered and ">I-0030<" not in filtered
    lines = client.get(URL + "?export=traders&format=csv").content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Importer,Kind,Kind (code),First month,Last month,Observed,Expected,Out of")
    assert (
        lines[1].startswith('I-0030,"Goods declared at low values')
        and ",low_unit_values,2024-01,2024-06,140,35.5,180," in lines[1]
    )
    assert lines[2].startswith("00412,")  # the id as written, leading zeros kept
    assert client.get(URL + "?export=traders&format=xlsx").content[:2] == b"PK"


def test_an_analysis_without_the_file_says_so(personas: dict[str, Any], tmp_path: Path) -> None:
    imported_run(tmp_path, personas["ana"], trader_risk=False)
    page = client_for(personas["ana"]).get(URL).content.decode()
    assert "This analysis has no list of traders" in page and "Run the analysis again" in page


def test_without_any_analysis_it_says_so(personas: dict[str, Any]) -> None:
    page = client_for(personas["ana"]).get(URL)
    assert page.status_code == 200 and "No analysis yet." in page.content.decode()


def test_it_is_for_those_who_see_traders(personas: dict[str, Any], tmp_path: Path) -> None:
    imported_run(tmp_path, personas["ana"])
    assert client_for(personas["marc"]).get(URL).status_code == 403
    assert client_for(personas["sam"]).get(URL).status_code == 403
    home = client_for(personas["ana"]).get(reverse("measure:index")).content.decode()
    assert (
        URL in home and URL not in client_for(personas["marc"]).get(reverse("measure:index")).content.decode()
    )


def test_it_is_said_in_french(personas: dict[str, Any], tmp_path: Path) -> None:
    imported_run(tmp_path, personas["ana"])
    page = client_for(personas["ana"]).get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "pistes de ciblage pour la gestion des risques" in page and "pas des pistes d’intégrité" in page
    assert "janvier – juin 2024" in page and ">35,5<" in page
    assert "Marchandises déclarées à de faibles valeurs" in page


def test_odd_parameters_get_the_page_or_a_plain_refusal_never_an_error(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    imported_run(tmp_path, personas["ana"])
    client = client_for(personas["ana"])
    for query in (
        "?run=²",
        "?run=99999999999999999999999",
        "?run=-1",
        "?page=²",
        "?page=99999999999999999999",
        "?kind=" + "x" * 5000,
        "?kind=<script>alert(1)</script>",
        "?export=1&format=" + "y" * 300,
    ):
        response = client.get(URL + query)
        # 400 names a malformed number (core/params.py); 404 an analysis that does not exist.
        assert response.status_code in (200, 400, 404), (query, response.status_code)
        assert b"<script>alert(1)</script>" not in response.content
    # A role that may not see traders is refused, whatever it asks for.
    assert client_for(personas["marc"]).get(URL + "?export=1").status_code in (403, 404)
