"""Analysis options: per-period trader rows are opt-in, and they agree with the whole-window rows."""

from __future__ import annotations

from typing import Any

import pytest

from arusha import backends
from arusha.analysis import analyze_tables
from tests.metrics.test_indicators import DECLARATIONS, _declarations

TRADERS = {"declarant", "importer"}


def _rows(trader_periods: bool) -> Any:
    con = backends.connect()
    table = con.create_table("declarations", _declarations(DECLARATIONS))
    analysis = analyze_tables({"declarations": table}, trader_periods=trader_periods)
    return analysis.indicators.to_pandas()


def test_traders_get_whole_window_rows_only_by_default() -> None:
    rows = _rows(trader_periods=False)
    traders = rows[rows.entity_type.isin(TRADERS)]
    assert len(traders) and set(traders.period) == {"all"}
    officers = rows[rows.entity_type == "officer"]
    assert set(officers.period) - {"all"}, "officers keep their monthly rows"


def test_trader_periods_add_monthly_rows_and_keep_the_same_whole_window_values() -> None:
    default, full = _rows(trader_periods=False), _rows(trader_periods=True)
    monthly = full[full.entity_type.isin(TRADERS) & (full.period != "all")]
    assert len(monthly)
    keys = ["entity_type", "entity_id", "period", "indicator"]
    whole = full[full.period == "all"].merge(default[default.period == "all"], on=keys, suffixes=("", "_d"))
    assert len(whole) == int((default.period == "all").sum())
    assert whole.value.tolist() == pytest.approx(whole.value_d.tolist(), nan_ok=True)
    assert (whole.n == whole.n_d).all()


def test_a_failing_query_stops_the_analysis_and_leaves_no_facts_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from arusha import analysis

    con = backends.connect()
    table = con.create_table("declarations", _declarations(DECLARATIONS))
    real = analysis._ordered
    calls = []

    def failing(expr: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:  # a query in the middle of the queue, on the engine's thread
            raise RuntimeError("engine lost")
        return real(expr)

    monkeypatch.setattr(analysis, "_ordered", failing)
    with pytest.raises(RuntimeError, match="engine lost"):
        analyze_tables({"declarations": table})
    assert "arusha_facts" not in con.list_tables()
    # The connection is still usable: the next analysis runs to the end.
    monkeypatch.setattr(analysis, "_ordered", real)
    assert analyze_tables({"declarations": table}).summary["declarations"] == len(DECLARATIONS)
