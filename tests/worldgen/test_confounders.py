"""Each confounder shows its honest pattern, carried by every officer who handles the entity."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from tests.worldgen.signatures import Frames


def _ids(truth: dict[str, Any], kind: str) -> list[str]:
    return [c["entity_id"] for c in truth["confounders"] if c["kind"] == kind]


def _of(truth: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [c for c in truth["confounders"] if c["kind"] == kind]


def _scheme_files(truth: dict[str, Any], d: pd.DataFrame) -> pd.Series:
    """Return the files of scheme culprits inside their windows (where honest patterns may be broken)."""
    touched = pd.Series(False, index=d.index)
    for s in truth["schemes"]:
        inside = (d["month"] >= s["window_start"]) & (d["month"] <= s["window_end"])
        who = d["officer_id"] == s["officer_id"] if s["officer_id"] else d["declarant_id"] == s["entity_id"]
        touched |= inside & (who | (d["channel_changed_by"] == s["officer_id"]))
    return touched


def test_deferred_payment_importers_are_released_before_payment_by_every_officer(
    truth: dict[str, Any], f: Frames
) -> None:
    d = f.declarations
    honest = d[~_scheme_files(truth, d)]  # a delay by an extorting officer can outlast the deferment
    files = honest[
        honest["importer_id"].isin(_ids(truth, "deferred_payment")) & honest["released_at"].notna()
    ]
    assert len(files) > 200 and files["before_payment"].all()
    signed = files[files["signed"]]
    assert signed["officer_id"].nunique() >= 10
    busy = signed.groupby("importer_id")["officer_id"].nunique()
    assert (busy[signed["importer_id"].value_counts()[busy.index] >= 5] >= 2).all()
    others = d[~d["importer_id"].isin(_ids(truth, "deferred_payment")) & d["released_at"].notna()]
    assert others["before_payment"].mean() < 0.03


def test_round_the_clock_and_extended_offices_release_out_of_hours_by_every_officer(
    truth: dict[str, Any], f: Frames
) -> None:
    d = f.declarations
    signed = d[d["signed"] & ~_scheme_files(truth, d)]
    (round_clock,) = _ids(truth, "office_24h")
    per_officer = (
        signed[signed["office_code"] == round_clock].groupby("officer_id")["at_night"].agg(["mean", "size"])
    )
    assert len(per_officer) >= 5 and (per_officer.loc[per_officer["size"] >= 20, "mean"] >= 0.1).all()
    for office in _ids(truth, "office_extended_hours"):
        there = signed[signed["office_code"] == office]
        late = (
            there["after_hours"]
            & (there["released_at"].dt.hour < 22)
            & (there["released_at"].dt.day_of_week < 6)
        )
        share = late.groupby(there["officer_id"]).agg(["mean", "size"])
        assert (share.loc[share["size"] >= 20, "mean"] >= 0.05).all()
    weekday_offices = ~signed["office_code"].isin([round_clock, *_ids(truth, "office_extended_hours")])
    ordinary = signed[weekday_offices & ~signed["importer_id"].isin(_ids(truth, "perishable_importer"))]
    assert ordinary["after_hours"].mean() < 0.08


def test_strict_seniors_raise_channels_all_year_and_others_rarely(truth: dict[str, Any], f: Frames) -> None:
    d = f.declarations
    light = d[d["channel_assigned"].isin(["green", "blue"])]
    raised = light["raised"] & (light["channel_changed_by"] == light["officer_id"])
    strict = _ids(truth, "strict_senior")
    assert len(strict) >= 12
    half = light["month"] >= "2024-07"
    for officer in strict:
        mine = light["officer_id"] == officer
        assert raised[mine].mean() >= 0.06, officer
        for part in (half, ~half):
            if (mine & part).sum() >= 30:
                assert raised[mine & part].mean() >= 0.02, officer
    assert raised[~light["officer_id"].isin(strict)].mean() < 0.02


def test_habitual_undervaluers_declare_low_values_and_mostly_go_green(
    truth: dict[str, Any], f: Frames
) -> None:
    d = f.declarations
    files = d[d["importer_id"].isin(_ids(truth, "habitual_undervaluer_green"))]
    assert (files["channel_assigned"] == "green").mean() >= 0.75
    assert files["uv_ratio"].median() <= 0.7
    assert d["uv_ratio"].median() == pytest.approx(1.0, abs=0.15)


def test_cheap_suppliers_values_are_accepted_by_every_officer(truth: dict[str, Any], f: Frames) -> None:
    d = f.declarations
    files = d[d["importer_id"].isin(_ids(truth, "cheap_supplier")) & d["assessed_at"].notna()]
    assert files["uv_ratio"].median() <= 0.6
    examined = files[files["controlled"]]
    assert examined["officer_id"].nunique() >= 5
    assert (examined["inspection_result"] == "no_discrepancy").all()
    assert (files["assessed_value"] == files["declared_value"]).all()


def test_officers_handle_no_file_while_off_duty(truth: dict[str, Any], f: Frames) -> None:
    d = f.declarations
    assigned = f.events[f.events["event"] == "assigned"].merge(
        d[["declaration_id", "month"]], on="declaration_id"
    )
    off_duty = _of(truth, "officer_joined") + _of(truth, "officer_left") + _of(truth, "officer_on_leave")
    assert {c["kind"] for c in off_duty} == {"officer_joined", "officer_left", "officer_on_leave"}
    for c in off_duty:
        assert c["months"], c
        mine = d["officer_id"] == c["entity_id"]
        assert not (mine & d["month"].isin(c["months"])).any(), c
        first = (assigned["actor_id"] == c["entity_id"]) & assigned["month"].isin(c["months"])
        assert not first.any(), c
        assert (mine & ~d["month"].isin(c["months"])).sum() > 0, c


def test_system_releases_green_and_blue_files_at_any_hour(f: Frames) -> None:
    released = f.events[f.events["event"] == "released"].merge(
        f.declarations[["declaration_id", "channel_final"]], on="declaration_id"
    )
    system = released[released["actor_id"] == "SYSTEM"]
    assert set(system["channel_final"]) == {"green", "blue"}
    automatic = f.declarations["declaration_id"].isin(system["declaration_id"])
    assert f.declarations.loc[automatic, "after_hours"].mean() > 0.2


def test_a_few_red_files_of_every_kind_of_officer_have_no_inspection_events(
    truth: dict[str, Any], f: Frames
) -> None:
    d = f.declarations
    red = d[(d["channel_final"] == "red") & d["assessed_at"].notna() & ~_scheme_files(truth, d)]
    waived = red[~red["inspection_logged"]]
    assert 0.003 <= len(waived) / len(red) <= 0.03
    assert waived["officer_id"].nunique() >= 5
    assert (waived["inspection_result"] == "no_discrepancy").all()


def test_slow_importers_are_slow_with_every_officer(truth: dict[str, Any], f: Frames) -> None:
    d = f.declarations
    signed = d[d["signed"] & ~_scheme_files(truth, d)]
    hours = (signed["released_at"] - signed["registered_at"]).dt.total_seconds() / 3600
    slow = signed["importer_id"].isin(_ids(truth, "slow_importer"))
    assert hours[slow].median() >= 1.5 * hours[~slow].median()
    per_officer = hours[slow].groupby(signed.loc[slow, "officer_id"]).median()
    assert len(per_officer) >= 10
    assert (per_officer >= hours[~slow].median()).mean() >= 0.9


def test_perishables_are_released_after_hours_by_many_officers(truth: dict[str, Any], f: Frames) -> None:
    d = f.declarations
    signed = d[d["signed"] & ~_scheme_files(truth, d)]
    perishable = signed["importer_id"].isin(_ids(truth, "perishable_importer"))
    assert signed.loc[perishable, "at_night"].mean() >= 0.3
    assert signed.loc[~perishable, "at_night"].mean() <= 0.2
    assert signed.loc[perishable & signed["at_night"], "officer_id"].nunique() >= 10


def test_volume_rises_in_the_busy_quarter_and_doubles_at_the_growing_office(
    truth: dict[str, Any], f: Frames
) -> None:
    d = f.declarations
    per_month = d["month"].value_counts()
    (season,) = _of(truth, "seasonal_volume")
    busy = per_month.index.isin(season["months"])
    assert per_month[busy].mean() >= 1.2 * per_month[~busy].mean()
    (growth,) = _of(truth, "office_growth")
    there = d.loc[d["office_code"] == growth["entity_id"], "month"].value_counts()
    doubled = there.index.isin(growth["months"]) & ~there.index.isin(season["months"])
    before = ~there.index.isin(growth["months"])
    assert there[doubled].mean() >= 1.6 * there[before].mean()


def test_round_price_importers_invoice_whole_thousands(truth: dict[str, Any], f: Frames) -> None:
    lines = f.items[f.items["importer_id"].isin(_ids(truth, "round_prices"))]
    assert len(lines) > 50 and (lines["declared_value"] % 1000 == 0).mean() >= 0.95
