"""Small stores with a planted risk pattern, for the risk-model tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

RISKY_IMPORTERS = [f"I-{k:04d}" for k in range(10)]  # the planted pattern: these importers cheat often
RISKY_ORIGIN = "XX"


def risky_frames(n: int = 6000, seed: int = 3, days: int = 180) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Declarations and items where a discrepancy is far likelier for a few importers and one origin."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2024, 1, 1, 8)
    importer = rng.choice([f"I-{k:04d}" for k in range(300)], n)
    origin = rng.choice(["CN", "FR", "TR", "IN", RISKY_ORIGIN], n, p=[0.35, 0.25, 0.15, 0.15, 0.10])
    hs = rng.choice([f"{c:06d}" for c in range(100100, 100100 + 60 * 37, 37)], n)
    mass = np.round(np.exp(rng.normal(5, 1.2, n)), 1)
    value = np.round(mass * np.exp(rng.normal(3, 0.4, n)), 2)
    risk = 0.08 + 0.5 * np.isin(importer, RISKY_IMPORTERS) + 0.3 * (origin == RISKY_ORIGIN)
    inspected = rng.random(n) < 0.6
    found = rng.random(n) < np.minimum(risk, 0.95)
    result = np.where(inspected, np.where(found, "discrepancy", "no_discrepancy"), "none")
    duties = np.round(value * 0.1, 2)
    ids = [f"D{k:06d}" for k in range(n)]
    registered = [
        start + dt.timedelta(days=int(d), minutes=int(m))
        for d, m in zip(np.sort(rng.integers(0, days, n)), rng.integers(0, 480, n), strict=True)
    ]
    declarations = pd.DataFrame(
        {
            "declaration_id": ids,
            "office_code": rng.choice(["PORT1", "PORT2", "AIR1"], n),
            "regime": "IM4",
            "declarant_id": rng.choice([f"B-{k:03d}" for k in range(40)], n),
            "importer_id": importer,
            "officer_id": rng.choice([f"O-{k:02d}" for k in range(25)], n),
            "registered_at": pd.to_datetime(registered),
            "declared_value": value,
            "duties_declared": duties,
            "duties_assessed": np.where(
                result == "discrepancy", duties * 1.4, np.where(inspected, duties, np.nan)
            ),
            "inspection_result": result,
            "country_origin": origin,
            "country_export": origin,
            "transport_mode": "sea",
            "true_risk": np.minimum(risk, 0.95),  # what a perfect model would say; features ignore it
        }
    )
    items = pd.DataFrame(
        {
            "declaration_id": ids,
            "item_no": 1,
            "hs_code": hs,
            "country_origin": origin,
            "net_mass_kg": mass,
            "declared_value": value,
            "duty_rate": 0.1,
        }
    )
    return declarations, items


def write_store(path: Path, declarations: pd.DataFrame, items: pd.DataFrame | None) -> str:
    con = duckdb.connect(str(path))
    con.register("d", declarations)
    con.execute("CREATE TABLE declarations AS SELECT * FROM d")
    if items is not None:
        con.register("i", items)
        con.execute("CREATE TABLE items AS SELECT * FROM i")
    con.close()
    return str(path)


@pytest.fixture
def make_store(tmp_path: Path) -> Callable[..., str]:
    """Build a store from (possibly edited) planted-risk frames."""
    counter = iter(range(1000))

    def make(
        declarations: pd.DataFrame | None = None, items: pd.DataFrame | None = None, *, no_items: bool = False
    ) -> str:
        if declarations is None:
            declarations, default_items = risky_frames()
            items = default_items if items is None else items
        return write_store(
            tmp_path / f"store{next(counter)}.duckdb", declarations, None if no_items else items
        )

    return make
