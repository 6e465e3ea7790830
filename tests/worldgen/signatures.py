"""What each scheme leaves in the canonical tables, measured from the tables alone (no generator internals).

For a planted scheme, ``scheme_counts`` returns how often the scheme's signature shows among the
culprit's relevant files inside its window and outside it: (signature in, files in, signature
out, files out). The tests compare the two rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from arusha.worldgen.clearance import FINE_MULTIPLIER, MIN_FINE, OFFENCES

RANK = {"green": 0, "blue": 1, "yellow": 2, "red": 3}
DAY = pd.Timedelta(days=1)


@dataclass
class Frames:
    """The three tables as pandas frames, with derived columns the signatures read."""

    declarations: pd.DataFrame
    items: pd.DataFrame
    events: pd.DataFrame


def is_after_hours(ts: pd.Series) -> pd.Series:
    """Return True where ``ts`` falls outside Monday–Friday 07:30–17:30."""
    minutes = ts.dt.hour * 60 + ts.dt.minute
    return (minutes < 450) | (minutes >= 1050) | (ts.dt.day_of_week >= 5)


def frames(tables: dict[str, pa.Table]) -> Frames:
    """Return the tables as frames with the derived columns the tests need."""
    d = tables["declarations"].to_pandas()
    items = tables["items"].to_pandas()
    events = tables["events"].to_pandas()
    d["month"] = d["registered_at"].dt.strftime("%Y-%m")
    d["relaxed"] = d["channel_final"].map(RANK) < d["channel_assigned"].map(RANK)
    d["raised"] = d["channel_final"].map(RANK) > d["channel_assigned"].map(RANK)
    d["controlled"] = d["channel_final"].isin(["yellow", "red"])
    d["signed"] = d["controlled"] & d["released_at"].notna()
    d["after_hours"] = is_after_hours(d["released_at"])
    # Night (20:00–04:00) or weekend: outside even extended hours, rarer at the round-the-clock office.
    hour = d["released_at"].dt.hour
    d["at_night"] = (hour >= 20) | (hour < 4) | (d["released_at"].dt.day_of_week >= 5)
    d["before_payment"] = d["released_at"].notna() & (d["paid_at"].isna() | (d["paid_at"] > d["released_at"]))
    d["release_days"] = (d["released_at"] - d["assessed_at"]) / DAY
    inspected = set(events.loc[events["event"] == "inspection_done", "declaration_id"])
    d["inspection_logged"] = d["declaration_id"].isin(inspected)
    multiplier = d["offence_code"].map(dict(zip(OFFENCES, FINE_MULTIPLIER, strict=True)))
    usual = np.maximum(MIN_FINE, multiplier * (d["duties_assessed"] - d["duties_declared"]))
    d["low_fine"] = d["penalty_amount"] < 0.5 * usual
    # Unit value against the HS6 median (per kg), mean over a declaration's lines.
    unit = items["declared_value"] / items["net_mass_kg"]
    items["uv_ratio"] = unit / unit.groupby(items["hs_code"]).transform("median")
    d["uv_ratio"] = d["declaration_id"].map(items.groupby("declaration_id")["uv_ratio"].mean())
    value = items["declared_value"]
    scale = 10.0 ** (np.floor(np.log10(value.clip(lower=1.0))) - 1)
    two_digits = np.isclose(value / scale, np.round(value / scale))
    items["made_up"] = (value >= 100) & (two_digits | np.isclose(value % 1000, 0))
    items = items.merge(d[["declaration_id", "declarant_id", "importer_id", "month"]], on="declaration_id")
    return Frames(d, items, events)


def scheme_counts(s: dict[str, Any], f: Frames) -> tuple[int, int, int, int]:
    """Return (signature in window, files in window, signature outside, files outside) for a scheme."""
    d = f.declarations
    kind, officer, other = s["kind"], s["officer_id"], s["other_id"]
    mine = d["officer_id"] == officer
    if kind == "fabricated_values":
        lines = f.items[f.items["declarant_id"] == s["entity_id"]]
        return _split(lines, lines["made_up"], s)
    if kind == "channel_override":
        assigned_controlled = d["channel_assigned"].isin(["yellow", "red"])
        if s["entity_type"] == "officer_declarant_pair":
            pop = mine & (d["declarant_id"] == other) & assigned_controlled
        elif s["variant"] == "chief":
            pop = (d["office_code"] == s["office_code"]) & assigned_controlled & ~mine
        else:
            pop = mine & assigned_controlled
        sig = d["relaxed"] & (d["channel_changed_by"] == officer)
    elif kind == "detection_shortfall":
        pop = mine & d["controlled"] & d["assessed_at"].notna()
        sig = d["inspection_result"] == "no_discrepancy"
    elif kind == "unit_value_gap":
        pop = mine & (d["importer_id"] == other) & d["controlled"] & d["assessed_at"].notna()
        # Against the importer's own usual values: a cheap supplier's are always low, honestly.
        usual = d["uv_ratio"].groupby(d["importer_id"]).transform("median")
        sig = (d["uv_ratio"] < 0.6 * usual) & (d["inspection_result"] == "no_discrepancy")
    elif kind.endswith("_pairing"):
        trader = d["declarant_id"] if kind == "officer_declarant_pairing" else d["importer_id"]
        pop = (trader == other) & (d["office_code"] == s["office_code"])
        sig = mine
    elif kind == "release_delay":
        pop = mine & (d["importer_id"] == other) & d["signed"]
        sig = d["release_days"] > 4
    elif kind == "after_hours_release":
        pop, sig = mine & d["signed"], d["at_night"]
    elif kind == "release_before_payment":
        pop, sig = mine & d["signed"], d["before_payment"]
    elif kind == "red_without_inspection":
        pop = mine & (d["channel_final"] == "red") & d["assessed_at"].notna()
        sig = ~d["inspection_logged"]
    elif kind == "low_penalty":
        pop, sig = mine & d["penalty_amount"].notna(), d["low_fine"]
    else:
        raise AssertionError(f"no signature for {kind}")
    return _split(d[pop], sig[pop], s)


def _split(rows: pd.DataFrame, sig: pd.Series, s: dict[str, Any]) -> tuple[int, int, int, int]:
    inside = (rows["month"] >= s["window_start"]) & (rows["month"] <= s["window_end"])
    return int(sig[inside].sum()), int(inside.sum()), int(sig[~inside].sum()), int((~inside).sum())
