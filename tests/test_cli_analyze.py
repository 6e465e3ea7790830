"""``arusha analyze`` refuses, in a sentence and with a non-zero exit, a window that holds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import GOOD_ROW, store_rows, write_csv
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


def _generated_store(tmp_path: Path) -> Path:
    data, store = tmp_path / "data", tmp_path / "s.duckdb"
    args = ["data", "generate", "--declarations", "800", "--seed", "5", "--out", str(data)]
    assert runner.invoke(app, args).exit_code == 0
    files = [str(data / f"{t}.parquet") for t in ("declarations", "items", "events")]
    assert runner.invoke(app, ["data", "load", *files, "--store", str(store)]).exit_code == 0
    return store


def test_an_exported_folder_analyses_to_the_same_leads_as_its_store(tmp_path: Path) -> None:
    store, folder = _generated_store(tmp_path), tmp_path / "shared"
    result = runner.invoke(app, ["data", "export", "--store", str(store), "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in folder.iterdir()} == {"declarations.parquet", "items.parquet", "events.parquet"}
    for source, out in ((store, "from_store"), (folder, "from_folder")):
        result = runner.invoke(app, ["analyze", "--store", str(source), "--out", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    leads = [(tmp_path / out / "signals.csv").read_text() for out in ("from_store", "from_folder")]
    assert leads[0] == leads[1] and leads[0].count("\n") > 1


def test_a_folder_without_declarations_or_with_a_contract_column_missing_is_refused(tmp_path: Path) -> None:
    import duckdb

    store, folder = _generated_store(tmp_path), tmp_path / "shared"
    assert runner.invoke(app, ["data", "export", "--store", str(store), "--out", str(folder)]).exit_code == 0
    declarations = folder / "declarations.parquet"
    renamed = folder / "old.parquet"
    declarations.rename(renamed)
    result = runner.invoke(app, ["analyze", "--store", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "holds no declarations.parquet" in result.output
    duckdb.sql(f"COPY (SELECT * EXCLUDE (officer_id) FROM '{renamed}') TO '{declarations}' (FORMAT parquet)")
    result = runner.invoke(app, ["analyze", "--store", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "declarations.parquet lacks the column(s) officer_id" in result.output
    assert not (tmp_path / "o").exists()


def test_a_uri_needs_spark_and_the_spark_master_reaches_the_engine(tmp_path: Path, monkeypatch: Any) -> None:
    result = runner.invoke(
        app, ["analyze", "--store", "s3a://bucket/clearance", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "use --engine spark for a URI" in result.output

    import arusha.analysis

    seen: dict[str, Any] = {}

    def fake(store: str, out: Path, **kwargs: Any) -> Any:
        seen.update(kwargs, store=store)
        raise arusha.analysis.NothingToAnalyse("stopped here")

    monkeypatch.setattr(arusha.analysis, "analyze_store", fake)
    args = ["analyze", "--store", "s3a://bucket/clearance", "--out", "o", "--engine", "spark"]
    result = runner.invoke(app, [*args, "--spark-master", "spark://head:7077"])
    assert seen == {**seen, "store": "s3a://bucket/clearance", "spark_master": "spark://head:7077"}
    monkeypatch.setenv("ARUSHA_SPARK_MASTER", "spark://other:7077")
    runner.invoke(app, args)
    assert seen["spark_master"] == "spark://other:7077"


def test_a_uri_folder_reads_each_table_at_its_uri_and_skips_those_that_are_absent() -> None:
    from arusha import backends

    class Engine:
        def __init__(self) -> None:
            self.asked: list[str] = []

        def read_parquet(self, path: str, table_name: str) -> str:
            self.asked.append(path)
            if table_name != "declarations":
                raise FileNotFoundError(path)
            return f"table {table_name}"

    engine = Engine()
    tables = backends.register_parquet(engine, "s3a://bucket/clearance/")  # type: ignore[arg-type]
    assert tables == {"declarations": "table declarations"}
    assert engine.asked[0] == "s3a://bucket/clearance/declarations.parquet"


def test_a_file_loaded_under_a_wrong_mapping_is_loaded_again_with_reload(tmp_path: Path) -> None:
    # The export gives values in thousands; the first mapping forgot the scale.
    export = write_csv(tmp_path / "declarations.csv", [{**GOOD_ROW, "declared_value": "12.5"}])
    store = tmp_path / "s.duckdb"
    wrong, right = tmp_path / "wrong.yaml", tmp_path / "right.yaml"
    wrong.write_text("tables:\n  declarations:\n    columns:\n      declared_value: declared_value\n")
    right.write_text(
        "tables:\n  declarations:\n    columns:\n      declared_value: {source: declared_value, scale: 1000}\n"
    )
    assert (
        runner.invoke(
            app, ["data", "load", str(export), "--store", str(store), "--mapping", str(wrong)]
        ).exit_code
        == 0
    )
    again = runner.invoke(app, ["data", "load", str(export), "--store", str(store), "--mapping", str(right)])
    assert "already loaded (--reload loads it again" in again.output
    args = ["data", "load", str(export), "--store", str(store), "--mapping", str(right), "--reload"]
    reloaded = runner.invoke(app, args)
    assert reloaded.exit_code == 0, reloaded.output
    assert "Loaded 1 row into declarations" in reloaded.output
    assert store_rows(store, "SELECT declaration_id, declared_value FROM declarations") == [("D1", 12500.0)]


def test_the_load_command_says_how_many_stored_rows_it_replaced(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first = write_csv(tmp_path / "jan" / "declarations.csv", [GOOD_ROW, {**GOOD_ROW, "declaration_id": "D2"}])
    assert runner.invoke(app, ["data", "load", str(first), "--store", str(store)]).exit_code == 0
    newer = write_csv(tmp_path / "feb" / "declarations.csv", [{**GOOD_ROW, "declaration_id": "D2"}])
    result = runner.invoke(app, ["data", "load", str(newer), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert (
        "Replaced 1 row of declarations already stored, by the newer rows with the same key." in result.output
    )
