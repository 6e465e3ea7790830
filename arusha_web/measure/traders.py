"""Monthly series of declarants and importers, and the officers they deal with, read on demand.

Why not in the web database: at 1 M declarations an analysis has about 0.3 M monthly declarant
values, 2.5 M monthly importer values and 0.85 M officer × trader pair values, against 1.1 M rows
the web database already holds for everything else. Importing them would triple its size and the
import time (SQLite took 220 s for the 1.1 M), for pages that show one trader at a time.

Why not straight from ``indicators.parquet``: it is ordered by indicator, so finding one trader
reads most of the file (1–4 s at 1 M declarations).

So the analysis import writes ``traders.parquet`` next to it: only these rows, sorted by trader,
in small row groups. Parquet keeps the smallest and largest trader of each group, so a lookup
reads one or two groups (20–40 ms at 1 M declarations, 21 MB on disk). The file belongs to the
run's output folder and goes with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "traders.parquet"
TRADER_LEVELS = ("declarant", "importer")
PAIR_LEVELS = {"officer_declarant_pair": "declarant", "officer_importer_pair": "importer"}
ROW_GROUP = 16_384
COLUMNS = ["level", "trader_id", "officer_id", "period", "indicator", "value", "n", "peer_median"]


def write(out_dir: Path) -> Path | None:
    """Write ``traders.parquet`` from the run's ``indicators.parquet``; None when there is none."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = Path(out_dir) / "indicators.parquet"
    if not source.exists():
        return None
    table = pq.read_table(
        source,
        columns=["entity_type", "entity_id", "period", "indicator", "value", "n", "peer_median"],
        filters=[("entity_type", "in", [*TRADER_LEVELS, *PAIR_LEVELS])],
    )
    kind = table["entity_type"]
    is_pair = pc.is_in(kind, value_set=pa.array(list(PAIR_LEVELS)))
    # A pair's id is "officer|trader": split it so a trader's pairs sort next to the trader.
    ident = table["entity_id"]
    officer = pc.if_else(is_pair, pc.replace_substring_regex(ident, r"\|.*$", ""), pa.scalar(""))
    trader = pc.if_else(is_pair, pc.replace_substring_regex(ident, r"^[^|]*\|", ""), ident)
    level = kind
    for pair, trader_level in PAIR_LEVELS.items():
        level = pc.if_else(pc.equal(kind, pair), pa.scalar(trader_level), level)
    out = pa.table(
        {
            "level": level,
            "trader_id": trader,
            "officer_id": officer,
            "period": table["period"],
            "indicator": table["indicator"],
            "value": table["value"],
            "n": table["n"],
            "peer_median": table["peer_median"],
        }
    ).sort_by([("level", "ascending"), ("trader_id", "ascending")])
    target = Path(out_dir) / FILE_NAME
    partial = target.with_suffix(".parquet.partial")
    pq.write_table(out, partial, row_group_size=ROW_GROUP, compression="zstd")
    partial.replace(target)  # readers never see half a file
    return target


@dataclass
class TraderSeries:
    """What the trader page shows beyond its whole-period values."""

    available: bool
    # indicator -> period -> value (months only)
    monthly: dict[str, dict[str, float | None]]
    periods: list[str]
    # (officer, declarations together, pairing excess, peer median of the excess), most declarations first
    officers: list[tuple[str, int | None, float | None, float | None]]


def read(out_dir: str | Path, *, level: str, trader_id: str) -> TraderSeries:
    """One trader's monthly values and pairs; ``available`` False for an analysis imported before
    this file existed (or whose output folder is gone)."""
    import pyarrow.parquet as pq

    path = Path(out_dir) / FILE_NAME
    if level not in TRADER_LEVELS or not path.exists():
        return TraderSeries(False, {}, [], [])
    rows: list[dict[str, Any]] = pq.read_table(
        path, filters=[("level", "=", level), ("trader_id", "=", trader_id)]
    ).to_pylist()
    monthly: dict[str, dict[str, float | None]] = {}
    officers = []
    for r in rows:
        if r["officer_id"]:
            officers.append((r["officer_id"], r["n"], r["value"], r["peer_median"]))
        elif r["period"] != "all":
            monthly.setdefault(r["indicator"], {})[r["period"]] = r["value"]
    periods = sorted({p for series in monthly.values() for p in series})
    officers.sort(key=lambda o: (-(o[1] or 0), o[0]))
    return TraderSeries(True, monthly, periods, officers)
