"""Leads as records: imported field by field, and said from the fields in English and French."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from arusha_web.measure import lead_text
from arusha_web.measure.lead_records import LeadRecord, masked, record_from_row
from arusha_web.measure.models import Lead
from arusha_web.measure.tests.record_data import FIVE_COLUMNS, RECORDS, imported_run


def _records() -> list[LeadRecord]:
    with (RECORDS / "signals.csv").open(encoding="utf-8") as handle:
        return [record_from_row(row) for row in csv.DictReader(handle)]


def test_it_imports_the_record_of_every_lead(personas: dict[str, Any], tmp_path: Path) -> None:
    run = imported_run(tmp_path, personas["ana"])
    leads = {lead.rank: lead for lead in Lead.objects.filter(run=run)}
    assert run.lead_count == 6
    officer = leads[1]
    assert (officer.entity_id, officer.officer_id, officer.office_code) == ("74021", "74021", "PORT1")
    assert (officer.window_start, officer.window_end) == ("2024-03", "2024-05")
    assert (officer.observed, officer.expected, officer.n) == (40, 6.2, 120)
    assert (officer.ratio_low, officer.excess_low, officer.p, officer.q) == (4.6, 22.4, 1e-09, 2e-07)
    assert (officer.basis, officer.unstandardised_n, officer.related) == ("peers", 0, [])
    office = leads[2]
    assert office.related == ["jdupont", "00871"] and office.officer_id == ""
    pair = leads[3]
    assert (pair.officer_id, pair.other_id, pair.counterparts) == ("jdupont", "D-0152", 2)
    # A declarant lead has no office; ids keep their leading zeros.
    assert leads[4].office_code == "" and leads[6].entity_id == "00871" and leads[6].basis == "risk_model"
    assert leads[5].office_code == "AIRP1" and leads[5].unstandardised_n == 4
    assert all(lead.record.complete for lead in leads.values())


def test_a_signals_file_of_five_columns_gives_leads_without_records(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    run = imported_run(tmp_path, personas["ana"], FIVE_COLUMNS)
    leads = list(Lead.objects.filter(run=run).order_by("rank"))
    assert [(lead.entity_type, lead.kind) for lead in leads] == [
        ("officer", "channel_override"),
        ("office", "channel_override"),
        ("importer", "benford"),
    ]
    assert all(not lead.record.complete for lead in leads)
    assert all(lead.observed is None and lead.p is None and lead.related == [] for lead in leads)
    # The office is derived as before: the officer's, the office lead's own.
    assert [lead.office_code for lead in leads] == ["PORT1", "PORT1", ""]


# (rank in the fixture, what the English sentence says, what the French one says)
SAID = [
    (1, ["Officer 74021 signed 40 of 120 releases outside working hours from March 2024 to May 2024.",
         "the other officers would have done so about 6.2 times"],
        ["L’agent 74021 a signé 40 de ses 120 mainlevées en dehors des heures de service entre mars 2024 et "
         "mai 2024.", "les autres agents l’auraient fait environ 6,2 fois"]),
    (2, ["Office PORT1 relaxed the channel of 376 of 1,238 red or yellow files", "from January 2024 to June 2024",
         "the other offices would have done so about 120 times", "officers jdupont, 00871",
         "not a conclusion about the office or its staff"],
        ["Le bureau PORT1 a allégé le circuit de 376 des 1\xa0238 dossiers rouges ou jaunes",
         "entre janvier 2024 et juin 2024", "les autres bureaux", "agents jdupont, 00871",
         "pas une conclusion sur le bureau ni sur son personnel"]),
    (3, ["Officer jdupont handled 45 of the 60 files of declarant D-0152 at office PORT1 in April 2024.",
         "about 12.0 would have gone to this officer", "with 2 other declarants too"],
        ["L’agent jdupont a traité 45 des 60 dossiers du déclarant D-0152 au bureau PORT1 en avril 2024.",
         "environ 12,0 seraient revenus à cet agent", "avec 2 autres déclarants"]),
    (4, ["Declarant D-0152 declared item values with an unusual pattern", "95 of 400 item lines",
         "from February 2024 to April 2024", "the other declarants would have done so about 30.0 times",
         "not a conclusion about the broker"],
        ["Le déclarant D-0152 a déclaré des valeurs d’articles", "95 des 400 lignes d’articles",
         "entre février 2024 et avril 2024", "les autres déclarants l’auraient fait environ 30,0 fois",
         "pas une conclusion sur le commissionnaire"]),
    (5, ["Officer kmensah, with importer I-0030, accepted a declared value below half the usual price on 18 of "
         "52 examined files from February 2024 to July 2024.", "about 3.1 times"],
        ["L’agent kmensah, avec l’importateur I-0030, a accepté", "18 des 52 dossiers examinés",
         "entre février 2024 et juillet 2024", "environ 3,1 fois"]),
    (6, ["Officer 00871 recorded a discrepancy in 3 of 80 inspections from May 2024 to August 2024.",
         "On the same files, the risk model expected about 14.2."],
        ["L’agent 00871 a constaté une irrégularité lors de 3 des 80 visites entre mai 2024 et août 2024.",
         "Sur les mêmes dossiers, le modèle de risque en attendait environ 14,2."]),
]  # fmt: skip


@pytest.mark.parametrize(("rank", "english", "french"), SAID, ids=[str(s[0]) for s in SAID])
def test_the_sentence_made_from_a_record_carries_its_numbers_and_months(
    rank: int, english: list[str], french: list[str]
) -> None:
    record = _records()[rank - 1]
    with translation.override("en"):
        said_en = lead_text.sentence(record)
    with translation.override("fr"):
        said_fr = lead_text.sentence(record)
    for part in english:
        assert part in said_en, said_en
    for part in french:
        assert part in said_fr, said_fr
    assert "Officer" not in said_fr and " of " not in said_fr


def test_how_it_was_computed_says_the_bounds_and_the_evidence_in_both_languages() -> None:
    officer, *_rest, shortfall = _records()
    with translation.override("en"):
        en = dict(lead_text.computed(officer))
        low = dict(lead_text.computed(shortfall))
    assert en["Observed"] == "40" and en["Files that could show it"] == "120"
    assert en["Expected"] == "6.2 (other staff, on comparable files)"
    assert en["Observed against expected, lower bound (95 %)"] == "× 4.6"
    assert en["More than expected, lower bound (95 %)"] == "22.4"
    assert en["p-value (penalised for the months tried)"] == "1.0e-09"
    assert en["q-value (among the leads of this kind)"] == "2.0e-07"
    # A "low" kind: the bounds are of expected against observed, and of the shortfall.
    assert low["Expected against observed, lower bound (95 %)"] == "× 2.9"
    assert (
        low["Fewer than expected, lower bound (95 %)"] == "6.1"
        and low["q-value (among the leads of this kind)"] == "0.010"
    )
    with translation.override("fr"):
        fr = dict(lead_text.computed(officer))
    assert fr["Observé"] == "40"
    assert fr["Observé rapporté à l’attendu, borne basse (95 %)"] == "× 4,6"
    assert fr["Valeur p (corrigée pour les mois essayés)"] == "1,0e-09"


def test_a_p_value_too_small_for_a_float_reads_as_a_bound() -> None:
    assert lead_text.p_value(0.0) == "< 1e-300"
    with translation.override("fr"):
        assert lead_text.p_value(0.0123) == "0,012"


def test_masking_replaces_the_officer_and_every_related_id() -> None:
    officer, office, pair, *_rest = _records()

    def mask(officer_id: str) -> str:
        return f"P[{officer_id}]"

    assert masked(officer, mask).entity_id == "P[74021]"
    assert (
        masked(office, mask).related == ("P[jdupont]", "P[00871]")
        and masked(office, mask).entity_id == "PORT1"
    )
    shown = masked(pair, mask)
    assert (shown.entity_id, shown.officer, shown.other) == ("P[jdupont]|D-0152", "P[jdupont]", "D-0152")
    with translation.override("en"):
        said = lead_text.sentence(masked(office, mask))
    assert "P[jdupont], P[00871]" in said and "jdupont," not in said


def test_every_kind_of_the_catalogue_has_a_sentence_and_a_french_name() -> None:
    from arusha.leads.kinds import KINDS
    from arusha_web.measure.kinds import kind_label

    assert {k.code for k in KINDS} <= set(lead_text.WHAT) | set(lead_text.PAIRING)
    with translation.override("en"):
        english = {k.code: kind_label(k.code) for k in KINDS}
    with translation.override("fr"):
        untranslated = [k.code for k in KINDS if kind_label(k.code) == english[k.code]]
    assert not untranslated


def test_a_run_of_months_names_the_year_once_when_it_can() -> None:
    with translation.override("en"):
        assert lead_text.months("2024-03", "2024-03") == "March 2024"
        assert lead_text.months("2024-03", "2024-05") == "March – May 2024"
        assert lead_text.months("2023-11", "2024-02") == "November 2023 – February 2024"
        assert lead_text.months("", "") == ""
    with translation.override("fr"):
        assert lead_text.months("2024-04", "2024-08") == "avril – août 2024"
