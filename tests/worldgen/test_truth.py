"""truth.json: ten kinds of schemes on distinct culprits that exist, windows inside the data, confounders listed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from arusha.worldgen import generate_world, write_world
from tests.worldgen.signatures import Frames

KINDS = {
    "channel_override",
    "detection_shortfall",
    "unit_value_gap",
    "officer_declarant_pairing",
    "officer_importer_pairing",
    "release_delay",
    "after_hours_release",
    "release_before_payment",
    "red_without_inspection",
    "low_penalty",
    "fabricated_values",
}
SCHEME_KEYS = {
    "kind",
    "entity_type",
    "entity_id",
    "officer_id",
    "other_id",
    "office_code",
    "window_start",
    "window_end",
    "strength",
    "description",
    "variant",
    "share",
    "affected_declarations",
}


def test_it_plants_schemes_per_kind_times_ten_with_distinct_culprits(truth: dict[str, Any]) -> None:
    schemes = truth["schemes"]
    assert len(schemes) == 3 * 10
    assert {s["kind"] for s in schemes} == KINDS
    assert len({s["entity_id"] for s in schemes}) == len(schemes)
    officers = [s["officer_id"] for s in schemes if s["officer_id"]]
    assert len(set(officers)) == len(officers)
    pairing = [s["kind"] for s in schemes if s["kind"].endswith("_pairing")]
    assert pairing == ["officer_declarant_pairing", "officer_importer_pairing", "officer_declarant_pairing"]
    assert {s["strength"] for s in schemes} == {"weak", "strong"}
    assert all(set(s) == SCHEME_KEYS for s in schemes)


def test_each_culprit_exists_in_the_data_with_the_right_entity_type(truth: dict[str, Any], f: Frames) -> None:
    d = f.declarations
    officers, declarants, importers = set(d["officer_id"]), set(d["declarant_id"]), set(d["importer_id"])
    expected_types = {
        "officer_declarant_pairing": {"officer_declarant_pair"},
        "officer_importer_pairing": {"officer_importer_pair"},
        "unit_value_gap": {"officer_importer_pair"},
        "release_delay": {"officer_importer_pair"},
        "fabricated_values": {"declarant"},
        "channel_override": {"officer", "officer_declarant_pair"},
    }
    for s in truth["schemes"]:
        assert s["entity_type"] in expected_types.get(s["kind"], {"officer"}), s
        if s["entity_type"] == "declarant":
            assert s["entity_id"] in declarants and s["officer_id"] is None and s["other_id"] is None
            continue
        assert s["officer_id"] in officers
        if s["entity_type"] == "officer":
            assert s["entity_id"] == s["officer_id"] and s["other_id"] is None
        else:
            assert s["entity_id"] == f"{s['officer_id']}|{s['other_id']}"
            assert s["other_id"] in (
                declarants if s["entity_type"] == "officer_declarant_pair" else importers
            )
        assert s["office_code"] in set(d.loc[d["officer_id"] == s["officer_id"], "office_code"])


def test_windows_run_two_to_eight_months_inside_the_data(truth: dict[str, Any], f: Frames) -> None:
    months = sorted(set(f.declarations["month"]))
    for s in truth["schemes"]:
        first, last = months.index(s["window_start"]), months.index(s["window_end"])
        assert 2 <= last - first + 1 <= 8, s


def test_one_override_is_a_chief_and_one_collusive(truth: dict[str, Any]) -> None:
    variants = [s["variant"] for s in truth["schemes"] if s["kind"] == "channel_override"]
    assert variants == ["officer", "chief", "collusive"]


def test_some_culprits_sit_among_confounded_entities(truth: dict[str, Any]) -> None:
    confounded = {(c["entity_type"], c["entity_id"]) for c in truth["confounders"]}
    at_24h = {c["office_code"] for c in truth["confounders"] if c["kind"] == "office_24h"}
    assert any(s["office_code"] in at_24h for s in truth["schemes"])
    assert any(("importer", s["other_id"]) in confounded for s in truth["schemes"])
    assert any(("officer", s["officer_id"]) in confounded for s in truth["schemes"])


def test_it_lists_every_confounder_kind(truth: dict[str, Any]) -> None:
    kinds = {c["kind"] for c in truth["confounders"]}
    assert kinds >= {
        "deferred_payment",
        "office_24h",
        "office_extended_hours",
        "strict_senior",
        "habitual_undervaluer_green",
        "cheap_supplier",
        "officer_joined",
        "officer_left",
        "officer_on_leave",
        "system_release",
        "inspection_waived",
        "slow_importer",
        "perishable_importer",
        "seasonal_volume",
        "office_growth",
    }
    assert all(
        set(c) == {"kind", "entity_type", "entity_id", "office_code", "description", "months"}
        for c in truth["confounders"]
    )


def test_schemes_false_plants_none_and_confounders_false_lists_none() -> None:
    _, truth = generate_world(5_000, seed=3, schemes=False, confounders=False)
    assert truth.schemes == [] and truth.confounders == []


def test_write_world_writes_the_tables_and_a_truth_that_rebuilds_the_world(tmp_path: Path) -> None:
    truth = write_world(tmp_path, 5_000, seed=4, schemes_per_kind=1, id_style="numeric")
    written = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert {p.name for p in tmp_path.iterdir()} == {
        "declarations.parquet",
        "items.parquet",
        "events.parquet",
        "truth.json",
    }
    assert written == truth.as_dict()
    assert written["seed"] == 4 and written["declarations"] == 5_000
    assert set(written["parameters"]) == {
        "n",
        "seed",
        "months",
        "start",
        "offices",
        "officers_per_office",
        "importers",
        "declarants",
        "schemes_per_kind",
        "schemes",
        "confounders",
        "id_style",
    }
    tables, again = generate_world(**written["parameters"])
    assert again.as_dict() == written
    stored = pd.read_parquet(tmp_path / "declarations.parquet")
    assert stored.equals(tables["declarations"].to_pandas())
