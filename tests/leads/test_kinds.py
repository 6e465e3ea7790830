"""Each kind fires on its scheme, with its window; each legitimate confounder creates no lead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from arusha.leads import find_leads
from arusha.leads.ranking import STRONG_SCORE
from tests.leads.conftest import MONTH0, honest_world, table

Rows = list[dict[str, Any]]
CULPRIT = "OFF1-O2"
WINDOW = range(3, 8)  # April to August 2024


def _leads(rows: Rows) -> pd.DataFrame:
    return find_leads(table(rows)).signals


def _in_scheme(row: dict[str, Any], officer: str = CULPRIT) -> bool:
    return row["officer_id"] == officer and row["month"] in WINDOW


def test_an_honest_world_gives_no_strong_lead() -> None:
    leads = _leads(honest_world())
    assert (leads.score < STRONG_SCORE).all(), leads[["entity_id", "kind", "score"]]


def _override(rows: Rows) -> Rows:
    rng = np.random.default_rng(1)
    for r in rows:
        if _in_scheme(r) and r["ch_a"] >= 2 and rng.random() < 0.4:
            r.update(
                ch_f=0,
                changer=CULPRIT,
                inspected=False,
                hit=False,
                result_none=True,
                release_actor="SYSTEM",
                offence_code=None,
                penalty=None,
                adjusted=False,
                inspection_events=0,
                release_h=3.0,
            )
    return rows


def _chief_override(rows: Rows) -> Rows:
    """The chief relaxes other officers' files: credited to him, not to them."""
    rng = np.random.default_rng(2)
    for r in rows:
        if r["office_code"] == "OFF1" and r["month"] in WINDOW and r["ch_a"] >= 2 and rng.random() < 0.1:
            r.update(ch_f=0, changer=CULPRIT, inspected=False, hit=False, result_none=True, release_h=3.0)
    return rows


def _rubber_stamp(rows: Rows) -> Rows:
    for r in rows:
        if _in_scheme(r) and r["hit"]:
            r.update(hit=False, offence_code=None, penalty=None, evaded=0.0, adjusted=False)
    return rows


def _after_hours(rows: Rows) -> Rows:
    rng = np.random.default_rng(3)
    for r in rows:
        if _in_scheme(r) and r["release_actor"] == CULPRIT and rng.random() < 0.4:
            r["after_hours"] = True
    return rows


def _before_payment(rows: Rows) -> Rows:
    rng = np.random.default_rng(4)
    for r in rows:
        if _in_scheme(r) and r["release_actor"] == CULPRIT and rng.random() < 0.3:
            r["before_pay"] = True
    return rows


def _red_without_inspection(rows: Rows) -> Rows:
    rng = np.random.default_rng(5)
    for r in rows:
        if _in_scheme(r) and r["ch_f"] == 3 and rng.random() < 0.6:
            r.update(inspection_events=0, result_none=False)  # a result filled in, no inspection step
    return rows


def _low_penalty(rows: Rows) -> Rows:
    for r in rows:
        if _in_scheme(r) and r["hit"]:
            r["penalty"] = 0.2 * r["penalty"]
    return rows


def _big_importer(rows: Rows, importer: str, seed: int) -> Rows:
    """Make ``importer`` a quarter of every OFF1 officer's files: the culprit holds no more of it than anyone."""
    rng = np.random.default_rng(seed)
    for r in rows:
        if r["office_code"] == "OFF1" and rng.random() < 0.25:
            r["importer_id"] = importer
    return rows


def _accepted_undervaluation(rows: Rows) -> Rows:
    """Importer I1 declares half the value on the files the culprit examines, and he accepts it."""
    for r in _big_importer(rows, "I1", 13):
        if _in_scheme(r) and r["ch_f"] >= 2 and r["importer_id"] == "I1":
            r.update(uv_lines=1, uv_low=1, hit=False, adjusted=False, offence_code=None, penalty=None)
    return rows


