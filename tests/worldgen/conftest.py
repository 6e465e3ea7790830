"""One generated world per session, with and without schemes (the same seed), as tables and frames."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from arusha.worldgen import WorldTruth, generate_world
from tests.worldgen.signatures import Frames, frames

N = 30_000  # about 1 s to generate; enough files for every scheme to show in its window
SEED = 7


@pytest.fixture(scope="session")
def world() -> tuple[dict[str, pa.Table], WorldTruth]:
    """A world with three schemes of each kind and every confounder."""
    return generate_world(N, seed=SEED)


@pytest.fixture(scope="session")
def honest_world() -> tuple[dict[str, pa.Table], WorldTruth]:
    """The same world (same seed) with no scheme planted."""
    return generate_world(N, seed=SEED, schemes=False)


@pytest.fixture(scope="session")
def f(world: tuple[dict[str, pa.Table], WorldTruth]) -> Frames:
    """The world's tables as pandas frames with derived columns."""
    return frames(world[0])


@pytest.fixture(scope="session")
def truth(world: tuple[dict[str, pa.Table], WorldTruth]) -> dict[str, Any]:
    """The world's truth as written to truth.json."""
    return world[1].as_dict()
