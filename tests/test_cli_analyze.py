"""``arusha analyze`` refuses, in a sentence and with a non-zero exit, a window that holds nothing."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import GOOD_ROW, write_csv
from tests.test_cli import app, runner


def _store(tmp_path: Path) -> Path:
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW])
    store = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["data", "load", str(path), "--store", str(store)]).exit_code == 0
    return store


def test_a_window_outside_the_data_exits_1_and_names_the_dates_held(tmp_path: Path) -> None:
    store, out = _store(tmp_path), tmp_path / "out"
    args = ["analyze", "--store", str(store), "--out", str(out), "--from", "2030-01-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    day = GOOD_ROW["registered_at"][:10]
    assert "Nothing analysed: no declaration was registered between 2030-01-01 and the end" in result.output
    assert f"from {day} to {day}" in result.output
    assert not out.exists(), "no empty outputs that read as 'nothing suspicious'"


def test_dates_in_the_wrong_order_exit_1(tmp_path: Path) -> None:
    store = _store(tmp_path)
    args = [
        "analyze",
        "--store",
        str(store),
        "--out",
        str(tmp_path / "o"),
        "--from",
        "2024-05-01",
        "--to",
        "2024-01-01",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "starts on 2024-05-01, after it ends on 2024-01-01" in result.output
