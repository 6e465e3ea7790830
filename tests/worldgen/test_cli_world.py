"""`arusha data generate --world`: the world generator from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from arusha.commands.analytics import register

app = typer.Typer()


@app.callback()
def _main() -> None:
    """Test harness for the analytics commands."""


register(app)
runner = CliRunner()


def test_generate_world_writes_the_tables_and_the_truth(tmp_path: Path) -> None:
    out = tmp_path / "world"
    args = ["data", "generate", "--world", "--declarations", "3000", "--seed", "2", "--out", str(out)]
    result = runner.invoke(app, [*args, "--months", "6", "--offices", "5", "--schemes-per-kind", "1"])
    assert result.exit_code == 0, result.output
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["parameters"]["months"] == 6 and truth["parameters"]["offices"] == 5
    assert len(truth["schemes"]) == 10 and truth["confounders"]
    assert "10 schemes" in result.output
    assert {p.name for p in out.iterdir()} >= {"declarations.parquet", "items.parquet", "events.parquet"}


def test_generate_world_without_schemes_or_confounders(tmp_path: Path) -> None:
    out = tmp_path / "flat"
    args = ["data", "generate", "--world", "--declarations", "2000", "--out", str(out)]
    result = runner.invoke(app, [*args, "--no-schemes", "--no-confounders"])
    assert result.exit_code == 0, result.output
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["schemes"] == [] and truth["confounders"] == []
    assert truth["parameters"]["schemes"] is False and truth["parameters"]["confounders"] is False
