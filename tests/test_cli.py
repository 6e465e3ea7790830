"""The analytics commands, driven the way a user types them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from arusha.commands.analytics import register
from tests.conftest import GOOD_ROW, write_csv

app = typer.Typer()


@app.callback()
def _main() -> None:
    """Test harness for the analytics commands."""


register(app)
runner = CliRunner()


def test_generate_load_analyze(tmp_path: Path) -> None:
    data, store, out = tmp_path / "data", tmp_path / "s.duckdb", tmp_path / "out"
    result = runner.invoke(
        app, ["data", "generate", "--declarations", "1500", "--seed", "3", "--out", str(data)]
    )
    assert result.exit_code == 0, result.output
    assert (data / "truth.json").exists()
    files = [str(data / f"{t}.parquet") for t in ("declarations", "items", "events")]
    result = runner.invoke(app, ["data", "load", *files, "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.output
    result = runner.invoke(app, ["data", "load", files[0], "--store", str(store)])
    assert "already loaded" in result.output
    result = runner.invoke(app, ["analyze", "--store", str(store), "--out", str(out), "--from", "2024-02-01"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"indicators.parquet", "signals.csv", "report.html"}


def test_a_rejected_load_exits_non_zero_and_says_why(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "declarations.csv", [{**GOOD_ROW, "declared_value": "-1"}])
    result = runner.invoke(app, ["data", "load", str(path), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 1
    assert "row 1, column declared_value" in result.output and "nothing was loaded" in result.output


def test_analysis_without_officer_columns_says_what_is_not_computable(tmp_path: Path) -> None:
    drop = {"officer_id", "channel_assigned", "channel_final"}
    path = write_csv(tmp_path / "declarations.csv", [{k: v for k, v in GOOD_ROW.items() if k not in drop}])
    store = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["data", "load", str(path), "--store", str(store)]).exit_code == 0
    result = runner.invoke(app, ["analyze", "--store", str(store), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "BP1: not computable (missing column channel_assigned)" in result.output
    assert "not computable (missing column officer_id)" in result.output
    html = (tmp_path / "out" / "report.html").read_text()
    assert "not computable (missing column channel_assigned)" in html


def test_every_command_has_help() -> None:
    for args in (["data", "load"], ["data", "generate"], ["analyze"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output


def test_quarantine_loads_good_rows_and_says_how_many_were_kept_aside(tmp_path: Path) -> None:
    rows = [GOOD_ROW, {**GOOD_ROW, "declaration_id": "D2", "channel_final": "purple"}]
    path = write_csv(tmp_path / "declarations.csv", rows)
    result = runner.invoke(
        app, ["data", "load", str(path), "--store", str(tmp_path / "s.duckdb"), "--quarantine"]
    )
    assert result.exit_code == 0, result.output
    assert "Loaded 1 row into declarations" in result.output and "Quarantined 1 row with" in result.output


def test_analyze_on_a_file_that_is_no_store_says_so_in_a_sentence(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW])
    result = runner.invoke(app, ["analyze", "--store", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "it is no DuckDB store" in result.output and "Nothing was analysed" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_analyze_on_a_store_another_process_writes_says_so_in_a_sentence(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    assert (
        runner.invoke(
            app,
            [
                "data",
                "load",
                str(write_csv(tmp_path / "declarations.csv", [GOOD_ROW])),
                "--store",
                str(store),
            ],
        ).exit_code
        == 0
    )
    code = (
        f"import duckdb, time; c = duckdb.connect({str(store)!r}); print('ready', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = runner.invoke(app, ["analyze", "--store", str(store), "--out", str(tmp_path / "out")])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    assert "another process" in result.output and "Nothing was analysed" in result.output