def _delay(rows: Rows) -> Rows:
    """The culprit holds up importer I4's files by six days; other officers release I4 as usual."""
    for r in _big_importer(rows, "I4", 7):
        if _in_scheme(r) and r["importer_id"] == "I4":
            r["release_h"] += 24 * 6
    return rows


def _captured(rows: Rows) -> Rows:
    """Declarant D3's files at OFF1 moved to the culprit."""
    rng = np.random.default_rng(6)
    for r in rows:
        if (
            r["office_code"] == "OFF1"
            and r["month"] in WINDOW
            and r["declarant_id"] == "D3"
            and rng.random() < 0.6
        ):
            r["officer_id"] = CULPRIT
    return rows


SCHEMES: dict[str, tuple[Callable[[Rows], Rows], str]] = {
    "channel_override": (_override, "officer"),
    "chief_override": (_chief_override, "officer"),
    "detection_shortfall": (_rubber_stamp, "officer"),
    "after_hours_release": (_after_hours, "officer"),
    "release_before_payment": (_before_payment, "officer"),
    "red_without_inspection": (_red_without_inspection, "officer"),
    "low_penalty": (_low_penalty, "officer"),
    "unit_value_gap": (_accepted_undervaluation, "officer"),
    "release_delay": (_delay, "officer"),
    "officer_declarant_pairing": (_captured, "officer_declarant_pair"),
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_each_kind_fires_on_its_scheme_and_names_its_months(scheme: str) -> None:
    plant, _etype = SCHEMES[scheme]
    leads = _leads(plant(honest_world()))
    kind = "channel_override" if scheme == "chief_override" else scheme
    mine = leads[(leads.officer_id == CULPRIT) & (leads.kind == kind)]
    assert not mine.empty, leads[["entity_id", "kind", "score"]]
    top = mine.iloc[0]
    assert top.q < 0.05 and top.ratio_low >= 1.5 and top.excess_low >= 3
    # The window is the scheme's months (April–August 2024), give or take background months.
    assert "2024-02" <= top.window_start <= "2024-05" and "2024-07" <= top.window_end <= "2024-10", (
        top.window_start,
        top.window_end,
    )
    # Nobody else is a strong lead of that kind.
    strong = leads[(leads.kind == kind) & (leads.score >= STRONG_SCORE)]
    assert set(strong.officer_id) <= {CULPRIT}


def _deferred_payment(rows: Rows) -> Rows:
    """Importers I1–I3 pay after release, whoever releases their goods."""
    for r in rows:
        if r["importer_id"] in {"I1", "I2", "I3"}:
            r["before_pay"] = True
    return rows


def _round_the_clock_office(rows: Rows) -> Rows:
    rng = np.random.default_rng(8)
    for r in rows:
        if r["office_code"] == "OFF2" and rng.random() < 0.45:
            r["after_hours"] = True
    return rows


def _system_releases_at_night(rows: Rows) -> Rows:
    for r in rows:
        if r["release_actor"] == "SYSTEM":
            r["after_hours"] = True
    return rows


def _strict_senior(rows: Rows) -> Rows:
    """OFF1-O3 sends many green files to red, and relaxes four times as often as juniors after checks.

    With no other strict reviewer at his office to compare his relaxations with, his files are left
    out (counted as unstandardised) rather than compared with the juniors'.
    """
    rng = np.random.default_rng(9)
    for r in rows:
        senior = r["officer_id"] == "OFF1-O3"
        if senior and r["ch_a"] <= 1 and rng.random() < 0.3:
            r.update(
                ch_f=3,
                changer=r["officer_id"],
                inspected=True,
                release_actor=r["officer_id"],
                inspection_events=2,
            )
        elif senior and r["ch_a"] >= 2 and r["ch_f"] == r["ch_a"] and rng.random() < 0.06:
            r.update(
                ch_f=0, changer=r["officer_id"], inspected=False, hit=False, result_none=True, release_h=3.0
            )
    return rows


def _cheap_supplier(rows: Rows) -> Rows:
    """Importer I7's goods really are cheap: everyone accepts them."""
    for r in rows:
        if r["importer_id"] == "I7":
            r.update(uv_lines=1, uv_low=1, hit=False, adjusted=False, offence_code=None, penalty=None)
    return rows


def _slow_importer(rows: Rows) -> Rows:
    for r in rows:
        if r["importer_id"] == "I8":
            r["release_h"] += 24 * 8
    return rows


def _perishables(rows: Rows) -> Rows:
    rng = np.random.default_rng(10)
    for r in rows:
        if r["importer_id"] in {"I9", "I10"} and rng.random() < 0.7:
            r["after_hours"] = True
    return rows


def _joining_and_leaving(rows: Rows) -> Rows:
    """OFF1-O4 joins in July, OFF1-O5 leaves in May: their files go to the others."""
    for r in rows:
        if (r["officer_id"] == "OFF1-O4" and r["month"] < 6) or (
            r["officer_id"] == "OFF1-O5" and r["month"] >= 5
        ):
            r["officer_id"] = f"OFF1-O{r['month'] % 4}"
            r["release_actor"] = r["officer_id"] if r["release_actor"] != "SYSTEM" else "SYSTEM"
            r["changer"] = r["officer_id"] if r["changer"] else None
    return rows


def _waived_inspections(rows: Rows) -> Rows:
    """A few red files of every officer released without an inspection step, for honest reasons."""
    rng = np.random.default_rng(11)
    for r in rows:
        if r["ch_f"] == 3 and rng.random() < 0.03:
            r.update(inspection_events=0, result_none=False)
    return rows


# Each confounder and the kinds of lead it would create if it were not allowed for.
CONFOUNDERS: dict[str, tuple[Callable[[Rows], Rows], tuple[str, ...]]] = {
    "deferred_payment": (_deferred_payment, ("release_before_payment",)),
    "round_the_clock_office": (_round_the_clock_office, ("after_hours_release",)),
    "system_releases_at_night": (_system_releases_at_night, ("after_hours_release",)),
    "strict_senior": (_strict_senior, ("channel_override", "detection_shortfall")),
    "cheap_supplier": (_cheap_supplier, ("unit_value_gap",)),
    "slow_importer": (_slow_importer, ("release_delay",)),
    "perishables": (_perishables, ("after_hours_release",)),
    "joining_and_leaving": (_joining_and_leaving, ("officer_declarant_pairing", "officer_importer_pairing")),
    "waived_inspections": (_waived_inspections, ("red_without_inspection",)),
}


@pytest.mark.parametrize("confounder", sorted(CONFOUNDERS))
def test_legitimate_structure_creates_no_lead(confounder: str) -> None:
    plant, kinds = CONFOUNDERS[confounder]
    leads = _leads(plant(honest_world()))
    shown = leads[["entity_id", "kind", "score", "window_start", "window_end"]]
    assert not leads.kind.isin(kinds).any(), shown
    assert (leads.score < STRONG_SCORE).all(), shown


def _relax(rows: Rows, share: dict[str, float], seed: int = 12) -> Rows:
    rng = np.random.default_rng(seed)
    for r in rows:
        who = r["officer_id"]
        rate = share.get(who, share.get(r["office_code"], 0.0))
        if rate and r["ch_a"] >= 2 and rng.random() < rate:
            r.update(
                ch_f=0,
                changer=who,
                inspected=False,
                hit=False,
                result_none=True,
                release_actor="SYSTEM",
                offence_code=None,
                penalty=None,
                adjusted=False,
                inspection_events=0,
                release_h=3.0,
            )
    return rows


def test_an_office_whose_officers_all_relax_channels_is_a_lead_against_the_other_offices() -> None:
    leads = _leads(_relax(honest_world(offices=4), {"OFF3": 0.2}))
    relaxed = leads[(leads.kind == "channel_override") & (leads.score >= STRONG_SCORE)]
    assert list(zip(relaxed.entity_type, relaxed.entity_id, strict=True)) == [("office", "OFF3")]
    assert relaxed.iloc[0].explanation.endswith("not a conclusion about the office or its staff.")


def test_an_office_is_not_a_lead_for_what_one_of_its_officers_does() -> None:
    leads = _leads(_relax(honest_world(offices=4), {"OFF1-O1": 0.4}))
    assert not ((leads.entity_type == "office") & (leads.kind == "channel_override")).any()
    relaxed = leads[(leads.kind == "channel_override") & (leads.score >= STRONG_SCORE)]
    assert list(zip(relaxed.entity_type, relaxed.entity_id, strict=True)) == [("officer", "OFF1-O1")]


def test_two_outliers_at_one_office_do_not_hide_each_other() -> None:
    # O1 relaxes 35 % and O2 12 % of their red/yellow files; the four others 2 %.
    leads = _leads(_relax(honest_world(), {"OFF1-O1": 0.35, "OFF1-O2": 0.12}))
    relaxed = leads[(leads.kind == "channel_override") & (leads.entity_type == "officer")]
    assert set(relaxed.officer_id) == {"OFF1-O1", "OFF1-O2"}
    # O2's expectation rests on the four ordinary officers (about 2 %), not on O1's 35 %.
    o2 = relaxed[relaxed.officer_id == "OFF1-O2"].iloc[0]
    assert o2.expected / o2.n < 0.04


def test_an_officer_who_handles_most_of_an_importers_files_is_not_judged_on_its_structure() -> None:
    # OFF1-O2 handles all of the deferred-payment importers I1–I3 all year: nobody else releases
    # their goods, so nothing says what is usual for them. His files of theirs are left out (and
    # counted); the capture itself is the pairing test's.
    rows = honest_world()
    for r in rows:
        if r["importer_id"] in {"I1", "I2", "I3"}:
            r.update(before_pay=True)
            if r["office_code"] == "OFF1":
                r.update(officer_id="OFF1-O2", release_actor="OFF1-O2" if r["ch_f"] >= 2 else "SYSTEM")
    leads = _leads(rows)
    assert not ((leads.kind == "release_before_payment") & (leads.officer_id == "OFF1-O2")).any()
    assert {"officer_importer_pairing"} <= set(leads[leads.officer_id == "OFF1-O2"].kind)


def _captured_importer(rows: Rows) -> Rows:
    """Importer I5's files at OFF1 moved to the culprit in the scheme's months."""
    rng = np.random.default_rng(14)
    for r in rows:
        if (
            r["office_code"] == "OFF1"
            and r["month"] in WINDOW
            and r["importer_id"] == "I5"
            and rng.random() < 0.7
        ):
            r["officer_id"] = CULPRIT
    return rows


def test_a_captured_importer_is_an_officer_importer_pairing_lead_in_its_months() -> None:
    leads = _leads(_captured_importer(honest_world()))
    mine = leads[(leads.officer_id == CULPRIT) & (leads.kind == "officer_importer_pairing")]
    assert list(mine.other_id) == ["I5"]
    assert "2024-03" <= mine.iloc[0].window_start <= "2024-05"


def test_a_transferred_officer_is_no_pairing_lead() -> None:
    # OFF1-O1 moves to OFF2 in July and handles OFF2's traders from then on, like everyone there.
    rows = honest_world()
    for r in rows:
        if r["officer_id"] == "OFF2-O1" and r["month"] >= 6:
            r["officer_id"] = "OFF1-O1"
        elif r["officer_id"] == "OFF1-O1" and r["month"] >= 6:
            r["officer_id"] = "OFF1-O0"
    leads = _leads(rows)
    assert not leads.kind.str.endswith("_pairing").any(), leads[["entity_id", "kind", "score"]]


def test_channels_the_selectivity_system_changes_are_nobodys_override() -> None:
    rows = honest_world()
    rng = np.random.default_rng(15)
    for r in rows:
        if r["ch_a"] >= 2 and rng.random() < 0.1:
            r.update(
                ch_f=0, changer="SYSTEM", inspected=False, hit=False, result_none=True, release_actor="SYSTEM"
            )
    leads = _leads(rows)
    assert "SYSTEM" not in set(leads.entity_id) and not (leads.kind == "channel_override").any()


def _digits(fabricating: str | None, fixed_price: str | None = None) -> pa.Table:
    """Declarations counted by declarant × importer × month × first digit (Benford shares), with
    round ones; each broker files for its own importers, and importers I0–I3 use two brokers.

    ``fixed_price``: an importer whose contracts are in whole thousands all year, filed by one
    broker only, busy for nine months and nearly idle for the last three (the broker's mix of
    clients shifts; nobody fabricates).
    """
    rng = np.random.default_rng(16)
    benford = np.log10(1 + 1 / np.arange(1, 10))
    rows: dict[str, list[Any]] = {
        k: [] for k in ("declarant_id", "importer_id", "month", "digit", "lines", "round_lines")
    }
    for b in range(10):
        for i in (f"I{b}", f"I{b + 10}", f"I{(b + 1) % 4}"):
            for m in range(12):
                n = int(rng.integers(15, 25))
                if i == fixed_price:
                    n = 12 if m < 9 else 2
                digits = rng.choice(np.arange(1, 10), n, p=benford)
                rounded = rng.random(n) < (1.0 if i == fixed_price else 0.03)
                if fabricating == f"D{b}" and m in WINDOW:
                    rounded |= rng.random(n) < 0.5
                for d in range(1, 10):
                    k = int((digits == d).sum())
                    if k:
                        for key, value in zip(
                            rows,
                            (f"D{b}", i, MONTH0 + m, d, k, int((rounded & (digits == d)).sum())),
                            strict=True,
                        ):
                            rows[key].append(value)
    return pa.table(
        {
            "declarant_id": pa.array(rows["declarant_id"], pa.string()),
            "importer_id": pa.array(rows["importer_id"], pa.string()),
            "month": pa.array(rows["month"], pa.int32()),
            "digit": pa.array(rows["digit"], pa.int8()),
            "lines": pa.array(rows["lines"], pa.int64()),
            "round_lines": pa.array(rows["round_lines"], pa.int64()),
        }
    )


def test_a_broker_who_fabricates_round_values_for_some_months_is_a_lead_and_honest_brokers_are_not() -> None:
    decisions = table(honest_world())
    assert find_leads(decisions, _digits(None)).signals.empty
    leads = find_leads(decisions, _digits("D3")).signals
    fabricated = leads[leads.kind == "fabricated_values"]
    assert list(fabricated.entity_id) == ["D3"] and fabricated.iloc[0].basis == "pattern:round"
    assert fabricated.iloc[0].window_start >= "2024-03" and fabricated.iloc[0].window_end <= "2024-09"


def test_a_broker_of_a_fixed_price_importer_is_no_lead_when_his_mix_of_clients_shifts() -> None:
    # I15 files only through D5 and quotes whole thousands on every declaration; it is busy for
    # nine months, so D5's round share falls in the last three. Judged against "the same importers
    # with other brokers" (there are none: the overall share) and his own last three months, D5
    # looked like a broker who started fabricating.
    decisions = table(honest_world())
    leads = find_leads(decisions, _digits(None, fixed_price="I15")).signals
    assert "D5" not in set(leads.entity_id)
    fabricated = find_leads(decisions, _digits("D5", fixed_price="I15")).signals
    assert "D5" in set(fabricated[fabricated.kind == "fabricated_values"].entity_id)
