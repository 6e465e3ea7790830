"""The core officer × month indicators computed through the engine (Ibis on DuckDB), for bench/run.py."""

from __future__ import annotations

from pathlib import Path

from arusha import backends
from arusha.analysis import _long, _peer_stats
from arusha.metrics import BY_CODE, declaration_facts, fact_columns, level_indicators_wide

CORE = ["VOL_DECL", "TF5", "TF5_P90", "BP1", "BP2", "BP3_UPLIFT", "AFTER_HOURS", "REL_BEFORE_PAY"]


def main(work: str) -> None:
    """Compute the core indicators from the store in ``work`` and return nothing (timed by the caller).

    The same path as ``analyze``: Ibis facts → ``level_indicators_wide`` on the engine → long rows
    and office-peer robust z-scores in Arrow and NumPy.
    """
    con = backends.connect(Path(work) / "s.duckdb", read_only=True)
    declarations = con.table("declarations")
    inds = [BY_CODE[c] for c in CORE]
    facts = declaration_facts(declarations, only=fact_columns(inds))
    wide = level_indicators_wide(facts, "officer", "month", inds).to_pyarrow()
    _peer_stats(_long(wide, "officer", inds))
