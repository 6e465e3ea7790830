"""Each scheme shows in its culprit's files inside its window, and nowhere else."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from arusha.worldgen import WorldTruth
from tests.worldgen.signatures import Frames, frames, scheme_counts

# Kind -> how much more often (rate inside − rate outside) the signature shows in the window,
# pooled over the kind's three schemes. Night releases start from a high base (one culprit works
# at the round-the-clock office) and rubber stamps from a high "no discrepancy" base.
MARGIN = {
    "channel_override": 0.02,  # a chief relaxing 3 % of a whole office weighs most in the pool
    "detection_shortfall": 0.03,
    "unit_value_gap": 0.3,
    "pairing": 0.05,
    "release_delay": 0.3,
    "after_hours_release": 0.01,  # culprits at the round-the-clock and extended-hours offices
    "release_before_payment": 0.05,
    "red_without_inspection": 0.2,
    "low_penalty": 0.3,
    "fabricated_values": 0.05,
}


@pytest.mark.parametrize("kind", sorted(MARGIN))
def test_each_kind_shows_inside_its_window_more_than_outside(
    kind: str, truth: dict[str, Any], f: Frames
) -> None:
    pooled = [0, 0, 0, 0]
    for s in truth["schemes"]:
        if s["kind"] == kind or (kind == "pairing" and s["kind"].endswith("_pairing")):
            pooled = [a + b for a, b in zip(pooled, scheme_counts(s, f), strict=True)]
    sig_in, files_in, sig_out, files_out = pooled
    assert files_in > 0 and files_out > 0
    assert sig_in / files_in >= sig_out / files_out + MARGIN[kind], pooled


def test_every_scheme_shows_in_its_own_window(
    truth: dict[str, Any], f: Frames, honest_world: tuple[dict[str, pa.Table], WorldTruth]
) -> None:
    """Against the same world without schemes, each scheme's signature rises inside its window."""
    honest = frames(honest_world[0])
    for s in truth["schemes"]:
        planted_in, files_in, _, _ = scheme_counts(s, f)
        honest_in, _, _, _ = scheme_counts(s, honest)
        assert s["affected_declarations"] > 0 and files_in > 0, s
        assert planted_in > honest_in, s


def test_outside_their_windows_culprits_behave_as_in_the_honest_world(
    world: tuple[dict[str, pa.Table], WorldTruth], honest_world: tuple[dict[str, pa.Table], WorldTruth]
) -> None:
    """Same seed without schemes: every declaration that differs is a culprit's, inside his window."""
    planted = world[0]["declarations"].to_pandas()
    honest = honest_world[0]["declarations"].to_pandas()
    differs = ~((planted == honest) | (planted.isna() & honest.isna())).all(axis=1)
    month = planted["registered_at"].dt.strftime("%Y-%m")
    explained = differs & False
    for s in world[1].schemes:
        inside = (month >= s.window_start) & (month <= s.window_end)
        if s.officer_id is None:
            culprit = planted["declarant_id"] == s.entity_id
        else:
            culprit = (planted["officer_id"] == s.officer_id) | (
                planted["channel_changed_by"] == s.officer_id
            )
        explained |= inside & culprit
    assert differs.sum() > 100
    assert not (differs & ~explained).any(), planted[differs & ~explained].head()
    # Some touched files keep their row (a red file closed without inspection that had nothing to
    # find differs only in its events), so the rows that differ are at most the files touched.
    assert differs.sum() <= sum(s.affected_declarations for s in world[1].schemes)
