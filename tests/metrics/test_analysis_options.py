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


def test_a_window_with_no_declaration_is_refused_with_the_dates_the_store_holds() -> None:
    import datetime as dt

    from arusha.analysis import NothingToAnalyse

    con = backends.connect()
    table = con.create_table("declarations", _declarations(DECLARATIONS))
    with pytest.raises(NothingToAnalyse) as refused:
        analyze_tables({"declarations": table}, date_from=dt.date(2030, 1, 1), date_to=dt.date(2030, 1, 31))
    first = min(str(row["registered_at"])[:10] for row in DECLARATIONS)
    last = max(str(row["registered_at"])[:10] for row in DECLARATIONS)
    assert "between 2030-01-01 and 2030-01-31" in str(refused.value)
    assert f"from {first} to {last}" in str(refused.value)


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    import datetime as dt

    from arusha.analysis import NothingToAnalyse

    con = backends.connect()
    table = con.create_table("declarations", _declarations(DECLARATIONS))
    with pytest.raises(NothingToAnalyse, match="starts on 2024-03-01, after it ends on 2024-01-01"):
        analyze_tables({"declarations": table}, date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 1, 1))


def test_an_empty_store_is_refused_and_says_to_load_data_first() -> None:
    from arusha.analysis import NothingToAnalyse

    con = backends.connect()
    table = con.create_table("declarations", _declarations(DECLARATIONS)).limit(0)
    with pytest.raises(NothingToAnalyse, match="holds no declarations: load data first"):
        analyze_tables({"declarations": table})


def test_without_items_the_hs_chapter_level_names_the_missing_table() -> None:
    con = backends.connect()
    table = con.create_table("declarations", _declarations(DECLARATIONS))
    analysis = analyze_tables({"declarations": table})
    assert analysis.not_computable["level:hs_chapter"] == "not computable (missing table items)"
